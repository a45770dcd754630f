"""`replaykit trend RUN...`: one provider's metrics across runs, oldest first, with the paired
significance of each change between consecutive runs (did it regress after a redeploy?)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from replaykit.compare.diff import speeds_apart
from replaykit.compare.paired import CompareOptions, compare_metrics, headline
from replaykit.compare.pairing import RunCache, RunSamples, Side, pair
from replaykit.errors import BadInputError
from replaykit.score.metrics import ProviderMetrics

SHOWN = ("success", "availability", "error_rate", "tool_recall", "param_accuracy", "schema_validity",
         "latency_ms", "cost_usd", "samples")


def trend_result(cache: RunCache, paths: Sequence[str], provider: str | None, opts: CompareOptions,
                 intersect: bool = False) -> dict[str, Any]:
    runs = sorted((cache.get(p) for p in paths), key=_when)
    _no_repeats(runs)
    name = provider or _common_provider(runs)
    for run in runs:
        run.of(name)  # a run without the provider is bad input, named
    rows = [_row(run, name) for run in runs]
    steps = []
    for before, after in itertools.pairwise(runs):
        pairing = pair(Side(before, name), Side(after, name), intersect=intersect)
        metrics = speeds_apart(compare_metrics(pairing.pairs, opts), pairing.a, pairing.b)
        steps.append({
            "from": before.label, "to": after.label, "n": pairing.n, "metrics": metrics,
            "verdict": headline(metrics, pairing.n, before.label, after.label),
            "significant": sorted(m for m, r in metrics.items() if r["significant"]),
        })
    return {"provider": name, "alpha": opts.alpha, "runs": rows, "changes": steps}


def _when(run: RunSamples) -> tuple[str, str, str]:
    return (str(run.run.manifest.get("started_at") or ""), run.label, str(run.run.root))


def _no_repeats(runs: Sequence[RunSamples]) -> None:
    seen: set[str] = set()
    for run in runs:
        key = str(run.run.root.resolve())
        if key in seen:
            raise BadInputError("the same run is given twice", source=str(run.run.root))
        seen.add(key)


def _common_provider(runs: Sequence[RunSamples]) -> str:
    shared = set(runs[0].providers())
    for run in runs[1:]:
        shared &= set(run.providers())
    if len(shared) == 1:
        return shared.pop()
    if not shared:
        raise BadInputError("the runs share no provider; nothing to follow over time")
    raise BadInputError(f"the runs share several providers ({', '.join(sorted(shared))}); "
                        "choose one with --provider")


def _row(run: RunSamples, name: str) -> dict[str, Any]:
    metrics = ProviderMetrics()
    for key in sorted(run.of(name)):
        metrics.add(run.of(name)[key])
    result = metrics.result()
    return {"run": run.label, "started_at": run.run.manifest.get("started_at"),
            **{m: result[m] for m in SHOWN}}
