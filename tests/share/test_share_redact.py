"""`replaykit redact`: a run with secrets everywhere comes out verifying, every change named by file and
field; a second pass changes no byte; a run whose files no longer match run.json is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from share_helpers import PLANTED, cassette_files, cli, copy_run, edit_cassette, record_run, tree_bytes

from replaykit.score import score_runs
from replaykit.share.verify import verify_run


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return record_run(tmp_path_factory.mktemp("rec") / "run", effects={})


@pytest.fixture()
def run(recorded: Path, tmp_path: Path) -> Path:
    return copy_run(recorded, tmp_path / "run")


def _leaky(raw: dict[str, Any]) -> None:
    """What an older recorder or another tool might have written."""
    inter = raw["interactions"][0]
    request, response = inter["request"], inter["response"]
    request["headers"]["authorization"] = ["Bearer " + PLANTED]
    request["headers"]["cookie"] = ["session=abc123"]
    request["uri"] = request["uri"].replace("://", "://user:hunter2@") + "?key=" + PLANTED + "&page=2"
    request["body"] = request["body"].replace('"model"', f'"api_key":"{PLANTED}","model"', 1)
    response["headers"]["set-cookie"] = ["__cf_bm=abcdef; path=/"]
    response["headers"]["x-trace"] = ["Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature"]
    response["body"]["string"] += f"\n: echo sk-proj-{'Z' * 30}\n"


def test_redact_scrubs_every_field_and_the_run_verifies(run: Path) -> None:
    target = cassette_files(run)[0]
    edit_cassette(target, _leaky)
    before = score_runs([run]).data
    assert not verify_run(run).ok
    result = cli("redact", str(run))
    assert result.exit_code == 0, result.output
    for field in ("interactions[0].request.headers.authorization", "interactions[0].request.headers.cookie",
                  "interactions[0].request.uri?key", "interactions[0].request.body",
                  "interactions[0].response.headers.set-cookie", "interactions[0].response.headers.x-trace[0]",
                  "interactions[0].response.body.string"):
        assert f"redacted: {target}: {field}" in result.output, field
    report = verify_run(run)
    assert report.ok, report.problems + report.secrets
    data = target.read_bytes()
    assert PLANTED.encode() not in data and b"hunter2" not in data and b"abc123" not in data
    raw = orjson.loads(data)
    assert raw["interactions"][0]["response"]["headers"]["x-trace"] == ["Bearer <redacted>"]
    assert "page=2" in raw["interactions"][0]["request"]["uri"]
    assert score_runs([run]).data["providers"] == before["providers"]  # scores are untouched


def test_redact_twice_changes_no_byte(run: Path) -> None:
    edit_cassette(cassette_files(run)[1], _leaky)
    assert cli("redact", str(run)).exit_code == 0
    once = tree_bytes(run)
    result = cli("redact", str(run))
    assert result.exit_code == 0 and "nothing to redact" in result.output
    assert tree_bytes(run) == once


def test_a_clean_run_is_left_alone(run: Path) -> None:
    before = tree_bytes(run)
    assert "nothing to redact" in cli("redact", str(run)).output
    assert tree_bytes(run) == before


def test_a_run_from_an_older_version_gets_its_digest(run: Path) -> None:
    manifest = run / "run.json"
    raw = orjson.loads(manifest.read_bytes())
    del raw["manifest_digest"]
    manifest.write_bytes(orjson.dumps(raw, option=orjson.OPT_INDENT_2))
    result = cli("redact", str(run))
    assert "manifest_digest: added" in result.output
    assert "manifest_digest" in orjson.loads(manifest.read_bytes())
    assert verify_run(run).ok


def test_known_secret_values_from_the_environment(run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    odd = "team-internal-token-4711"  # no provider's format: only known by value
    target = cassette_files(run)[0]
    edit_cassette(target, lambda raw: raw["interactions"][0]["request"].update(
        body=raw["interactions"][0]["request"]["body"].replace('"model"', f'"t":"{odd}","model"', 1)))
    monkeypatch.setenv("MY_TOKEN", odd)
    result = cli("redact", str(run), "--secret-env", "MY_TOKEN")
    assert f"{target}: interactions[0].request.body: known secret value" in result.output
    assert odd.encode() not in target.read_bytes()
    assert cli("redact", str(run), "--secret-env", "UNSET_VARIABLE_X").exit_code == 2


def test_a_secret_in_a_scenario_is_scrubbed_and_hashes_follow(run: Path) -> None:
    snapshot = run / "scenarios.json"
    raw = orjson.loads(snapshot.read_bytes())
    raw[0]["description"] = f"uses {PLANTED}"
    snapshot.write_bytes(orjson.dumps(raw, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    manifest = orjson.loads((run / "run.json").read_bytes())
    from replaykit.canonical import file_hash
    from replaykit.cassettes.run import Run
    from replaykit.scenarios import scenarios_from_snapshot

    fixed = Run(run, manifest)
    fixed.manifest["scenarios_file"] = file_hash(snapshot.read_bytes())
    old = {s.id: s.hash for s in scenarios_from_snapshot(raw, "x")}
    fixed.manifest["scenarios"] = old
    for file in cassette_files(run):  # the recorder would have written the same hash into each cassette
        edit_cassette(file, lambda c: c["replaykit"]["sample"].update(
            scenario_hash=old[c["replaykit"]["sample"]["scenario"]]), resign=False)
        fixed.manifest["cassettes"][file.relative_to(run).as_posix()] = file_hash(file.read_bytes())
    fixed.save()
    assert verify_run(run).secrets
    result = cli("redact", str(run))
    assert f"{snapshot}: [0].description: openrouter key" in result.output
    report = verify_run(run)
    assert report.ok, report.problems + report.secrets
    assert score_runs([run]).scored == len(cassette_files(run))  # no sample skipped for a stale hash


def test_a_modified_run_is_refused(run: Path) -> None:
    target = cassette_files(run)[0]
    edit_cassette(target, _leaky, resign=False)
    before = tree_bytes(run)
    result = cli("redact", str(run))
    assert result.exit_code == 2
    assert "changed since recording" in result.output and target.relative_to(run).as_posix() in result.output
    assert tree_bytes(run) == before
