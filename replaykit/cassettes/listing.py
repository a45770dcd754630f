"""A run's cassette file names in the order `Run.cassette_names` gives (sorted full paths), held compactly:
each folder's names in one string. A million-file run's listing then takes ~40 bytes a file instead of a
~150-byte string object each, so scoring it stays in bounded memory.
"""

from __future__ import annotations

import itertools
import os
from array import array
from collections.abc import Iterator, Sequence
from typing import overload

_SEP = "\0"  # never in a file name


class Listing(Sequence[str]):
    """File paths, folder by folder: (folder + separator, the folder's names joined, where each name starts)."""

    def __init__(self, folders: list[tuple[str, list[str]]]) -> None:
        self._prefixes: list[str] = []
        self._joined: list[str] = []
        self._starts: list[array[int]] = []
        self._ends = array("q")  # the index past each folder's last name
        total = 0
        for folder, names in folders:
            starts, at = array("I"), 0
            for name in names:
                starts.append(at)
                at += len(name) + 1
            self._prefixes.append(folder + os.sep)
            self._joined.append(_SEP.join(names))
            self._starts.append(starts)
            total += len(names)
            self._ends.append(total)

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        folder = next(i for i, end in enumerate(self._ends) if index < end)
        return self._name(folder, index - (self._ends[folder - 1] if folder else 0))

    def _name(self, folder: int, i: int) -> str:
        joined, starts = self._joined[folder], self._starts[folder]
        end = starts[i + 1] - 1 if i + 1 < len(starts) else len(joined)
        return self._prefixes[folder] + joined[starts[i]:end]

    def __iter__(self) -> Iterator[str]:
        for folder, starts in enumerate(self._starts):
            for i in range(len(starts)):
                yield self._name(folder, i)


def cassette_listing(top: str) -> Sequence[str]:
    """The `*.json` files under `top` (not hidden), in sorted path order. When no folder holding files is
    inside another such folder (a run's `cassettes/PROVIDER/` folders), sorting the folders by their path plus
    a separator and each folder's names gives that order without a list of every path; otherwise, that list."""
    folders = []
    for folder, _dirs, files in os.walk(top):
        names = sorted(name for name in files if name.endswith(".json") and not name.startswith("."))
        if names:
            folders.append((folder, names))
    folders.sort(key=lambda f: f[0] + os.sep)
    keys = [f + os.sep for f, _ in folders]
    if any(b.startswith(a) for a, b in itertools.pairwise(keys)):  # nested: a sorted list of all
        return sorted(os.path.join(folder, name) for folder, names in folders for name in names)
    return Listing(folders)
