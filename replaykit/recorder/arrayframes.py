"""The elements of a JSON array as they stream in (Gemini's `:streamGenerateContent` without `alt=sse`), so
that each element is timed on arrival like an SSE event. Only the structure is scanned (brackets, braces,
strings); the elements are parsed by whoever reads them."""

from __future__ import annotations

import re

_TOKEN = re.compile(rb'[\[\]{}"\\]')


class ArrayFrames:
    """Feed bytes, get the array's top-level elements once each is whole. A body that does not open with `[`
    turns the splitter off (a plain JSON answer has no elements to time)."""

    def __init__(self) -> None:
        self._buffer = b""
        self._depth = 0  # 1 inside the array, 2+ inside an element
        self._start = -1  # where the current element began in the buffer
        self._string = False
        self._escaped = -1  # the position a backslash in a string escapes
        self.off = False
        self._opened = False

    def feed(self, chunk: bytes) -> list[bytes]:
        if self.off:
            return []
        if not self._opened:
            head = (self._buffer + chunk).lstrip()
            if not head:
                self._buffer += chunk
                return []
            if head[:1] != b"[":
                self.off, self._buffer = True, b""
                return []
            self._opened = True
        base = len(self._buffer)
        self._buffer += chunk
        found: list[bytes] = []
        for match in _TOKEN.finditer(self._buffer, base):
            self._step(match.group(), match.start(), found)
        if self._depth <= 1 and self._start < 0 and not self._string:  # nothing pending: the buffer need not grow
            self._buffer = b""
        return found

    def _step(self, token: bytes, at: int, found: list[bytes]) -> None:
        if self._string:
            if at == self._escaped:
                return
            if token == b"\\":
                self._escaped = at + 1
            elif token == b'"':
                self._string = False
            return
        if token == b'"':
            self._string = True
        elif token in (b"[", b"{"):
            self._depth += 1
            if self._depth == 2:
                self._start = at
        elif token in (b"]", b"}"):
            self._depth -= 1
            if self._depth == 1 and self._start >= 0:
                found.append(self._buffer[self._start : at + 1])
                self._start = -1
