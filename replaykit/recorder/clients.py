"""HTTP clients for recording: one single-connection client per request in flight, per provider.

httpcore checks every connection of its pool on each request and each response close (`has_expired`,
`is_idle`, a `getpeername` per connection). With one pool of 16–20 connections that scan was the largest
part of the recorder's CPU (scripts/bench_record.py: 0.61× a bare httpx loop). A client that owns one
connection scans one. Concurrency stays bounded by each provider's limiter, so this pool never holds more
clients per provider than requests that were in flight at once.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx


class ClientPool:
    """Idle clients per provider, lent out for one request at a time and closed together at the end."""

    def __init__(self) -> None:
        self._idle: dict[str, list[httpx.AsyncClient]] = {}
        self._all: list[httpx.AsyncClient] = []
        self._ssl: ssl.SSLContext | None = None

    @asynccontextmanager
    async def lend(self, provider: str) -> AsyncIterator[httpx.AsyncClient]:
        client = self.take(provider)
        try:
            yield client
        finally:
            self.give(provider, client)

    def take(self, provider: str) -> httpx.AsyncClient:
        """An idle client of this provider's, or a new one; `give` it back when its response is read."""
        idle = self._idle.setdefault(provider, [])
        return idle.pop() if idle else self._new()

    def give(self, provider: str, client: httpx.AsyncClient) -> None:
        self._idle.setdefault(provider, []).append(client)

    def _new(self) -> httpx.AsyncClient:
        if self._ssl is None:  # building a context loads the CA bundle (~20 ms): once per run, not per client
            self._ssl = httpx.create_ssl_context()
        client = new_client(max_connections=1, verify=self._ssl)
        self._all.append(client)
        return client

    async def aclose(self) -> None:
        for client in self._all:
            await client.aclose()
        self._all.clear()
        self._idle.clear()


def new_client(max_connections: int = 256, verify: ssl.SSLContext | bool = True) -> httpx.AsyncClient:
    """A client whose own timeouts stay out of the way: `send` enforces the attempt's deadline."""
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    return httpx.AsyncClient(timeout=httpx.Timeout(None, connect=30.0), limits=limits, trust_env=False,
                             verify=verify)
