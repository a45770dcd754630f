"""`replaykit fallback`: hand-computed chains on a written run, and agreement with a live fallback run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from compare_helpers import (
    WEATHER_OK,
    WRONG,
    answer,
    assert_fits,
    call,
    cli,
    cli_json,
    failure,
    fixture_scenarios,
    profiles,
    providers_for,
    write_run,
)

from replaykit import RecordOptions, record, score_runs
from replaykit.cassettes.model import Attempt
from replaykit.sim import SimServer


def _ok(args: dict[str, Any] = WEATHER_OK, *, total_ms: float, cost: float, wait_ms: float = 0.0) -> Attempt:
    return answer([call("get_weather", args)], total_ms=total_ms, cost=cost, wait_ms=wait_ms)


def _constructed(tmp_path: Path) -> Path:
    """fx.weather, four repetitions (times in ms, costs in USD):
    r0  A: 503 (50), wait 100, right (200, .001)           B: right (300, .002)
    r1  A: 503 (50), wait 100, 503 (60)                    B: right (300, .002)
    r2  A: "3" for 3 (100, .001)                           B: right (300, .002)
    r3  A: 503 (50)                                        B: 503 (70)"""
    a = {("fx.weather", 0): [failure(total_ms=50), _ok(total_ms=200, cost=0.001, wait_ms=100)],
         ("fx.weather", 1): [failure(total_ms=50), failure(total_ms=60, wait_ms=100)],
         ("fx.weather", 2): [_ok(WRONG, total_ms=100, cost=0.001)],
         ("fx.weather", 3): [failure(total_ms=50)]}
    b = {("fx.weather", r): [_ok(total_ms=300, cost=0.002)] for r in range(3)}
    b[("fx.weather", 3)] = [failure(total_ms=70)]
    return write_run(tmp_path / "run", {"a": a, "b": b}, fixture_scenarios().select(pattern="fx.weather"))


def test_on_error_chain_by_hand(tmp_path: Path) -> None:
    data = cli_json("fallback", str(_constructed(tmp_path)), "--chain", "a,b")
    r = data["result"]
    assert r["samples"] == 4
    assert r["availability"]["value"] == 0.75  # r3 fails on both
    assert r["success"]["value"] == 0.5  # r2 is answered by A, wrongly: no fallback on a bad call
    assert r["answered_by"] == {"a": 2, "b": 1, "none": 1}
    # latency of the answered samples: r0 50+100+200 = 350, r1 50+100+60+300 = 510, r2 100 → p50 350
    assert r["latency_ms"]["p50"] == 350.0
    # lost: r0 150, r1 210, r2 0, r3 50+70 = 120 → mean 120
    assert r["lost_ms"] == {"mean": 120.0, "total": 480.0}
    # cost: r0 .001, r1 .002, r2 .001, r3 0 (unbilled errors) → .004 / 4
    assert r["cost_usd"]["per_sample"] == pytest.approx(0.001)
    assert r["hops"]["mean"] == pytest.approx((1 + 2 + 1 + 2) / 4)
    assert data["alone"]["a"]["availability"]["value"] == 0.5
    assert data["alone"]["b"]["availability"]["value"] == 0.75
    assert any("same scenario and repetition" in a for a in data["assumptions"])


def test_bad_call_policy_falls_back_on_wrong_answers(tmp_path: Path) -> None:
    data = cli_json("fallback", str(_constructed(tmp_path)), "--chain", "a,b", "--policy", "on-error-or-bad-call")
    r = data["result"]
    assert r["success"]["value"] == 0.75
    assert r["answered_by"] == {"a": 1, "b": 2, "none": 1}
    # r2 now 100 + 300 = 400 ms and .003: latencies 350, 510, 400 → p50 400
    assert r["latency_ms"]["p50"] == 400.0
    assert r["cost_usd"]["per_sample"] == pytest.approx(0.006 / 4)


def test_timeout_cuts_a_hop_and_counts_the_time(tmp_path: Path) -> None:
    data = cli_json("fallback", str(_constructed(tmp_path)), "--chain", "a,b", "--timeout", "0.3")
    r = data["result"]
    # r0: A would answer at 350 ms > 300: cut at 300, then B's 300 → 600 ms, paid .002 (A's answer unpaid)
    # r1: A fails at 210 (< 300) → +300 → 510; r2: 100; r3: 50 + 70
    assert r["answered_by"] == {"a": 1, "b": 2, "none": 1}
    assert r["latency_ms"]["p50"] == 510.0
    assert r["cost_usd"]["per_sample"] == pytest.approx((0.002 + 0.002 + 0.001) / 4)
    assert data["alone"]["a"]["availability"]["value"] == 0.25  # only r2 answers within 300 ms


def test_all_ranks_every_chain_of_length_two(tmp_path: Path) -> None:
    data = cli_json("fallback", str(_constructed(tmp_path)), "--all")
    chains = [tuple(r["chain"]) for r in data["ranking"]]
    assert sorted(chains) == [("a",), ("a", "b"), ("b",), ("b", "a")]
    # success: b alone 3/4, b→a 3/4 too (A never rescues r3), a→b 2/4, a alone 1/4; the tie of b and b→a
    # holds through availability, p50 latency (300 ms) and cost, and goes to the shorter chain
    assert chains == [("b",), ("b", "a"), ("a", "b"), ("a",)]
    assert [r["rank"] for r in data["ranking"]] == [1, 2, 3, 4]
    result = cli("fallback", str(_constructed(tmp_path)), "--all")
    assert result.exit_code == 0 and "b → a" in result.output
    assert_fits(result.output)


def test_text_output_states_assumptions_and_fits(tmp_path: Path) -> None:
    result = cli("fallback", str(_constructed(tmp_path)), "--chain", "a,b")
    assert result.exit_code == 0, result.output
    assert_fits(result.output)
    assert "assumptions:" in result.output and "same scenario and repetition" in result.output
    assert "answered by: a 2, b 1, none 1" in result.output


def test_bad_chains_exit_2(tmp_path: Path) -> None:
    run = str(_constructed(tmp_path))
    for args, message in [(["--chain", "a,zz"], "unknown provider 'zz' (providers: a, b)"),
                          (["--chain", "a,a"], "names a provider twice"),
                          ([], "give --chain A,B"),
                          (["--chain", "a,b", "--timeout", "0"], "--timeout"),
                          (["--chain", "a,b", "--policy", "sometimes"], "sometimes")]:
        result = cli("fallback", run, *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr and "Traceback" not in result.output
        assert result.stderr.count("--chain") <= 1 and result.stderr.count("--timeout") <= 1, result.stderr
    assert cli("fallback", str(tmp_path / "missing"), "--chain", "a,b").exit_code == 2


RATE_LIMITED_FAST = {"effects": {"rate_limited": {"rate": 0.6, "retry_after_s": 2}},
                     "ttft_ms": {"median": 20, "sigma": 0.0}}
STEADY = {"effects": {"server_error": 0.4}, "ttft_ms": {"median": 300, "sigma": 0.0}}


def test_simulated_chain_agrees_with_a_live_fallback_recording(tmp_path: Path) -> None:
    """rate-limited-fast → steady: the availability simulated from separate recordings of each provider
    lies within the interval of the one recorded live with `record --fallback`, and vice versa."""
    scenarios = fixture_scenarios()
    opts: dict[str, Any] = {"repeat": 40, "max_retries": 1, "backoff_base": 0.0}
    with SimServer(profiles=profiles(fast=RATE_LIMITED_FAST, steady=STEADY), scenarios=scenarios, seed=4,
                   time_scale=0) as sim:
        providers = providers_for(sim.base_url, "fast", "steady")
        record(list(scenarios), providers, tmp_path / "separate", options=RecordOptions(**opts))
        record(list(scenarios), providers, tmp_path / "live",
               options=RecordOptions(**opts, seed=1, fallback=["fast", "steady"]))
    simulated = cli_json("fallback", str(tmp_path / "separate"), "--chain", "fast,steady")["result"]
    live = score_runs([tmp_path / "live"]).data["providers"]["fast+steady"]
    sim_avail, live_avail = simulated["availability"], live["availability"]
    print(f"simulated {sim_avail}  live {live_avail}")
    assert sim_avail["n"] == live_avail["n"] == 280
    # the chain must matter here, or the check would be empty: each provider alone fails far more often
    alone = cli_json("fallback", str(tmp_path / "separate"), "--chain", "fast,steady")["alone"]
    assert alone["fast"]["availability"]["value"] < 0.75 and alone["steady"]["availability"]["value"] < 0.9
    assert sim_avail["low"] <= live_avail["value"] <= sim_avail["high"]
    assert live_avail["low"] <= sim_avail["value"] <= live_avail["high"]
    assert sim_avail["value"] < 1.0  # some samples fail on both providers
    assert simulated["success"]["low"] <= live["success"]["value"] <= simulated["success"]["high"]


def test_all_keeps_long_route_names_apart() -> None:
    # the example run's providers (sim-ratelimited, sim-textcalls-prompt, ...) are too long for two a row
    example = Path(__file__).resolve().parents[2] / "cassettes" / "example"
    result = cli("fallback", str(example), "--all")
    assert result.exit_code == 0, result.output
    assert_fits(result.output)
    rows = [line for line in result.output.splitlines() if line[:3].strip().isdigit()]
    routes = [line[3:].strip().split("  ")[0] for line in rows]
    assert len(rows) == 49 and len(set(routes)) == 49, routes
    assert "sim-…" not in result.output
    assert "= sim-textcalls-prompt" in result.output  # a cut name is spelled out under the table


def test_route_labels_fall_back_to_letters_when_cut_names_would_collide() -> None:
    from replaykit.compare.text import route_labels

    names = ["textcalls-longname-a", "textcallsXlongname-b"]
    assert route_labels(names, 100) == ({n: n for n in names}, [])
    labels, legend = route_labels(names, 23)
    assert labels == {"textcalls-longname-a": "A", "textcallsXlongname-b": "B"}
    assert legend == ["providers: A = textcalls-longname-a, B = textcallsXlongname-b"]
    labels, legend = route_labels(["org/a-model", "org/b-model"], 20)
    assert labels == {"org/a-model": "a-model", "org/b-model": "b-model"}
    assert legend == ["routes name providers without their common prefix 'org/'"]
