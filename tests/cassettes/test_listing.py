"""The compact listing of a run's cassettes: the same paths, in the same order, as `Run.cassette_names`."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from replaykit.cassettes.listing import Listing, cassette_listing
from replaykit.cassettes.run import Run

_NAME = st.text("ab-_.0/", min_size=1, max_size=6).filter(
    lambda n: not n.startswith(("/", ".")) and "//" not in n and not n.endswith("/") and "/." not in n)


@settings(max_examples=60, deadline=None)
@given(st.sets(_NAME, min_size=0, max_size=12))
def test_same_paths_same_order_as_a_sorted_list(tmp_path_factory: pytest.TempPathFactory, names: set[str]) -> None:
    root = tmp_path_factory.mktemp("run")
    written = set()
    for name in sorted(names):
        path = root / "cassettes" / f"{name}.json"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("{}")
            written.add(name)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            continue  # a name that is also a folder here
    run = Run(root)
    listing = run.cassette_listing()
    expected = run.cassette_names()
    assert list(listing) == expected and len(listing) == len(expected)
    assert [listing[i] for i in range(len(listing))] == expected
    assert listing[1:4] == expected[1:4] and listing[-1:] == expected[-1:]


def test_provider_folders_are_held_compactly(tmp_path: Path) -> None:
    for provider in ("sim", "sim-a", "sim.b"):
        for i in range(3):
            (tmp_path / provider).mkdir(exist_ok=True)
            (tmp_path / provider / f"s{i}--r0.json").write_text("{}")
    listing = cassette_listing(str(tmp_path))
    assert isinstance(listing, Listing)
    assert list(listing) == sorted(str(p) for p in tmp_path.rglob("*.json"))
