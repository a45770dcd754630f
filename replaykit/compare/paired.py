"""The metrics of SPEC §6 compared over paired samples: the difference, its interval, a paired test.

- Per-sample binary outcomes (`availability`, `success`, `no_call_accuracy`): McNemar's exact test on the
  discordant pairs, Newcombe's method-10 interval for the difference of the two proportions.
- Ratios over calls or attempts (`error_rate`, `tool_recall`, `tool_precision`, `param_accuracy`,
  `schema_validity`): the difference of the two ratios of sums, with a paired bootstrap (pairs resampled).
- Speed and cost (`latency_ms`, `ttft_ms`, `output_tps`: difference of the p50s of per-sample values;
  `cost_usd`: difference of the mean cost per sample): paired bootstrap.

Each difference is B − A. "Better" follows the metric's direction and is said only when p < alpha.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from replaykit.compare.significance import (
    BootResult,
    PairedTable,
    Resamples,
    holm,
    mcnemar_exact,
    newcombe_interval,
    paired_bootstrap,
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
    resamples: int = 2000
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
    resamples = Resamples.draw(len(pairs), opts.resamples, opts.seed)
    out: dict[str, dict[str, Any]] = {}
    for metric in METRICS:
        if metric in BINARY:
            out[metric] = _compare_binary(metric, pairs)
        elif metric in RATIOS:
            out[metric] = _compare_ratio(metric, pairs, resamples)
        else:
            out[metric] = _compare_value(metric, pairs, resamples)
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


def _compare_ratio(metric: str, pairs: Sequence[Pair], resamples: Resamples) -> dict[str, Any]:
    ka: list[float] = []
    na: list[float] = []
    kb: list[float] = []
    nb: list[float] = []
    clusters_a: dict[str, list[float]] = {}
    clusters_b: dict[str, list[float]] = {}
    for a, b in pairs:
        for s, ks, ns, clusters in ((a, ka, na, clusters_a), (b, kb, nb, clusters_b)):
            k, n = _ratio(metric, s)
            ks.append(k)
            ns.append(n)
            cell = clusters.setdefault(s.scenario, [0.0, 0.0])
            cell[0] += k
            cell[1] += n

    def stat(idx: Sequence[int]) -> float | None:
        pick = _picker(idx)
        sna, snb = sum(pick(na)), sum(pick(nb))
        if not sna or not snb:
            return None
        return sum(pick(kb)) / snb - sum(pick(ka)) / sna

    row = {"test": "paired_bootstrap", "a": rate(clusters_a), "b": rate(clusters_b),
           "n": sum(1 for x, y in zip(na, nb, strict=True) if x and y)}
    return row | _boot(paired_bootstrap(stat, resamples))


def _compare_value(metric: str, pairs: Sequence[Pair], resamples: Resamples) -> dict[str, Any]:
    """Speed over pairs where both sides answered; cost over every pair once either side is priced."""
    if metric == "cost_usd":
        xa, xb = _costs(pairs)
        summary: Callable[[list[float]], float] = _mean
    else:
        xa, xb = [], []
        for a, b in pairs:
            va, vb = speed_value(metric, a), speed_value(metric, b)
            known = va is not None and vb is not None
            xa.append(va if known else None)
            xb.append(vb if known else None)
        summary = _median

    def stat(idx: Sequence[int]) -> float | None:
        pick = _picker(idx)
        left = [v for v in pick(xa) if v is not None]
        right = [v for v in pick(xb) if v is not None]
        return summary(right) - summary(left) if left else None

    known_a = [v for v in xa if v is not None]
    known_b = [v for v in xb if v is not None]
    row = {"test": "paired_bootstrap", "n": len(known_a),
           "statistic": "mean" if metric == "cost_usd" else "p50",
           "a": _r(summary(known_a)) if known_a else None, "b": _r(summary(known_b)) if known_b else None}
    return row | _boot(paired_bootstrap(stat, resamples))


def _costs(pairs: Sequence[Pair]) -> tuple[list[float | None], list[float | None]]:
    """Per-sample costs, an unpriced sample counting 0 (a failure without usage is not billed); all None
    when neither side priced anything, so that no difference is claimed about unknown prices."""
    ca = [cost_value(a) for a, _ in pairs]
    cb = [cost_value(b) for _, b in pairs]
    if all(v is None for v in ca) or all(v is None for v in cb):
        return [None] * len(pairs), [None] * len(pairs)
    return [v or 0.0 for v in ca], [v or 0.0 for v in cb]


def _picker(idx: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """Gathers the resampled positions of a list at C speed (itemgetter), as a tuple."""
    if len(idx) == 0:
        return lambda values: ()
    if len(idx) == 1:
        getter = operator.itemgetter(idx[0])
        return lambda values: (getter(values),)
    many = operator.itemgetter(*idx)
    return lambda values: many(values)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _median(values: list[float]) -> float:
    return percentile(sorted(values), 0.5)


def _boot(result: BootResult) -> dict[str, Any]:
    return {"diff": _r(result.estimate), "low": _r(result.low), "high": _r(result.high), "p": _r(result.p)}


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
