"""A gunzip stream that refuses to inflate more than it was allowed to: the unpacker's bomb guard.

tarfile's own `r|gz` inflates without bounds where it matters: it reads a pax or GNU long-name header whole
into memory, so one header declaring 10 GB takes 10 GB of RAM before any member can be checked. Here the
unpacker inflates the gzip layer itself and hands tarfile this stream (`r|`), after saying how many bytes
the next step may read: a header gets a megabyte, a member the size its header declared. Over that, over the
total, or over a compression ratio no real run reaches, reading stops with a `PackError`.
"""

from __future__ import annotations

import zlib
from typing import IO

from replaykit.errors import BadInputError

_GZIP = 16 + zlib.MAX_WBITS
_RAW_CHUNK = 64 * 1024


class PackError(BadInputError):
    """A pack that is malformed, hostile, or over a limit."""


class BoundedGunzip:
    """Read-only file object over a (multi-member) gzip file, with a per-step budget and global limits."""

    def __init__(self, raw: IO[bytes], *, max_total: int, max_ratio: float | None, ratio_grace: int,
                 source: str) -> None:
        self.raw = raw
        self.source = source
        self.max_total = max_total
        self.max_ratio = max_ratio
        self.ratio_grace = ratio_grace
        self.compressed = 0  # bytes read from the file
        self.total = 0  # bytes inflated
        self._inflater = zlib.decompressobj(_GZIP)
        self._pending = b""
        self._budget = 0
        self._step = "the pack"

    def allow(self, budget: int, step: str) -> None:
        """The next `budget` inflated bytes belong to `step` (a header, a member); more is refused."""
        self._budget = budget
        self._step = step

    def read(self, size: int = -1) -> bytes:
        # tarfile asks for its record size at a time; never inflate more than a chunk per call
        size = _RAW_CHUNK if size is None or size < 0 or size > _RAW_CHUNK else size
        out = b""
        while not out and size:
            if self._inflater.eof and not self._next_member():
                return b""
            if not self._pending:
                self._pending = self._read_raw()
                if not self._pending:
                    raise PackError("truncated gzip data", source=self.source)
            try:
                out = self._inflater.decompress(self._pending, size)
            except zlib.error as err:
                raise PackError(f"corrupt gzip data ({err})", source=self.source) from None
            self._pending = self._inflater.unconsumed_tail
        self._account(len(out))
        return out

    def _next_member(self) -> bool:
        """After one gzip member ends, another may follow (`cat a.gz b.gz` is a valid gzip file)."""
        rest = self._inflater.unused_data or self._read_raw()
        if not rest:
            return False
        self._inflater = zlib.decompressobj(_GZIP)
        self._pending = rest
        return True

    def _read_raw(self) -> bytes:
        data = self.raw.read(_RAW_CHUNK)
        self.compressed += len(data)
        return data

    def _account(self, count: int) -> None:
        self.total += count
        self._budget -= count
        if self._budget < 0:
            raise PackError(f"{self._step} is larger than allowed (a malformed or hostile pack)",
                            source=self.source)
        if self.total > self.max_total:
            raise PackError(f"inflates past {self.max_total} bytes (a decompression bomb?)",
                            source=self.source)
        if (self.max_ratio is not None and self.total > self.ratio_grace
                and self.total > self.max_ratio * self.compressed):
            raise PackError(f"compression ratio over {self.max_ratio:g}:1 after {self.total} bytes "
                            "(a decompression bomb?)", source=self.source)
