"""Is the best provider's success significantly higher than another's?

Every pair of providers is compared on `success` with `diff`'s clustered paired test (sign flips of whole
scenarios, score/clustered.py), from the per-scenario counts of the score JSON alone (`scenarios[].success`),
so every report agrees. The best provider is picked after looking, so a test of it against each other one
without correction stars identical providers often (31% of 6-provider and 58% of 10-provider leaderboards):
Holm's adjustment over all k(k − 1)/2 pairs keeps the chance of any false star at or under 5%, whichever
provider comes out on top.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import orjson

from replaykit.report.format import ranked
from replaykit.score.clustered import Sums, holm, ratio_sign_flip
from replaykit.score.resample import Draws

ALPHA = 0.05
MARK = "*"
FOOTNOTE = f"{MARK} success significantly below the best (paired by scenario, Holm over all pairs, p < {ALPHA:g})"


@dataclass(frozen=True)
class Versus:
    best: str
    diff: float | None  # this provider's success − the best's
    p: float | None  # the paired test's own p
    p_holm: float | None  # adjusted over every pair of providers

    @property
    def significant(self) -> bool:
        return self.p_holm is not None and self.p_holm < ALPHA and (self.diff or 0) < 0


def clusters(data: dict[str, Any], provider: str) -> dict[str, tuple[float, float]]:
    """scenario -> (successes, samples) for one provider."""
    out = {}
    for row in data.get("scenarios") or []:
        cell = (row.get("success") or {}).get(provider)
        if cell and cell.get("n"):
            out[row["id"]] = (float(cell["k"]), float(cell["n"]))
    return out


def paired_success(a: dict[str, tuple[float, float]], b: dict[str, tuple[float, float]],
                   draws: Draws) -> tuple[float | None, float | None]:
    """(success_B − success_A, p) on the scenarios both have."""
    sums: Sums = {s: [*a[s], *b[s]] for s in sorted(a.keys() & b.keys())}
    result = ratio_sign_flip(sums, draws, ALPHA)
    return result.estimate, result.p


_CACHE: dict[bytes, dict[str, Versus]] = {}  # every report asks several times about the same score


def versus_best(data: dict[str, Any]) -> dict[str, Versus]:
    """Each provider against the one with the best success (the best gets diff = p = None)."""
    key = orjson.dumps([[n, m["success"]["value"]] for n, m in ranked(data["providers"])]
                       + [[r.get("id"), r.get("success")] for r in data.get("scenarios") or []],
                       option=orjson.OPT_SORT_KEYS)
    if key not in _CACHE:
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[key] = _versus_best(data)
    return _CACHE[key]


def _versus_best(data: dict[str, Any]) -> dict[str, Versus]:
    order = [name for name, _ in ranked(data["providers"])]
    if not order:
        return {}
    best = order[0]
    cells = {name: clusters(data, name) for name in order}
    draws = Draws(1000, seed=0)
    tests = {(x, y): paired_success(cells[x], cells[y], draws) for x, y in itertools.combinations(order, 2)}
    adjusted = holm({f"{x}\x00{y}": p for (x, y), (_, p) in tests.items() if p is not None})
    out = {best: Versus(best, None, None, None)}
    for name in order[1:]:
        diff, p = tests[(best, name)]
        out[name] = Versus(best, diff, p, adjusted.get(f"{best}\x00{name}"))
    return out
