"""When and how long to wait before trying again."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from replaykit.cassettes.model import Attempt

RETRYABLE = frozenset({"rate_limited", "server_error", "timeout", "connection", "harness", "stream_cut",
                       "stream_error", "malformed_body"})


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    backoff_base: float = 0.5  # seconds; doubled each retry, full jitter
    backoff_cap: float = 30.0
    max_retry_after: float = 60.0  # a Retry-After beyond this is cut to it
    retry_after_jitter: float = 0.2  # up to this fraction of Retry-After (plus the backoff base) on top

    def should_retry(self, error_class: str | None, retry: int) -> bool:
        return error_class in RETRYABLE and retry < self.max_retries

    def wait(self, attempt: Attempt, error_class: str | None, retry: int, rng: random.Random) -> float:
        """Seconds to wait before retry number `retry + 1`."""
        if error_class == "rate_limited":
            after = retry_after(attempt)
            if after is not None:
                # never sooner than asked, but spread out: workers told the same Retry-After would otherwise
                # all come back at the same instant and be rate limited together again
                after = min(after, self.max_retry_after)
                return after + rng.uniform(0, self.retry_after_jitter * after + self.backoff_base)
        return rng.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** retry))


def retry_after(attempt: Attempt) -> float | None:
    """Retry-After in seconds (a number of seconds, possibly decimal, or an HTTP date)."""
    value = attempt.header.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
