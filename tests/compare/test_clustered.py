"""Clustered paired tests: one method per metric (the verdict, interval and p agree), exact where the
sign patterns can be enumerated, and calibrated when providers differ by scenario but not on average."""

from __future__ import annotations

import random

import pytest

from replaykit.compare.significance import Draws, mcnemar_exact
from replaykit.score.clustered import cluster_bootstrap, ratio_sign_flip, sign_flip
from replaykit.score.resample import gather
from replaykit.score.stats import percentile


@pytest.mark.parametrize(("a_only", "b_only"), [(1, 9), (0, 6), (3, 3), (2, 7)])
def test_one_pair_per_scenario_is_mcnemars_exact_test(a_only: int, b_only: int) -> None:
    d = [-1.0] * a_only + [1.0] * b_only + [0.0] * 2
    n = len(d)
    result = sign_flip([x / n for x in d], [1 / n] * n, Draws(), 0.05)
    assert result.p == pytest.approx(mcnemar_exact(a_only, b_only), rel=1e-12)


def _agree(result: object, alpha: float) -> bool:
    low, high, p = result.low, result.high, result.p  # type: ignore[attr-defined]
    return (p < alpha) == (not low <= 0 <= high)


@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_verdict_interval_and_p_agree_for_sums(alpha: float) -> None:
    rng = random.Random(3)
    for trial in range(200):
        m = rng.choice([6, 9, 20, 40])
        sums = {f"s{i}": [float(rng.randint(0, 5)), 5.0, float(rng.randint(0, 5)), 5.0] for i in range(m)}
        result = ratio_sign_flip(sums, Draws(500, trial), alpha)
        assert result.low is not None and result.high is not None
        assert result.low <= result.estimate <= result.high  # type: ignore[operator]
        assert _agree(result, alpha), (trial, result)


@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_verdict_interval_and_p_agree_for_medians(alpha: float) -> None:
    """The issue's case: equal medians, a Wilcoxon p of 0.007 printed beside an interval holding 0."""
    rng = random.Random(14)
    for trial in range(40):
        n = 60
        xa = [rng.lognormvariate(4, 0.5) for _ in range(n)]
        xb = [rng.lognormvariate(4, 0.5) for _ in range(n)]
        clusters = [list(range(i, i + 3)) for i in range(0, n, 3)]

        def stat(idx: object, xa: list[float] = xa, xb: list[float] = xb) -> float:
            g = gather(idx)  # type: ignore[arg-type]
            return percentile(sorted(g(xb)), 0.5) - percentile(sorted(g(xa)), 0.5)

        result = cluster_bootstrap(stat, clusters, Draws(400, trial), alpha)
        assert _agree(result, alpha), (trial, result)


def _interaction_run(rng: random.Random, scenarios: int, reps: int) -> tuple[dict[str, list[float]], int, int]:
    """B is better on half the scenarios and worse on the others by the same amount: no average difference."""
    sums: dict[str, list[float]] = {}
    a_only = b_only = 0
    for s in range(scenarios):
        base = rng.uniform(0.3, 0.7)
        shift = 0.25 if rng.random() < 0.5 else -0.25
        ka = kb = 0
        for _ in range(reps):
            ya, yb = rng.random() < base, rng.random() < base + shift
            ka, kb = ka + ya, kb + yb
            a_only, b_only = a_only + (ya and not yb), b_only + (yb and not ya)
        sums[f"s{s}"] = [ka, reps, kb, reps]
    return sums, a_only, b_only


def test_scenario_interaction_without_average_difference_is_rarely_significant() -> None:
    rng = random.Random(7)
    clustered = pairwise = 0
    trials = 300
    for trial in range(trials):
        sums, a_only, b_only = _interaction_run(rng, scenarios=30, reps=10)
        clustered += ratio_sign_flip(sums, Draws(400, trial), 0.05).p < 0.05  # type: ignore[operator]
        pairwise += mcnemar_exact(a_only, b_only) < 0.05
    assert clustered / trials <= 0.075, clustered  # nominal 5%; 0.075 leaves room for 300 draws
    assert pairwise / trials > 0.10, pairwise  # what pair-level McNemar did: far above 5%


def test_one_scenario_gives_no_verdict_and_the_whole_range() -> None:
    result = ratio_sign_flip({"only": [2.0, 15.0, 12.0, 15.0]}, Draws(), 0.05)
    assert result.p == 1.0 and (result.low, result.high) == (-1.0, 1.0)
