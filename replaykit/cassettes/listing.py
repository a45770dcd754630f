"""A run's cassette file names in the order `Run.cassette_names` gives (sorted full paths), held compactly:
each folder's names in one string. A million-file run's listing then takes ~40 bytes a file instead of a
~150-byte string object each, so scoring it stays in bounded memory.
"""

from __future__ import annotations

import bisect
import itertools
import os
from array import array
from collections.abc import Iterator, Sequence
from typing import overload

_SEP = "\0"  # never in a file name


class _Paths(Sequence[str]):
    """Paths made on demand from a compact form: subclasses give `_at(i)` for 0 <= i < len."""

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._at(index)

    def _at(self, index: int) -> str:
        raise NotImplementedError


class Listing(_Paths):
    """File paths, folder by folder: (folder + separator, the folder's names joined, where each name starts)."""

    def __init__(self, folders: list[tuple[str, str, array[int]]]) -> None:
        """`folders`: (folder, its names joined by the separator, where each name starts), from `_compact`."""
        self._prefixes = [folder + os.sep for folder, _, _ in folders]
        self._joined = [joined for _, joined, _ in folders]
        self._starts = [starts for _, _, starts in folders]
        self._ends = array("q", itertools.accumulate(len(starts) for starts in self._starts))  # past each folder

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def _at(self, index: int) -> str:
        folder = bisect.bisect_right(self._ends, index)
        return self._name(folder, index - (self._ends[folder - 1] if folder else 0))

    def _name(self, folder: int, i: int) -> str:
        joined, starts = self._joined[folder], self._starts[folder]
        end = starts[i + 1] - 1 if i + 1 < len(starts) else len(joined)
        return self._prefixes[folder] + joined[starts[i]:end]

    def __iter__(self) -> Iterator[str]:
        for folder, starts in enumerate(self._starts):
            for i in range(len(starts)):
                yield self._name(folder, i)


class Picked(_Paths):
    """Some of a listing's paths, in its order, kept as their positions in it (4 bytes a path, not a string)."""

    def __init__(self, listing: Sequence[str], positions: array[int]) -> None:
        self._listing, self._positions = listing, positions

    def __len__(self) -> int:
        return len(self._positions)

    def _at(self, index: int) -> str:
        return self._listing[self._positions[index]]


def _compact(names: list[str]) -> tuple[str, array[int]]:
    """A folder's names as one string and an array of where each starts."""
    starts, at = array("I"), 0
    for name in names:
        starts.append(at)
        at += len(name) + 1
    return _SEP.join(names), starts


def cassette_listing(top: str) -> Sequence[str]:
    """The `*.json` files under `top` (not hidden), in sorted path order. When no folder holding files is
    inside another such folder (a run's `cassettes/PROVIDER/` folders), sorting the folders by their path plus
    a separator and each folder's names gives that order without a list of every path; otherwise, that list.
    Each folder is compacted as soon as it is listed: at most one folder's names are string objects at once."""
    folders = []
    for folder, _dirs, files in os.walk(top):
        names = sorted(name for name in files if name.endswith(".json") and not name.startswith("."))
        if names:
            folders.append((folder, *_compact(names)))
        del files, names  # before os.walk lists the next folder
    folders.sort(key=lambda f: f[0] + os.sep)
    keys = [f + os.sep for f, _, _ in folders]
    if any(b.startswith(a) for a, b in itertools.pairwise(keys)):  # nested: a sorted list of all
        return sorted(os.path.join(folder, name) for folder, joined, _ in folders for name in joined.split(_SEP))
    return Listing(folders)
