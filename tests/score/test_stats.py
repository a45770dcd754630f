"""Intervals that keep their promise: Student's t for few clusters, an honest interval for one, plain Wilson
for independent samples, and a rate for every error class and fault. Reference values were computed with
scipy 1.17 (`scipy.stats.t.ppf`, `scipy.special.betainc`) and statsmodels 0.14 (`proportion_confint(method=
"wilson")`, OLS with `cov_type="cluster"`, CR1); they are fixed here so the suite does not need either."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from replaykit.score.metrics import ERROR_CLASSES, FAULTS, ProviderMetrics
from replaykit.score.sample import AttemptFacts, SampleScore
from replaykit.score.stats import Z95, betainc, critical, effective_n, rate, t_quantile, wilson

T975 = {1: 12.706204736174694, 2: 4.302652729749462, 4: 2.7764451051977934, 9: 2.262157162798205,
        29: 2.045229642132703}


@pytest.mark.parametrize("df", sorted(T975))
def test_t_quantiles_match_scipy(df: int) -> None:
    assert t_quantile(0.975, df) == pytest.approx(T975[df], rel=1e-10)
    assert t_quantile(0.025, df) == pytest.approx(-T975[df], rel=1e-10)


def test_incomplete_beta_matches_scipy() -> None:
    assert betainc(2.5, 0.5, 0.3) == pytest.approx(0.018927124071945658, rel=1e-12)
    assert betainc(30, 0.5, 0.97) == pytest.approx(0.17821754497024148, rel=1e-12)


def test_independent_samples_get_plain_wilson() -> None:
    r = rate({f"s{i}": [1.0 if i < 7 else 0.0, 1.0] for i in range(20)})
    assert (r["low"], r["high"]) == pytest.approx((0.18119182410108203, 0.5671457233147638), abs=1e-6)


def test_the_clustered_variance_is_cr1() -> None:
    clusters = [(3.0, 10.0), (9.0, 10.0), (5.0, 10.0)]
    p = 17 / 30
    assert p * (1 - p) / effective_n(clusters) == pytest.approx(0.031111111111, rel=1e-9)  # statsmodels CR1


def test_few_scenarios_use_t_with_m_minus_1_degrees_of_freedom() -> None:
    clusters = {"a": [3.0, 10.0], "b": [9.0, 10.0], "c": [5.0, 10.0]}
    r = rate(clusters)
    n_eff = effective_n(list(map(tuple, clusters.values())))  # type: ignore[arg-type]
    expected = wilson(17 / 30 * n_eff, n_eff, T975[2])
    assert (r["low"], r["high"]) == pytest.approx(expected, abs=1e-6)
    # with z (the old interval) it was much narrower: 3 scenarios say little about a fourth
    z_low, z_high = wilson(17 / 30 * n_eff, n_eff, Z95)
    assert r["high"] - r["low"] > 1.4 * (z_high - z_low)
    assert critical(3) == pytest.approx(T975[2])


def test_one_scenario_repeated_gives_a_wide_interval_not_a_binomial_one() -> None:
    r = rate({"only": [45.0, 50.0]})
    assert r["value"] == 0.9
    assert r["low"] < 0.2 and r["high"] > 0.99  # the binomial interval was [0.79, 0.96]
    single = rate({"only": [1.0, 1.0]})  # one sample: plain Wilson, already wide
    assert single["low"] == pytest.approx(wilson(1, 1)[0], abs=1e-6)


def _sample(scenario: str, errors: list[str | None]) -> SampleScore:
    attempts = [AttemptFacts("p", 0, e, None if e else 100.0, None, None, None, False) for e in errors]
    return SampleScore("p", scenario, 0, "single", (), attempts, usable=errors[-1] is None, success=True,
                       answered_turns=1 if errors[-1] is None else 0)


def test_every_error_class_and_fault_gets_a_rate_even_when_never_seen() -> None:
    metrics = ProviderMetrics()
    for i in range(30):
        metrics.add(_sample(f"s{i}", ["server_error", None] if i == 0 else [None]))
    out = metrics.result()
    assert set(out["error_rates"]) == set(ERROR_CLASSES)
    assert set(out["fault_rates"]) == set(FAULTS)
    none_seen = out["error_rates"]["timeout"]
    assert none_seen["value"] == 0 and none_seen["low"] == 0 and none_seen["n"] == 31
    assert none_seen["high"] == pytest.approx(wilson(0, 31, critical(30))[1], abs=1e-6)  # 30 scenarios
    assert out["error_rates"]["server_error"]["value"] == round(1 / 31, 6)
    assert out["fault_rates"]["wrong_args"]["n"] == 30 and out["fault_rates"]["wrong_args"]["high"] > 0
    assert out["errors"] == {"server_error": 1}  # counts list what was seen
    assert math.isclose(out["error_rate"]["value"], 1 / 31, abs_tol=1e-6)


def _timed_metrics(fail_in: Callable[[int], bool], scenarios: int = 20, reps: int = 20) -> ProviderMetrics:
    """One attempt per sample, a second apart in shuffled scenario order; `fail_in(second)` says if it fails."""
    import random

    order = [(s, r) for s in range(scenarios) for r in range(reps)]
    random.Random(1).shuffle(order)
    metrics = ProviderMetrics()
    for t, (s, r) in enumerate(order):
        down = fail_in(t)
        attempt = AttemptFacts("p", 0, "server_error" if down else None, None if down else 100.0, None, None,
                               None, False, started_at=1.7e9 + t)
        metrics.add(SampleScore("p", f"s{s}", r, "single", (), [attempt], usable=not down, success=not down))
    return metrics


def test_failures_clustered_in_time_widen_the_interval() -> None:
    """Two 20-second outages in 400 s: 10% of attempts fail, all at two moments. Clustered by scenario only
    the interval was as narrow as for independent failures (it held the truth in 0 of 20 such runs)."""
    bursty = _timed_metrics(lambda t: 100 <= t < 120 or 300 <= t < 320).result()["error_rate"]
    spread = _timed_metrics(lambda t: t % 10 == 3).result()["error_rate"]
    assert bursty["value"] == spread["value"] == 0.1
    assert bursty["high"] - bursty["low"] > 2 * (spread["high"] - spread["low"])
    assert bursty["high"] > 0.2  # two outages say little about the long-run rate
    for metric in ("availability", "success"):  # sample-level rates see the same outages
        r = _timed_metrics(lambda t: 100 <= t < 120 or 300 <= t < 320).result()[metric]
        assert r["low"] < 0.8


def test_without_start_times_the_rate_is_clustered_by_scenario() -> None:
    metrics = ProviderMetrics()
    for i in range(40):
        attempt = AttemptFacts("p", 0, "server_error" if i % 4 == 0 else None, None, None, None, None, False)
        metrics.add(SampleScore("p", f"s{i % 10}", i, "single", (), [attempt], usable=True, success=True))
    by_scenario = rate({f"s{s}": [float(sum(1 for i in range(s, 40, 10) if i % 4 == 0)), 4.0] for s in range(10)})
    assert metrics.result()["error_rate"] == by_scenario
