"""Consistency across repetitions: pass^k and flaky scenarios.

pass^k is the chance that all k repetitions of a scenario succeed (τ-bench). From c successes in n
repetitions of a scenario, C(c, k) / C(n, k) is an unbiased estimate of p_s^k (the k repetitions drawn
without replacement from the n); pass^k is its mean over scenarios. Its interval treats scenarios as the
units, like every rate here: Wilson at the effective size n_eff = x̄(1 − x̄) / (s²/m) (m when the scenarios
agree exactly, never above the samples) with t(m − 1), and Wilson at n = 1 for a single scenario.

A scenario is **flaky** for a provider when it passed some repetitions and failed others.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from replaykit.score.stats import critical, wilson


def pass_hat(c: int, n: int, k: int) -> float:
    """C(c, k) / C(n, k): unbiased for p^k from c successes in n ≥ k trials."""
    return math.comb(c, k) / math.comb(n, k)


def pass_k(counts: Mapping[str, tuple[int, int]], k: int | None = None) -> dict[str, Any]:
    """`{"k", "value", "low", "high", "scenarios"}` over scenario -> (successes, repetitions); k defaults to
    the fewest repetitions of any scenario (None when that is 1: pass^1 is `success`)."""
    cells = [(c, n) for c, n in counts.values() if n > 0]
    k = k if k is not None else min((n for _, n in cells), default=0)
    used = [pass_hat(c, n, k) for c, n in cells if n >= k] if k >= 2 else []
    m = len(used)
    if not m:
        return {"k": k if k >= 2 else None, "value": None, "low": None, "high": None, "scenarios": 0}
    mean = sum(used) / m
    if m == 1:
        low, high = wilson(mean, 1.0)
    else:
        var = sum((x - mean) ** 2 for x in used) / (m - 1) / m
        samples = sum(n for c, n in cells if n >= k)
        n_eff = float(m) if var <= 0 or mean in (0.0, 1.0) else min(samples, mean * (1 - mean) / var)
        low, high = wilson(mean * n_eff, n_eff, critical(m))
    return {"k": k, "value": round(mean, 6), "low": round(low, 6), "high": round(high, 6), "scenarios": m}


def flaky(counts: Mapping[str, tuple[int, int]]) -> dict[str, Any]:
    """The scenarios passed on some repetitions and failed on others, most even split first."""
    ids = sorted((s for s, (c, n) in counts.items() if 0 < c < n),
                 key=lambda s: (abs(counts[s][0] / counts[s][1] - 0.5), s))
    repeated = sum(1 for c, n in counts.values() if n >= 2)
    return {"count": len(ids), "of": repeated, "scenarios": ids}
