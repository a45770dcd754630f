"""Two runs of the same noisy profile with different seeds differ only by chance: `diff` must call them
not significantly different about 95% of the time (McNemar's exact test is conservative: often more)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from compare_helpers import sim_run

from replaykit.compare import CompareOptions, RunCache, diff_pairing, pair, parse_ref, sides_for

NOISY: dict[str, Any] = {"effects": {"wrong_type": 0.10, "missing_call": 0.05, "server_error": 0.10,
                                     "invalid_json_args": 0.05}}
RATE_METRICS = ("success", "availability", "tool_recall", "param_accuracy", "schema_validity", "error_rate")


def _seed_pairs(tmp_path: Path, pairs: int, repeat: int) -> tuple[int, Counter[str]]:
    """Significant `success` verdicts over `pairs` pairs of runs; and per metric, for the record."""
    significant: Counter[str] = Counter()
    success = 0
    opts = CompareOptions(resamples=500)
    for i in range(pairs):
        one = sim_run(tmp_path / f"a{i}", {"p": NOISY}, repeat=repeat, seed=2 * i, record_seed=2 * i)
        two = sim_run(tmp_path / f"b{i}", {"p": NOISY}, repeat=repeat, seed=2 * i + 1, record_seed=2 * i + 1)
        cache = RunCache(lambda message: None)
        ((a, b),) = sides_for(cache, parse_ref(str(one.root)), parse_ref(str(two.root)))
        result = diff_pairing(pair(a, b), opts)
        assert result["n"] == 7 * repeat
        success += result["metrics"]["success"]["significant"]
        significant.update(m for m in result["significant"] if m in RATE_METRICS)
    return success, significant


def test_same_profile_is_not_significant_on_a_few_seed_pairs(tmp_path: Path) -> None:
    found, _ = _seed_pairs(tmp_path, pairs=6, repeat=10)
    assert found <= 1, found  # P(≥ 2 of 6 | 5%) = 3%


@pytest.mark.slow
def test_same_profile_is_not_significant_in_95_percent_of_40_seed_pairs(tmp_path: Path) -> None:
    found, by_metric = _seed_pairs(tmp_path, pairs=40, repeat=10)
    print(f"significant success verdicts: {found}/40; by metric: {dict(by_metric)}")
    assert found <= 4, found  # ≥ 90% not significant; the nominal rate is 5%, the exact test's lower
    for metric in RATE_METRICS:
        assert by_metric[metric] <= 6, (metric, by_metric)
