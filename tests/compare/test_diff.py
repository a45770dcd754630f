"""`replaykit diff A B` on runs written by hand (exact counts) and on simulator runs (power)."""

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
    sim_run,
    weather_copies,
    write_run,
)

from replaykit.cassettes.model import Attempt
from replaykit.scenarios.loader import scenarios_from_snapshot


def _weather(ok: bool, cost: float = 0.001, total_ms: float = 100.0) -> list[Attempt]:
    return [answer([call("get_weather", WEATHER_OK if ok else WRONG)], cost=cost, total_ms=total_ms)]


def _one_scenario_run(tmp_path: Path) -> Path:
    """fx.weather × 15 repetitions: both right 5 times, A only 1, B only 9 (and a 503 retried on B)."""
    a: dict[tuple[str, int], list[Attempt]] = {}
    b: dict[tuple[str, int], list[Attempt]] = {}
    for rep in range(15):
        a_ok = rep < 5 or rep == 5
        b_ok = rep < 5 or rep >= 6
        a[("fx.weather", rep)] = _weather(a_ok, total_ms=100.0)
        b[("fx.weather", rep)] = _weather(b_ok, cost=0.002, total_ms=300.0)
    b[("fx.weather", 0)] = [failure(503), *_weather(True, cost=0.002, total_ms=300.0)]
    only = fixture_scenarios().select(pattern="fx.weather")
    return write_run(tmp_path / "run", {"a": a, "b": b}, only)


def test_one_scenario_says_nothing_of_others(tmp_path: Path) -> None:
    """15 repetitions of one scenario are one cluster: no verdict (McNemar on the pairs said p = 0.021)."""
    (c,) = cli_json("diff", f"{_one_scenario_run(tmp_path)}:a", f"{_one_scenario_run(tmp_path)}:b")["comparisons"]
    success = c["metrics"]["success"]
    assert success["clusters"] == 1 and success["p"] == 1.0 and not success["significant"]
    assert (success["low"], success["high"]) == (-1.0, 1.0)


def _mcnemar_run(tmp_path: Path) -> Path:
    """12 weather scenarios once each: both right 2 times, A only 1, B only 9 (and a 503 retried on B)."""
    a: dict[tuple[str, int], list[Attempt]] = {}
    b: dict[tuple[str, int], list[Attempt]] = {}
    for i in range(12):
        sid = f"fx.weather.{i:02d}"
        a[(sid, 0)] = _weather(i < 3, total_ms=100.0)
        b[(sid, 0)] = _weather(i < 2 or i >= 3, cost=0.002, total_ms=300.0)
    b[("fx.weather.00", 0)] = [failure(503), *_weather(True, cost=0.002, total_ms=300.0)]
    return write_run(tmp_path / "run", {"a": a, "b": b}, weather_copies(12))


def test_mcnemar_p_value_of_a_constructed_run_is_the_hand_computed_one(tmp_path: Path) -> None:
    run = _mcnemar_run(tmp_path)
    data = cli_json("diff", f"{run}:a", f"{run}:b")
    (c,) = data["comparisons"]
    success = c["metrics"]["success"]
    assert success["discordant"] == {"a_only": 1, "b_only": 9}
    # one pair per scenario: the sign flips of 12 scenarios, enumerated, are McNemar's exact test
    assert success["p"] == pytest.approx(2 * 11 / 1024, abs=1e-6)  # 0.021484
    assert success["diff"] == pytest.approx(8 / 12, abs=1e-6)
    assert 0 < success["low"] < success["diff"] < success["high"] <= 1  # p < 0.05: 0 is outside
    assert success["significant"] and success["better"] == "B"
    assert c["verdict"].startswith("success: B is better than A")
    assert c["summary"] | {} == {"regressed": 1, "improved": 9, "changed": 0, "same": 2,
                                 "scenarios_changed": 10, "scenarios_same": 2}
    # error rate: B failed 1 attempt of 13, A none; not significant with one error (p = 2 / 2 for its one
    # scenario that differs)
    assert c["metrics"]["error_rate"]["diff"] == pytest.approx(1 / 13, abs=1e-6)
    assert not c["metrics"]["error_rate"]["significant"]
    assert c["metrics"]["error_rate"]["p"] == 1.0
    # latency 100 ms vs 300 ms on every pair: +200 ms in every resample; p is the bootstrap's floor 1/1000
    latency = c["metrics"]["latency_ms"]
    assert (latency["a"], latency["b"], latency["diff"]) == (100.0, 300.0, 200.0)
    assert (latency["low"], latency["high"]) == (200.0, 200.0)
    assert latency["better"] == "A" and latency["p"] == pytest.approx(1 / 1000, abs=1e-6)
    cost = c["metrics"]["cost_usd"]
    assert cost["diff"] == pytest.approx(0.001) and cost["better"] == "A"


def test_per_scenario_changes_say_what_changed_and_which_way(tmp_path: Path) -> None:
    run = _one_scenario_run(tmp_path)
    (c,) = cli_json("diff", f"{run}:a", f"{run}:b")["comparisons"]
    (row,) = c["scenarios"]
    assert (row["scenario"], row["regressed"], row["improved"], row["same"]) == ("fx.weather", 1, 9, 5)
    regressed, improved = row["groups"]  # regressions first
    assert regressed["direction"] == "regressed" and regressed["repetitions"] == [5]
    changes = {ch["path"]: ch for ch in regressed["changes"]}
    assert changes["steps[0].calls[0].arguments.days"]["a"] == 3
    assert changes["steps[0].calls[0].arguments.days"]["b"] == "3"
    assert set(changes["steps[0].faults"]["b"]) == {"schema_violation", "wrong_args"}
    assert improved["direction"] == "improved" and improved["count"] == 9
    assert improved["changes"][0]["a"] == "3" and improved["changes"][0]["b"] == 3


def test_text_output_fits_100_columns_and_says_who_is_better(tmp_path: Path) -> None:
    run = _mcnemar_run(tmp_path)
    result = cli("diff", f"{run}:a", f"{run}:b")
    assert result.exit_code == 0, result.output
    assert_fits(result.output)
    assert "success: B is better than A (p = 0.021, n = 12)" in result.output
    assert 'steps[0].calls[0].arguments.days: "3" → 3' in result.output


def test_errors_change_availability_not_answers(tmp_path: Path) -> None:
    a = {(f"fx.weather.{r:02d}", 0): _weather(True) for r in range(8)}
    b = {(f"fx.weather.{r:02d}", 0): ([failure(429), failure(429)] if r < 7 else _weather(True)) for r in range(8)}
    run = write_run(tmp_path / "run", {"a": a, "b": b}, weather_copies(8))
    (c,) = cli_json("diff", f"{run}:a", f"{run}:b")["comparisons"]
    m = c["metrics"]
    assert m["availability"]["discordant"] == {"a_only": 7, "b_only": 0}
    assert m["availability"]["p"] == pytest.approx(2 / 128)
    assert m["availability"]["better"] == "A"
    assert m["param_accuracy"]["b"]["n"] == 1  # B's errors are not scored as wrong answers
    assert c["summary"]["scenarios_changed"] == 7
    group = c["scenarios"][0]["groups"][0]
    assert group["count"] == 1 and {"path": "error", "kind": "changed", "a": None, "b": "rate_limited"} in \
        group["changes"]


def test_injected_wrong_types_are_found_once_n_is_large_enough(tmp_path: Path) -> None:
    tables: dict[str, dict[str, Any]] = {"base": {}, "worse": {"effects": {"wrong_type": 0.10}}}
    small = sim_run(tmp_path / "small", tables, repeat=2, seed=5)
    large = sim_run(tmp_path / "large", tables, repeat=30, seed=5)
    (few,) = cli_json("diff", f"{small.root}:base", f"{small.root}:worse")["comparisons"]
    (many,) = cli_json("diff", f"{large.root}:base", f"{large.root}:worse")["comparisons"]
    assert few["n"] == 14 and many["n"] == 210
    assert not few["metrics"]["success"]["significant"]
    assert few["verdict"].startswith("success: no significant difference at n = 14")
    assert many["metrics"]["success"]["better"] == "A"
    # 6 answer scenarios (the seventh is no_call): 2 of 2^6 sign patterns are as extreme, p = 1/32
    assert many["metrics"]["success"]["p"] == pytest.approx(1 / 32)
    assert {"param_accuracy", "schema_validity", "success"} <= set(many["significant"])
    assert many["metrics"]["availability"]["p"] == 1.0  # the fault touches answers only
    assert many["summary"]["improved"] == 0 and many["summary"]["regressed"] > 10


def test_two_runs_without_provider_compare_every_shared_provider(tmp_path: Path) -> None:
    tables: dict[str, dict[str, Any]] = {"p": {}, "q": {"effects": {"server_error": 0.2}}}
    one = sim_run(tmp_path / "one", tables, repeat=2, seed=1)
    two = sim_run(tmp_path / "two", tables, repeat=2, seed=2, record_seed=9)
    data = cli_json("diff", str(one.root), str(two.root))
    assert [(c["a"], c["b"]) for c in data["comparisons"]] == [("one:p", "two:p"), ("one:q", "two:q")]
    result = cli("diff", str(one.root), str(two.root))
    assert result.exit_code == 0 and result.output.count("diff  A = ") == 2
    assert_fits(result.output)


def _other_version_of_weather() -> Any:
    raw = [dict(s.raw) for s in fixture_scenarios().select(pattern="fx.weather")]
    raw[0]["messages"] = [{"role": "user", "content": "Weather in Paris for 3 days?"}]
    return scenarios_from_snapshot(raw, "<changed>")


def test_bad_references_exit_2_with_one_clear_line(tmp_path: Path) -> None:
    run = _one_scenario_run(tmp_path)
    joke = write_run(tmp_path / "joke", {"a": {("fx.joke", 0): [answer(text="ha")]}},
                     fixture_scenarios().select(pattern="fx.joke"))
    changed = write_run(tmp_path / "changed", {"a": {("fx.weather", 0): _weather(True)}},
                        _other_version_of_weather())
    cases = {
        (str(tmp_path / "nope"), f"{run}:a"): "no such run folder",
        (f"{run}:zzz", f"{run}:a"): "no provider 'zzz' in this run (providers: a, b)",
        (str(run), f"{run}:a"): "A and B are the same samples (run:a)",
        (str(run), f"{run}:b"): "A and B are the same samples (run:b)",
        (f"{run}:a", f"{joke}:a"): "scenario sets differ: 'fx.weather' recorded for run:a but not for joke:a",
        (f"{run}:a", f"{changed}:a"): "scenario 'fx.weather' differs between the two sides (content hash)",
    }
    for (a, b), message in cases.items():
        result = cli("diff", a, b)
        assert result.exit_code == 2, (a, b, result.output)
        assert message in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert cli("diff", str(run)).exit_code == 2
    assert cli("diff", f"{run}:a", f"{changed}:a", "--intersect").exit_code == 2  # nothing left to compare


def test_intersect_compares_on_the_shared_scenarios(tmp_path: Path) -> None:
    both = fixture_scenarios()
    one = write_run(tmp_path / "one", {"a": {("fx.weather", 0): _weather(True),
                                             ("fx.joke", 0): [answer(text="ha")]}}, both)
    two = write_run(tmp_path / "two", {"a": {("fx.weather", 0): _weather(False)}}, both)
    assert cli("diff", str(one), str(two)).exit_code == 2
    (c,) = cli_json("diff", str(one), str(two), "--intersect")["comparisons"]
    assert c["n"] == 1 and c["dropped_scenarios"] == ["fx.joke"]
    assert c["summary"]["regressed"] == 1


def test_output_is_byte_stable(tmp_path: Path) -> None:
    run = _mcnemar_run(tmp_path)
    first = cli("diff", f"{run}:a", f"{run}:b", "--json")
    second = cli("diff", f"{run}:a", f"{run}:b", "--json")
    assert first.exit_code == 0 and first.stdout_bytes == second.stdout_bytes
    other_seed = cli("diff", f"{run}:a", f"{run}:b", "--json", "--seed", "1")
    assert other_seed.stdout_bytes != first.stdout_bytes  # the seed does reach the resampling
    assert cli("diff", f"{run}:a", f"{run}:b").stdout_bytes == cli("diff", f"{run}:a", f"{run}:b").stdout_bytes


def test_a_run_of_several_providers_needs_a_name(tmp_path: Path) -> None:
    run = _mcnemar_run(tmp_path)
    other = write_run(tmp_path / "other", {"x": {("fx.weather", 0): _weather(True)},
                                           "y": {("fx.weather", 0): _weather(True)}},
                      fixture_scenarios().select(pattern="fx.weather"))
    result = cli("diff", str(other), f"{run}:a")
    assert result.exit_code == 2
    assert f"this run has several providers (x, y); name one as {other}:PROVIDER" in result.stderr


def test_pass_k_compares_consistency_across_repetitions(tmp_path: Path) -> None:
    """Both succeed 75% of the time; A fails whole scenarios, B fails one repetition of every scenario:
    success is the same, pass^4 is 0.25 against 0."""
    a = {(f"fx.weather.{i:02d}", r): _weather(i % 4 != 0) for i in range(8) for r in range(4)}
    b = {(f"fx.weather.{i:02d}", r): _weather(r != 1) for i in range(8) for r in range(4)}
    run = write_run(tmp_path / "run", {"a": a, "b": b}, weather_copies(8))
    (c,) = cli_json("diff", f"{run}:a", f"{run}:b")["comparisons"]
    success, consistency = c["metrics"]["success"], c["metrics"]["pass_k"]
    assert success["diff"] == 0 and not success["significant"]
    assert consistency["k"] == 4 and consistency["a"]["value"] == 0.75 and consistency["b"]["value"] == 0
    assert consistency["diff"] == -0.75 and consistency["better"] == "A"
    assert consistency["p"] == pytest.approx(2 / 2 ** 6)  # the 6 scenarios A always passed differ
    assert consistency["low"] <= -0.75 <= consistency["high"] < 0
    text = cli("diff", f"{run}:a", f"{run}:b").output
    assert "pass^4" in text
