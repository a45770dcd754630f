"""The Markdown report is valid GitHub-flavoured Markdown: every table parses with the right shape."""

from __future__ import annotations

import copy
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from replaykit.report.markdown import render
from replaykit.report.terminal import COLUMNS


def _tables(text: str) -> list[list[list[str]]]:
    """Each table as rows of cell texts (header row first)."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tables: list[list[list[str]]] = []
    row: list[str] | None = None
    for i, tok in enumerate(tokens):
        if tok.type == "table_open":
            tables.append([])
        elif tok.type == "tr_open":
            row = []
        elif tok.type in ("th_open", "td_open") and row is not None:
            row.append(_inline_text(tokens[i + 1]))
        elif tok.type == "tr_close" and row is not None:
            tables[-1].append(row)
            row = None
    return tables


def _inline_text(tok: Token) -> str:
    return "".join(child.content for child in tok.children or [] if child.type in ("text", "code_inline"))


def test_tables_parse_with_the_right_shape(example_data: dict[str, Any]) -> None:
    text = render(example_data)
    tables = _tables(text)
    providers = example_data["providers"]
    classes = sorted({c for m in providers.values() for c in m["errors"]})
    faults = sorted({f for m in providers.values() for f in m["faults"]})
    leaderboard, consistency, errors, speed, answer_faults = tables  # the example repeats: pass^k is shown
    assert len(tables) == 5
    assert consistency[0][:2] == ["provider", "success"] and len(consistency) == 1 + len(providers)
    assert leaderboard[0] == list(COLUMNS)
    assert len(leaderboard) == 1 + len(providers)
    assert all(len(r) == len(COLUMNS) for r in leaderboard)
    assert errors[0] == ["provider", *classes, "attempts"] and len(errors) == 1 + len(providers)
    assert speed[0][0] == "provider" and len(speed) == 1 + len(providers) and all(len(r) == 8 for r in speed)
    assert answer_faults[0] == ["provider", *faults]
    assert {r[0] for r in leaderboard[1:]} == set(providers)
    assert "*" in next(r for r in leaderboard if r[0] == "sim-textcalls")[1]  # the escaped mark survives


def test_special_characters_stay_inside_their_cell(example_data: dict[str, Any]) -> None:
    data = copy.deepcopy(example_data)
    odd = "a|b*c_d`e<f>"
    data["providers"][odd] = data["providers"].pop("sim-steady")
    tables = _tables(render(data))
    names = [r[0] for r in tables[0][1:]]
    assert odd in names
    assert all(len(r) == len(COLUMNS) for r in tables[0])


def test_key_figures_and_no_tables_when_nothing_failed(example_data: dict[str, Any]) -> None:
    data = copy.deepcopy(example_data)
    data["providers"] = {"sim-steady": data["providers"]["sim-steady"]}
    text = render(data)
    assert "**Most successful:** sim-steady" in text
    assert "No failed attempts." in text and "No answer faults." in text
    assert len(_tables(text)) == 3  # leaderboard, consistency across repetitions, speed and cost
