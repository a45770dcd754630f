"""Memoizing a function of one string, for the strings that recur: readers see the same short strings (ids,
names, header values) and the same request bodies again and again, but a memo of every long string would
hold whole bodies for nothing."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def memoized_up_to(chars: int, maxsize: int) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    """`fn` memoized (least recently used, `maxsize` results) for arguments of at most `chars` characters;
    longer ones are computed each time."""

    def wrap(fn: Callable[[str], T]) -> Callable[[str], T]:
        cached = functools.lru_cache(maxsize=maxsize)(fn)

        @functools.wraps(fn)
        def call(text: str) -> T:
            return cached(text) if len(text) <= chars else fn(text)

        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call

    return wrap
