"""Paired significance: McNemar's exact test, Newcombe's interval, a seeded paired bootstrap and paired
randomization test, Holm.

scipy is not a dependency, so the exact binomial tail is computed here with integer arithmetic: for the
symmetric binomial of McNemar's test, P(X <= k) = sum C(n, i) / 2^n is exact until the final division.
Everything is deterministic: the random draws come from `random.Random`s seeded by the caller. No numpy:
resampled sums go through `operator.itemgetter` and `sum`, which run in C.
"""

from __future__ import annotations

import itertools
import math
import operator
import random
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from replaykit.score.stats import Z95, percentile, wilson


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


class Draws:
    """The seeded random draws of one comparison, shared by its metrics: for each size n, `count`
    bootstrap resamples (n pair indices drawn with replacement) and `count` random swaps (the indices of
    the pairs whose sides are exchanged). Stored as compact arrays; drawn on first use."""

    def __init__(self, count: int = 1000, seed: int = 0) -> None:
        self.count, self.seed = count, seed
        self._resamples: dict[int, list[array[int]]] = {}
        self._swaps: dict[int, list[array[int]]] = {}

    def resamples(self, n: int) -> list[array[int]]:
        if n not in self._resamples:
            rng = random.Random(f"bootstrap|{self.seed}|{n}")
            # 32 random bits per index, reduced mod n (a bias below n / 2^32), at C speed
            self._resamples[n] = [array("I", [x % n for x in array("I", rng.randbytes(4 * n))])
                                  for _ in range(self.count if n else 0)]
        return self._resamples[n]

    def swaps(self, n: int) -> list[array[int]]:
        if n not in self._swaps:
            rng = random.Random(f"swap|{self.seed}|{n}")
            # one random byte per pair, its top bit says "swap"
            self._swaps[n] = [array("I", itertools.compress(range(n), rng.randbytes(n).translate(_TOP_BIT)))
                              for _ in range(self.count if n else 0)]
        return self._swaps[n]


_TOP_BIT = bytes(b >> 7 for b in range(256))


def gather(idx: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """Picks the positions `idx` of a sequence at C speed (itemgetter), always as a tuple."""
    if len(idx) == 0:
        return lambda values: ()
    if len(idx) == 1:
        one = operator.itemgetter(idx[0])
        return lambda values: (one(values),)
    many = operator.itemgetter(*idx)
    return lambda values: many(values)


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


def permutation_p(observed: float, swapped: Iterable[float | None], count: int) -> float:
    """Two-sided p of a paired randomization test: under H0 the sides of each pair are exchangeable, so
    random swaps give the null distribution of the difference exactly, at any n.

    p = (#{|d*| ≥ |d|} + 1) / (B + 1); a swap where the difference is undefined counts as extreme
    (conservative). Preferred to a bootstrap p-value, which is anti-conservative for skewed or tied
    per-pair differences (costs, medians): see docs/compare.md.
    """
    bar = abs(observed) * (1 - 1e-9)  # the same sums in another order differ in the last bits
    extreme = sum(1 for d in swapped if d is None or abs(d) >= bar)
    return min(1.0, (extreme + 1) / (count + 1))


def _with_p(boot: PairedResult, p: float | None) -> PairedResult:
    return PairedResult(boot.estimate, boot.low, boot.high, p if boot.estimate is not None else None)


def ratio_difference(ka: Sequence[float], na: Sequence[float], kb: Sequence[float], nb: Sequence[float],
                     draws: Draws) -> PairedResult:
    """Σk_B/Σn_B − Σk_A/Σn_A over pairs (each pair contributes its own k and n on each side)."""
    n = len(ka)

    def ratio(k: float, m: float) -> float | None:
        return k / m if m else None

    def diff(sk_a: float, sn_a: float, sk_b: float, sn_b: float) -> float | None:
        ra, rb = ratio(sk_a, sn_a), ratio(sk_b, sn_b)
        return None if ra is None or rb is None else rb - ra

    def stat(idx: Sequence[int]) -> float | None:
        g = gather(idx)
        return diff(sum(g(ka)), sum(g(na)), sum(g(kb)), sum(g(nb)))

    boot = paired_bootstrap(stat, n, draws)
    if boot.estimate is None:
        return boot
    # A swap moves (k_B − k_A, n_B − n_A) of the swapped pairs from B's sums to A's.
    dk = [b - a for a, b in zip(ka, kb, strict=True)]
    dn = [b - a for a, b in zip(na, nb, strict=True)]
    ska, sna, skb, snb = sum(ka), sum(na), sum(kb), sum(nb)
    swapped = []
    for sw in draws.swaps(n):
        g = gather(sw)
        mk, mn = sum(g(dk)), sum(g(dn))
        swapped.append(diff(ska + mk, sna + mn, skb - mk, snb - mn))
    return _with_p(boot, permutation_p(boot.estimate, swapped, len(swapped)))


def mean_difference(xa: Sequence[float], xb: Sequence[float], draws: Draws) -> PairedResult:
    """mean(B) − mean(A) over pairs: the mean of the per-pair differences."""
    d = [b - a for a, b in zip(xa, xb, strict=True)]
    n = len(d)
    if n == 0:
        return PairedResult(None)
    boot = paired_bootstrap(lambda idx: sum(gather(idx)(d)) / len(idx), n, draws)
    total = sum(d)
    swapped = [(total - 2 * sum(gather(sw)(d))) / n for sw in draws.swaps(n)]  # a swap negates d_i
    return _with_p(boot, permutation_p(total / n, swapped, len(swapped)))


def median_difference(xa: Sequence[float], xb: Sequence[float], draws: Draws) -> PairedResult:
    """p50(B) − p50(A) over pairs (linear interpolation between closest ranks), with a bootstrap
    interval; tested by Wilcoxon's signed-rank statistic (a difference of medians is no test statistic:
    with constant values on each side every swap gives the same |difference|)."""
    n = len(xa)
    if n == 0:
        return PairedResult(None)

    def stat(idx: Sequence[int]) -> float:
        g = gather(idx)
        return percentile(sorted(g(xb)), 0.5) - percentile(sorted(g(xa)), 0.5)

    return _with_p(paired_bootstrap(stat, n, draws), signed_rank_p(xa, xb, draws))


def signed_rank_p(xa: Sequence[float], xb: Sequence[float], draws: Draws) -> float:
    """Two-sided Wilcoxon signed-rank test as a randomization test: the differences b − a, zeros dropped,
    ranked by size (ties get their average rank); W = Σ sign·rank; a swap flips a pair's sign."""
    d = [b - a for a, b in zip(xa, xb, strict=True) if b != a]
    if not d:
        return 1.0
    signed = [math.copysign(r, x) for r, x in zip(_ranks([abs(x) for x in d]), d, strict=True)]
    w = sum(signed)
    # The swaps were drawn for all n pairs; those of dropped (zero) pairs change nothing, so use
    # draws of the kept size instead.
    swapped = [w - 2 * sum(gather(sw)(signed)) for sw in draws.swaps(len(signed))]
    return permutation_p(w, swapped, len(swapped))


def _ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing their average rank."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


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
