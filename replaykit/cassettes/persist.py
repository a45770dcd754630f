"""Files on disk: atomic writes (temp file + rename) and bounded reads of untrusted files."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from replaykit.errors import CassetteError

MAX_CASSETTE_BYTES = 64 * 1024 * 1024


def write_atomic(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Write so that a killed process leaves either the old file or the new one, never half of one.

    The rename is atomic for a crash of the process; `durable` adds an fsync for power loss, which costs
    milliseconds a file and is off for cassettes (thousands per run).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp's 0600 would make a shared run unreadable to others
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_bounded(path: str | Path, limit: int = MAX_CASSETTE_BYTES) -> bytes:
    """The file's bytes, refused past `limit`. Reads the size the file has (a read of `limit` bytes would
    allocate, and map, a buffer that large for every small cassette: 3x slower), then whatever it grew by."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            data = fh.read(min(size, limit) + 1)
            if len(data) > size:  # growing, or a pipe that reports no size: the rest, still bounded
                data += fh.read(limit + 1 - len(data))
    except OSError as err:
        raise CassetteError(f"cannot read: {err.strerror or err}", source=str(path)) from None
    if len(data) > limit:
        raise CassetteError(f"file is over the {limit}-byte limit", source=str(path))
    return data
