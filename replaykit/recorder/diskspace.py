"""A full disk while recording: nothing recorded is lost, run.json still lists what is on disk, and the user
gets one line (which file, how much space) instead of a traceback.

Cassettes are written atomically, so a failed write leaves no half file. What needs care is run.json: it must
be rewritten to list the cassettes written since its last save, and on a full disk that write would fail
too. So the recorder holds back space for it — a reserve file sized for the run's manifest — and frees it
when the disk fills, just before the last save.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from replaykit.cassettes.run import Run, encode_manifest
from replaykit.errors import BadInputError

FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
RESERVE_NAME = ".replaykit-reserve"  # hidden: never a cassette, never packed
MANIFEST_BYTES_PER_SAMPLE = 160  # one `"cassettes/p/scenario--rN.json": "sha256:..."` line, generously
MAX_RESERVE = 32 * 1024 * 1024


class DiskFull(BadInputError):
    """No space left for the run (exit 2: the user frees space, then resumes)."""


def is_full(err: BaseException) -> bool:
    return isinstance(err, OSError) and err.errno in FULL


def _mb(size: float) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.0f} kB"


def disk_full(path: Path, needed: int, rest: int, run: Run) -> DiskFull:
    more = f"; the rest of the run needs about {_mb(rest)} more" if rest else ""
    kept = ("Everything recorded so far is kept (run.json could not be updated: resuming lists the cassettes "
            "again)") if path.name == "run.json" else "Everything recorded so far is kept and listed in run.json"
    return DiskFull(f"disk full: could not write {path.name} ({_mb(needed)}){more}. {kept}; free space, then "
                    f"`replaykit record --resume {run.root}`", source=str(path.parent))


class Reserve:
    """Space held back for the final run.json of a run of `samples` more samples."""

    def __init__(self, run: Run, samples: int) -> None:
        self.path = run.root / RESERVE_NAME
        current = len(encode_manifest(run.manifest))
        # room for run.json to be written twice (its temp file and the one it replaces) at its final size
        self.size = min(MAX_RESERVE, 2 * (current + samples * MANIFEST_BYTES_PER_SAMPLE) + 64 * 1024)
        self.run = run

    def hold(self) -> None:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
            try:
                _allocate(fd, self.size)
            finally:
                os.close(fd)
        except OSError as err:
            self.release()
            if is_full(err):
                raise disk_full(self.path, self.size, 0, self.run) from None
            raise

    def release(self) -> None:
        self.path.unlink(missing_ok=True)


def _allocate(fd: int, size: int) -> None:
    """Real blocks, not a sparse file (a hole would free nothing)."""
    if hasattr(os, "posix_fallocate"):
        os.posix_fallocate(fd, 0, size)
        return
    block = b"\0" * (1 << 16)
    for start in range(0, size, len(block)):
        os.write(fd, block[: min(len(block), size - start)])
