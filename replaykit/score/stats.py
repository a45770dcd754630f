"""Statistics: Wilson intervals (clustered by scenario when scenarios repeat), Student's t, percentiles.

A clustered rate uses the cluster-robust variance of the ratio estimator to get an effective sample size,
then Wilson's interval at that size with Student's t(m − 1) critical value for m clusters (a z with few
clusters under-covers: 0.87 at 5 scenarios, 0.70 at 2). It is plain Wilson when clusters are single samples.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
from array import array
from collections.abc import Iterable, Iterator, Sequence
from statistics import NormalDist
from typing import Any

from replaykit.score.cells import TimeCells

Z95 = 1.959963984540054


def _betacf(a: float, b: float, x: float) -> float:
    """The continued fraction of the regularized incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1 + num * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1 - math.exp(log_front) * _betacf(b, a, 1 - x) / b


def t_sf(t: float, df: float) -> float:
    """P(T > t) for Student's t with df degrees of freedom."""
    tail = 0.5 * betainc(df / 2, 0.5, df / (df + t * t))
    return tail if t >= 0 else 1 - tail


@functools.lru_cache(maxsize=256)
def t_quantile(q: float, df: float) -> float:
    """The q-quantile of Student's t (q ≥ 0.5), by bisection on t_sf: matches scipy to 1e-10."""
    if q < 0.5:
        return -t_quantile(1 - q, df)
    if df > 1e5:  # the continued fraction loses digits there, where t is the normal to 1e-5
        return NormalDist().inv_cdf(q)
    lo, hi = 0.0, 1.0
    while t_sf(hi, df) > 1 - q:
        hi *= 2
    for _ in range(100):
        mid = (lo + hi) / 2
        if t_sf(mid, df) > 1 - q:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * hi:
            break
    return (lo + hi) / 2


def critical(clusters: int, level: float = 0.95) -> float:
    """The two-sided critical value of a clustered estimate: t(m − 1) for m clusters."""
    return t_quantile(1 - (1 - level) / 2, clusters - 1)


def wilson(k: float, n: float, z: float = Z95) -> tuple[float, float]:
    if n <= 0:
        return (0.0, 1.0)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def effective_n(clusters: Sequence[tuple[float, float]]) -> float:
    """Effective sample size of Σk/Σn from per-cluster (k, n), by the cluster-robust variance."""
    total_k = sum(k for k, _ in clusters)
    total_n = sum(n for _, n in clusters)
    m = len(clusters)
    if total_n <= 0:
        return 0.0
    if m < 2 or all(n <= 1 for _, n in clusters):
        return total_n
    p = total_k / total_n
    if p in (0.0, 1.0):
        return total_n
    var = m / (m - 1) * sum((k - p * n) ** 2 for k, n in clusters) / total_n ** 2
    if var <= 0:
        return total_n
    return min(total_n, p * (1 - p) / var)


def rate_interval(pairs: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """The 95% interval of Σk/Σn from per-cluster (k, n), every n > 0.

    - clusters of one sample each: plain Wilson (independent samples);
    - one cluster of several samples: Wilson at n = 1. Nothing is known of how another scenario would fare,
      and a binomial interval over the repetitions would pretend otherwise (it covered 16% of the time);
    - else Wilson at the effective size with t(m − 1).
    """
    k = sum(p[0] for p in pairs)
    n = sum(p[1] for p in pairs)
    if all(size <= 1 for _, size in pairs):
        return wilson(k, n)
    if len(pairs) == 1:
        return wilson(k / n, 1.0)
    # Wilson's centre is computed at the effective size but the point estimate stays the observed ratio.
    n_eff = effective_n(pairs)
    return wilson(k / n * n_eff, n_eff, critical(len(pairs)))


def rate(clusters: dict[Any, list[float]]) -> dict[str, Any]:
    """`{"value", "low", "high", "n"}` from cluster -> [k, n]."""
    pairs = [(k, n) for k, n in clusters.values() if n > 0]
    k = sum(p[0] for p in pairs)
    n = sum(p[1] for p in pairs)
    if n == 0:
        return {"value": None, "low": None, "high": None, "n": 0}
    low, high = rate_interval(pairs)
    return {"value": round(k / n, 6), "low": round(low, 6), "high": round(high, 6), "n": int(n)}


# Failures cluster in time as well as by scenario (5xx bursts, downtime): a run's attempts are cut, in start
# order, into this many consecutive blocks of about equal size, the time clusters of a two-way clustering.
TIME_BLOCKS = 20
BUCKET_S = 0.1  # the resolution a start time is kept at (a cell's key), fine enough for time-scaled runs


def time_bucket(started_at: float | None) -> int:
    """The cell a start time falls in; -1 when it is unknown (then there is no time clustering)."""
    return -1 if started_at is None else math.floor(started_at / BUCKET_S)


def _cr1(clusters: Iterable[tuple[float, float]], p: float, total_n: float) -> tuple[float, int]:
    """The cluster-robust (CR1) variance of Σk/Σn and the number of clusters."""
    cells = [(k, n) for k, n in clusters if n > 0]
    m = len(cells)
    if m < 2:
        return 0.0, m
    return m / (m - 1) * sum((k - p * n) ** 2 for k, n in cells) / total_n ** 2, m


class TwoWay:
    """`rate` for counts kept per (scenario, time bucket): clustered by scenario and by time block at once
    (Cameron, Gelbach & Miller: V = V_scenario + V_time − V_both), never narrower than by scenario alone,
    with t(min(m_scenario, m_time) − 1); without start times it is `rate` by scenario. The clusters of a
    table — by scenario, by time block, by both — are worked out once, for the rate of its own counts and of
    counts over the same attempts (each error class's, `rate(hits)`).

    Cells with n > 0 only; each kind of cluster in the order its first cell was seen, the order the dict
    of cells summed in before (stats are float sums: the same order gives the same last bits)."""

    def __init__(self, cells: TimeCells) -> None:
        cells.fold()
        self.cells = cells
        block_of, self.buckets = _blocks(cells)
        self.cluster_of = array("i", [-1]) * len(cells)  # each cell's (scenario, block) cluster
        scenario_of: dict[int, int] = {}  # scenario index -> its cluster
        block_cluster: dict[int, int] = {}
        both: dict[int, int] = {}
        self.scenario_n: list[float] = []
        self.block_n: list[float] = []
        self.both_n: list[float] = []
        self.both_parts: list[tuple[int, int]] = []  # (scenario cluster, block cluster) of each
        self.total_n = 0.0
        for i, (sid, size, block) in enumerate(zip(cells.scenario_ids(), cells.n, block_of)):
            if size > 0:
                s = scenario_of.get(sid)
                if s is None:
                    s = scenario_of[sid] = len(self.scenario_n)
                    self.scenario_n.append(0.0)
                t = block_cluster.get(block)
                if t is None:
                    t = block_cluster[block] = len(self.block_n)
                    self.block_n.append(0.0)
                key = s * (TIME_BLOCKS + 1) + block + 1
                c = both.get(key)
                if c is None:
                    c = both[key] = len(self.both_n)
                    self.both_n.append(0.0)
                    self.both_parts.append((s, t))
                self.scenario_n[s] += size
                self.block_n[t] += size
                self.both_n[c] += size
                self.total_n += size
                self.cluster_of[i] = c
        self.scenario_names = [cells.names[sid] for sid in scenario_of]

    def rate(self, hits: TimeCells | None = None) -> dict[str, Any]:
        """The two-way clustered rate of the cells' own k — or of `hits`' k over the cells' n (a cell of
        `hits` that is not one of the cells counts for nothing)."""
        ks = [0.0] * len(self.both_n)
        cluster_of = self.cluster_of
        if hits is None:
            for c, k in zip(cluster_of, self.cells.k):
                if k and c >= 0:
                    ks[c] += k
        elif hits:
            for scenario, bucket, k, _ in hits.items():
                pos = self.cells.position(scenario, bucket)
                if k and pos >= 0 and cluster_of[pos] >= 0:
                    ks[cluster_of[pos]] += k
        scenario_k = [0.0] * len(self.scenario_n)
        block_k = [0.0] * len(self.block_n)
        for (s, t), k in zip(self.both_parts, ks):
            scenario_k[s] += k
            block_k[t] += k
        total_k, total_n = sum(scenario_k), self.total_n
        p = total_k / total_n if total_n else 0.0
        by_scenario = dict(zip(self.scenario_names, ([k, n] for k, n in zip(scenario_k, self.scenario_n))))
        if self.buckets < 2 or len(by_scenario) < 2 or p in (0.0, 1.0):
            return rate(by_scenario)  # no time, one scenario, or no variance to estimate: the rules of `rate`
        v_s, m_s = _cr1(zip(scenario_k, self.scenario_n), p, total_n)
        v_t, m_t = _cr1(zip(block_k, self.block_n), p, total_n)
        v_st, _ = _cr1(zip(ks, self.both_n), p, total_n)
        var = max(v_s + v_t - v_st, v_s)
        n_eff = min(total_n, p * (1 - p) / var) if var > 0 else total_n
        low, high = wilson(p * n_eff, n_eff, critical(min(m_s, m_t)))
        return {"value": round(p, 6), "low": round(low, 6), "high": round(high, 6), "n": int(total_n)}


SORT_AT_ONCE = 1 << 18  # more cells than this are sorted in slices and merged: a list of all is ~36 bytes a cell


def _blocks(cells: TimeCells) -> tuple[array[int], int]:
    """Each cell's time block (-1: no start time, or n = 0) — the buckets in time order cut into TIME_BLOCKS
    runs of about equal size — and the number of distinct buckets. Cells are visited in time order by sorting
    `bucket × N + position`."""
    n, count = cells.n, len(cells)
    block_of = array("b", [-1]) * count
    try:
        packed, total = _packed(cells, [] if count <= SORT_AT_ONCE else array("q"))
    except OverflowError:  # only a crafted partial's buckets get this far apart
        packed, total = _packed(cells, [])
    buckets, before, last, block = 0, 0.0, -1, -1
    for value in _in_order(packed):
        bucket, i = divmod(value, count)
        if bucket != last:
            block = min(TIME_BLOCKS - 1, math.floor(before / total * TIME_BLOCKS))
            buckets += 1
            last = bucket
        block_of[i] = block
        before += n[i]
    return block_of, buckets


def _packed(cells: TimeCells, into: Any) -> tuple[Any, float]:
    """`bucket × N + position` of the cells with a start time and n > 0, and their total n (whole numbers:
    exact in any order, as the dict's sum was)."""
    count, total = len(cells), 0.0
    for i, (bucket, size) in enumerate(zip(cells.buckets(), cells.n)):
        if size > 0 and bucket >= 0:
            into.append(bucket * count + i)
            total += size
    return into, total


def _in_order(values: list[int] | array[int]) -> Iterator[int]:
    """`values` sorted: a list at once; a C array (8 bytes a value) in slices sorted in place, merged lazily."""
    if isinstance(values, list):
        return iter(sorted(values))
    slices = []
    for start in range(0, len(values), SORT_AT_ONCE):
        values[start:start + SORT_AT_ONCE] = array("q", sorted(values[start:start + SORT_AT_ONCE]))
        slices.append(itertools.islice(values, start, start + SORT_AT_ONCE))
    return heapq.merge(*slices)


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_values:
        return math.nan
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def distribution(values: Iterable[float]) -> dict[str, Any]:
    if hasattr(values, "distribution"):  # sketched values (combined partials) summarize themselves
        summary: dict[str, Any] = values.distribution()
        return summary
    data = sorted(v for v in values if v is not None and math.isfinite(v))
    if not data:
        return {"p50": None, "p90": None, "p99": None, "n": 0}
    return {"p50": round(percentile(data, 0.5), 3), "p90": round(percentile(data, 0.9), 3),
            "p99": round(percentile(data, 0.99), 3), "n": len(data)}
