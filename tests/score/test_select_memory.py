"""Choosing what to score holds a few bytes a file, not a string per path: a million-file run is scored in
bounded memory (issue 18 §4). Measured with tracemalloc on real files."""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from replaykit.cassettes.listing import cassette_listing
from replaykit.cassettes.run import Run
from replaykit.score.comparable import select

PROVIDERS, CELLS = 8, 2000


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8 providers × 2000 cells, but provider 0 lacks the last cell: 7 files are left out of the selection."""
    root = tmp_path_factory.mktemp("many")
    for p in range(PROVIDERS):
        folder = root / "cassettes" / f"provider-number-{p}"
        folder.mkdir(parents=True)
        for i in range(CELLS - (p == 0)):
            (folder / f"some.scenario_name-{i:05d}--r0.json").touch()
    return root


def _peak(fn: Callable[[], Any]) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        out = fn()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_listing_never_holds_every_name_as_a_string(run: Path) -> None:
    listing, peak = _peak(lambda: cassette_listing(str(run / "cassettes")))
    assert list(listing) == Run(run).cassette_names()
    # every folder's names as string objects at once, before compacting any
    assert peak / len(listing) < 80, peak / len(listing)  # 51 here; 130 before


def test_a_selection_keeps_positions_not_paths(run: Path) -> None:
    # The scenario names are interned (one entry per scenario, not per file), and growing the interpreter's table
    # of them costs what its size happens to be: MBs in a pytest worker that has interned much already (this
    # test failed so: 183-189 bytes a file). Interned strings leave that table when freed: held here, interning
    # them while measuring is a lookup, and what is measured is the cost per file.
    scenarios = [sys.intern(f"some.scenario_name-{i:05d}") for i in range(CELLS)]
    selection, peak = _peak(lambda: select([Run(run)]))
    assert len(scenarios) == CELLS
    files = selection.files[str(run)]
    last = f"some.scenario_name-{CELLS - 1:05d}--r0.json"
    assert list(files) == [p for p in Run(run).cassette_names() if not p.endswith(last)]
    assert len(files) == PROVIDERS * (CELLS - 1) and selection.cells_left_out == 1
    assert files[3:5] == list(files)[3:5] and files[-1] == list(files)[-1]
    # a list of the kept paths took ~150 bytes a file more
    assert peak / len(files) < 120, peak / len(files)  # 69 here; 218 before


def test_a_run_whose_every_cell_is_shared_is_swept_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The usual run keeps every file: one pass over its names, not two (a million names cost seconds a pass),
    and the same selection as when some cell is left out and the second pass runs."""
    from replaykit.score import comparable

    for p in range(3):
        folder = tmp_path / "cassettes" / f"provider-{p}"
        folder.mkdir(parents=True)
        for i in range(50):
            (folder / f"some.scenario-{i:02d}--r0.json").touch()
    seen: list[str] = []
    identity = comparable._identity

    def counted(run: Run, path: str, base: str) -> Any:
        seen.append(path)
        return identity(run, path, base)

    monkeypatch.setattr(comparable, "_identity", counted)
    selection = select([Run(tmp_path)])
    names = Run(tmp_path).cassette_names()
    assert len(seen) == len(names) == 150
    assert list(selection.files[str(tmp_path)]) == names
    assert selection.left_out == {"provider-0": 0, "provider-1": 0, "provider-2": 0} and selection.cells_left_out == 0
    (tmp_path / "cassettes" / "provider-0" / "some.scenario-49--r0.json").unlink()  # now one cell is not shared
    seen.clear()
    selection = select([Run(tmp_path)])
    assert len(seen) == 2 * 149
    assert len(list(selection.files[str(tmp_path)])) == 147 and selection.left_out["provider-1"] == 1
