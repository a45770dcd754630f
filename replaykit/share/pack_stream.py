"""Reading a pack's members in one streaming pass, without unpacking it to disk (`score run.tar.gz`).

The same checks as `unpack`, member by member: the manifest first, only run files at safe paths, each within
its declared size and bounded by the pack limits, each read member's sha256 against the manifest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

from replaykit.errors import BadInputError
from replaykit.share.bounded_gzip import PackError
from replaykit.share.pack import (
    _TAR_ERRORS,
    MANIFEST,
    UnpackLimits,
    _checked_name,
    _first_line,
    _PackReader,
    _read_manifest,
)


def read_members(pack: str | Path, *, want: Callable[[str], bool] = lambda name: True,
                 limits: UnpackLimits | None = None) -> Generator[tuple[str, bytes], None, None]:
    """(path, bytes) of every member `want` accepts, in pack order; members not wanted are skipped unread."""
    limits = limits or UnpackLimits()
    source = str(pack)
    try:
        fh = Path(pack).open("rb")  # noqa: SIM115 - closed by the with below
    except OSError as err:
        raise BadInputError(f"cannot read: {err.strerror or err}", source=source) from None
    with fh:
        reader = _PackReader(fh, source, limits)
        declared: dict[str, dict[str, Any]] | None = None
        for count, member in enumerate(reader.members(), start=1):
            if count > limits.max_members + 1:
                raise PackError(f"more than {limits.max_members} members", source=source)
            name = _checked_name(member, source, limits)
            if declared is None:
                if name != MANIFEST:
                    raise PackError(f"the first member must be {MANIFEST}, not {name!r}", source=source)
                try:
                    declared = _read_manifest(reader.data(member), member, source, limits)[1]
                except _TAR_ERRORS as err:
                    raise PackError(f"{MANIFEST}: malformed tar data ({_first_line(err)})", source=source) from None
                continue
            if member.isdir():
                continue
            if not want(name):
                _skip(reader, member)
                continue
            try:
                data = _checked_data(reader, member, declared.get(name), name, source)
            except _TAR_ERRORS as err:  # tarfile's own errors from inside a member, as in unpack
                raise PackError(f"member {name!r}: malformed tar data ({_first_line(err)})", source=source) from None
            yield name, data
        if declared is None:
            raise PackError(f"no {MANIFEST}: not a replaykit pack", source=source)


def _skip(reader: _PackReader, member: Any) -> None:
    """Read past a member within its own budget: left to tarfile, the skip would be charged to the next
    header's (which is what the bounded inflate allows at that point)."""
    fh = reader.data(member)
    while fh is not None and fh.read(1 << 20):
        pass


def _checked_data(reader: _PackReader, member: Any, entry: dict[str, Any] | None, name: str, source: str) -> bytes:
    if entry is None or member.size != entry["size"]:
        raise PackError(f"member {name!r} is not in {MANIFEST} with this size", source=source)
    fh = reader.data(member)
    data = fh.read(member.size) if fh is not None else b""
    if len(data) != member.size or "sha256:" + hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise PackError(f"member {name!r}: sha256 differs from {MANIFEST}", source=source)
    return data
