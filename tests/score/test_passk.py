"""pass^k: the unbiased per-scenario estimate C(c, k)/C(n, k), averaged over scenarios, with an interval over
scenarios; and the flaky scenarios (passed sometimes, failed sometimes)."""

from __future__ import annotations

import math
import random

import pytest

from replaykit.score.metrics import ProviderMetrics
from replaykit.score.passk import flaky, pass_hat, pass_k
from replaykit.score.sample import AttemptFacts, SampleScore


def test_the_estimate_is_the_share_of_all_pass_subsets() -> None:
    # 3 of 4 repetitions passed: of the C(4, 2) = 6 pairs of repetitions, C(3, 2) = 3 both passed
    assert pass_hat(3, 4, 2) == 0.5
    assert pass_hat(4, 4, 4) == 1.0 and pass_hat(3, 4, 4) == 0.0
    assert pass_hat(5, 10, 1) == 0.5  # pass^1 is the success rate


def test_the_estimate_is_unbiased_for_p_to_the_k() -> None:
    """E[C(c, k)/C(n, k)] = p^k exactly, summed over the binomial distribution of c."""
    for p in (0.3, 0.7, 0.95):
        for n, k in ((4, 2), (8, 3), (10, 10)):
            expected = sum(math.comb(n, c) * p ** c * (1 - p) ** (n - c) * pass_hat(c, n, k) for c in range(n + 1))
            assert expected == pytest.approx(p ** k, rel=1e-12)


def test_pass_k_averages_scenarios_and_gives_an_interval() -> None:
    counts = {"a": (4, 4), "b": (3, 4), "c": (0, 4), "d": (2, 4)}
    r = pass_k(counts)
    assert r["k"] == 4 and r["scenarios"] == 4
    assert r["value"] == pytest.approx(0.25)  # only "a" passed all 4
    assert r["low"] < 0.25 < r["high"]
    assert pass_k(counts, 2)["value"] == pytest.approx((1 + 0.5 + 0 + 1 / 6) / 4, abs=1e-6)
    assert pass_k({"a": (1, 1), "b": (0, 1)})["k"] is None  # one repetition: pass^1 is success


def test_pass_k_never_claims_certainty_from_agreeing_scenarios() -> None:
    r = pass_k({f"s{i}": (5, 5) for i in range(10)})
    assert r["value"] == 1.0 and r["high"] == 1.0 and r["low"] < 0.8  # 10 scenarios, not 50 samples


def test_pass_k_interval_covers_over_simulated_runs() -> None:
    rng = random.Random(3)
    hits = 0
    runs = 300
    for _ in range(runs):
        counts = {}
        for s in range(20):
            p = rng.betavariate(6, 1.5)
            counts[f"s{s}"] = (sum(rng.random() < p for _ in range(5)), 5)
        r = pass_k(counts, 3)
        # truth: E[p^3] for p ~ Beta(6, 1.5) = Π (6 + i) / (7.5 + i), i = 0..2
        truth = (6 / 7.5) * (7 / 8.5) * (8 / 9.5)
        hits += r["low"] <= truth <= r["high"]
    assert hits / runs >= 0.92, hits


def test_flaky_scenarios_are_listed_most_even_first() -> None:
    assert flaky({"a": (4, 4), "b": (1, 4), "c": (2, 4), "d": (0, 4), "e": (1, 1)}) == \
        {"count": 2, "of": 4, "scenarios": ["c", "b"]}


def test_score_reports_pass_k_and_flaky_per_provider() -> None:
    metrics = ProviderMetrics()
    for s, passes in (("a", [1, 1, 1]), ("b", [1, 0, 1]), ("c", [0, 0, 0])):
        for rep, ok in enumerate(passes):
            attempt = AttemptFacts("p", 0, None, 100.0, None, None, None, False)
            metrics.add(SampleScore("p", s, rep, "single", (), [attempt], usable=True, success=bool(ok)))
    out = metrics.result()
    assert out["pass_k"]["k"] == 3 and out["pass_k"]["value"] == pytest.approx(1 / 3, abs=1e-6)
    assert out["flaky"] == {"count": 1, "of": 3, "scenarios": ["b"]}
