"""`replaykit diff RUN --reference NAME`: every other provider measured against a reference provider's
decisions, as K2-Vendor-Verifier measures vendors against the official API. No ground truth is needed.

Per answered turn (the same step of the same scenario and repetition, answered on both sides):
- **trigger**: did the provider call a tool (at least one returned call) where the reference did? The
  reference's decision is the truth: TP both called, FP only the provider, FN only the reference.
  precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = 2·TP/(2·TP+FP+FN).
- **schema accuracy**: the provider's returned calls whose arguments validate against the tool's schema.
- **argument agreement**: on turns where both called, the reference's calls that the provider reproduced
  exactly (same name, identical arguments as canonical JSON, one to one) / the reference's calls;
  **name agreement** counts the same name only.
Samples without a usable answer on either side are counted, not scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from replaykit.compare.paired import CompareOptions
from replaykit.compare.pairing import RunSamples, Side, pair
from replaykit.compare.significance import Draws, paired_bootstrap
from replaykit.errors import BadInputError
from replaykit.score.sample import SampleScore
from replaykit.score.stats import rate

Clusters = dict[str, list[float]]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0


def f1(tp: float, fp: float, fn: float) -> float | None:
    """2·TP / (2·TP + FP + FN): the harmonic mean of precision and recall; None when nothing to score."""
    denom = 2 * tp + fp + fn
    return 2 * tp / denom if denom else None


def trigger_counts(reference: SampleScore, other: SampleScore) -> Counts:
    """Tool-call decisions of the turns both answered."""
    counts = Counts()
    for ref_step, step in _answered_steps(reference, other):
        ref_called, called = bool(ref_step["calls"]), bool(step["calls"])
        if ref_called and called:
            counts.tp += 1
        elif called:
            counts.fp += 1
        elif ref_called:
            counts.fn += 1
        else:
            counts.tn += 1
    return counts


def agreement(reference: SampleScore, other: SampleScore) -> tuple[int, int, int]:
    """(exact, same name, reference calls) over turns where both called."""
    exact = named = total = 0
    for ref_step, step in _answered_steps(reference, other):
        if not ref_step["calls"] or not step["calls"]:
            continue
        total += len(ref_step["calls"])
        exact += _matches(ref_step["calls"], step["calls"], _canonical)
        named += _matches(ref_step["calls"], step["calls"], lambda c: c["name"].encode())
    return exact, named, total


StepPair = tuple[dict[str, Any], dict[str, Any]]


def _answered_steps(reference: SampleScore, other: SampleScore) -> list[StepPair]:
    if not (reference.usable and other.usable):
        return []
    ours = {s["step"]: s for s in other.steps if s.get("answered")}
    return [(s, ours[s["step"]]) for s in reference.steps if s.get("answered") and s["step"] in ours]


def _canonical(call: dict[str, Any]) -> bytes:
    # Type-strict: 3 and "3", 1 and true, 1 and 1.0 differ, as they do to the tool that receives them.
    args = call.get("arguments")
    if args is not None:
        body = orjson.dumps(args, option=orjson.OPT_SORT_KEYS)
    else:  # not JSON: only the very same text agrees
        body = str(call.get("raw_arguments", "")).encode()
    return call["name"].encode() + b"\0" + body


def _matches(ref_calls: list[dict[str, Any]], calls: list[dict[str, Any]], key: Any) -> int:
    pool = [key(c) for c in calls]
    hits = 0
    for c in ref_calls:
        k = key(c)
        if k in pool:
            pool.remove(k)
            hits += 1
    return hits


def reference_result(run: RunSamples, name: str, opts: CompareOptions) -> dict[str, Any]:
    if name not in run.samples:
        raise BadInputError(f"no provider {name!r} in this run (providers: {', '.join(run.providers())})",
                            source=str(run.run.root), field="--reference")
    others = [p for p in run.providers() if p != name]
    if not others:
        raise BadInputError(f"the run has no provider besides the reference {name!r}",
                            source=str(run.run.root))
    ref = Side(run, name)
    rows = {p: _provider_row(pair(ref, Side(run, p), intersect=True).pairs, opts) for p in others}
    ref_schema: Clusters = {}
    for s in ref.samples.values():
        if s.usable:
            _add(ref_schema, s.scenario, s.schema_ok, s.returned)
    return {"run": run.label, "reference": name, "reference_schema_accuracy": rate(ref_schema),
            "alpha": opts.alpha, "providers": rows}


def _provider_row(pairs: Sequence[tuple[SampleScore, SampleScore]], opts: CompareOptions) -> dict[str, Any]:
    total = Counts()
    per_pair: list[Counts] = []
    clusters: dict[str, Clusters] = {m: {} for m in ("precision", "recall", "schema", "exact", "named")}
    unanswered = ref_unanswered = 0
    for ref, other in pairs:
        ref_unanswered += not ref.usable
        unanswered += ref.usable and not other.usable
        c = trigger_counts(ref, other)
        per_pair.append(c)
        for field in ("tp", "fp", "fn", "tn"):
            setattr(total, field, getattr(total, field) + getattr(c, field))
        _add(clusters["precision"], ref.scenario, c.tp, c.tp + c.fp)
        _add(clusters["recall"], ref.scenario, c.tp, c.tp + c.fn)
        if ref.usable and other.usable:
            _add(clusters["schema"], ref.scenario, other.schema_ok, other.returned)
        exact, named, calls = agreement(ref, other)
        _add(clusters["exact"], ref.scenario, exact, calls)
        _add(clusters["named"], ref.scenario, named, calls)
    return {
        "pairs": len(pairs), "turns": total.tp + total.fp + total.fn + total.tn,
        "trigger": {"tp": total.tp, "fp": total.fp, "fn": total.fn, "tn": total.tn},
        "precision": rate(clusters["precision"]), "recall": rate(clusters["recall"]),
        "f1": _f1_interval(total, per_pair, opts),
        "schema_accuracy": rate(clusters["schema"]), "arg_agreement": rate(clusters["exact"]),
        "name_agreement": rate(clusters["named"]),
        "unanswered": unanswered, "reference_unanswered": ref_unanswered,
    }


def _add(clusters: Clusters, key: str, k: float, n: float) -> None:
    cell = clusters.setdefault(key, [0.0, 0.0])
    cell[0] += k
    cell[1] += n


def _f1_interval(total: Counts, per_pair: list[Counts], opts: CompareOptions) -> dict[str, Any]:
    """F1 with a percentile bootstrap interval over resampled pairs (seeded, so deterministic)."""
    value = f1(total.tp, total.fp, total.fn)
    if value is None:
        return {"value": None, "low": None, "high": None}

    def stat(idx: Sequence[int]) -> float | None:
        tp = sum(per_pair[i].tp for i in idx)
        fp = sum(per_pair[i].fp for i in idx)
        fn = sum(per_pair[i].fn for i in idx)
        return f1(tp, fp, fn)

    boot = paired_bootstrap(stat, len(per_pair), Draws(min(opts.resamples, 1000), opts.seed))
    return {"value": round(value, 6), "low": _round(boot.low), "high": _round(boot.high)}


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 6)
