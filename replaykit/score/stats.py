"""Statistics: Wilson intervals (clustered by scenario when scenarios repeat), percentiles.

A clustered rate uses the cluster-robust variance of the ratio estimator to get an effective sample size,
then Wilson's interval at that size: identical to plain Wilson when clusters are single samples.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

Z95 = 1.959963984540054


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


def rate(clusters: dict[Any, list[float]]) -> dict[str, Any]:
    """`{"value", "low", "high", "n"}` from cluster -> [k, n]."""
    pairs = [(k, n) for k, n in clusters.values() if n > 0]
    k = sum(p[0] for p in pairs)
    n = sum(p[1] for p in pairs)
    if n == 0:
        return {"value": None, "low": None, "high": None, "n": 0}
    # Wilson's centre is computed at the effective size but the point estimate stays the observed ratio.
    n_eff = effective_n(pairs)
    low, high = wilson(k / n * n_eff, n_eff)
    return {"value": round(k / n, 6), "low": round(low, 6), "high": round(high, 6), "n": int(n)}


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_values:
        return math.nan
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def distribution(values: Iterable[float]) -> dict[str, Any]:
    data = sorted(v for v in values if v is not None and math.isfinite(v))
    if not data:
        return {"p50": None, "p90": None, "p99": None, "n": 0}
    return {"p50": round(percentile(data, 0.5), 3), "p90": round(percentile(data, 0.9), 3),
            "p99": round(percentile(data, 0.99), 3), "n": len(data)}
