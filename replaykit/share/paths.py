"""Paths built from untrusted names: sample identities become folder and file names when runs are merged,
imported or unpacked, so a provider named `../..` must never leave the run folder."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from replaykit.cassettes.model import SampleId
from replaykit.cassettes.run import CASSETTE_DIR, RUN_FILE, SCENARIOS_FILE, cassette_relpath
from replaykit.errors import CassetteError

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
