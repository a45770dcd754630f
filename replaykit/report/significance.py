"""Is the best provider's success significantly higher than another's?

A two-proportion z-test (pooled, two-sided, 5%) on `success`, with each provider's sample size replaced by
its effective size under clustering by scenario (`stats.effective_n`, the same correction as the
intervals): repeated samples of one scenario are not independent, so they do not count as fresh evidence.
Computed from the score JSON alone (`scenarios[].success`), so every report agrees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from replaykit.report.format import ranked
from replaykit.score.stats import effective_n

ALPHA = 0.05
MARK = "*"
FOOTNOTE = (f"{MARK} success significantly below the best "
            f"(two-proportion z-test, clustered by scenario, p < {ALPHA:g})")


@dataclass(frozen=True)
class Versus:
    best: str
    z: float | None
    p: float | None

    @property
    def significant(self) -> bool:
        return self.p is not None and self.p < ALPHA and (self.z or 0) > 0


def clusters(data: dict[str, Any], provider: str) -> list[tuple[float, float]]:
    """(successes, samples) per scenario for one provider."""
    out = []
    for row in data.get("scenarios") or []:
        cell = (row.get("success") or {}).get(provider)
        if cell and cell.get("n"):
            out.append((float(cell["k"]), float(cell["n"])))
    return out


def two_proportion(k1: float, n1: float, k2: float, n2: float) -> tuple[float, float] | None:
    """(z, two-sided p) of p1 > p2 with pooled variance; None when it cannot be computed."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (k1 + k2) / (n1 + n2)
    var = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if var <= 0:
        return (0.0, 1.0)
    z = (k1 / n1 - k2 / n2) / math.sqrt(var)
    return z, math.erfc(abs(z) / math.sqrt(2))


def _effective(data: dict[str, Any], provider: str) -> tuple[float, float] | None:
    pairs = clusters(data, provider)
    n = sum(p[1] for p in pairs)
    if n <= 0:
        rate = data["providers"][provider]["success"]
        if not rate.get("n") or rate.get("value") is None:
            return None
        return rate["value"] * rate["n"], float(rate["n"])
    n_eff = effective_n(pairs)
    return sum(p[0] for p in pairs) / n * n_eff, n_eff


def versus_best(data: dict[str, Any]) -> dict[str, Versus]:
    """Each provider against the one with the best success (the best gets z = p = None)."""
    order = ranked(data["providers"])
    if not order:
        return {}
    best = order[0][0]
    top = _effective(data, best)
    out = {best: Versus(best, None, None)}
    for name, _ in order[1:]:
        other = _effective(data, name)
        test = two_proportion(*top, *other) if top and other else None
        out[name] = Versus(best, *(test if test else (None, None)))
    return out
