"""Paired significance: McNemar's exact test, Newcombe's interval, seeded draws (bootstrap resamples, sign
flips), a paired bootstrap, Holm. The clustered tests `diff` uses are in score/clustered.py.

scipy is not a dependency, so the exact binomial tail is computed here with integer arithmetic: for the
symmetric binomial of McNemar's test, P(X <= k) = sum C(n, i) / 2^n is exact until the final division.
Everything is deterministic: the random draws come from `random.Random`s seeded by the caller. No numpy:
resampled sums go through `operator.itemgetter` and `sum`, which run in C.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import NormalDist

from replaykit.score.resample import Draws
from replaykit.score.stats import Z95, percentile, t_quantile, wilson


def binom_half_cdf(k: int, n: int) -> float:
    """P(X <= k) for X ~ Binomial(n, 1/2), exactly (one rounding, at the division)."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    return sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n


def mcnemar_exact(a_only: int, b_only: int) -> float:
    """Two-sided exact McNemar p-value from the discordant pairs (A right & B wrong, A wrong & B right).

    Under H0 each discordant pair goes either way with probability 1/2, so the smaller count is a
    Binomial(b + c, 1/2) tail; doubled for two sides and capped at 1 (the conventional exact test).
    """
    n = a_only + b_only
    if n == 0:
        return 1.0
    return min(1.0, 2 * binom_half_cdf(min(a_only, b_only), n))


def binom_logpmf(i: int, n: int, p: float) -> float:
    if p <= 0.0:
        return 0.0 if i == 0 else -math.inf
    if p >= 1.0:
        return 0.0 if i == n else -math.inf
    return (math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
            + i * math.log(p) + (n - i) * math.log1p(-p))


@dataclass(frozen=True)
class PairedTable:
    """A paired 2×2 table of one binary outcome: `both` right, `a_only`, `b_only`, `neither`."""

    both: int
    a_only: int
    b_only: int
    neither: int

    @property
    def n(self) -> int:
        return self.both + self.a_only + self.b_only + self.neither

    @property
    def diff(self) -> float:
        """p_B − p_A."""
        return (self.b_only - self.a_only) / self.n if self.n else 0.0


def newcombe_interval(t: PairedTable, z: float = Z95) -> tuple[float, float]:
    """Newcombe's (1998) method 10 interval for p_B − p_A from paired data ("square and add").

    The two marginal Wilson intervals are combined with the estimated correlation φ between the margins;
    like Newcombe (and Fagerland et al.'s reference implementation), φ's numerator AD − BC is shrunk by
    n/2 towards 0 when positive, and a table with an empty margin gets φ = 0.
    """
    n = t.n
    if n == 0:
        return (-1.0, 1.0)
    pa, pb = (t.both + t.a_only) / n, (t.both + t.b_only) / n
    la, ua = wilson(t.both + t.a_only, n, z)
    lb, ub = wilson(t.both + t.b_only, n, z)
    phi = _phi(t)
    diff = pb - pa
    low = diff - math.sqrt(max(0.0, (pb - lb) ** 2 + (ua - pa) ** 2 - 2 * phi * (pb - lb) * (ua - pa)))
    high = diff + math.sqrt(max(0.0, (ub - pb) ** 2 + (pa - la) ** 2 - 2 * phi * (ub - pb) * (pa - la)))
    return (max(-1.0, low), min(1.0, high))


def _phi(t: PairedTable) -> float:
    margins = (t.both + t.a_only, t.b_only + t.neither, t.both + t.b_only, t.a_only + t.neither)
    if 0 in margins:
        return 0.0
    numerator: float = t.both * t.neither - t.a_only * t.b_only
    if numerator > t.n / 2:
        numerator -= t.n / 2
    elif numerator >= 0:
        numerator = 0
    return numerator / math.sqrt(math.prod(margins))


@dataclass(frozen=True)
class PairedResult:
    """A paired difference B − A: the estimate, its bootstrap percentile interval, a permutation p."""

    estimate: float | None
    low: float | None = None
    high: float | None = None
    p: float | None = None


# A statistic of a bootstrap resample: it gets the chosen pair indices, None when undefined there.
Statistic = Callable[[Sequence[int]], float | None]


def paired_bootstrap(stat: Statistic, n: int, draws: Draws, level: float = 0.95) -> PairedResult:
    """The estimate on all pairs and the percentile interval of `stat` over the resampled pairs."""
    estimate = stat(range(n))
    if estimate is None:
        return PairedResult(None)
    values = sorted(v for v in (stat(idx) for idx in draws.resamples(n)) if v is not None)
    if not values:
        return PairedResult(estimate)
    tail = (1 - level) / 2
    return PairedResult(estimate, percentile(values, tail), percentile(values, 1 - tail))


def median_interval(sorted_values: Sequence[float], level: float = 0.95) -> tuple[float, float] | None:
    """Distribution-free interval for the median from order statistics: [x_(l), x_(n+1−l)] for the largest
    rank l with P(Binomial(n, 1/2) < l) ≤ (1 − level)/2, so its coverage is at least `level` for any
    continuous distribution. None below n = 6, where even [min, max] covers less (1 − 2/2^n: 0.94 at 5)."""
    n = len(sorted_values)
    tail = (1 - level) / 2
    if n == 0 or 2 * 0.5 ** n > 1 - level:
        return None
    if n > 2000:  # the normal approximation of the ranks, exact to a rank or so there
        rank = max(1, math.floor(n / 2 - NormalDist().inv_cdf(1 - tail) * math.sqrt(n) / 2))
    else:
        rank = 0
        while binom_half_cdf(rank, n) <= tail:  # P(X ≤ rank) = P(X < rank + 1)
            rank += 1
    return (sorted_values[rank - 1], sorted_values[n - rank])


def mean_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float] | None:
    """mean ± t(n − 1)·s/√n; None for fewer than two values (no spread can be estimated)."""
    n = len(values)
    if n < 2:
        return None
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_quantile(1 - (1 - level) / 2, n - 1) * sd / math.sqrt(n)
    return (mean - half, mean + half)
