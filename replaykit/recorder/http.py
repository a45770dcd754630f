"""The one HTTP code path: send a request, read JSON or SSE as it arrives, and time it live.

vcrpy buffers a stream while recording and drops a stream that breaks, so replaykit does not record through
vcrpy: it reads the live stream itself (time to first byte and first token, each SSE event's arrival) and
keeps the bytes received before any failure. Replay verification drives this same function through vcrpy.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from replaykit.cassettes.model import Attempt
from replaykit.normalize.classify import is_loopback, local_failure
from replaykit.recorder.arrayframes import ArrayFrames


@dataclass
class StreamClock:
    """Arrival offsets of SSE events and the first event that carries content or a tool-call delta."""

    t0: float
    events_ms: list[float] = field(default_factory=list)
    ttft_ms: float | None = None
    _tail: bytes = b""
    has_token: Callable[[bytes], bool] = field(default=lambda event: _has_token(event))  # per dialect

    def feed(self, chunk: bytes, now: float) -> None:
        data = self._tail + chunk
        parts = data.replace(b"\r\n", b"\n").split(b"\n\n")
        self._tail = parts.pop()
        self._arrived(parts, now)

    def feed_array(self, frames: ArrayFrames, chunk: bytes, now: float) -> None:
        """A streamed JSON array (Gemini without alt=sse): each element is an event."""
        self._arrived(frames.feed(chunk), now)

    def _arrived(self, events: list[bytes], now: float) -> None:
        offset = round((now - self.t0) * 1000, 3)
        for event in events:
            if not event.strip():
                continue
            self.events_ms.append(offset)
            if self.ttft_ms is None and self.has_token(event):
                self.ttft_ms = offset


def _has_token(event: bytes) -> bool:
    """Does this SSE event carry generated content (text or a tool-call delta)?"""
    if b'"tool_calls"' not in event and b'"content"' not in event:
        return False
    for line in event.split(b"\n"):
        if not line.startswith(b"data:"):
            continue
        try:
            chunk = orjson.loads(line[5:])
            delta = chunk["choices"][0].get("delta") or {}
        except (orjson.JSONDecodeError, KeyError, IndexError, TypeError, AttributeError):
            continue
        if delta.get("tool_calls") or delta.get("content"):
            return True
    return False


def event_objects(event: bytes) -> Iterator[dict[str, Any]]:
    """The JSON objects in an SSE event's `data:` lines, or the event itself when it is an element of a
    streamed JSON array (what the dialects' TTFT tests look into)."""
    if event[:1] == b"{":
        with contextlib.suppress(orjson.JSONDecodeError):
            data = orjson.loads(event)
            if isinstance(data, dict):
                yield data
        return
    for line in event.split(b"\n"):
        if line.startswith(b"data:"):
            try:
                data = orjson.loads(line[5:])
            except orjson.JSONDecodeError:
                continue
            if isinstance(data, dict):
                yield data


def _request_dict(method: str, url: str, headers: dict[str, str], content: bytes) -> dict[str, object]:
    return {"method": method, "uri": url, "body": content.decode("utf-8"),
            "headers": {k: [v] for k, v in headers.items()}}


async def send(client: httpx.AsyncClient, url: str, headers: dict[str, str], content: bytes, *,
               timeout: float, method: str = "POST", has_token: Callable[[bytes], bool] | None = None) -> Attempt:
    """Send one request; never raises for HTTP or transport failures: they are recorded in the Attempt.
    `has_token` tells an SSE event that carries generated content (the dialect's; chat completions' if None)."""
    attempt = Attempt(request=_request_dict(method, url, headers, content))
    started_at = time.time()
    t0 = time.perf_counter()
    clock = StreamClock(t0, has_token=has_token or _has_token)
    chunks: list[bytes] = []
    try:
        async with asyncio.timeout(timeout):
            await _exchange(client, method, url, headers, content, attempt, clock, chunks)
    except (TimeoutError, httpx.TimeoutException) as err:
        attempt.error = {"kind": "timeout", "message": _describe(err) or f"no complete answer in {timeout:g} s"}
    except (httpx.RemoteProtocolError, httpx.ReadError) as err:
        kind = "stream_cut" if attempt.status is not None else "connection"
        attempt.error = {"kind": kind, "message": _describe(err)}
    except (httpx.ConnectError, httpx.NetworkError, httpx.ProtocolError, httpx.ProxyError,
            httpx.UnsupportedProtocol, OSError) as err:
        message = _describe_chain(err)
        local = attempt.status is None and (_local_cause(err, url) or local_failure(message, url))
        attempt.error = {"kind": "harness" if local else "connection", "message": message}
    end = time.perf_counter()
    if attempt.status is not None:
        attempt.body = b"".join(chunks).decode("utf-8", "replace")
    attempt.timing = {
        "started_at": round(started_at, 6),
        "ttfb_ms": attempt.timing.get("ttfb_ms"),
        "ttft_ms": clock.ttft_ms,
        "total_ms": round((end - t0) * 1000, 3),
        "events_ms": clock.events_ms,
    }
    return attempt


async def _exchange(client: httpx.AsyncClient, method: str, url: str, headers: dict[str, str], content: bytes,
                    attempt: Attempt, clock: StreamClock, chunks: list[bytes]) -> None:
    async with client.stream(method, url, headers=headers, content=content) as response:
        attempt.timing["ttfb_ms"] = round((time.perf_counter() - clock.t0) * 1000, 3)
        attempt.status = response.status_code
        attempt.reason = response.reason_phrase
        attempt.response_headers = _headers(response)
        ctype = response.headers.get("content-type", "")
        sse = "event-stream" in ctype
        # a 2xx JSON body may be a streamed array (Gemini without alt=sse); the frames switch off on any other
        frames = ArrayFrames() if not sse and "json" in ctype and 200 <= response.status_code < 300 else None
        async for chunk in response.aiter_raw():
            chunks.append(chunk)
            if sse:
                clock.feed(chunk, time.perf_counter())
            elif frames is not None and not frames.off:
                clock.feed_array(frames, chunk, time.perf_counter())


def _headers(response: httpx.Response) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in response.headers.multi_items():
        out.setdefault(name, []).append(value)
    return out


def _describe(err: BaseException) -> str:
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__


def _causes(err: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen and len(chain) < 8:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _describe_chain(err: BaseException) -> str:
    """The error and its root cause: httpx says "All connection attempts failed", the cause says why."""
    chain = _causes(err)
    root = chain[-1]
    return _describe(err) if root is err or str(root) in str(err) else f"{_describe(err)} ({_describe(root)})"


# errno values that mean the request never left this machine or this machine is out of resources
_LOCAL_ERRNOS = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EMFILE, errno.ENFILE, errno.EADDRNOTAVAIL,
                           errno.ENOBUFS, errno.ENOMEM})


def _local_cause(err: BaseException, url: str) -> bool:
    """The harness's failure, judged on the live exception (its errno), not only on its text."""
    for cause in _causes(err):
        if isinstance(cause, (socket.gaierror, ssl.SSLError, httpx.ProxyError, httpx.UnsupportedProtocol)):
            return True
        number = getattr(cause, "errno", None)
        if number in _LOCAL_ERRNOS or (number == errno.ECONNREFUSED and is_loopback(url)):
            return True
    return False
