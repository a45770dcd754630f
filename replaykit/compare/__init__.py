"""Comparisons: paired diffs of providers or runs, reference agreement, trends, fallback what-ifs,
and sample-size planning (docs/compare.md)."""

from replaykit.compare.diff import diff_pairing, diff_result
from replaykit.compare.fallback import fallback_result
from replaykit.compare.paired import CompareOptions, compare_metrics
from replaykit.compare.pairing import Pairing, Ref, RunCache, Side, pair, parse_ref, sides_for
from replaykit.compare.plan import PlanInput, plan
from replaykit.compare.reference import reference_result
from replaykit.compare.significance import PairedTable, mcnemar_exact, newcombe_interval
from replaykit.compare.trend import trend_result

__all__ = [
    "CompareOptions", "PairedTable", "Pairing", "PlanInput", "Ref", "RunCache", "Side", "compare_metrics",
    "diff_pairing", "diff_result", "fallback_result", "mcnemar_exact", "newcombe_interval", "pair",
    "parse_ref", "plan", "reference_result", "sides_for", "trend_result",
]
