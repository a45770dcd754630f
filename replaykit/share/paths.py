"""Paths built from untrusted names, and the folders that commands create.

Sample identities become folder and file names when runs are merged, imported or unpacked, so a provider named
`../..` must never leave the run folder; and a command that creates a run builds it aside and renames it into
place, so a refusal half-way leaves nothing behind."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from replaykit.cassettes.model import SampleId
from replaykit.cassettes.run import CASSETTE_DIR, RUN_FILE, SCENARIOS_FILE, cassette_relpath
from replaykit.errors import BadInputError, CassetteError

_COMPONENT = re.compile(r"[A-Za-z0-9_@+=-][A-Za-z0-9_.@+=-]{0,199}")
_CASSETTE_FILE = re.compile(r"(.+)--r(0|[1-9][0-9]{0,8})\.json")


def safe_component(name: str) -> bool:
    """A single file-name component that cannot climb, hide, or mean anything special to a shell or tar."""
    return bool(_COMPONENT.fullmatch(name)) and name not in (".", "..")


def sample_relpath(sample: SampleId, source: str) -> str:
    """The cassette path of a sample, refusing names that are not one plain path component each."""
    for what, name in (("provider", sample.provider), ("scenario", sample.scenario)):
        if not safe_component(name):
            raise CassetteError(f"{what} name {name!r} cannot be a file name", source=source)
    if sample.repetition < 0:
        raise CassetteError(f"negative repetition {sample.repetition}", source=source)
    return cassette_relpath(sample)


def run_member(rel: str) -> bool:
    """Whether `rel` (a POSIX relative path) is one of the files a run folder holds: run.json, scenarios.json,
    cassettes/PROVIDER/SCENARIO--rN.json, each component plain."""
    if rel in (RUN_FILE, SCENARIOS_FILE):
        return True
    parts = PurePosixPath(rel).parts
    if len(parts) != 3 or parts[0] != CASSETTE_DIR or "/".join(parts) != rel:
        return False
    match = _CASSETTE_FILE.fullmatch(parts[2])
    return safe_component(parts[1]) and match is not None and safe_component(match.group(1))


def inside(root: Path, rel: str) -> Path:
    """`root / rel`, proven to stay inside `root` (no `..`, no absolute part, no symlink on the way)."""
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()):
        raise CassetteError(f"path {rel!r} leaves the run folder", source=str(root))
    return target


def check_new_folder(target: Path) -> None:
    """Commands that create a folder want it absent or empty, and not a link to somewhere else."""
    if target.is_symlink() or (target.exists() and (not target.is_dir() or any(target.iterdir()))):
        raise BadInputError("exists and is not an empty folder (give a new or empty one)", source=str(target))


@contextmanager
def staged_folder(target: Path, purpose: str) -> Iterator[Path]:
    """A temporary folder beside `target`, renamed to it when the block completes and removed if it fails:
    a refused or interrupted command leaves nothing half-written, and nothing is written anywhere else."""
    check_new_folder(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.{purpose}-", dir=target.parent))
    except OSError as err:
        raise BadInputError(f"cannot create the folder: {err.strerror or err}", source=str(target)) from None
    try:
        yield staging
        staging.chmod(0o755)  # mkdtemp made it private; a run folder reads like any other
        os.replace(staging, target)  # onto an empty folder, or a new name
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
