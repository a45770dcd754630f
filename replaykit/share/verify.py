"""`replaykit verify RUN`: hashes, structure, a secret scan, and optionally a full replay through vcrpy."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import orjson

from replaykit.canonical import file_hash
from replaykit.cassettes.codec import decode
from replaykit.cassettes.model import Cassette
from replaykit.cassettes.persist import read_bounded
from replaykit.cassettes.run import RUN_FILE, SCENARIOS_FILE, Run, cassette_relpath, load_run
from replaykit.errors import BadInputError, CassetteError
from replaykit.scenarios.loader import scenarios_from_snapshot
from replaykit.share.replay import replay_cassettes
from replaykit.share.secrets import scan_cassette, scan_text, scan_value


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
    _check_scenarios(run, report)
    listed = dict(run.manifest.get("cassettes") or {})
    to_replay: list[tuple[Cassette, Path]] = []
    for file in run.cassette_files():
        rel = file.relative_to(run.root).as_posix()
        report.files += 1
        cassette = _check_cassette(file, rel, listed.pop(rel, None), report)
        if cassette is not None and replay:
            to_replay.append((cassette, file))
    if replay:
        report.replayed = len(to_replay)
        report.problems += replay_cassettes(to_replay)
    report.problems += [f"{run.root / rel}: listed in {RUN_FILE} but missing" for rel in sorted(listed)]
    _scan_other_files(run, report)
    return report


def _check_scenarios(run: Run, report: VerifyReport) -> None:
    path = run.root / SCENARIOS_FILE
    if not path.exists():
        report.problems.append(f"{path}: missing (the run cannot be re-scored on its own)")
        return
    data = read_bounded(path)
    expected = run.manifest.get("scenarios_file")
    if expected and file_hash(data) != expected:
        report.problems.append(f"{path}: sha256 differs from {RUN_FILE}")
    try:
        scenarios = scenarios_from_snapshot(orjson.loads(data), str(path))
    except (orjson.JSONDecodeError, BadInputError) as err:
        report.problems.append(f"{path}: {err}")
        return
    hashes = run.manifest.get("scenarios") or {}
    for s in scenarios:
        if hashes.get(s.id) != s.hash:
            report.problems.append(f"{path}: scenario {s.id}: content hash differs from {RUN_FILE}")
    report.secrets += [str(f) for f in _findings(orjson.loads(data), str(path))]


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
        raw = orjson.loads(data)
        cassette = decode(data, str(file))
    except (orjson.JSONDecodeError, CassetteError) as err:
        report.problems.append(str(err) if isinstance(err, CassetteError) else f"{file}: invalid JSON: {err}")
        return None
    report.secrets += [str(f) for f in scan_cassette(raw, str(file))]
    if cassette_relpath(cassette.sample) != rel:
        report.problems.append(f"{file}: holds sample {cassette.sample.key}, which belongs at "
                               f"{cassette_relpath(cassette.sample)}")
    return cassette


def _findings(value: object, file: str) -> list[str]:
    return [f"{file}: {where or '(root)'}: {kind}" for where, kind in scan_value(value, "")]


def _scan_other_files(run: Run, report: VerifyReport) -> None:
    manifest = run.root / RUN_FILE
    if manifest.exists():
        report.secrets += _findings(run.manifest, str(manifest))
    for file in sorted(run.root.rglob("*")):
        rel = file.relative_to(run.root).as_posix()
        if not file.is_file() or rel in (RUN_FILE, SCENARIOS_FILE) or rel.startswith("cassettes/"):
            continue
        text = read_bounded(file).decode("utf-8", "replace")
        report.secrets += [f"{file}: {kind}" for kind in scan_text(text)]
