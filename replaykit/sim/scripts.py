"""Turn a decided request into a `Script`: the bytes on the wire and when they go out, for every fault.

Timing: JSON answers arrive whole after TTFT + output tokens / TPS. Streams send `: OPENROUTER PROCESSING`
at once, the first token at TTFT, and the rest spread so the last token lands at TTFT + tokens / TPS; a client
computing TPS as output tokens / (total - TTFT) gets the drawn figure back. Every delay is scaled.
"""

from __future__ import annotations

import base64
import contextlib
import math
import random
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from replaykit.sim import wire
from replaykit.sim.faults import Answer

if TYPE_CHECKING:
    from replaykit.sim.engine import Request

_CREDENTIAL_NAME = re.compile(r"key|token|auth|secret|password|^k$", re.I)
_JSON, _SSE = b"application/json", b"text/event-stream"
_SERVER_ERRORS = {
    500: ("Internal Server Error", '{"error":"internal error"}'),
    502: ("Provider returned error", '{"detail":"upstream connect error or disconnect/reset"}'),
    503: ("Service temporarily unavailable", '{"error":{"message":"The server is overloaded"}}'),
}
_HTML = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
         b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
         b"</body>\r\n</html>\r\n")


@dataclass
class Script:
    """What to send: the status line at `head_at` seconds, then each part at its offset (seconds from the
    request's arrival). `complete=False` drops the connection after the last part (a cut)."""

    status: int
    headers: list[tuple[bytes, bytes]]
    parts: list[tuple[float, bytes]]
    head_at: float = 0.0
    complete: bool = True
    stream: bool = False
    record: dict[str, Any] = field(default_factory=dict)


def retry_after(seconds: float, whole: bool) -> bytes:
    """Real headers carry whole seconds; a scaled simulation needs fractions, so it sends a decimal."""
    if whole:
        return str(max(1, math.ceil(seconds))).encode()
    return f"{max(0.0, seconds):.3f}".encode()


def error(req: Request, status: int, message: str, raw: str | None, at: float = 0.0,
          extra: list[tuple[bytes, bytes]] | None = None) -> Script:
    body = req.wire.error_body(status, message, req.profile.display_name, raw)
    headers = [(b"content-type", _JSON), (b"x-generation-id", req.meta.id.encode()), *(extra or [])]
    return Script(status, headers, [(at, body)], head_at=at, stream=req.stream)


def render(req: Request, answer: Answer, fault: str | None, use: dict[str, Any], gen_s: float,
           scale: float, clock_scale: float) -> Script:
    """The script for one request. `scale` turns simulated delays into real ones."""
    rng = req.draws.rng("wire")
    ttft, gen = req.ttft_s * scale, gen_s * scale
    if fault in ("rate_limit", "rate_limited"):
        return _rate_limited(req, fault, scale, clock_scale)
    if fault == "downtime":
        return error(req, 503, f"{req.profile.display_name} is temporarily unavailable (scheduled downtime)",
                     '{"error":"service unavailable"}')
    if fault in ("server_error", "server_error_burst"):
        status = rng.choice(sorted(_SERVER_ERRORS))
        return error(req, status, *_SERVER_ERRORS[status], at=ttft)
    if fault == "timeout":
        return error(req, 408, "Timed out waiting for the provider to respond", None,
                     at=req.profile.param("stall_s") * scale)
    if req.stream:
        return _stream(req, answer, fault, use, ttft, gen, rng)
    return _json(req, answer, fault, use, ttft + gen, rng)


def _rate_limited(req: Request, fault: str, scale: float, clock_scale: float) -> Script:
    if fault == "rate_limit":  # the token bucket: the real time until a slot frees
        wait, whole = req.record["retry_after_s"], clock_scale == 1.0
    else:
        wait, whole = req.profile.param("retry_after_s") * scale, scale == 1.0
        req.record["retry_after_s"] = wait
    header = retry_after(wait, whole)
    extra = [(b"retry-after", header), (b"x-ratelimit-remaining", b"0")]
    return error(req, 429, f"Rate limit exceeded: {req.profile.display_name} is rate-limited; retry shortly",
                 '{"error":{"message":"Too many requests"}}', extra=extra)


def _json(req: Request, answer: Answer, fault: str | None, use: dict[str, Any], at: float,
          rng: random.Random) -> Script:
    headers = [(b"content-type", _JSON), (b"x-generation-id", req.meta.id.encode())]
    if fault == "stream_error":
        failed = Answer("", None, "error")
        body = req.wire.completion(req.meta, failed, use, {"code": 502, "message": "Provider disconnected"})
    else:
        body = req.wire.completion(req.meta, answer, use)
    complete = True
    if fault == "malformed_body":
        if rng.random() < 0.5:
            body = body[: len(body) // 2]
        else:
            body, headers[0] = _HTML, (b"content-type", b"text/html; charset=utf-8")
    length = len(body)
    if fault == "stream_cut":  # announce the whole length, send part of it, drop the connection
        body, complete = body[: rng.randrange(1, length)], False
    headers.append((b"content-length", str(length).encode()))
    return Script(200, headers, [(at, body)], head_at=at, complete=complete, stream=False)


def _timeline(parts: wire.SseParts, opening: bytes, ttft: float, gen: float) -> list[tuple[float, bytes]]:
    out: list[tuple[float, bytes]] = [(0.0, opening)]
    tokens = parts.tokens or [(0, b"")]
    first = tokens[0][0]
    span = sum(chars for chars, _ in tokens) - first
    cum = 0
    for k, (chars, data) in enumerate(tokens):
        cum += chars
        if k == 0:
            out.append((ttft, parts.role + data))
        else:
            out.append((ttft + (gen * (cum - first) / span if span > 0 else gen), data))
    out.append((ttft + gen, parts.finish + (parts.usage or b"")))
    return out


def _stream(req: Request, answer: Answer, fault: str | None, use: dict[str, Any], ttft: float, gen: float,
            rng: random.Random) -> Script:
    options = req.body.get("stream_options")
    include = isinstance(options, dict) and options.get("include_usage") is True
    timeline = _timeline(req.wire.sse_parts(req.meta, answer, use if include else None, rng), req.wire.PROCESSING,
                         ttft, gen)
    headers = [(b"content-type", req.wire.STREAM_TYPE), (b"cache-control", b"no-cache"),
               (b"x-generation-id", req.meta.id.encode())]
    complete = True
    if fault == "stream_cut":
        timeline, complete = _cut(timeline, len(req.wire.PROCESSING), rng), False
    elif fault == "stream_error":
        kept = rng.randint(1, len(timeline) - 1)
        error = req.wire.stream_error_chunk(req.meta, 502, "Provider disconnected unexpectedly")
        timeline = [*timeline[:kept], (timeline[kept][0], error)]
    else:
        if fault == "malformed_body":
            timeline = _corrupt(timeline, rng, b"data: {" if req.wire.STREAM_TYPE == _SSE else b"{")
        timeline.append((timeline[-1][0], req.wire.closing(req.meta, answer, use)))
    return Script(200, headers, timeline, complete=complete, stream=True)


def _cut(timeline: list[tuple[float, bytes]], opening: int, rng: random.Random) -> list[tuple[float, bytes]]:
    """Keep the stream up to a random byte after the opening comment; no [DONE] (no closing event)."""
    total = sum(len(data) for _, data in timeline)
    offset = rng.randrange(opening + 1, total)
    out, sent = [], 0
    for at, data in timeline:
        if sent + len(data) >= offset:
            out.append((at, data[: offset - sent]))
            break
        out.append((at, data))
        sent += len(data)
    return out


def _corrupt(timeline: list[tuple[float, bytes]], rng: random.Random, mark: bytes) -> list[tuple[float, bytes]]:
    """One event's JSON cut in half (a prefix of a JSON object never parses); the stream goes on. `mark`
    opens an event's JSON: `data: {` in SSE, `{` in a streamed JSON array."""
    k = rng.choice([j for j in range(1, len(timeline)) if mark in timeline[j][1]])
    at, data = timeline[k]
    events = data.split(b"\n\n")
    i = next(j for j, ev in enumerate(events) if mark in ev)
    ev = events[i]
    start = ev.index(mark) + len(mark) - 1  # after a named event's `event:` line too
    events[i] = ev[: start + max(1, (len(ev) - start) // 2)]
    out = list(timeline)
    out[k] = (at, b"\n\n".join(events))
    return out


def echo_credentials(script: Script, credentials: list[str], authorization: str = "") -> None:
    """Put the caller's credentials where careless providers do, in every form a reader may decode: a cookie,
    debug headers (raw, base64 at an odd alignment, every byte percent-encoded), the message of an error body
    ("Incorrect API key provided: ..." raw and as JSON `\\u` escapes), and a success's answer text (`\\u`
    escaped, and split across three stream events). The recorder must scrub all of them."""
    if not credentials:
        return
    key = credentials[0]
    script.headers.append((b"set-cookie", f"session={key}; Path=/; HttpOnly".encode()))
    if authorization:
        script.headers.append((b"x-debug-authorization", authorization.encode()))
    for n, secret in enumerate(credentials):
        script.headers += [(f"x-debug-echo-{n}-b64".encode(), base64.b64encode(b"k=" + secret.encode())),
                           (f"x-debug-echo-{n}-url".encode(), "".join(f"%{b:02X}" for b in secret.encode()).encode())]
    if not script.parts:
        return
    escaped = "".join(f"\\u{ord(c):04x}" for c in key)
    if script.status >= 400:
        at, body = script.parts[0]
        echoed = f'"message":"Incorrect API key provided: {key} ({escaped}). '.encode()
        script.parts[0] = (at, body.replace(b'"message":"', echoed, 1))
    elif script.stream and len(script.parts) > 2:
        third = max(1, len(key) // 3)
        pieces = [" key: ", key[:third], key[third:2 * third], key[2 * third:], f" again: {escaped}"]
        events = b"".join(b'data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"'
                          + piece.encode() + b'"},"finish_reason":null}]}\n\n' for piece in pieces)
        at, data = script.parts[1]
        script.parts[1] = (at, data + events)
    elif not script.stream and script.complete:
        at, body = script.parts[0]
        text = f'"content":"key: {escaped} '.encode()
        body = body.replace(b'"content":"', text, 1) if b'"content":"' in body else \
            body.replace(b'"content":null', text.rstrip(b" ") + b'"', 1)
        script.parts[0] = (at, body)
        script.headers = [(k, str(len(body)).encode() if k == b"content-length" else v) for k, v in script.headers]


def request_credentials(headers: Any, query: Any) -> tuple[list[str], str]:
    """The credentials a request carries (Bearer token, Basic's password, key-like headers and query
    parameters), and its Authorization header as sent."""
    authorization = str(headers.get("authorization", ""))
    found = []
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        found.append(value.strip())
    elif scheme.lower() == "basic":
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            found.append(base64.b64decode(value).decode().partition(":")[2])
    for name, value in [*headers.items(), *query.items()]:
        if name.lower() != "authorization" and _CREDENTIAL_NAME.search(name) and value:
            found.append(value)
    return [f for f in found if f], authorization
