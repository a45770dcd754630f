"""Error classes (SPEC §6) from what the wire tells: transport facts, HTTP status, error envelopes.

The body-level verdicts (cut streams, error events, malformed bodies) are judged by the assemblers that read
the bodies; this module maps codes to classes and reads error envelopes, OpenRouter's
`{"error": {"code", "message", "metadata": {"provider_name", "raw"}}}` and the plainer shapes other servers
use (`{"error": "text"}`, `{"message": ...}`, FastAPI's `{"detail": ...}`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import orjson

from replaykit.normalize.calls import args_text

# Classes where the provider itself said what went wrong: a transport fact does not override them.
PROVIDER_SAID = frozenset({"rate_limited", "server_error", "client_error", "timeout", "stream_error"})
MESSAGE_LIMIT = 500  # an error message is for reading in `inspect`, not a copy of an HTML error page
_TRANSPORT = {"connection": "connection", "timeout": "timeout", "stream_cut": "stream_cut", "harness": "harness"}
# A request that never left this machine, or was turned away by it: the harness's failure, not the provider's
# (docs/metrics.md). Matched in the recorded message, so that runs recorded before the `harness` kind existed
# are judged the same way.
_LOCAL_ALWAYS = re.compile(
    r"Name or service not known|Temporary failure in name resolution|nodename nor servname|"
    r"No address associated with hostname|getaddrinfo failed|Network is unreachable|No route to host|"
    r"Too many open files|Cannot assign requested address|No buffer space available|ProxyError|"
    r"SSLCertVerificationError|CERTIFICATE_VERIFY_FAILED|UnsupportedProtocol", re.IGNORECASE)
_REFUSED = re.compile(r"Connection refused|Connect call failed|All connection attempts failed|Errno 111\b",
                      re.IGNORECASE)


def status_class(status: int) -> str | None:
    """The class of an HTTP status; None for 2xx. 1xx and 3xx carry no completion either: a redirect means
    the base URL is wrong, which is the client's to fix, so they count as client errors."""
    if 200 <= status < 300:
        return None
    if status == 429:
        return "rate_limited"
    if status == 408:
        return "timeout"
    if status >= 500:
        return "server_error"
    return "client_error"


# A 400 that refuses the reasoning a previous answer carried and the client sent back (Anthropic's thinking
# `signature`, Gemini's `thought_signature`, Responses' `encrypted_content` or a reasoning item it cannot
# resolve, DeepSeek's missing `reasoning_content`): the earlier answer's fault (docs/metrics.md).
_SIGNATURE = re.compile(r"signature|encrypted.content|Items are not persisted when .store|reasoning_content",
                        re.IGNORECASE)


def status_error_class(status: int, message: str | None) -> str | None:
    """`status_class`, with a 400 about a reasoning signature told apart as `reasoning_signature`."""
    found = status_class(status)
    if status == 400 and message and _SIGNATURE.search(message):
        return "reasoning_signature"
    return found


def code_class(code: object) -> str:
    """The class of an error envelope inside a 200 body, by its `code` (OpenRouter uses HTTP codes); a missing
    or non-numeric code, or one outside 4xx, is the provider failing: `server_error`."""
    number = _as_int(code)
    if number == 429:
        return "rate_limited"
    if number == 408:
        return "timeout"
    if number is not None and 400 <= number < 500:
        return "client_error"
    return "server_error"


def transport_class(error: Mapping[str, object], status: int | None, body: str | None, uri: object = None) -> str:
    """The class of a transport fact recorded live. A read error after a 2xx body had started is a cut
    stream; before any body it is a broken connection. An unknown kind is a connection failure. A connection
    that failed on this machine's side (`local_failure`) is the harness's."""
    kind = error.get("kind")
    if kind == "read_error":
        started = status is not None and 200 <= status < 300 and bool(body)
        return "stream_cut" if started else "connection"
    found = _TRANSPORT.get(kind, "connection") if isinstance(kind, str) else "connection"
    if found == "connection" and status is None and local_failure(error.get("message"), uri):
        return "harness"
    return found


def local_failure(message: object, uri: object) -> bool:
    """Whether a connection failure's message says it never reached a provider: name resolution, no route,
    the client out of sockets or files, a proxy or TLS set-up error, or refused by this very machine."""
    if not isinstance(message, str):
        return False
    if _LOCAL_ALWAYS.search(message):
        return True
    return bool(_REFUSED.search(message)) and is_loopback(uri)


def is_loopback(uri: object) -> bool:
    if not isinstance(uri, str):
        return False
    try:
        host = urlsplit(uri).hostname
    except ValueError:
        return False
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


@dataclass(slots=True)
class ErrorInfo:
    """What an error envelope says."""

    code: object = None
    message: str | None = None
    provider: str | None = None


def error_info(error: object) -> ErrorInfo:
    """Read an `error` value: an object with code/message/metadata, or a bare string."""
    if isinstance(error, str):
        return ErrorInfo(message=clip(error))
    if not isinstance(error, dict):
        return ErrorInfo(message=None if error is None or isinstance(error, bool) else clip(str(error)))
    message = _text(error.get("message")) or _text(error.get("type"))
    meta = error.get("metadata")
    provider = raw = None
    if isinstance(meta, dict):
        provider = _text(meta.get("provider_name"))
        raw = meta.get("raw")
        raw = raw if isinstance(raw, str) else (args_text(raw) if isinstance(raw, dict) else None)
    if raw and (not message or raw not in message):
        message = f"{message}: {raw}" if message else raw
    return ErrorInfo(error.get("code"), clip(message) if message else None, provider)


def body_error_info(text: str | None) -> ErrorInfo:
    """The error an HTTP error body states: its envelope when it is JSON, else its text."""
    if not text or text.isspace():
        return ErrorInfo()
    stripped = text.strip()
    if stripped[:1] == "{":
        try:
            data = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            data = None
        if isinstance(data, dict):
            for key in ("error", "message", "detail"):
                if data.get(key) is not None:
                    return error_info(data[key])
    return ErrorInfo(message=clip(stripped))


def is_error(value: object) -> bool:
    """Whether an `error` field reports an error (some servers send `"error": null` in every chunk)."""
    return value is True or (bool(value) and isinstance(value, dict | str))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def clip(text: str) -> str:
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"
