"""`replaykit demo`: the README's main command, end to end on the embedded simulator."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_demo_records_scores_and_reports(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = subprocess.run([sys.executable, "-m", "replaykit", "demo", "--out", str(out), "--repeat", "1",
                             "--time-scale", "0.02", "--plain"], capture_output=True, text=True, timeout=300,
                            cwd=REPO)
    assert result.returncode == 0, result.stderr[-2000:]
    for name in ("sim-fastcloud", "sim-steady", "sim-textcalls", "sim-quantized", "sim-flaky"):
        assert name in result.stdout
    assert (out / "run" / "run.json").exists()
    reports = list(out.glob("report.*"))
    assert reports and reports[0].stat().st_size > 1000
    rescored = subprocess.run([sys.executable, "-m", "replaykit", "score", str(out / "run"), "--plain"],
                              capture_output=True, text=True, timeout=120)
    assert rescored.returncode == 0 and "sim-steady" in rescored.stdout
    assert "where each provider breaks" not in result.stdout  # the load sweep is the agent demo's


def test_the_agent_demo_shows_where_each_provider_breaks(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = subprocess.run([sys.executable, "-m", "replaykit", "demo", "--agent", "--out", str(out),
                             "--time-scale", "0.02", "--plain"], capture_output=True, text=True, timeout=300,
                            cwd=REPO)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "where each provider breaks" in result.stdout and "32 tools" in result.stdout
    swept = subprocess.run([sys.executable, "-m", "replaykit", "sweep", str(out / "run"), "--format", "json"],
                           capture_output=True, text=True, timeout=120)
    assert swept.returncode == 0, swept.stderr
    data = json.loads(swept.stdout)
    assert set(data["tools"]) == {"sim-agent-fragile", "sim-steady", "sim-textcalls"}
    fragile, steady = data["tools"]["sim-agent-fragile"], data["tools"]["sim-steady"]
    # fine with 8 and 16 tools, calls leaked as text past 20 (the profile's threshold); steady throughout
    assert fragile["8"]["text_calls"]["value"] == fragile["16"]["text_calls"]["value"] == 0.0
    assert fragile["32"]["text_calls"]["low"] > fragile["16"]["text_calls"]["high"]
    assert fragile["32"]["success"]["high"] < steady["32"]["success"]["low"]
    context = data["context_tokens"]["sim-agent-fragile"]
    assert context["6000"]["schema_validity"]["value"] < context["1000"]["schema_validity"]["value"] == 1.0
    page = (out / "report.html").read_text()
    assert '"sweep":' in page and 'id="sweep"' in page  # the report charts it


def _quality(data: dict[str, object]) -> dict[str, object]:
    """Every figure of the score but the speeds (wall-clock measurements) and the interval bounds, which also
    cluster by the attempts' time windows (docs/metrics.md) and so move a little with the recording's pace."""
    providers = data["providers"]
    assert isinstance(providers, dict)
    speed = ("latency_ms", "ttft_ms", "output_tps", "config")
    return {name: _values({k: v for k, v in m.items() if k not in speed}) for name, m in providers.items()}


def _values(value: object) -> object:
    if isinstance(value, dict):
        return {k: _values(v) for k, v in value.items() if k not in ("low", "high")}
    return value


def test_the_same_seed_gives_the_same_quality_figures(tmp_path: Path) -> None:
    """Downtime and bursts run on the simulator's request clock: a second demo, at another pace, gets the same
    faults on the same attempts (the wall clock made sim-ratelimited 96.6% then 88.6%)."""
    from replaykit.demo import run_demo

    scenarios = str(REPO / "tests" / "fixtures" / "scenarios")
    first = run_demo(tmp_path / "a", repeat=3, seed=7, time_scale=0.02, scenarios=scenarios)
    second = run_demo(tmp_path / "b", repeat=3, seed=7, time_scale=0.05, concurrency=3, scenarios=scenarios)
    one, two = _quality(first.score.data), _quality(second.score.data)
    assert one == two
    flaky = first.score.data["providers"]["sim-flaky"]
    assert flaky["errors"].get("server_error")  # downtime and 5xx still happen, on the same attempts
    other = run_demo(tmp_path / "c", repeat=3, seed=8, time_scale=0.02, scenarios=scenarios)
    assert _quality(other.score.data) != one  # the seed decides


def test_the_time_scale_is_recorded_and_speeds_are_rescaled(tmp_path: Path) -> None:
    """run.json keeps the time scale; every report shows the speeds in the profiles' time, marked `~`. (Whether
    they rank as the profiles do depends on the machine's load: scripts/bench_demo.py measures it.)"""
    from replaykit.cassettes.run import load_run
    from replaykit.demo import run_demo
    from replaykit.report.format import ms, num, speed

    scenarios = str(REPO / "tests" / "fixtures" / "scenarios")
    result = run_demo(tmp_path / "d", repeat=1, seed=0, time_scale=0.25, scenarios=scenarios)
    assert load_run(result.run.root).manifest["params"]["time_scale"] == 0.25
    steady = result.score.data["providers"]["sim-steady"]
    assert steady["config"]["time_scale"] == 0.25
    measured = steady["ttft_ms"]["p50"]
    assert speed(steady, "ttft_ms") == ms({"p50": measured / 0.25}) + "~"  # 1500 ms × 0.25 measured, shown ÷ 0.25
    assert speed(steady, "output_tps") == num({"p50": steady["output_tps"]["p50"] * 0.25}) + "~"
