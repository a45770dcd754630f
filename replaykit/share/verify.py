"""`replaykit verify RUN`: hashes, structure, a secret scan, and optionally a full replay through vcrpy."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import orjson

from replaykit.canonical import file_hash
from replaykit.cassettes.codec import decode_parsed, parse
from replaykit.cassettes.limits import check_shape
from replaykit.cassettes.model import Cassette
from replaykit.cassettes.persist import read_bounded
from replaykit.cassettes.run import (
    MANIFEST_DIGEST,
    MAX_MANIFEST_BYTES,
    RUN_FILE,
    SCENARIOS_FILE,
    Run,
    cassette_relpath,
    encode_manifest,
    load_run,
    manifest_digest,
)
from replaykit.errors import BadInputError, CassetteError
from replaykit.scenarios.loader import scenarios_from_snapshot
from replaykit.share.secrets import scan_cassette, scan_text, scan_value
from replaykit.share.shown import shown_findings


@dataclass
class VerifyReport:
    run: str
    files: int = 0
    replayed: int = 0
    problems: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.secrets


def verify_run(path: str | Path, *, replay: bool = False) -> VerifyReport:
    run = load_run(path)
    report = VerifyReport(str(run.root))
    if run.manifest.get("missing_manifest"):
        report.problems.append(f"{run.root}: no {RUN_FILE}")
    else:
        _check_manifest(run, report)
    _check_scenarios(run, report)
    listed = dict(run.manifest.get("cassettes") or {})
    to_replay: list[tuple[Cassette, Path]] = []
    for file in run.cassette_files():
        rel = file.relative_to(run.root).as_posix()
        report.files += 1
        if file.is_symlink():  # never followed: it could point anywhere on the reader's machine
            listed.pop(rel, None)
            report.problems.append(f"{file}: a symbolic link (a run holds regular files only)")
            continue
        cassette = _check_cassette(file, rel, listed.pop(rel, None), report)
        if cassette is not None:
            _check_sample(run, cassette, file, report)
        if cassette is not None and replay:
            to_replay.append((cassette, file))
    if replay:
        from replaykit.share.replay import replay_cassettes  # vcrpy + httpx: only for --replay

        report.replayed = len(to_replay)
        report.problems += replay_cassettes(to_replay)
    report.problems += [f"{run.root / rel}: listed in {RUN_FILE} but missing" for rel in sorted(listed)]
    _scan_other_files(run, report)
    return report


def _check_manifest(run: Run, report: VerifyReport) -> None:
    """run.json itself: written in the one layout replaykit writes, and equal to its own digest."""
    path = run.root / RUN_FILE
    if path.is_symlink():
        report.problems.append(f"{path}: a symbolic link (a run holds regular files only)")
        return
    if encode_manifest(run.manifest) != read_bounded(path, MAX_MANIFEST_BYTES):
        report.problems.append(f"{path}: not in the layout replaykit writes (edited after recording)")
    stored = run.manifest.get(MANIFEST_DIGEST)
    if stored is None:  # every run replaykit writes has one: without it, an edit of run.json goes unseen
        report.problems.append(f"{path}: no {MANIFEST_DIGEST} (removed after recording?)")
    elif stored != manifest_digest(run.manifest):
        report.problems.append(f"{path}: content differs from its {MANIFEST_DIGEST} "
                               "(modified after recording)")


def _check_scenarios(run: Run, report: VerifyReport) -> None:
    path = run.root / SCENARIOS_FILE
    if not path.exists() or path.is_symlink():
        what = "a symbolic link" if path.is_symlink() else "missing"
        report.problems.append(f"{path}: {what} (the run cannot be re-scored on its own)")
        return
    try:
        data = read_bounded(path, MAX_MANIFEST_BYTES)
    except CassetteError as err:
        report.problems.append(str(err))
        return
    expected = run.manifest.get("scenarios_file")
    if not expected:
        report.problems.append(f"{path}: no sha256 in {RUN_FILE}")
    elif file_hash(data) != expected:
        report.problems.append(f"{path}: sha256 differs from {RUN_FILE}")
    try:
        raw = orjson.loads(data)
        check_shape(raw, str(path))
        scenarios = scenarios_from_snapshot(raw, str(path))
    except (orjson.JSONDecodeError, BadInputError) as err:
        report.problems.append(f"{path}: {err}" if isinstance(err, orjson.JSONDecodeError) else str(err))
        return
    hashes = dict(run.manifest.get("scenarios") or {})
    for s in scenarios:
        if hashes.pop(s.id, None) != s.hash:
            report.problems.append(f"{path}: scenario {s.id}: content hash differs from {RUN_FILE}")
    report.problems += [f"{path}: scenario {sid}: listed in {RUN_FILE} but missing" for sid in sorted(hashes)]
    report.secrets += [str(f) for f in _findings(raw, str(path))]


def _check_sample(run: Run, cassette: Cassette, file: Path, report: VerifyReport) -> None:
    """The sample's scenario is one the run declares, at the version the run declares."""
    hashes = run.manifest.get("scenarios")
    if not isinstance(hashes, dict):
        return
    sample = cassette.sample
    if sample.scenario not in hashes:
        report.problems.append(f"{file}: scenario {sample.scenario!r} is not among the run's scenarios")
    elif sample.scenario_hash and sample.scenario_hash != hashes[sample.scenario]:
        report.problems.append(f"{file}: replaykit.sample.scenario_hash differs from {RUN_FILE}")


def _check_cassette(file: Path, rel: str, expected: str | None, report: VerifyReport) -> Cassette | None:
    try:
        data = read_bounded(file)
    except CassetteError as err:
        report.problems.append(str(err))
        return None
    if expected is None:
        report.problems.append(f"{file}: not listed in {RUN_FILE}")
    elif file_hash(data) != expected:
        report.problems.append(f"{file}: sha256 differs from {RUN_FILE} (modified after recording)")
    try:
        raw = parse(data, str(file))  # shape-checked before the scan below walks it
        cassette = decode_parsed(raw, str(file))
    except CassetteError as err:
        report.problems.append(str(err))
        # unreadable as a cassette, still published with the run: its text is scanned
        report.secrets += [f"{file}: {kind}" for kind in scan_text(data.decode("utf-8", "replace"))]
        return None
    findings = scan_cassette(raw, str(file))
    findings += shown_findings(cassette, str(file), {f.kind for f in findings})
    report.secrets += [str(f) for f in findings]
    if cassette_relpath(cassette.sample) != rel:
        report.problems.append(f"{file}: holds sample {cassette.sample.key}, which belongs at "
                               f"{cassette_relpath(cassette.sample)}")
    return cassette


def _findings(value: object, file: str) -> list[str]:
    return [f"{file}: {where or '(root)'}: {kind}" for where, kind in scan_value(value, "")]


def _scan_other_files(run: Run, report: VerifyReport) -> None:
    """Whatever else lies in the folder is scanned too: it would be published along with the run."""
    manifest = run.root / RUN_FILE
    if manifest.exists():
        report.secrets += _findings(run.manifest, str(manifest))
    seen = {RUN_FILE, SCENARIOS_FILE, *(f.relative_to(run.root).as_posix() for f in run.cassette_files())}
    for file in sorted(run.root.rglob("*")):
        rel = file.relative_to(run.root).as_posix()
        if rel in seen:
            continue
        if file.is_symlink():
            report.problems.append(f"{file}: a symbolic link (a run holds regular files only)")
            continue
        if not file.is_file():
            continue
        try:
            text = read_bounded(file).decode("utf-8", "replace")
        except CassetteError as err:
            report.problems.append(str(err))
            continue
        report.secrets += [f"{file}: {kind}" for kind in scan_text(text)]
