"""The statistics, against values computed by hand or published for the same inputs."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from replaykit.compare.significance import (
    Draws,
    PairedTable,
    binom_half_cdf,
    mcnemar_exact,
    mean_interval,
    median_interval,
    newcombe_interval,
    paired_bootstrap,
)
from replaykit.score.clustered import cluster_bootstrap, holm, sign_flip
from replaykit.score.resample import gather
from replaykit.score.stats import percentile


@pytest.mark.parametrize(("a_only", "b_only", "expected"), [
    (0, 10, 2 / 2 ** 10),  # every discordant pair one way: 2 · (1/2)^10
    (1, 9, 2 * (1 + 10) / 2 ** 10),  # 2 · (C(10,0) + C(10,1)) / 2^10 = 0.021484375
    (6, 16, 2 * (1 + 22 + 231 + 1540 + 7315 + 26334 + 74613) / 2 ** 22),  # 0.0524788 (Fagerland et al.)
    (3, 3, 1.0),  # 2 · 42/64 > 1: capped
    (0, 0, 1.0),  # no discordant pair: nothing against H0
    (2, 0, 0.5),  # 2 · 1/4
])
def test_mcnemar_exact_matches_hand_computed_binomial_tails(a_only: int, b_only: int, expected: float) -> None:
    assert mcnemar_exact(a_only, b_only) == pytest.approx(expected, rel=1e-12)
    assert mcnemar_exact(b_only, a_only) == pytest.approx(expected, rel=1e-12)  # two-sided: symmetric


def test_exact_binomial_tail_survives_large_n() -> None:
    # 2^3000 overflows a float; integer arithmetic then one division must still give a sane tail
    assert binom_half_cdf(1500, 3000) == pytest.approx(0.5 + 0.5 * 0.01456, abs=1e-4)
    assert binom_half_cdf(1000, 3000) < 1e-70
    assert mcnemar_exact(1400, 1600) < 0.001


def test_newcombe_interval_matches_the_published_value() -> None:
    # Cavo et al. (2012) in Fagerland, Lydersen & Laake, ch. 8: table [[59, 6], [16, 80]],
    # p1 − p2 = −0.0621, Newcombe square-and-add 95% CI −0.1186 to −0.0046. Ours is B − A: the mirror.
    table = PairedTable(both=59, a_only=6, b_only=16, neither=80)
    low, high = newcombe_interval(table)
    assert table.diff == pytest.approx(0.0621, abs=5e-5)
    assert low == pytest.approx(0.0046, abs=5e-5)
    assert high == pytest.approx(0.1186, abs=5e-5)


def test_newcombe_interval_is_symmetric_and_contains_zero_without_discordance_bias() -> None:
    low, high = newcombe_interval(PairedTable(40, 5, 5, 10))
    assert low == pytest.approx(-high)
    assert low < 0 < high
    low, high = newcombe_interval(PairedTable(100, 0, 0, 0))  # identical and perfect: tight around 0
    assert -0.05 < low <= 0 <= high < 0.05


def test_paired_bootstrap_is_deterministic_and_sees_a_constant_shift() -> None:
    diffs = [1.0 + 0.1 * (i % 5) for i in range(50)]

    def mean(idx: Sequence[int]) -> float:
        return sum(gather(idx)(diffs)) / len(idx)

    first = paired_bootstrap(mean, 50, Draws(500, seed=3))
    assert first == paired_bootstrap(mean, 50, Draws(500, seed=3))
    assert first.estimate == pytest.approx(1.2)
    assert first.low is not None and first.high is not None
    assert 1.0 < first.low < 1.2 < first.high < 1.4


def test_sign_flip_p_matches_the_exact_enumeration() -> None:
    # differences 1, 2, 3, 4: of the 16 sign patterns only ++++ and −−−− reach |sum| ≥ 10 → p = 2/16
    assert sign_flip([1.0, 2.0, 3.0, 4.0], [0.25] * 4, Draws(), 0.05).p == pytest.approx(2 / 16)
    # 2, 2, 2, −1 (sum 5): the first three signs give ±6 (2 patterns) or ±2 (6); only ±6 ∓ 1 reaches
    # |5|, with either sign of the fourth: 4 of 16
    assert sign_flip([2.0, 2.0, 2.0, -1.0], [0.25] * 4, Draws(), 0.05).p == pytest.approx(4 / 16)
    nothing = sign_flip([0.0] * 30, [1 / 30] * 30, Draws(200), 0.05)
    assert (nothing.estimate, nothing.p) == (0.0, 1.0)


def test_randomization_test_is_calibrated_under_the_null() -> None:
    # 300 null data sets of 60 skewed, tied differences (like costs): about 5% should fall below 0.05
    rng = random.Random(11)
    rejections = 0
    draws = Draws(300, seed=5)
    for _ in range(300):
        d = [rng.choice([0.0, 0.0, 0.0, 1.0, 8.0]) - rng.choice([0.0, 0.0, 0.0, 1.0, 8.0]) for _ in range(60)]
        result = sign_flip([x / 60 for x in d], [1 / 60] * 60, draws, 0.05)
        assert result.p is not None
        rejections += result.p < 0.05
    assert 5 <= rejections <= 27, rejections


def test_median_bootstrap_is_calibrated_on_lognormal_latencies() -> None:
    rng = random.Random(23)
    rejections = 0
    for trial in range(300):
        a = [400 * rng.lognormvariate(0, 0.5) for _ in range(60)]
        b = [400 * rng.lognormvariate(0, 0.5) for _ in range(60)]

        def stat(idx: Sequence[int], a: list[float] = a, b: list[float] = b) -> float:
            g = gather(idx)
            return percentile(sorted(g(b)), 0.5) - percentile(sorted(g(a)), 0.5)

        result = cluster_bootstrap(stat, [[i] for i in range(60)], Draws(300, seed=trial), 0.05)
        assert result.p is not None
        rejections += result.p < 0.05
    assert 5 <= rejections <= 27, rejections


def test_holm_adjustment_by_hand() -> None:
    adjusted = holm({"a": 0.01, "b": 0.04, "c": 0.03})
    # sorted 0.01, 0.03, 0.04 → 3·0.01 = 0.03, max(0.03, 2·0.03) = 0.06, max(0.06, 1·0.04) = 0.06
    assert adjusted == pytest.approx({"a": 0.03, "c": 0.06, "b": 0.06})


def test_median_interval_uses_the_textbook_ranks() -> None:
    # n = 100: ranks 50 ± 1.96·√100/2 → the 40th and 61st values (1-based), i.e. 39 and 60 here
    assert median_interval([float(i) for i in range(100)]) == (39.0, 60.0)
    assert median_interval([]) is None


def test_no_zero_width_interval_from_one_value() -> None:
    """`fallback` printed `p50 [60.286, 60.286]` for one sample: an interval that covers nothing."""
    assert median_interval([60.286]) is None
    assert median_interval([1.0, 2.0, 3.0, 4.0, 5.0]) is None  # [min, max] covers 94% at n = 5
    assert median_interval([float(i) for i in range(6)]) == (0.0, 5.0)  # 1 − 2/64 = 96.9%
    assert mean_interval([0.002]) is None
    # mean ± t(2)·s/√3 (scipy.stats.t.ppf(0.975, 2) = 4.302652729749462)
    low, high = mean_interval([1.0, 2.0, 3.0])  # type: ignore[misc]
    assert (low, high) == pytest.approx((2 - 4.302652729749462 / 3 ** 0.5, 2 + 4.302652729749462 / 3 ** 0.5))


def test_median_interval_keeps_its_coverage_at_every_n() -> None:
    for n in range(6, 200):
        low, _ = median_interval(list(range(n)))  # type: ignore[misc]
        assert 1 - 2 * binom_half_cdf(int(low), n) >= 0.95, n  # P(X ≤ l − 1) with l = low + 1
