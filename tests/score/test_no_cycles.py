"""Scoring makes no reference cycles. It runs with the cycle collector paused (score/engine.py gc_paused), so
any cycle a scored file made stayed until the end: recursive closures in call matching held ~100 bytes an
attempt, as much as all the time cells of a real run (issue 18 §4)."""

from __future__ import annotations

import gc
from collections import Counter
from pathlib import Path

from replaykit.scenarios.matchers import ArrayOf, Literal
from replaykit.score.engine import open_runs, scenarios_for
from replaykit.score.sample import ScoreOptions
from replaykit.score.tally import plan_chunks, score_chunk

EXAMPLE = Path(__file__).resolve().parents[2] / "cassettes" / "example"


def _cycles_left(fn: object) -> Counter[str]:
    """What the collector finds unreachable after `fn`, by type (functions and frames by name)."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        fn()  # type: ignore[operator]
        gc.collect()
        return Counter(getattr(o, "__qualname__", None) or type(o).__name__ for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()


def test_scoring_files_leaves_no_cycles_for_the_collector() -> None:
    chunks = list(plan_chunks(open_runs([EXAMPLE]), None, lambda _: ScoreOptions(), keep_samples=False))
    score = lambda: [score_chunk(chunk, scenarios_for) for chunk in chunks]  # noqa: E731
    score()  # the run and its scenarios loaded (a scoring's own, once: not what this is about)
    assert _cycles_left(score) == Counter()  # 19 matchings' closures and what they held (143 objects) before


def test_an_unordered_match_leaves_no_cycles() -> None:
    matcher = ArrayOf([Literal("a"), Literal("b"), Literal("c")], unordered=True)
    assert matcher.check(["c", "a", "b"]) is None and matcher.check(["c", "a", "a"]) is not None
    assert _cycles_left(lambda: [matcher.check(["c", "a", "b"]) for _ in range(50)]) == Counter()
