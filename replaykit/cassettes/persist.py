"""Files on disk: atomic writes (temp file + rename) and bounded reads of untrusted files."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from replaykit.cassettes.limits import MAX_CASSETTE_BYTES
from replaykit.errors import CassetteError

# Never follow a link (it could point at /dev/zero or a file of the reader's), never block on opening (a
# FIFO would hang the reader forever): the type is checked on the open descriptor, before any read.
_OPEN_FLAGS = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
LINK = "a symbolic link (a run holds regular files only)"


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
    """The bytes of a regular file, refused past `limit`; a link, FIFO, device or folder is refused before
    a byte is read. Asks for the size the file has: a read of `limit` bytes would allocate (and map) a
    buffer that large for every small cassette, which made reading 3x slower. Plain descriptors, no file
    object: the scorer reads 50,000 files."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as err:
        link = err.errno in (errno.ELOOP, errno.EMLINK) and os.path.islink(path)  # EMLINK: the BSDs
        raise CassetteError(LINK if link else f"cannot read: {err.strerror or err}", source=str(path)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise CassetteError(f"not a regular file ({_kind(info.st_mode)})", source=str(path))
        size = info.st_size
        if size > limit:
            raise CassetteError(f"file is over the {limit}-byte limit", source=str(path))
        data = os.read(fd, size + 1)
        if len(data) != size:  # growing or short: read on, still bounded
            data = _read_rest(fd, data, limit)
    except OSError as err:
        raise CassetteError(f"cannot read: {err.strerror or err}", source=str(path)) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise CassetteError(f"file is over the {limit}-byte limit", source=str(path))
    return data


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a plain file"


def _read_rest(fd: int, head: bytes, limit: int) -> bytes:
    parts, total = [head], len(head)
    while total <= limit:
        more = os.read(fd, min(limit + 1 - total, 1 << 20))
        if not more:
            break
        parts.append(more)
        total += len(more)
    return b"".join(parts)
