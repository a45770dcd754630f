"""The metrics of SPEC §6 compared over paired samples: the difference, its interval, a paired test.

- Per-sample binary outcomes (`availability`, `success`, `no_call_accuracy`): McNemar's exact test on the
  discordant pairs, Newcombe's method-10 interval for the difference of the two proportions.
- Ratios over calls or attempts (`error_rate`, `tool_recall`, `tool_precision`, `param_accuracy`,
  `schema_validity`): the difference of the two ratios of sums.
- Speed and cost (`latency_ms`, `ttft_ms`, `output_tps`: difference of the p50s of per-sample values;
  `cost_usd`: difference of the mean cost per sample).
  For these, the interval is a paired bootstrap's (pairs resampled) and the p-value a paired
  randomization test's (sides swapped within pairs; for speed, of Wilcoxon's signed-rank statistic),
  which stays calibrated where bootstrap p-values are not (skewed, tied per-pair differences: costs).

Each difference is B − A. "Better" follows the metric's direction and is said only when p < alpha.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from replaykit.compare.significance import (
    Draws,
    PairedResult,
    PairedTable,
    holm,
    mcnemar_exact,
    mean_difference,
    median_difference,
    newcombe_interval,
    ratio_difference,
)
from replaykit.score.sample import SampleScore
from replaykit.score.stats import percentile, rate

Pair = tuple[SampleScore, SampleScore]

BINARY = ("availability", "success", "no_call_accuracy")
RATIOS = ("error_rate", "tool_recall", "tool_precision", "param_accuracy", "schema_validity")
SPEED = ("latency_ms", "ttft_ms", "output_tps")
METRICS = ("success", "availability", "error_rate", "tool_recall", "tool_precision", "param_accuracy",
           "schema_validity", "no_call_accuracy", "latency_ms", "ttft_ms", "output_tps", "cost_usd")
LOWER_IS_BETTER = frozenset({"error_rate", "latency_ms", "ttft_ms", "cost_usd"})
PRIMARY = "success"  # the headline verdict: what a user actually gets


@dataclass(frozen=True)
class CompareOptions:
    alpha: float = 0.05
    resamples: int = 1000
    seed: int = 0


# --- per-sample values -------------------------------------------------------------------------------

def _binary(metric: str, s: SampleScore) -> bool | None:
    if metric == "availability":
        return s.usable
    if metric == "success":
        return s.success
    if s.category == "no_call" and s.usable:  # no_call_accuracy
        return s.returned == 0
    return None


def _ratio(metric: str, s: SampleScore) -> tuple[float, float]:
    if metric == "error_rate":
        return (sum(1 for a in s.attempts if a.error_class), len(s.attempts))
    if not s.usable:  # errors are never scored as wrong answers
        return (0.0, 0.0)
    k, n = {"tool_recall": (s.matched, s.expected), "tool_precision": (s.matched, s.returned),
            "param_accuracy": (s.args_ok, s.matched), "schema_validity": (s.schema_ok, s.returned)}[metric]
    return (float(k), float(n))


def speed_value(metric: str, s: SampleScore) -> float | None:
    """A sample's latency / TTFT / TPS: the mean over its answered turns (failed attempts excluded)."""
    values = [getattr(a, metric) for a in s.attempts
              if a.error_class is None and getattr(a, metric) is not None]
    return sum(values) / len(values) if values else None


def cost_value(s: SampleScore) -> float | None:
    """Every attempt's cost; None when none was priced (as `score`, an unpriced failure costs nothing)."""
    costs = [a.cost_usd for a in s.attempts if a.cost_usd is not None]
    return sum(costs) if costs else None


# --- comparisons -------------------------------------------------------------------------------------

def compare_metrics(pairs: Sequence[Pair], opts: CompareOptions) -> dict[str, dict[str, Any]]:
    """Every metric of METRICS: A, B, the difference B − A with its interval, p, the verdict."""
    draws = Draws(opts.resamples, opts.seed)
    out: dict[str, dict[str, Any]] = {}
    for metric in METRICS:
        if metric in BINARY:
            out[metric] = _compare_binary(metric, pairs)
        elif metric in RATIOS:
            out[metric] = _compare_ratio(metric, pairs, draws)
        else:
            out[metric] = _compare_value(metric, pairs, draws)
    adjusted = holm({m: r["p"] for m, r in out.items() if r["p"] is not None})
    for metric, row in out.items():
        row["p_holm"] = _r(adjusted.get(metric))
        _verdict(metric, row, opts.alpha)
    return out


def _compare_binary(metric: str, pairs: Sequence[Pair]) -> dict[str, Any]:
    cells = {"both": 0, "a_only": 0, "b_only": 0, "neither": 0}
    clusters_a: dict[str, list[float]] = {}
    clusters_b: dict[str, list[float]] = {}
    for a, b in pairs:
        va, vb = _binary(metric, a), _binary(metric, b)
        if va is None or vb is None:
            continue
        cells[{(True, True): "both", (True, False): "a_only", (False, True): "b_only",
               (False, False): "neither"}[(va, vb)]] += 1
        _count(clusters_a, a.scenario, va)
        _count(clusters_b, b.scenario, vb)
    table = PairedTable(**cells)
    row: dict[str, Any] = {"test": "mcnemar_exact", "a": rate(clusters_a), "b": rate(clusters_b),
                           "n": table.n, "discordant": {"a_only": table.a_only, "b_only": table.b_only}}
    if table.n == 0:
        return row | {"diff": None, "low": None, "high": None, "p": None}
    low, high = newcombe_interval(table)
    return row | {"diff": _r(table.diff), "low": _r(low), "high": _r(high),
                  "p": _r(mcnemar_exact(table.a_only, table.b_only))}


def _count(clusters: dict[str, list[float]], key: str, hit: bool) -> None:
    cell = clusters.setdefault(key, [0.0, 0.0])
    cell[0] += hit
    cell[1] += 1


def _compare_ratio(metric: str, pairs: Sequence[Pair], draws: Draws) -> dict[str, Any]:
    va = [_ratio(metric, a) for a, _ in pairs]
    vb = [_ratio(metric, b) for _, b in pairs]
    result = ratio_difference([k for k, _ in va], [n for _, n in va], [k for k, _ in vb], [n for _, n in vb],
                              draws)
    return {"test": "paired_permutation", "a": rate(_clusters(pairs, va, 0)), "b": rate(_clusters(pairs, vb, 1)),
            "n": sum(1 for x, y in zip(va, vb, strict=True) if x[1] and y[1])} | _result(result)


def _clusters(pairs: Sequence[Pair], values: list[tuple[float, float]], side: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for pair, (k, n) in zip(pairs, values, strict=True):
        cell = out.setdefault(pair[side].scenario, [0.0, 0.0])
        cell[0] += k
        cell[1] += n
    return out


def _compare_value(metric: str, pairs: Sequence[Pair], draws: Draws) -> dict[str, Any]:
    """Speed over pairs where both sides answered; cost over every pair once both sides are priced."""
    if metric == "cost_usd":
        xa, xb = _costs(pairs)
        result = mean_difference(xa, xb, draws)
        a, b = (sum(xa) / len(xa), sum(xb) / len(xb)) if xa else (None, None)
    else:
        values = [(speed_value(metric, a), speed_value(metric, b)) for a, b in pairs]
        known = [(x, y) for x, y in values if x is not None and y is not None]
        xa, xb = [x for x, _ in known], [y for _, y in known]
        result = median_difference(xa, xb, draws)
        a, b = (percentile(sorted(xa), 0.5), percentile(sorted(xb), 0.5)) if known else (None, None)
    test = "paired_permutation" if metric == "cost_usd" else "signed_rank"
    return {"test": test, "n": len(xa), "statistic": "mean" if metric == "cost_usd" else "p50",
            "a": _r(a), "b": _r(b)} | _result(result)


def _result(result: PairedResult) -> dict[str, Any]:
    return {"diff": _r(result.estimate), "low": _r(result.low), "high": _r(result.high), "p": _r(result.p)}


def _costs(pairs: Sequence[Pair]) -> tuple[list[float], list[float]]:
    """Per-sample costs, an unpriced sample counting 0 (a failure without usage is not billed); none at
    all when a side priced nothing, so that no difference is claimed about unknown prices."""
    ca = [cost_value(a) for a, _ in pairs]
    cb = [cost_value(b) for _, b in pairs]
    if all(v is None for v in ca) or all(v is None for v in cb):
        return [], []
    return [v or 0.0 for v in ca], [v or 0.0 for v in cb]


def _verdict(metric: str, row: dict[str, Any], alpha: float) -> None:
    """`better`: "A", "B" or None; only when the test is significant at alpha."""
    p, diff = row.get("p"), row.get("diff")
    row["significant"] = p is not None and diff is not None and p < alpha and diff != 0
    row["better"] = None
    if row["significant"] and diff is not None:
        b_higher = diff > 0
        row["better"] = "A" if b_higher == (metric in LOWER_IS_BETTER) else "B"


def _r(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def headline(metrics: dict[str, dict[str, Any]], n: int, a: str, b: str) -> str:
    """One sentence on the primary metric: who is better, or that no difference is significant."""
    row = metrics[PRIMARY]
    if row["p"] is None:
        return f"{PRIMARY}: nothing to compare"
    if row["better"] is None:
        return f"{PRIMARY}: no significant difference at n = {n} (p {fmt_p(row['p'], True)})"
    winner, loser = (a, b) if row["better"] == "A" else (b, a)
    return f"{PRIMARY}: {winner} is better than {loser} (p {fmt_p(row['p'], True)}, n = {n})"


def fmt_p(p: float | None, relation: bool = False) -> str:
    """`0.042`, `<0.001`; with `relation`, `= 0.042` or `< 0.001` to follow a "p"."""
    if p is None:
        return "-"
    if p < 0.001:
        return "< 0.001" if relation else "<0.001"
    return f"= {p:.3f}" if relation else f"{p:.3f}"
