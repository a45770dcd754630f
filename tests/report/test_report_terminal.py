"""The terminal leaderboard: 100 columns at most, sorted by success, error bars, significance marks."""

from __future__ import annotations

import copy
import random
from typing import Any

from rich.console import Console

from replaykit.report.significance import FOOTNOTE, MARK, versus_best
from replaykit.report.terminal import COLUMNS, render


def _lines(data: dict[str, Any], plain: bool) -> list[str]:
    console = Console(width=100, record=True, color_system=None, force_terminal=not plain)
    render(data, console, plain=plain)
    return console.export_text().splitlines()


def _renamed(data: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    out["providers"] = {names.get(k, k): v for k, v in out["providers"].items()}
    for row in out["scenarios"]:
        row["success"] = {names.get(k, k): v for k, v in row["success"].items()}
    return out


def test_rich_and_plain_fit_100_columns(example_data: dict[str, Any]) -> None:
    long = {name: f"{name}-with-a-very-long-provider-name-{i}" for i, name in enumerate(example_data["providers"])}
    for data in (example_data, _renamed(example_data, long)):
        for plain in (False, True):
            lines = _lines(data, plain)
            assert lines and max(len(line) for line in lines) <= 100, (plain, max(map(len, lines)))


def test_sorted_by_success_with_intervals(example_data: dict[str, Any]) -> None:
    lines = _lines(example_data, plain=True)
    header = next(i for i, line in enumerate(lines) if line.startswith("provider"))
    rows = lines[header + 1: header + 1 + len(example_data["providers"])]
    names = [r.split()[0] for r in rows]
    values = [example_data["providers"][n]["success"]["value"] for n in names]
    assert values == sorted(values, reverse=True)
    assert all("(" in r and "–" in r for r in rows)  # every success has its interval
    assert lines[header].split()[:2] == [COLUMNS[0], "success"]


def test_error_bars_and_significance_footer(example_data: dict[str, Any]) -> None:
    text = "\n".join(_lines(example_data, plain=False))
    flaky = next(line for line in text.splitlines() if line.startswith("sim-flaky"))
    assert "█" in flaky  # its failed attempts drawn as a bar
    steady = next(line for line in text.splitlines() if line.startswith("sim-steady"))
    assert "█" not in steady
    assert "failed attempts:" in text and "stream_cut" in text  # the bar legend names the classes
    textcalls = next(line for line in text.splitlines() if line.startswith("sim-textcalls "))
    assert MARK in textcalls and FOOTNOTE in text


def test_no_footnote_when_nothing_is_significant(example_data: dict[str, Any]) -> None:
    data = copy.deepcopy(example_data)
    data["providers"] = {k: v for k, v in data["providers"].items() if k in ("sim-fastcloud", "sim-steady")}
    text = "\n".join(_lines(data, plain=True))
    assert FOOTNOTE not in text and MARK not in text


def _identical_leaderboard(rng: random.Random, providers: int, scenarios: int, reps: int) -> dict[str, Any]:
    """Score JSON of `providers` identical providers: per scenario one difficulty, the same for all."""
    rows = []
    for s in range(scenarios):
        p = rng.uniform(0.3, 0.95)
        rows.append({"id": f"s{s}", "success": {f"p{i}": {"k": sum(rng.random() < p for _ in range(reps)),
                                                          "n": reps} for i in range(providers)}})
    totals = {f"p{i}": sum(r["success"][f"p{i}"]["k"] for r in rows) / (scenarios * reps) for i in range(providers)}
    return {"providers": {n: {"success": {"value": v}} for n, v in totals.items()}, "scenarios": rows}


def test_identical_providers_rarely_get_a_star() -> None:
    """The best, picked after looking, against each other one without correction starred 31% of
    6-provider leaderboards of identical providers."""
    rng = random.Random(5)
    boards = 40
    starred = sum(any(v.significant for v in versus_best(_identical_leaderboard(rng, 6, 20, 3)).values())
                  for _ in range(boards))
    assert starred <= 4, starred  # P(more than 4 of 40 | 5%) = 4.8%


def test_a_clear_difference_still_gets_its_star() -> None:
    data = _identical_leaderboard(random.Random(1), 3, 20, 3)
    for row in data["scenarios"]:
        row["success"]["p2"] = {"k": 0, "n": 3}
    data["providers"]["p2"]["success"]["value"] = 0.0
    tests = versus_best(data)
    assert tests["p2"].significant and tests["p2"].p_holm is not None and tests["p2"].p_holm < 0.01


def test_versus_best_on_the_example(example_data: dict[str, Any]) -> None:
    tests = versus_best(example_data)
    best = tests["sim-fastcloud"].best
    assert tests[best].p is None
    assert tests["sim-textcalls"].significant  # 37.5% against 100%
    assert not tests["sim-quantized"].significant  # 95.8% against 100% on 24 samples
