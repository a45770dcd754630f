"""Wall-clock effects: downtime windows, 5xx bursts and the token-bucket rate limiter.

These depend on *when* a request arrives, not on what it says, so they are the documented exceptions to
per-request determinism. They run on simulated time: real seconds since start divided by `time_scale`
(a demo at time_scale=0.01 sees a 600 s downtime period every 6 real seconds); with time_scale=0 the
simulated clock runs at real speed. Tests may pass their own clock.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable

from replaykit.sim.profiles import Profile, RateLimit


class SimClock:
    """Simulated seconds since start; `clock_scale` converts simulated seconds back to real ones."""

    def __init__(self, time_scale: float, source: Callable[[], float] | None = None) -> None:
        self.clock_scale = time_scale if time_scale > 0 else 1.0
        self._source = source
        self._t0 = time.monotonic()

    def now(self) -> float:
        if self._source is not None:
            return self._source()
        return (time.monotonic() - self._t0) / self.clock_scale


def _unit(seed: int, profile: str, what: str, index: int = 0) -> float:
    """A uniform in [0, 1) fixed by the seed, the profile and a window index."""
    digest = hashlib.sha256(f"{seed}\x00{profile}\x00{what}\x00{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def in_downtime(profile: Profile, seed: int, now: float) -> bool:
    """Down during `down_s` of every `period_s`, at a phase fixed by seed and profile."""
    if profile.downtime is None or profile.downtime.down_s <= 0:
        return False
    period = profile.downtime.period_s
    phase = _unit(seed, profile.name, "downtime") * period
    return (now + phase) % period < profile.downtime.down_s


def in_burst(profile: Profile, seed: int, now: float) -> bool:
    """Time is cut into `burst_s` windows; each is a 5xx burst with probability `rate`, so in the long run
    the share of requests (arriving evenly) that hit a burst is `rate`."""
    rate = profile.rate("server_error_burst")
    if rate <= 0:
        return False
    width = profile.param("burst_s")
    if width <= 0:
        return True
    return _unit(seed, profile.name, "burst", math.floor(now / width)) < rate


class TokenBucket:
    """`requests` per `per_s` simulated seconds; an empty bucket answers the seconds until a token frees."""

    def __init__(self, limit: RateLimit, now: float) -> None:
        self.capacity = float(limit.requests)
        self.refill = limit.requests / limit.per_s
        self.tokens = self.capacity
        self.updated = now

    def take(self, now: float) -> float | None:
        """None when the request may pass, else the simulated seconds to wait (Retry-After)."""
        self.tokens = min(self.capacity, self.tokens + max(0.0, now - self.updated) * self.refill)
        self.updated = max(self.updated, now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return None
        return (1.0 - self.tokens) / self.refill
