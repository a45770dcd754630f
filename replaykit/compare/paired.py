"""The metrics of SPEC §6 compared over paired samples: the difference, its interval, a paired test — for
each metric all three from one method on the quantity shown, clustered by scenario (score/clustered.py).

- Per-sample binary outcomes (`availability`, `success`, `no_call_accuracy`): p_B − p_A.
- Ratios over calls or attempts (`error_rate`, `tool_recall`, `tool_precision`, `param_accuracy`,
  `schema_validity`): the difference of the two ratios of sums.
- Trigger agreement on replay scenarios (`trigger_precision`, `trigger_recall`, `trigger_f1`): each a ratio of
  sums over samples (F1 = 2TP / (2TP + FP + FN), TP... counted per sample), compared like the ratios above.
- `cost_usd`: the difference of the mean cost per sample.
  These are sums over samples: a cluster sign-flip randomization test, and its inversion for the interval
  (with one sample per scenario, the binary case is McNemar's exact test).
- Speed (`latency_ms`, `ttft_ms`, `output_tps`): the difference of the p50s of per-sample values, with a
  cluster bootstrap's percentile interval and the p-value of the same bootstrap.

Each difference is B − A, its interval at level 1 − alpha. "Better" follows the metric's direction and is
said only when p < alpha, which is exactly when the interval excludes 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from replaykit.compare.significance import PairedTable, newcombe_interval
from replaykit.score.clustered import Clustered, Sums, cluster_bootstrap, holm, ratio_sign_flip, sign_flip
from replaykit.score.passk import pass_hat, pass_k
from replaykit.score.resample import Draws, gather
from replaykit.score.sample import SampleScore
from replaykit.score.stats import percentile, rate

Pair = tuple[SampleScore, SampleScore]

BINARY = ("availability", "success", "no_call_accuracy")
RATIOS = ("error_rate", "tool_recall", "tool_precision", "param_accuracy", "schema_validity")
# K2-Vendor-Verifier's trigger agreement: only when the pairs hold replay scenarios (a reference's answers)
TRIGGER = ("trigger_precision", "trigger_recall", "trigger_f1")
SPEED = ("latency_ms", "ttft_ms", "output_tps")
METRICS = ("success", "pass_k", "availability", "error_rate", "tool_recall", "tool_precision", "param_accuracy",
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
    if metric in TRIGGER:
        return _trigger(metric, s)
    k, n = {"tool_recall": (s.matched, s.expected), "tool_precision": (s.matched, s.returned),
            "param_accuracy": (s.args_ok, s.matched), "schema_validity": (s.schema_ok, s.returned)}[metric]
    return (float(k), float(n))


def _trigger(metric: str, s: SampleScore) -> tuple[float, float]:
    """A replay sample's share of a trigger rate, as `score` counts it (score/metrics.py): the reference called a
    tool (an expected call) and the provider did (a returned call; a call written as text is none)."""
    if s.reference != "replay":
        return (0.0, 0.0)
    reference, called = s.expected > 0, s.returned > 0
    both = float(reference and called)
    return {"trigger_precision": (both, float(called)), "trigger_recall": (both, float(reference)),
            "trigger_f1": (2 * both, 2 * both + (reference != called))}[metric]


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
    """Every metric of METRICS (and TRIGGER, when the pairs hold replay scenarios): A, B, the difference B − A
    with its interval, p, the verdict."""
    draws = Draws(opts.resamples, opts.seed)
    out: dict[str, dict[str, Any]] = {}
    for metric in metrics_of(pairs):
        if metric == "pass_k":
            out[metric] = _compare_pass_k(pairs, draws, opts.alpha)
        elif metric in BINARY:
            out[metric] = _compare_binary(metric, pairs, draws, opts.alpha)
        elif metric in RATIOS or metric in TRIGGER:
            out[metric] = _compare_ratio(metric, pairs, draws, opts.alpha)
        else:
            out[metric] = _compare_value(metric, pairs, draws, opts.alpha)
    adjusted = holm({m: r["p"] for m, r in out.items() if r["p"] is not None})
    for metric, row in out.items():
        row["p_holm"] = _r(adjusted.get(metric))
        _verdict(metric, row, opts.alpha)
    return out


def metrics_of(pairs: Sequence[Pair]) -> tuple[str, ...]:
    """The metrics compared, in display order: the trigger rates follow schema validity on replay runs."""
    if not any(a.reference == "replay" or b.reference == "replay" for a, b in pairs):
        return METRICS
    at = METRICS.index("schema_validity") + 1
    return (*METRICS[:at], *TRIGGER, *METRICS[at:])


def _add(sums: Sums, scenario: str, ka: float, na: float, kb: float, nb: float) -> None:
    cell = sums.setdefault(scenario, [0.0, 0.0, 0.0, 0.0])
    cell[0] += ka
    cell[1] += na
    cell[2] += kb
    cell[3] += nb


def _side_rates(sums: Sums) -> tuple[dict[str, Any], dict[str, Any]]:
    return (rate({s: [c[0], c[1]] for s, c in sums.items()}), rate({s: [c[2], c[3]] for s, c in sums.items()}))


def _compare_binary(metric: str, pairs: Sequence[Pair], draws: Draws, alpha: float) -> dict[str, Any]:
    cells = {"both": 0, "a_only": 0, "b_only": 0, "neither": 0}
    sums: Sums = {}
    for a, b in pairs:
        va, vb = _binary(metric, a), _binary(metric, b)
        if va is None or vb is None:
            continue
        cells[{(True, True): "both", (True, False): "a_only", (False, True): "b_only",
               (False, False): "neither"}[(va, vb)]] += 1
        _add(sums, a.scenario, va, 1, vb, 1)
    table = PairedTable(**cells)
    rate_a, rate_b = _side_rates(sums)
    row: dict[str, Any] = {"test": "cluster_sign_flip", "a": rate_a, "b": rate_b, "n": table.n,
                           "clusters": len(sums), "discordant": {"a_only": table.a_only, "b_only": table.b_only}}
    if table.n == 0:
        return row | {"diff": None, "low": None, "high": None, "p": None}
    if table.a_only == table.b_only == 0:
        # No pair differs: the randomization has nothing to resample and would give [0, 0]; Newcombe's
        # interval says how large a difference n pairs without discordance still allow (p is 1 either way).
        low, high = newcombe_interval(table)
        return row | {"diff": 0.0, "low": _r(low), "high": _r(high), "p": 1.0}
    return row | _result(ratio_sign_flip(sums, draws, alpha))


def _compare_pass_k(pairs: Sequence[Pair], draws: Draws, alpha: float) -> dict[str, Any]:
    """pass^k of B − A over the scenarios, k the fewest paired repetitions of any scenario: per scenario the
    unbiased C(c, k)/C(n, k) of each side, their differences sign-flipped by scenario."""
    counts: dict[str, list[int]] = {}  # scenario -> [c_A, c_B, n]
    for a, b in pairs:
        cell = counts.setdefault(a.scenario, [0, 0, 0])
        cell[0] += a.success
        cell[1] += b.success
        cell[2] += 1
    k = min((n for _, _, n in counts.values()), default=0)
    side_a = pass_k({s: (c[0], c[2]) for s, c in counts.items()}, k) if k >= 2 else pass_k({})
    side_b = pass_k({s: (c[1], c[2]) for s, c in counts.items()}, k) if k >= 2 else pass_k({})
    row: dict[str, Any] = {"test": "cluster_sign_flip", "k": side_a["k"], "a": side_a, "b": side_b,
                           "n": len(pairs), "clusters": side_a["scenarios"]}
    if k < 2:
        return row | {"diff": None, "low": None, "high": None, "p": None}
    m = len(counts)
    d = [(pass_hat(cb, n, k) - pass_hat(ca, n, k)) / m for ca, cb, n in counts.values()]
    return row | _result(sign_flip(d, [1 / m] * m, draws, alpha, (-1.0, 1.0)))


def _compare_ratio(metric: str, pairs: Sequence[Pair], draws: Draws, alpha: float) -> dict[str, Any]:
    sums: Sums = {}
    n = 0
    for a, b in pairs:
        (ka, na), (kb, nb) = _ratio(metric, a), _ratio(metric, b)
        _add(sums, a.scenario, ka, na, kb, nb)
        n += bool(na and nb)
    rate_a, rate_b = _side_rates(sums)
    return {"test": "cluster_sign_flip", "a": rate_a, "b": rate_b, "n": n,
            "clusters": sum(1 for c in sums.values() if c[1] + c[3] > 0)} | _result(ratio_sign_flip(sums, draws, alpha))


def _compare_value(metric: str, pairs: Sequence[Pair], draws: Draws, alpha: float) -> dict[str, Any]:
    """Speed over pairs where both sides answered; cost over every pair once both sides are priced."""
    if metric == "cost_usd":
        xa, xb = _costs(pairs)
        sums: Sums = {}
        for pair, x, y in zip(pairs, xa, xb):
            _add(sums, pair[0].scenario, x, 1, y, 1)
        result = ratio_sign_flip(sums, draws, alpha, rates=False)  # Σcost / samples on each side: a ratio of sums
        a, b = (sum(xa) / len(xa), sum(xb) / len(xb)) if xa else (None, None)
        return {"test": "cluster_sign_flip", "n": len(xa), "statistic": "mean", "a": _r(a), "b": _r(b),
                "clusters": result.clusters} | _result(result)
    values = [(speed_value(metric, a), speed_value(metric, b), a.scenario) for a, b in pairs]
    known = [(x, y, s) for x, y, s in values if x is not None and y is not None]
    xa, xb = [x for x, _, _ in known], [y for _, y, _ in known]
    clusters: dict[str, list[int]] = {}
    for i, (_, _, scenario) in enumerate(known):
        clusters.setdefault(scenario, []).append(i)

    def stat(idx: Sequence[int]) -> float:
        g = gather(idx)
        return percentile(sorted(g(xb)), 0.5) - percentile(sorted(g(xa)), 0.5)

    result = cluster_bootstrap(stat, list(clusters.values()), draws, alpha) if known else Clustered(None)
    a, b = (percentile(sorted(xa), 0.5), percentile(sorted(xb), 0.5)) if known else (None, None)
    return {"test": "cluster_bootstrap", "n": len(xa), "statistic": "p50", "a": _r(a), "b": _r(b),
            "clusters": result.clusters} | _result(result)


def _result(result: Clustered) -> dict[str, Any]:
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
