"""The time-clustered rates' counts: `[k, n]` per (scenario, time bucket) cell, kept compact.

A real run's attempts start at different times, so nearly every attempt gets a cell of its own. As a dict of
tuple keys to `[k, n]` lists that was ~250 bytes a cell, ~700 an attempt over the three timed rates; here a cell
is an 8-byte packed key and two counts in typed arrays, found through an open-addressing index of 4-byte slots
(~20 bytes a cell). Like CPython's compact dict, the cells stay in the order they were first seen — merges and
partials included — so every float sum over them (stats.TwoWay) adds in the same order as the dict did, and
scores are byte-identical to it.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

BUCKET_BITS = 41  # a bucket is floor(started_at / 0.1) ≤ 1e12 for the cassettes' MAX_EPOCH, < 2**40; -1: unknown
LOW = (1 << BUCKET_BITS) - 1
MAX_BUCKET = LOW - 1  # bucket + 1 is what is stored, in the key's low bits
_MIX = 0x9E3779B97F4A7C15  # Fibonacci hashing: the product's middle bits spread packed keys over the slots
EMPTY = -1


def _zero() -> list[int]:
    return [0, 0]


class TimeCells:
    """(scenario, bucket) -> [k, n], in first-seen order. Counts are C bytes until one needs more (then C
    doubles: the float arithmetic the dict's lists did).

    Scoring counts into `pending`, a plain dict (the fastest thing to count into, once per attempt), which is
    folded into the arrays every so often and before anything reads them; a chunk's cells are usually still
    pending when the chunk is merged."""

    __slots__ = ("_ids", "_index", "k", "keys", "n", "names", "pending")

    def __init__(self) -> None:
        self.names: list[str] = []  # scenario index -> name, in first-seen order
        self._ids: dict[str, int] = {}
        self.keys = array("q")  # scenario index << BUCKET_BITS | bucket + 1
        self.k: array[Any] = array("B")
        self.n: array[Any] = array("B")
        self._index = array("i", [EMPTY]) * 8  # slot -> position; empty: to be rebuilt
        self.pending: defaultdict[tuple[str, int], list[int]] = defaultdict(_zero)

    @classmethod
    def of(cls, cells: Mapping[tuple[str, int], Sequence[float]]) -> TimeCells:
        """From a dict of `(scenario, bucket) -> [k, n]`, in its order."""
        out = cls()
        for (scenario, bucket), (k, n) in cells.items():
            out.add(scenario, bucket, k, n)
        return out

    def __len__(self) -> int:
        self.fold()
        return len(self.keys)

    def __bool__(self) -> bool:
        return bool(self.keys) or bool(self.pending)

    def add(self, scenario: str, bucket: int, k: float, n: float) -> None:
        """Add (k, n) to the cell, created (last) if new."""
        if self.pending:
            self.fold()
        self._put(self._key(scenario, bucket), k, n)

    def fold(self) -> None:
        """The pending counts into the arrays, in their order."""
        if self.pending:
            pending, self.pending = self.pending, defaultdict(_zero)
            for (scenario, bucket), (k, n) in pending.items():
                self._put(self._key(scenario, bucket), k, n)

    def position(self, scenario: str, bucket: int) -> int:
        """Where the cell is (its first-seen rank), or -1."""
        self.fold()
        sid = self._ids.get(scenario)
        if sid is None or not -1 <= bucket <= MAX_BUCKET:
            return -1
        return self._find(sid << BUCKET_BITS | (bucket + 1))

    def merge(self, other: TimeCells) -> None:
        """Add another table's cells, in its order (a worker's chunk, a partial's)."""
        self.fold()
        ids = [self._key(name, -1) for name in other.names]  # each scenario's index, shifted (-1 packs to 0)
        for key, k, n in zip(other.keys, other.k, other.n):
            self._put(ids[key >> BUCKET_BITS] | (key & LOW), k, n)
        for (scenario, bucket), (k, n) in other.pending.items():
            self._put(self._key(scenario, bucket), k, n)

    def items(self) -> Iterator[tuple[str, int, Any, Any]]:
        """(scenario, bucket, k, n) in first-seen order."""
        self.fold()
        names = self.names
        for key, k, n in zip(self.keys, self.k, self.n):
            yield names[key >> BUCKET_BITS], (key & LOW) - 1, k, n

    def scenario_ids(self) -> Iterator[int]:
        """Each cell's scenario index (into `names`), in order."""
        self.fold()
        return (key >> BUCKET_BITS for key in self.keys)

    def buckets(self) -> Iterator[int]:
        self.fold()
        return ((key & LOW) - 1 for key in self.keys)

    def _key(self, scenario: str, bucket: int) -> int:
        if not -1 <= bucket <= MAX_BUCKET:
            raise ValueError(f"time bucket {bucket} out of range")
        sid = self._ids.get(scenario)
        if sid is None:
            sid = self._ids[scenario] = len(self.names)
            self.names.append(scenario)
        return sid << BUCKET_BITS | (bucket + 1)

    def _find(self, key: int) -> int:
        index, slot = self._probe(key)
        return index[slot]

    def _put(self, key: int, k: float, n: float) -> None:
        """Add (k, n) to the cell of a packed key; a new key takes the free slot its probe ended on."""
        index, slot = self._probe(key)
        pos = index[slot]
        if pos == EMPTY:
            pos = index[slot] = len(self.keys)
            self.keys.append(key)
            self.k.append(0)
            self.n.append(0)
            if 3 * pos >= 2 * len(index):  # at most 2/3 full: short probe runs
                self._reindex(4 * len(index) if pos < 1 << 16 else 2 * len(index))
        try:
            self.k[pos] += k
        except (OverflowError, TypeError):  # past 255, or not a whole number: doubles from here on
            self.k = array("d", self.k)
            self.k[pos] += k
        try:
            self.n[pos] += n
        except (OverflowError, TypeError):
            self.n = array("d", self.n)
            self.n[pos] += n

    def _probe(self, key: int) -> tuple[array[int], int]:
        """The index and the slot of the key: where it is, or the empty slot that ends its probe run."""
        index = self._index or self._reindex()
        mask = len(index) - 1
        slot = (key * _MIX >> 32) & mask
        keys = self.keys
        while (pos := index[slot]) != EMPTY and keys[pos] != key:
            slot = (slot + 1) & mask
        return index, slot

    def _reindex(self, least: int = 8) -> array[int]:
        size = 8
        while size < least or 3 * len(self.keys) >= 2 * size:
            size *= 2
        index = array("i", [EMPTY]) * size
        mask = size - 1
        for pos, key in enumerate(self.keys):
            slot = (key * _MIX >> 32) & mask
            while index[slot] != EMPTY:
                slot = (slot + 1) & mask
            index[slot] = pos
        self._index = index
        return index

    # pickled to and from workers without the index: the parent merges a chunk's cells, never looks them up
    def __getstate__(self) -> tuple[list[str], array[int], array[Any], array[Any]]:
        self.fold()
        return self.names, self.keys, self.k, self.n

    def __setstate__(self, state: tuple[list[str], array[int], array[Any], array[Any]]) -> None:
        self.names, self.keys, self.k, self.n = state
        self._ids = {name: i for i, name in enumerate(self.names)}
        self._index = array("i")
        self.pending = defaultdict(_zero)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TimeCells) and list(self.items()) == list(other.items())

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TimeCells({len(self)} cells)"
