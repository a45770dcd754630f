"""Is a provider reachable from this machine at all? A pre-flight before spending, and a tally while
recording, so that a dead network or a wrong base URL is said loudly instead of being scored as the
provider's failures (docs/metrics.md, "harness")."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from replaykit.errors import BadInputError
from replaykit.providers.config import Provider
from replaykit.recorder.clients import new_client
from replaykit.recorder.http import send

CONNECTION_LEVEL = frozenset({"connection", "harness"})  # no HTTP response came back at all
EARLY_STOP_ATTEMPTS = 12  # per lane: this many attempts, none with an HTTP response, on every lane: stop
PREFLIGHT_TIMEOUT_S = 10.0


class NothingReachable(BadInputError):
    """No provider of the run answered at all: nothing is recorded (exit 2)."""


def preflight(providers: Sequence[Provider]) -> dict[str, str]:
    """One cheap request per provider (`GET {base_url}/models`, without the key): name -> why it is
    unreachable, for those that gave no HTTP response. Any HTTP status, even 404, means reachable."""
    unique = {p.name: p for p in providers}
    return asyncio.run(_probe_all(list(unique.values())))


async def _probe_all(providers: list[Provider]) -> dict[str, str]:
    client = new_client(max_connections=max(4, len(providers)))
    try:
        found = await asyncio.gather(*(_probe(client, p) for p in providers))
    finally:
        await client.aclose()
    return {p.name: why for p, why in zip(providers, found) if why}


async def _probe(client: httpx.AsyncClient, provider: Provider) -> str | None:
    url = provider.base_url.rstrip("/") + "/models"
    headers = {"accept": "application/json", "user-agent": "replaykit"}
    attempt = await send(client, url, headers, b"", timeout=min(provider.timeout, PREFLIGHT_TIMEOUT_S),
                         method="GET")
    if attempt.status is not None or not attempt.error:
        return None
    kind = attempt.error.get("kind")
    if kind == "timeout":  # slow to list models is not unreachable: the chat requests will tell
        return None
    where = "on this machine's side" if kind == "harness" else "at connection level"
    return f"{url}: failed {where}: {attempt.error.get('message')}"


@dataclass
class Reachability:
    """Per sample provider (lane): attempts, and those that got no HTTP response at all."""

    unreachable: dict[str, str] = field(default_factory=dict)  # lane -> why, from the pre-flight
    attempts: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)

    def note(self, lane: str, classes: Sequence[str | None]) -> None:
        self.attempts[lane] += len(classes)
        self.failed[lane] += sum(1 for c in classes if c in CONNECTION_LEVEL)

    def all_down(self, lanes: set[str]) -> bool:
        """Every lane has tried enough and never got an HTTP response: going on would only record the
        network's failures."""
        return bool(lanes) and all(self.attempts[lane] >= EARLY_STOP_ATTEMPTS and
                                   self.failed[lane] == self.attempts[lane] for lane in lanes)

    def total(self) -> int:
        return sum(self.attempts.values())

    def verdicts(self) -> dict[str, str]:
        """Every lane that never reached its provider: the pre-flight's, then those whose every attempt
        failed at connection level."""
        out = dict(self.unreachable)
        for lane, n in sorted(self.attempts.items()):
            if n and self.failed[lane] == n:
                out.setdefault(lane, f"all {n} attempts failed at connection level (no HTTP response)")
        return out
