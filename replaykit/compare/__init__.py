"""Comparisons: paired diffs of providers or runs, reference agreement, trends, fallback what-ifs,
and sample-size planning (docs/compare.md).

Names load on first use: the report imports the statistics modules (`clustered`, `significance`) without
paying for deepdiff, which only `diff` needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from replaykit.compare.diff import diff_pairing, diff_result
    from replaykit.compare.fallback import fallback_result
    from replaykit.compare.paired import CompareOptions, compare_metrics
    from replaykit.compare.pairing import Pairing, Ref, RunCache, Side, pair, parse_ref, sides_for
    from replaykit.compare.reference import reference_result
    from replaykit.compare.significance import PairedTable, mcnemar_exact, newcombe_interval
    from replaykit.compare.trend import trend_result

# `plan` is also the name of a submodule: importing that submodule would set the package's `plan` to the module,
# so the function is bound here, once (the module is light).
from replaykit.compare.plan import PlanInput, plan

_WHERE = {
    "diff_pairing": "diff", "diff_result": "diff", "fallback_result": "fallback", "CompareOptions": "paired",
    "compare_metrics": "paired", "Pairing": "pairing", "Ref": "pairing", "RunCache": "pairing", "Side": "pairing",
    "pair": "pairing", "parse_ref": "pairing", "sides_for": "pairing",
    "reference_result": "reference", "PairedTable": "significance", "mcnemar_exact": "significance",
    "newcombe_interval": "significance", "trend_result": "trend",
}
__all__ = [
    "CompareOptions", "PairedTable", "Pairing", "PlanInput", "Ref", "RunCache", "Side", "compare_metrics",
    "diff_pairing", "diff_result", "fallback_result", "mcnemar_exact", "newcombe_interval", "pair",
    "parse_ref", "plan", "reference_result", "sides_for", "trend_result",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"replaykit.compare.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
