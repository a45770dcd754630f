"""The statistics, against values computed by hand or published for the same inputs."""

from __future__ import annotations

import random

import pytest

from replaykit.compare.significance import (
    PairedTable,
    Resamples,
    binom_half_cdf,
    holm,
    mcnemar_exact,
    median_interval,
    newcombe_interval,
    paired_bootstrap,
)


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

    def mean_diff(idx: object) -> float:
        chosen = [diffs[i] for i in idx]  # type: ignore[attr-defined]
        return sum(chosen) / len(chosen)

    first = paired_bootstrap(mean_diff, Resamples.draw(50, 500, seed=3))
    again = paired_bootstrap(mean_diff, Resamples.draw(50, 500, seed=3))
    assert first == again
    assert first.estimate == pytest.approx(1.2)
    assert first.low is not None and first.high is not None
    assert 1.0 < first.low < 1.2 < first.high < 1.4
    assert first.p == pytest.approx(2 / 501)  # no resample reaches 0: the smallest p 500 resamples give


def test_paired_bootstrap_p_is_one_when_nothing_differs() -> None:
    result = paired_bootstrap(lambda idx: 0.0, Resamples.draw(30, 200))
    assert (result.estimate, result.low, result.high, result.p) == (0.0, 0.0, 0.0, 1.0)


def test_bootstrap_p_value_is_roughly_uniform_under_the_null() -> None:
    # 200 null data sets of 60 symmetric differences: about 5% should fall below 0.05
    rng = random.Random(11)
    rejections = 0
    for _ in range(200):
        diffs = [rng.gauss(0, 1) for _ in range(60)]
        result = paired_bootstrap(lambda idx, d=diffs: sum(d[i] for i in idx) / len(idx),  # type: ignore[misc]
                                  Resamples.draw(60, 400, seed=rng.randrange(10 ** 6)))
        assert result.p is not None
        rejections += result.p < 0.05
    assert 2 <= rejections <= 22, rejections


def test_holm_adjustment_by_hand() -> None:
    adjusted = holm({"a": 0.01, "b": 0.04, "c": 0.03})
    # sorted 0.01, 0.03, 0.04 → 3·0.01 = 0.03, max(0.03, 2·0.03) = 0.06, max(0.06, 1·0.04) = 0.06
    assert adjusted == pytest.approx({"a": 0.03, "c": 0.06, "b": 0.06})


def test_median_interval_uses_the_textbook_ranks() -> None:
    # n = 100: ranks 50 ± 1.96·√100/2 → the 40th and 61st values (1-based), i.e. 39 and 60 here
    assert median_interval([float(i) for i in range(100)]) == (39.0, 60.0)
    assert median_interval([]) is None
