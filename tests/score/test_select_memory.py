"""Choosing what to score holds a few bytes a file, not a string per path: a million-file run is scored in
bounded memory (issue 18 §4). Measured with tracemalloc on real files."""

from __future__ import annotations

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
    selection, peak = _peak(lambda: select([Run(run)]))
    files = selection.files[str(run)]
    last = f"some.scenario_name-{CELLS - 1:05d}--r0.json"
    assert list(files) == [p for p in Run(run).cassette_names() if not p.endswith(last)]
    assert len(files) == PROVIDERS * (CELLS - 1) and selection.cells_left_out == 1
    assert files[3:5] == list(files)[3:5] and files[-1] == list(files)[-1]
    # a list of the kept paths took ~150 bytes a file more
    assert peak / len(files) < 120, peak / len(files)  # 69 here; 218 before
