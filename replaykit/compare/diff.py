"""`replaykit diff A B`: two sides compared sample by sample, per scenario, and metric by metric.

A is the baseline and B the candidate: a *regression* is a pair where A was fully correct and B is not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import orjson

from replaykit.compare.outcomes import changes, direction, outcome_view
from replaykit.compare.paired import SPEED, CompareOptions, Pair, compare_metrics, headline
from replaykit.compare.pairing import Pairing, Side
from replaykit.score.comparable import time_scale

DIRECTIONS = ("regressed", "improved", "changed", "same")


def diff_pairing(p: Pairing, opts: CompareOptions) -> dict[str, Any]:
    """One comparison's JSON: sides, pairing counts, summary, metrics, per-scenario changes."""
    scenarios = [_scenario(sid, rows) for sid, rows in _by_scenario(p.pairs).items()]
    summary = Counter({d: 0 for d in DIRECTIONS})
    for row in scenarios:
        for d in DIRECTIONS:
            summary[d] += row[d]
    changed = [s for s in scenarios if s["same"] < s["pairs"]]
    changed.sort(key=lambda s: (-s["regressed"], -s["improved"], -s["changed"], s["scenario"]))
    metrics = speeds_apart(compare_metrics(p.pairs, opts), p.a, p.b)
    return {
        "a": p.a.label, "b": p.b.label, "n": p.n, "scenario_count": p.scenarios,
        "unpaired": {"a": p.unpaired_a, "b": p.unpaired_b}, "dropped_scenarios": p.dropped_scenarios,
        "summary": dict(summary) | {"scenarios_changed": len(changed),
                                    "scenarios_same": len(scenarios) - len(changed)},
        "metrics": metrics,
        "verdict": headline(metrics, p.n, "A", "B"),
        "significant": sorted(m for m, r in metrics.items() if r["significant"]),
        "scenarios": changed,
    }


def speeds_apart(metrics: dict[str, Any], a: Side, b: Side) -> dict[str, Any]:
    """Speeds measured at different simulator time scales are not compared (docs/compare.md): their rows are
    emptied and say why; every other metric stands."""
    scales = (time_scale(a.run.run), time_scale(b.run.run))
    if scales[0] == scales[1]:
        return metrics
    why = f"not compared: measured at time scales {scales[0] or 1:g} and {scales[1] or 1:g}"
    for metric in SPEED:
        metrics[metric] = {**metrics[metric], "a": None, "b": None, "diff": None, "low": None, "high": None,
                           "p": None, "p_holm": None, "better": None, "significant": False, "not_compared": why}
    return metrics


def _by_scenario(pairs: Sequence[Pair]) -> dict[str, list[Pair]]:
    out: dict[str, list[Pair]] = {}
    for a, b in pairs:
        out.setdefault(a.scenario, []).append((a, b))
    return out


def _scenario(sid: str, rows: list[Pair]) -> dict[str, Any]:
    """Counts by direction, and the pairs that differ grouped by identical change lists."""
    counts = Counter({d: 0 for d in DIRECTIONS})
    groups: dict[tuple[str, bytes], dict[str, Any]] = {}
    for a, b in rows:
        found = changes(outcome_view(a), outcome_view(b))
        way = direction(a, b, bool(found))
        counts[way] += 1
        if way == "same":
            continue
        key = (way, orjson.dumps(found, option=orjson.OPT_SORT_KEYS))
        group = groups.setdefault(key, {"direction": way, "repetitions": [], "changes": found})
        group["repetitions"].append(a.repetition)
    ordered = sorted(groups.values(), key=lambda g: (DIRECTIONS.index(g["direction"]), -len(g["repetitions"]),
                                                       g["repetitions"][0]))
    for g in ordered:
        g["count"] = len(g["repetitions"])
    return {"scenario": sid, "category": rows[0][0].category, "pairs": len(rows), **counts, "groups": ordered}


def diff_result(pairings: Sequence[Pairing], opts: CompareOptions) -> dict[str, Any]:
    return {"alpha": opts.alpha, "resamples": opts.resamples, "seed": opts.seed,
            "comparisons": [diff_pairing(p, opts) for p in pairings]}
