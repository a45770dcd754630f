"""`replaykit pack RUN -o FILE.tar.gz` and `replaykit unpack FILE -o DIR`: one file to publish a run.

A pack is a deterministic gzip'd tar: `MANIFEST.json` first (every member's path, size and sha256), then the
run's files in path order, each with the same mtime, owner and mode, so packing the same run twice gives the
same bytes. Unpacking trusts nothing in it: see `unpack` and docs/sharing.md.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import orjson

from replaykit import __version__
from replaykit.cassettes.limits import check_shape
from replaykit.cassettes.run import RUN_FILE, load_run
from replaykit.errors import BadInputError, ReplaykitError, printable
from replaykit.share.bounded_gzip import BoundedGunzip, PackError
from replaykit.share.paths import check_new_folder, run_member, safe_component, staged_folder
from replaykit.share.verify import verify_run

PACK_FORMAT = 1
MANIFEST = "MANIFEST.json"
_CHUNK = 1024 * 1024
_SLACK = 64 * 1024  # tarfile reads ahead up to a record (10 KB) past what it was asked for
_SHA256 = re.compile(r"sha256:[0-9a-f]{64}")


@dataclass(frozen=True)
class UnpackLimits:
    max_member: int = 64 * 1024 * 1024  # the largest cassette replaykit reads (persist.MAX_CASSETTE_BYTES)
    max_total: int = 2 * 1024 * 1024 * 1024
    max_members: int = 100_000
    max_manifest: int = 16 * 1024 * 1024
    max_header: int = 1024 * 1024  # a tar header with its pax records or GNU long name
    max_ratio: float | None = 200.0  # real runs compress 10-30:1; 10 GB of zeros is ~1000:1
    ratio_grace: int = 16 * 1024 * 1024  # small packs never trip the ratio check


class PackRefused(ReplaykitError):
    """The run does not verify, so it is not packed (exit 1, like verify)."""


@dataclass
class PackReport:
    path: str
    members: int
    size: int
    sha256: str
    left_out: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- pack


def pack_run(run_path: str | Path, out: str | Path, *, check: bool = True) -> PackReport:
    """Write the run as one deterministic .tar.gz; refuse a run that does not verify (secrets, hashes).
    `check=False` packs a run whose hashes or structure are off, never one with a secret finding."""
    run = load_run(run_path)
    if run.manifest.get("missing_manifest"):
        raise BadInputError(f"no {RUN_FILE}: not a run folder", source=str(run.root))
    report = verify_run(run.root)  # the secret scan runs whatever the flags: `check` is about the rest
    if report.secrets or (check and report.problems):
        raise PackRefused("the run does not verify; not packed:\n  " + "\n  ".join(
            map(printable, (report.problems if check else []) + report.secrets)))
    files, left_out = _run_files(run.root)
    unpackable = sorted(set(run.manifest.get("cassettes") or {}) - set(files))
    if unpackable:  # a listed cassette under a name unpack would refuse: say so rather than drop it
        raise BadInputError(f"listed in run.json but cannot be packed (missing, or not a plain file name): "
                            f"{', '.join(unpackable)}",
                            source=str(run.root))
    entries = [_entry(run.root, rel) for rel in files]
    manifest = {"format": PACK_FORMAT, "kind": "replaykit-pack", "replaykit_version": __version__,
                "run_id": run.id, "members": entries}
    encoded = orjson.dumps(manifest, option=orjson.OPT_INDENT_2)
    size, digest = _write_pack(run.root, Path(out), encoded, entries)
    return PackReport(str(out), len(entries), size, digest, left_out)


def _run_files(root: Path) -> tuple[list[str], list[str]]:
    """The run's own files: run.json and scenarios.json first (a reader streaming the pack knows the run
    before its cassettes), then the cassettes sorted by path; anything else is left out."""
    files: list[str] = []
    left_out: list[str] = []
    for path in sorted(root.rglob("*"), key=lambda p: p.as_posix()):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            raise BadInputError("a symbolic link in the run folder; not packed", source=str(path))
        if path.is_dir():
            continue
        (files if path.is_file() and run_member(rel) else left_out).append(rel)
    if RUN_FILE not in files:
        raise BadInputError(f"no {RUN_FILE}", source=str(root))
    head = [name for name in (RUN_FILE, "scenarios.json") if name in files]
    return head + [name for name in files if name not in head], left_out


def _tarinfo(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = 0  # fixed: the same run packs to the same bytes
    info.mode = 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _write_pack(root: Path, out: Path, manifest: bytes, entries: list[dict[str, Any]]) -> tuple[int, str]:
    """Stream the tar.gz into a temporary file renamed into place; (its size, its sha256)."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    except OSError as err:
        raise BadInputError(f"cannot write: {err.strerror or err}", source=str(out)) from None
    try:
        os.fchmod(fd, 0o644)  # a file to publish; mkstemp's 0600 would surprise
        with os.fdopen(fd, "w+b") as fh:
            _write_tar(root, fh, manifest, entries)
            fh.seek(0)
            size, digest = _hash_stream(fh)
        os.replace(tmp, out)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise BadInputError(f"cannot write: {err.strerror or err}", source=str(out)) from None
        raise
    return size, digest


def _write_tar(root: Path, fh: IO[bytes], manifest: bytes, entries: list[dict[str, Any]]) -> None:
    # filename="" and mtime=0: gzip would otherwise store the output's name and the current time
    with gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(_tarinfo(MANIFEST, len(manifest)), io.BytesIO(manifest))
        for entry in entries:
            with (root / entry["path"]).open("rb") as src:
                reader = _HashingReader(src)
                tar.addfile(_tarinfo(entry["path"], entry["size"]), reader)
            if reader.digest() != entry["sha256"]:
                raise BadInputError("changed while being packed", source=str(root / entry["path"]))


def _hash_stream(fh: IO[bytes]) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while chunk := fh.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, "sha256:" + digest.hexdigest()


def _entry(root: Path, rel: str) -> dict[str, Any]:
    with (root / rel).open("rb") as fh:
        size, digest = _hash_stream(fh)
    return {"path": rel, "size": size, "sha256": digest}


class _HashingReader:
    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.hash = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.hash.update(data)
        return data

    def digest(self) -> str:
        return "sha256:" + self.hash.hexdigest()


# -------------------------------------------------------------------------------------------- unpack


@dataclass
class UnpackReport:
    path: str
    members: int
    size: int
    run_id: str


def unpack(pack: str | Path, out: str | Path, *, limits: UnpackLimits | None = None) -> UnpackReport:
    """Extract a pack into `out` (absent or empty), or refuse it with a PackError and leave nothing behind.

    Members are read in one streaming pass; each header is checked before a byte of it is written: only
    regular files at the paths a run holds (no absolute path, no `..`, no link, device or fifo), each within
    the size its manifest entry declares. Files go into a temporary folder next to `out`, created with
    O_EXCL|O_NOFOLLOW, which is renamed into place only when every member matched the manifest.
    """
    limits = limits or UnpackLimits()
    target = Path(out)
    check_new_folder(target)
    try:
        fh = Path(pack).open("rb")  # noqa: SIM115 - closed below, after the staging folder is settled
    except OSError as err:
        raise BadInputError(f"cannot read: {err.strerror or err}", source=str(pack)) from None
    with fh, staged_folder(target, "unpack") as staging:
        report = _extract(fh, str(pack), staging, limits)
    report.path = str(target)
    return report


def _extract(fh: IO[bytes], source: str, staging: Path, limits: UnpackLimits) -> UnpackReport:
    reader = _PackReader(fh, source, limits)
    declared: dict[str, dict[str, Any]] | None = None
    manifest: dict[str, Any] = {}
    written = 0
    for count, member in enumerate(reader.members(), start=1):
        if count > limits.max_members + 1:
            raise PackError(f"more than {limits.max_members} members", source=source)
        name = _checked_name(member, source, limits)
        if declared is None:
            if name != MANIFEST:
                raise PackError(f"the first member must be {MANIFEST}, not {name!r}", source=source)
            try:
                manifest, declared = _read_manifest(reader.data(member), member, source, limits)
            except _TAR_ERRORS as err:
                raise PackError(f"{MANIFEST}: malformed tar data ({_first_line(err)})", source=source) from None
            continue
        if member.isdir():
            continue
        entry = declared.pop(name, None)
        if entry is None:
            raise PackError(f"member {name!r} is not in {MANIFEST} (or comes twice)", source=source)
        if member.size != entry["size"]:
            raise PackError(f"member {name!r} is {member.size} bytes, {MANIFEST} says {entry['size']}",
                            source=source)
        try:
            _write_member(reader.data(member), staging, name, entry, source)
        except _TAR_ERRORS as err:
            raise PackError(f"member {name!r}: malformed tar data ({_first_line(err)})", source=source) from None
        written += member.size
    if declared is None:
        raise PackError(f"no {MANIFEST}: not a replaykit pack", source=source)
    if declared:
        raise PackError(f"{MANIFEST} lists members the pack lacks: {', '.join(sorted(declared))}",
                        source=source)
    return UnpackReport("", len(manifest["members"]), written, str(manifest.get("run_id") or ""))


# tarfile reads pax records with int() and unpacks GNU.sparse.* maps without checks: a hostile header ends
# in ValueError (or OverflowError, EOFError) as well as in TarError
_TAR_ERRORS = (tarfile.TarError, ValueError, OverflowError, EOFError)


def _first_line(err: Exception) -> str:
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    return text[:200]


class _PackReader:
    """tarfile in streaming mode over the bounded gunzip; each read step gets its budget first."""

    def __init__(self, fh: IO[bytes], source: str, limits: UnpackLimits) -> None:
        self.source = source
        self.limits = limits
        self.stream = BoundedGunzip(fh, max_total=limits.max_total + limits.max_manifest + _SLACK,
                                    max_ratio=limits.max_ratio, ratio_grace=limits.ratio_grace, source=source)
        self.stream.allow(limits.max_header + _SLACK, "a tar header")
        try:  # opening reads the first header
            # tarfile wants a file type; the stream has the one method it calls, read()
            self.tar = tarfile.open(fileobj=cast(IO[bytes], self.stream), mode="r|")  # noqa: SIM115
        except _TAR_ERRORS as err:
            raise PackError(f"not a tar.gz file ({_first_line(err)})", source=source) from None

    def members(self) -> Iterator[tarfile.TarInfo]:
        while True:
            self.stream.allow(self.limits.max_header + _SLACK, "a tar header")
            try:
                member = self.tar.next()
            except _TAR_ERRORS as err:
                raise PackError(f"malformed tar data ({_first_line(err)})", source=self.source) from None
            if member is None:
                return
            yield member

    def data(self, member: tarfile.TarInfo) -> IO[bytes] | None:
        self.stream.allow(member.size + _SLACK, f"member {member.name!r}")
        return self.tar.extractfile(member)


_KINDS = {tarfile.SYMTYPE: "a symbolic link", tarfile.LNKTYPE: "a hard link", tarfile.CHRTYPE: "a device",
          tarfile.BLKTYPE: "a device", tarfile.FIFOTYPE: "a fifo", tarfile.CONTTYPE: "a contiguous file",
          tarfile.GNUTYPE_SPARSE: "a sparse file"}


def _checked_name(member: tarfile.TarInfo, source: str, limits: UnpackLimits) -> str:
    """The member's path, if it is a plain file or folder of a run at a safe relative path."""
    name = member.name
    what = f"member {name!r}"
    if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.DIRTYPE) or member.sparse is not None:
        kind = _KINDS.get(member.type, f"of tar type {member.type!r}")
        raise PackError(f"{what} is {'a sparse file' if member.sparse is not None else kind}; "
                        "a pack holds regular files only", source=source)
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        raise PackError(f"{what} has an absolute path", source=source)
    parts = name.rstrip("/").split("/") if member.isdir() else name.split("/")
    if ".." in parts or "\\" in name or "\0" in name:
        raise PackError(f"{what} climbs out of the folder (`..` or a backslash)", source=source)
    if member.isdir():
        if parts != ["cassettes"] and not (len(parts) == 2 and parts[0] == "cassettes"
                                           and safe_component(parts[1])):
            raise PackError(f"{what} is not a folder of a run", source=source)
        return "/".join(parts)
    if name != MANIFEST and not run_member(name):
        raise PackError(f"{what} is not a file of a run (run.json, scenarios.json, "
                        "cassettes/PROVIDER/SCENARIO--rN.json)", source=source)
    if member.size > limits.max_member:
        raise PackError(f"{what} is {member.size} bytes, over the {limits.max_member}-byte limit",
                        source=source)
    return name


def _read_manifest(fh: IO[bytes] | None, member: tarfile.TarInfo, source: str,
                   limits: UnpackLimits) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    if fh is None or member.size > limits.max_manifest:
        raise PackError(f"{MANIFEST} is over {limits.max_manifest} bytes", source=source)
    try:
        manifest = orjson.loads(fh.read(member.size))
    except orjson.JSONDecodeError as err:
        raise PackError(f"{MANIFEST}: invalid JSON: {err}", source=source) from None
    check_shape(manifest, f"{source}: {MANIFEST}")
    if not isinstance(manifest, dict) or manifest.get("kind") != "replaykit-pack":
        raise PackError(f"{MANIFEST}: not a replaykit pack manifest", source=source)
    version = manifest.get("format")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise PackError(f"{MANIFEST}: unknown pack format {version!r}", source=source)
    if version > PACK_FORMAT:
        raise PackError(f"pack format {version} is newer than this replaykit reads ({PACK_FORMAT}); "
                        "upgrade replaykit", source=source)
    return manifest, _declared(manifest.get("members"), source, limits)


def _declared(members: Any, source: str, limits: UnpackLimits) -> dict[str, dict[str, Any]]:
    """The manifest's members by path, checked before any member is read: the sizes it declares must fit the
    limits, so a pack announcing 10 GB is refused before a byte of it is inflated."""
    if not isinstance(members, list) or len(members) > limits.max_members:
        raise PackError(f"{MANIFEST}: `members` must be a list of at most {limits.max_members}",
                        source=source)
    out: dict[str, dict[str, Any]] = {}
    for i, entry in enumerate(members):
        ok = (isinstance(entry, dict) and isinstance(entry.get("path"), str) and run_member(entry["path"])
              and isinstance(entry.get("size"), int) and 0 <= entry["size"] <= limits.max_member
              and isinstance(entry.get("sha256"), str) and _SHA256.fullmatch(entry["sha256"]))
        if not ok or entry["path"] in out:
            raise PackError(f"{MANIFEST}: members[{i}] is not a distinct run file with size and sha256 "
                            "within the limits", source=source)
        out[entry["path"]] = entry
    total = sum(e["size"] for e in out.values())
    if total > limits.max_total:
        raise PackError(f"{MANIFEST} declares {total} bytes, over the {limits.max_total}-byte limit",
                        source=source)
    if RUN_FILE not in out:
        raise PackError(f"{MANIFEST} lists no {RUN_FILE}", source=source)
    return out


def _write_member(fh: IO[bytes] | None, staging: Path, name: str, entry: dict[str, Any], source: str) -> None:
    if fh is None:
        raise PackError(f"member {name!r} has no data", source=source)
    path = staging / name
    path.parent.mkdir(parents=True, exist_ok=True)  # inside staging, which we created: no links in it
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    digest = hashlib.sha256()
    with os.fdopen(os.open(path, flags, 0o644), "wb") as out:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    if "sha256:" + digest.hexdigest() != entry["sha256"]:
        raise PackError(f"member {name!r}: sha256 differs from {MANIFEST}", source=source)
