"""Seeded resampling draws shared by the paired and clustered tests: bootstrap resamples and sign flips.

Everything is deterministic: the random draws come from `random.Random`s seeded by the caller. No numpy:
resampled sums go through `operator.itemgetter` and `sum`, which run in C.
"""

from __future__ import annotations

import itertools
import operator
import random
from array import array
from collections.abc import Callable, Sequence
from typing import Any


class Draws:
    """The seeded random draws of one comparison, shared by its metrics: for each size n, `count`
    bootstrap resamples (n pair indices drawn with replacement) and `count` random swaps (the indices of
    the pairs whose sides are exchanged). Stored as compact arrays; drawn on first use."""

    def __init__(self, count: int = 1000, seed: int = 0) -> None:
        self.count, self.seed = count, seed
        self._resamples: dict[int, list[array[int]]] = {}
        self._swaps: dict[int, list[array[int]]] = {}
        self._swap_gathers: dict[int, list[Callable[[Sequence[Any]], tuple[Any, ...]]]] = {}

    def resamples(self, n: int) -> list[array[int]]:
        if n not in self._resamples:
            rng = random.Random(f"bootstrap|{self.seed}|{n}")
            # 32 random bits per index, reduced mod n (a bias below n / 2^32), at C speed
            self._resamples[n] = [array("I", [x % n for x in array("I", rng.randbytes(4 * n))])
                                  for _ in range(self.count if n else 0)]
        return self._resamples[n]

    def swap_gathers(self, n: int) -> list[Callable[[Sequence[Any]], tuple[Any, ...]]]:
        """`gather` of each of `swaps(n)`, made once."""
        if n not in self._swap_gathers:
            self._swap_gathers[n] = [gather(s) for s in self.swaps(n)]
        return self._swap_gathers[n]

    def swaps(self, n: int) -> list[array[int]]:
        if n not in self._swaps:
            rng = random.Random(f"swap|{self.seed}|{n}")
            # one random byte per pair, its top bit says "swap"
            self._swaps[n] = [array("I", itertools.compress(range(n), rng.randbytes(n).translate(_TOP_BIT)))
                              for _ in range(self.count if n else 0)]
        return self._swaps[n]


_TOP_BIT = bytes(b >> 7 for b in range(256))


def gather(idx: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """Picks the positions `idx` of a sequence at C speed (itemgetter), always as a tuple."""
    if len(idx) == 0:
        return lambda values: ()
    if len(idx) == 1:
        one = operator.itemgetter(idx[0])
        return lambda values: (one(values),)
    return operator.itemgetter(*idx)  # (a tuple already for two or more)


