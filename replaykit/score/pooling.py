"""Which cells a set of partials pools, checked against what scoring their runs at once would pool.

`score` compares providers on the (scenario, repetition) cells every one of them completed (comparable.py).
A partial makes that choice among its own runs. Combined, the choices agree with one scoring of every run
only if no cell is completed across partials (provider A's sample in one, B's in another) and every partial
knows every provider. A partial therefore carries each cell's providers; `combined_selection` redoes the
choice over all of them and refuses, naming the cell, where a partial chose otherwise — a combined number
is then exactly the one-scoring number, or there is none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from replaykit.errors import BadInputError
from replaykit.score.comparable import Cell, RunState, Selection

SHARED, ALL = "shared_cells", "all_samples"


def encode(selection: Selection) -> dict[str, Any]:
    """A partial's `selection` block: the pooling mode, what was left out, and each cell's providers."""
    out: dict[str, Any] = {"mode": ALL if selection.all_samples else SHARED, "names": selection.names,
                           "states": [s.to_json() for s in selection.states],
                           "left_out": selection.left_out, "dropped_scenarios": selection.dropped_scenarios,
                           "no_shared_cells": selection.no_shared_cells, "providers": None, "cells": None}
    if selection.presence is not None:  # None for packs: their cells stream later
        providers, by_cell = selection.presence
        cells: dict[str, list[list[Any]]] = {}
        for (scenario, rep), mask in sorted(by_cell.items()):
            cells.setdefault(scenario, []).append([rep, format(mask, "x")])  # hex: any number of providers
        out.update(providers=providers, cells=cells)
    return out


def combined_selection(blocks: Sequence[tuple[Any, str]]) -> Selection:
    """The selection one scoring of every partial's runs would make; BadInputError where a partial's own
    choice differs from it (or a block is malformed: partials are untrusted files)."""
    for block, source in blocks:
        check(block, source)
    modes = {block["mode"] for block, _ in blocks}
    if len(modes) > 1:
        block, where = next((b, source) for b, source in blocks if b["mode"] == ALL)
        why = ("had no cell every provider completed, so it pooled all its samples" if block["no_shared_cells"]
               else "was written with --all-samples")
        raise BadInputError(f"{why}, while other partials compared shared cells only", source=where)
    states = [_state(s) for block, _ in blocks for s in block["states"]]
    names: dict[str, dict[str, str]] = {}
    left: dict[str, int] = {}
    for block, _ in blocks:
        names.update(block["names"])
        for provider, count in block["left_out"].items():
            left[provider] = left.get(provider, 0) + count
    selection = Selection({}, names, states, left_out=dict(sorted(left.items())), all_samples=ALL in modes,
                          dropped_scenarios=sorted({d for block, _ in blocks for d in block["dropped_scenarios"]}))
    selection.no_shared_cells = any(block["no_shared_cells"] for block, _ in blocks)
    _check_cells(blocks, selection)
    return selection


def _check_cells(blocks: Sequence[tuple[dict[str, Any], str]], selection: Selection) -> None:
    """Union each cell's providers over the partials; every partial must have kept exactly the cells that
    union completes (in shared-cells mode), or the combination would pool what one scoring would not."""
    if any(block["cells"] is None for block, _ in blocks):
        return  # a pack's partial: its cells are not known (packs keep every cell, as `score PACK` does)
    everyone = sorted({p for block, _ in blocks for p in block["providers"]})
    union: dict[Cell, set[str]] = {}
    per_block: list[dict[Cell, set[str]]] = []
    for block, _ in blocks:
        cells = _cells(block)
        per_block.append(cells)
        for cell, have in cells.items():
            union.setdefault(cell, set()).update(have)
    shared = {cell for cell, have in union.items() if len(have) == len(everyone)}
    selection.cells_kept = len(union) if selection.all_samples else len(shared)
    selection.cells_left_out = 0 if selection.all_samples else len(union) - len(shared)
    if selection.all_samples:
        return
    for (block, source), cells in zip(blocks, per_block):
        own = set(block["providers"])
        for cell, have in sorted(cells.items()):
            if (have == own) != (cell in shared):
                scenario, rep = cell
                missing = ", ".join(sorted(set(everyone) - have))
                raise BadInputError(
                    f"cell ({scenario}, repetition {rep}) is {'kept' if have == own else 'left out'} here, but "
                    f"scoring every partial's runs at once would {'leave it out' if have == own else 'keep it'} "
                    f"(here it lacks {missing or 'nothing'}): score these runs together, or write every partial "
                    "with --all-samples", source=source)


def _cells(block: dict[str, Any]) -> dict[Cell, set[str]]:
    providers = block["providers"]
    out: dict[Cell, set[str]] = {}
    for scenario, rows in block["cells"].items():
        for rep, hexmask in rows:
            mask = int(hexmask, 16)
            out[(scenario, rep)] = {p for i, p in enumerate(providers) if mask >> i & 1}
    return out


def _state(item: dict[str, Any]) -> RunState:
    return RunState(item["id"], "" if item["status"] == "unknown" else item["status"], item["samples_planned"],
                    item["samples_recorded"], item["time_scale"])


def check(block: Any, source: str) -> None:
    """The shape of a `selection` block, field by field."""
    def bad(field: str, what: str) -> BadInputError:
        return BadInputError(f"must be {what}", source=source, field=f"selection.{field}")

    if not isinstance(block, dict) or block.get("mode") not in (SHARED, ALL):
        raise bad("mode", f"{SHARED!r} or {ALL!r} (a partial of this replaykit has a selection block)")
    if not isinstance(block.get("no_shared_cells"), bool):
        raise bad("no_shared_cells", "true or false")
    if not _str_map(block.get("names"), lambda v: _str_map(v, lambda x: isinstance(x, str))):
        raise bad("names", "{run root: {recorded name: shown name}}")
    if not _str_map(block.get("left_out"), _count):
        raise bad("left_out", "{provider: count}")
    if not (isinstance(block.get("dropped_scenarios"), list) and all(isinstance(d, str)
                                                                     for d in block["dropped_scenarios"])):
        raise bad("dropped_scenarios", "a list of scenario ids")
    states = block.get("states")
    if not (isinstance(states, list) and all(_is_state(s) for s in states)):
        raise bad("states", "a list of {id, status, samples_planned, samples_recorded, time_scale}")
    if block.get("cells") is None and block.get("providers") is None:
        return
    providers = block.get("providers")
    if not (isinstance(providers, list) and all(isinstance(p, str) for p in providers)
            and len(set(providers)) == len(providers)):
        raise bad("providers", "a list of distinct provider names")
    if not _str_map(block.get("cells"), lambda rows: isinstance(rows, list) and all(
            isinstance(r, list) and len(r) == 2 and _count(r[0]) and _mask(r[1], len(providers)) for r in rows)):
        raise bad("cells", "{scenario: [[repetition, provider bits as hex], ...]}")


def _str_map(value: Any, ok: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and ok(v) for k, v in value.items())


def _mask(value: Any, providers: int) -> bool:
    """Hex of a non-empty set of the block's providers (bounded before int(): a partial is untrusted)."""
    if not (isinstance(value, str) and 0 < len(value) <= providers // 4 + 1):
        return False
    try:
        return 0 < int(value, 16) < 1 << providers
    except ValueError:
        return False


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_state(item: Any) -> bool:
    return (isinstance(item, dict) and isinstance(item.get("id"), str) and isinstance(item.get("status"), str)
            and all(item.get(k) is None or _count(item.get(k)) for k in ("samples_planned", "samples_recorded"))
            and (item.get("time_scale") is None or isinstance(item.get("time_scale"), int | float))
            and "samples_planned" in item and "samples_recorded" in item and "time_scale" in item)
