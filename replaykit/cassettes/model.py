"""The in-memory form of a cassette: one sample, every attempt in order.

On disk (docs/cassette-format.md) a cassette is a vcrpy cassette whose `interactions` stock vcrpy replays;
replaykit's own data lives under the top-level `replaykit` key, which vcrpy ignores. An attempt that got no
HTTP response (connection refused, timeout before headers) has no interaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_STREAM_ON = re.compile(r'"stream"\s*:\s*true')
FORMAT_VERSION = 1  # replaykit's cassette format (the `replaykit.format` field)
VCR_VERSION = 1  # vcrpy's cassette format

SERVER_WARNING_HEADER = "x-replaykit-sim-warning"  # set by the simulator, surfaced by the recorder


@dataclass(slots=True)
class Attempt:
    """One HTTP exchange, as recorded.

    `error` is a transport-level fact seen while recording, `{"kind", "message"}` with kind one of
    `connection`, `timeout`, `stream_cut`, `read_error`; HTTP and body problems are judged later by the
    normalizer. `body` is the response body as text (partial when the stream was cut).
    """

    request: dict[str, Any]  # vcrpy request dict: method, uri, body, headers
    status: int | None = None
    reason: str = ""
    response_headers: dict[str, list[str]] = field(default_factory=dict)
    body: str | None = None
    error: dict[str, str] | None = None
    timing: dict[str, Any] = field(default_factory=dict)  # started_at, ttfb_ms, ttft_ms, total_ms, events_ms
    step: int = 0  # turn of a multi-turn scenario
    provider: str = ""  # the provider this attempt went to (fallback hops differ from the sample's)
    retry: int = 0  # 0 for the first try of a step on a provider
    wait_ms: float = 0.0  # time waited before this attempt (retry backoff / Retry-After)

    @property
    def header(self) -> dict[str, str]:
        """Response headers, lower-cased, last value wins."""
        return {k.lower(): v[-1] for k, v in self.response_headers.items() if v}

    @property
    def server_warning(self) -> str | None:
        """A warning the server attached to its answer (replaykit's simulator: an unknown scenario)."""
        for key, values in self.response_headers.items():
            if values and key.lower() == SERVER_WARNING_HEADER:
                return values[-1]
        return None

    @property
    def is_stream(self) -> bool:
        """An SSE answer, or a request that asked for one (a stream cut before its headers has no answer)."""
        ctype = ""
        for key, values in self.response_headers.items():  # as `header` does, without building it
            if len(key) == 12 and values and key.lower() == "content-type":
                ctype = values[-1]
        if "event-stream" in ctype:
            return True
        body = self.request.get("body")
        if isinstance(body, str) and _STREAM_ON.search(body) is not None:
            return True
        uri = self.request.get("uri")  # Gemini asks for a stream in the URL, not the body
        return isinstance(uri, str) and ":streamGenerateContent" in uri


@dataclass(slots=True)
class SampleId:
    """Which sample a cassette holds: (provider, scenario, repetition)."""

    provider: str
    scenario: str
    repetition: int
    scenario_hash: str = ""
    mode: str = "native"

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.provider, self.scenario, self.repetition)


@dataclass(slots=True)
class Cassette:
    sample: SampleId
    attempts: list[Attempt]
    complete: bool = True
    path: str = ""
    foreign: bool = False  # read from a cassette replaykit did not write
    extra: dict[str, Any] = field(default_factory=dict)
