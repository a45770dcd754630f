"""Per-provider concurrency that backs off on 429, so one rate-limited provider does not stall the others."""

from __future__ import annotations

import asyncio


class AdaptiveLimiter:
    """At most `limit` requests in flight; halved on a 429, grown by one after `grow_after` successes."""

    def __init__(self, maximum: int, grow_after: int = 8) -> None:
        self.maximum = max(1, maximum)
        self.limit = self.maximum
        self.in_flight = 0
        self.grow_after = grow_after
        self._streak = 0
        self._cond = asyncio.Condition()

    async def acquire(self) -> None:
        async with self._cond:
            await self._cond.wait_for(lambda: self.in_flight < self.limit)
            self.in_flight += 1

    async def release(self, rate_limited: bool) -> None:
        async with self._cond:
            self.in_flight -= 1
            if rate_limited:
                self.limit = max(1, self.limit // 2)
                self._streak = 0
            else:
                self._streak += 1
                if self._streak >= self.grow_after and self.limit < self.maximum:
                    self.limit += 1
                    self._streak = 0
            self._cond.notify_all()
