"""Paired significance: McNemar's exact test, Newcombe's interval, a seeded paired bootstrap, Holm.

scipy is not a dependency, so the exact binomial tail is computed here with integer arithmetic: for the
symmetric binomial of McNemar's test, P(X <= k) = sum C(n, i) / 2^n is exact until the final division.
Everything is deterministic: the bootstrap draws from a `random.Random` seeded by the caller.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from replaykit.score.stats import Z95, wilson


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


# A statistic over a resample: it gets the chosen pair indices, returns None when undefined there.
Statistic = Callable[[Sequence[int]], float | None]


@dataclass(frozen=True)
class Resamples:
    """Bootstrap draws of pair indices, made once and shared by every metric of a comparison."""

    n: int
    draws: tuple[tuple[int, ...], ...]

    @classmethod
    def draw(cls, n: int, count: int = 2000, seed: int = 0) -> Resamples:
        rng = random.Random(seed)
        population = range(n)
        return cls(n, tuple(tuple(rng.choices(population, k=n)) for _ in range(count if n else 0)))


@dataclass(frozen=True)
class BootResult:
    estimate: float | None
    low: float | None
    high: float | None
    p: float | None


def paired_bootstrap(stat: Statistic, resamples: Resamples, level: float = 0.95) -> BootResult:
    """Percentile interval of `stat` over resampled pairs, and a two-sided p-value for "stat = 0".

    p = 2 · min(#{θ* ≤ 0} + 1, #{θ* ≥ 0} + 1) / (B + 1), capped at 1: how often the resampled difference
    lands on the other side of zero (the +1 keeps p above 0 with finite resamples).
    """
    estimate = stat(range(resamples.n))
    if estimate is None:
        return BootResult(None, None, None, None)
    values = sorted(v for v in (stat(idx) for idx in resamples.draws) if v is not None)
    if not values:
        return BootResult(estimate, None, None, None)
    tail = (1 - level) / 2
    low, high = _quantile(values, tail), _quantile(values, 1 - tail)
    below = sum(v <= 0 for v in values)
    above = sum(v >= 0 for v in values)
    p = min(1.0, 2 * (min(below, above) + 1) / (len(values) + 1))
    return BootResult(estimate, low, high, p)


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def median_interval(sorted_values: Sequence[float], z: float = Z95) -> tuple[float, float] | None:
    """Distribution-free interval for the median from order statistics (normal approximation of the
    Binomial(n, 1/2) ranks): no resampling, so it is cheap enough to give every row of a table."""
    n = len(sorted_values)
    if n == 0:
        return None
    half = z * math.sqrt(n) / 2
    lo = max(0, math.floor(n / 2 - half) - 1)
    hi = min(n - 1, math.ceil(n / 2 + half))
    return (sorted_values[lo], sorted_values[hi])


def mean_interval(values: Sequence[float], z: float = Z95) -> tuple[float, float] | None:
    """mean ± z·s/√n (normal approximation; fine for per-sample costs over dozens of samples)."""
    n = len(values)
    if n == 0:
        return None
    mean = sum(values) / n
    if n == 1:
        return (mean, mean)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    return (mean - z * sd / math.sqrt(n), mean + z * sd / math.sqrt(n))


def holm(pvalues: dict[str, float]) -> dict[str, float]:
    """Holm's step-down adjustment over a family of tests (keys kept, values adjusted)."""
    ranked = sorted(pvalues.items(), key=lambda kv: (kv[1], kv[0]))
    m = len(ranked)
    out: dict[str, float] = {}
    running = 0.0
    for i, (name, p) in enumerate(ranked):
        running = max(running, min(1.0, (m - i) * p))
        out[name] = running
    return out
