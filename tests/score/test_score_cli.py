"""`replaykit score`: byte-identical output, bad input named per file, exit codes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from simkit import fixture_scenarios, profiles, providers_for

from replaykit import RecordOptions, load_run, record
from replaykit.sim import SimServer


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("score")
    scenarios = fixture_scenarios()
    table = {"effects": {"server_error": 0.1, "wrong_type": 0.2, "stream_cut": 0.05, "text_tool_call_xml": 0.1}}
    with SimServer(profiles=profiles(a=table, b={}), scenarios=scenarios, seed=4, time_scale=0) as sim:
        providers = providers_for(sim.base_url, "a", "b", stream=True)
        record(list(scenarios), providers, root / "run", options=RecordOptions(repeat=4, backoff_base=0.0))
    return root / "run"


def _score(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "replaykit", "score", *args], capture_output=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_two_scorings_are_byte_identical(recorded: Path, tmp_path: Path) -> None:
    first = _score(str(recorded), "--json", env={"PYTHONHASHSEED": "1"})
    # the same run, its files created in another order (a copy made in reverse), another hash seed
    copy = tmp_path / "run"
    files = sorted(p for p in recorded.rglob("*") if p.is_file())
    for path in reversed(files):
        target = copy / path.relative_to(recorded)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    second = _score(str(copy), "--json", env={"PYTHONHASHSEED": "987"})
    assert first.returncode == 0 and second.returncode == 0
    assert first.stdout.replace(str(recorded).encode(), b"") == second.stdout.replace(str(copy).encode(), b"")
    data = orjson.loads(first.stdout)
    assert set(data) == {"run", "providers", "scenarios"}
    metrics = data["providers"]["a"]
    for name in ("error_rate", "availability", "tool_recall", "tool_precision", "param_accuracy",
                 "schema_validity", "no_call_accuracy", "success"):
        assert set(metrics[name]) == {"value", "low", "high", "n"}
    assert metrics["errors"] and data["providers"]["b"]["success"]["value"] == 1.0
    assert metrics["success"]["value"] < 1.0


def test_outputs_by_extension_and_samples(recorded: Path, tmp_path: Path) -> None:
    out = [tmp_path / f"r.{ext}" for ext in ("json", "md", "csv")]
    samples = tmp_path / "samples.jsonl"
    result = _score(str(recorded), *(x for p in out for x in ("-o", str(p))), "--samples", str(samples))
    assert result.returncode == 0, result.stderr
    assert orjson.loads(out[0].read_bytes())["providers"]["b"]["samples"] == 4 * len(fixture_scenarios())
    assert out[1].read_text().startswith("# replaykit results")
    assert out[2].read_text().splitlines()[0] == "provider,metric,value,low,high,n"
    lines = samples.read_bytes().splitlines()
    assert len(lines) == 2 * 4 * len(fixture_scenarios())
    assert {orjson.loads(line)["provider"] for line in lines} == {"a", "b"}


def test_fail_under(recorded: Path) -> None:
    assert _score(str(recorded), "--fail-under", "availability=0.5", "--plain").returncode == 0
    failing = _score(str(recorded), "--fail-under", "success=0.99", "--plain")
    assert failing.returncode == 1 and b"a: success" in failing.stderr
    bad = _score(str(recorded), "--fail-under", "speed=3")
    assert bad.returncode == 2 and b"Traceback" not in bad.stderr
    # error_rate is better when lower: "fail under 0.1" failed the good provider and passed the bad one
    wrong_way = _score(str(recorded), "--fail-under", "error_rate=0.1")
    assert wrong_way.returncode == 2 and b'--gate "error_rate<=0.1"' in wrong_way.stderr


def test_gates_read_the_way_they_are_written(recorded: Path, tmp_path: Path) -> None:
    """Provider a fails 10% of attempts with 5xx and more with cuts; b never fails."""
    data = orjson.loads(_score(str(recorded), "--json").stdout)["providers"]
    assert data["a"]["error_rate"]["value"] > 0.1 and data["b"]["error_rate"]["value"] == 0
    only_b = _score(str(recorded), "--gate", "b:error_rate<=0.05", "--gate", "b:success>=0.9", "--plain")
    assert only_b.returncode == 0, only_b.stderr
    both = _score(str(recorded), "--gate", "error_rate<=0.05", "--gate", "latency_ms.p50<=60000",
                  "-o", str(tmp_path / "gates.xml"), "--plain")
    assert both.returncode == 1
    assert b"gate: a: error_rate = " in both.stderr and b"gate: b:" not in both.stderr
    xml = (tmp_path / "gates.xml").read_text()
    assert 'tests="4" failures="1"' in xml
    assert '<testcase classname="a" name="error_rate&lt;=0.05"><failure message=' in xml
    assert '<testcase classname="b" name="latency_ms.p50&lt;=60000"><system-out>' in xml


@pytest.mark.parametrize(("gate", "message"), [
    ("success>=1.5", b"out of range"),
    ("error_rate<=-0.1", b"out of range"),
    ("speed<=3", b"unknown metric 'speed'"),
    ("ttft_ms.p42<=800", b"unknown metric"),
    ("success=0.9", b"want [PROVIDER:]METRIC<=VALUE"),
    ("nobody:success>=0.5", b"no provider 'nobody'"),
])
def test_bad_gates_exit_2_with_one_line(recorded: Path, gate: str, message: bytes) -> None:
    result = _score(str(recorded), "--gate", gate, "--plain")
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert b"Traceback" not in result.stderr


def test_bad_cassettes_are_named_and_the_rest_scored(recorded: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(recorded, run)
    files = sorted((run / "cassettes").rglob("*.json"))
    files[0].write_bytes(files[0].read_bytes()[:100])  # truncated
    files[1].write_bytes(b"\x00\xff garbage")  # corrupt
    foreign = orjson.loads(files[2].read_bytes())
    foreign["replaykit"]["sample"]["scenario"] = "not.in.this.set"
    files[2].write_bytes(orjson.dumps(foreign))
    other = orjson.loads(files[3].read_bytes())
    other["replaykit"]["sample"]["scenario_hash"] = "sha256:" + "0" * 64
    files[3].write_bytes(orjson.dumps(other))
    result = _score(str(run), "--json")
    assert result.returncode == 0, result.stderr
    stderr = result.stderr.decode()
    for path in files[:4]:
        assert str(path) in stderr
    assert "Traceback" not in stderr
    data = orjson.loads(result.stdout)
    total = sum(m["samples"] for m in data["providers"].values())
    assert total == 2 * 4 * len(fixture_scenarios()) - 4


def test_a_run_without_run_json_is_scored_with_a_warning(recorded: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(recorded, run)
    (run / "run.json").unlink()
    result = _score(str(run), "--json")
    assert result.returncode == 0
    assert b"no run.json" in result.stderr


def test_nothing_scorable_exits_2(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _score(str(empty))
    assert result.returncode == 2
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "nothing could be scored" in lines[0]
    assert _score(str(tmp_path / "missing")).returncode == 2


def test_worker_processes_give_the_same_bytes(recorded: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from replaykit import score_runs
    from replaykit.report.files import to_json
    from replaykit.score import tally

    other = tmp_path / "other"  # a second run: its scenarios are loaded by the workers, not the parent
    shutil.copytree(recorded, other)
    files = len(load_run(recorded).cassette_names())
    monkeypatch.setattr(tally, "CHUNK_FILES", 3)  # many chunks: more than the 4 per worker kept in flight
    assert 2 * files / 3 > 4 * 2
    serial = to_json(score_runs([recorded, other], jobs=1).data)
    assert serial == to_json(score_runs([recorded, other], jobs=2).data)
    monkeypatch.setattr(tally, "PARALLEL_FROM", 10)  # the automatic choice goes parallel too
    assert serial == to_json(score_runs([recorded, other]).data)
    assert orjson.loads(serial)["run"]["samples"] == 2 * files


def test_jobs_option_gives_the_same_bytes_and_refuses_zero(recorded: Path) -> None:
    one, two = _score(str(recorded), "--json", "-j", "1"), _score(str(recorded), "--json", "--jobs", "2")
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout and orjson.loads(one.stdout)["run"]["samples"] > 0
    bad = _score(str(recorded), "--jobs", "0")
    assert bad.returncode == 2
    assert b"--jobs" in bad.stderr and b"Traceback" not in bad.stderr


def test_a_second_scoring_in_the_same_process_reads_the_run_as_it_is_now(recorded: Path, tmp_path: Path) -> None:
    from replaykit import score_runs

    run = tmp_path / "run"
    shutil.copytree(recorded, run)
    first = score_runs([run])
    snapshot = orjson.loads((run / "scenarios.json").read_bytes())
    (run / "scenarios.json").write_bytes(orjson.dumps(snapshot[:1]))  # one scenario left
    second = score_runs([run])
    assert second.scored < first.scored
    assert any("is not in the scenario set" in w for w in second.warnings)
