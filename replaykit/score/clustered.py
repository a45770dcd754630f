"""Paired differences clustered by scenario, each from ONE method: its estimate, interval, p-value and so its
verdict agree by construction (the interval at level 1 − alpha holds 0 exactly when p ≥ alpha).

- Sums over samples (rates, mean cost): a **cluster sign-flip randomization test**. Under H0 the two sides
  of each scenario are exchangeable; swapping a whole scenario's sides negates its contribution d_s to the
  difference D = Σ d_s. The interval is the set of shifts δ the same test does not reject (test inversion):
  for H0: D = δ the contributions are u_s = d_s − δ·w_s (w_s the scenario's share of the samples), and each
  flip ε is at least as extreme as the data where |Σ ε_s u_s| ≥ |D − δ| — a quadratic inequality in δ whose
  solutions form an interval around D, so the confidence set is found exactly by sorting endpoints.
  With one sample per scenario this is the exact McNemar test for a paired binary outcome.
- Medians (speed): a **cluster bootstrap** (scenarios resampled with their pairs); the interval is its
  percentile interval at 1 − alpha and p the smallest alpha at which that interval excludes 0.

Scenarios, not pairs, are the units: a provider × scenario interaction (B better on some scenarios, worse on
others, even on average) makes the pairs of a scenario move together, and a pair-level test then rejects far
too often (17.6% at the 5% level).
"""

from __future__ import annotations

import functools
import itertools
import math
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from replaykit.score.resample import Draws, gather

EXACT_UP_TO = 12  # clusters: all 2^m sign patterns (4,096) are enumerated, an exact test


@dataclass(frozen=True)
class Clustered:
    """A difference B − A with its interval at 1 − alpha and its two-sided p-value."""

    estimate: float | None
    low: float | None = None
    high: float | None = None
    p: float | None = None
    clusters: int = 0


def _patterns(m: int, draws: Draws) -> tuple[list[Callable[[Sequence[float]], tuple[float, ...]]], bool]:
    """A gather of the flipped clusters for every sign pattern (exact) or for `draws.count` random ones; made
    once per size and shared by every pair compared (a leaderboard of 12 providers compares 66 pairs)."""
    if m <= EXACT_UP_TO:
        return _exact(m), True
    return draws.swap_gathers(m), False


@functools.cache
def _exact(m: int) -> list[Callable[[Sequence[float]], tuple[float, ...]]]:
    return [gather(c) for r in range(m + 1) for c in itertools.combinations(range(m), r)]


def sign_flip(d: Sequence[float], w: Sequence[float], draws: Draws, alpha: float,
              bounds: tuple[float, float] = (-math.inf, math.inf)) -> Clustered:
    """D = Σ d_s, tested and bracketed by flipping clusters' signs; `w` sums to 1 (each cluster's weight in
    the shift δ). The p of the data itself counts as one pattern of the random ones (+1 / B + 1). The interval
    is cut to `bounds` (±1 for a difference of rates); an unbounded side is None (too few scenarios)."""
    m = len(d)
    if m == 0:
        return Clustered(None)
    total = math.fsum(d)
    patterns, exact = _patterns(m, draws)
    fsum = math.fsum
    flips = [(total - 2 * fsum(g(d)), 1 - 2 * fsum(g(w))) for g in patterns]
    bar = abs(total) * (1 - 1e-9)  # the same sums in another order differ in the last bits
    extreme = sum(1 for a, _ in flips if abs(a) >= bar)
    count = len(flips) + (0 if exact else 1)
    p = min(1.0, (extreme + (0 if exact else 1)) / count)
    low, high = _inverted(total, flips, count, exact, alpha)
    low, high = max(low, bounds[0]), min(high, bounds[1])
    return Clustered(total, low if math.isfinite(low) else None, high if math.isfinite(high) else None, p, m)


def _inverted(total: float, flips: list[tuple[float, float]], count: int, exact: bool,
              alpha: float) -> tuple[float, float]:
    """The shifts δ at which the test's p stays above alpha. Each flip (a, b) is as extreme as the data on
    the δ where (a − δb)² ≥ (total − δ)²: an interval [l, r] holding `total` (b² ≤ 1)."""
    lefts, rights = [], []
    for a, b in flips:
        qa, qb, qc = b * b - 1, -2 * (a * b - total), a * a - total * total  # qa·δ² + qb·δ + qc ≥ 0
        if abs(qa) < 1e-12:  # no cluster or every cluster flipped: b = ±1, a line
            if abs(qb) < 1e-12:
                lefts.append(-math.inf)
                rights.append(math.inf)
            else:
                root = -qc / qb
                lefts.append(root if qb > 0 else -math.inf)
                rights.append(math.inf if qb > 0 else root)
            continue
        disc = math.sqrt(max(0.0, qb * qb - 4 * qa * qc))
        r1, r2 = (-qb + disc) / (2 * qa), (-qb - disc) / (2 * qa)
        lefts.append(min(r1, r2, total))
        rights.append(max(r1, r2, total))
    # p(δ) = (#{flips extreme at δ} + own) / count > alpha  ⇔  #{...} ≥ need
    own = 0 if exact else 1
    need = math.floor(alpha * count - own) + 1
    if need > len(flips):
        return (total, total)
    lefts.sort()
    rights.sort(reverse=True)
    return (lefts[need - 1], rights[need - 1])


Sums = dict[str, list[float]]  # scenario -> [k_A, n_A, k_B, n_B]


def ratio_sign_flip(sums: Sums, draws: Draws, alpha: float, rates: bool = True) -> Clustered:
    """Σk_B/Σn_B − Σk_A/Σn_A by scenario sign flips: d_s = k_B,s/N_B − k_A,s/N_A sums to the difference, and
    a flip of scenario s negates d_s (exactly when both sides have the same n, to first order otherwise)."""
    cells = [c for c in sums.values() if c[1] + c[3] > 0]
    total_a, total_b = sum(c[1] for c in cells), sum(c[3] for c in cells)
    if not total_a or not total_b:
        return Clustered(None)
    d = [c[2] / total_b - c[0] / total_a for c in cells]
    w = [(c[1] + c[3]) / (total_a + total_b) for c in cells]
    return sign_flip(d, w, draws, alpha, (-1.0, 1.0) if rates else (-math.inf, math.inf))


def cluster_bootstrap(stat: Callable[[Sequence[int]], float | None], clusters: Sequence[Sequence[int]],
                      draws: Draws, alpha: float) -> Clustered:
    """`stat` on all pairs, and over resamples of whole clusters (their pair indices concatenated): the
    percentile interval at 1 − alpha from the order statistics j = ⌈B·alpha/2⌉ and B + 1 − j, and
    p = 2·min(#{θ* ≤ 0}, #{θ* ≥ 0}) / B, so that p < alpha exactly when the interval excludes 0."""
    m = len(clusters)
    estimate = stat([i for c in clusters for i in c])
    if estimate is None or m == 0:
        return Clustered(estimate, clusters=m)
    values = []
    for chosen in draws.resamples(m):
        idx: array[int] = array("I")
        for c in chosen:
            idx.extend(clusters[c])
        value = stat(idx)
        if value is not None:
            values.append(value)
    if not values:
        return Clustered(estimate, clusters=m)
    values.sort()
    count = len(values)
    j = max(1, math.ceil(count * alpha / 2))
    below = sum(1 for v in values if v <= 0)
    above = sum(1 for v in values if v >= 0)
    p = min(1.0, max(2 * min(below, above), 1) / count)
    return Clustered(estimate, values[j - 1], values[count - j], p, m)


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
