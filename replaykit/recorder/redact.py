"""Redaction before anything reaches disk: secret headers, key-like query parameters, and every known
secret value wherever it appears (headers, URL, request body, echoed response text), in every form it may
come back in (redaction/forms.py), across the events of a stream (redaction/streams.py)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from replaykit.redaction.forms import (
    PLACEHOLDER,
    base64_cores,
    looks_like_credential,
    may_be_encoded,
    secret_pattern,
)
from replaykit.redaction.names import KEYLIKE_PARAM, SECRET_HEADERS, secret_name
from replaykit.redaction.streams import redact_stream

__all__ = ["KEYLIKE_PARAM", "PLACEHOLDER", "SECRET_HEADERS", "Redactor", "secret_name"]
_SCHEME = re.compile(r"^(?:Bearer|Basic|Token|Key|ApiKey|Api-Key|Digest)\s+", re.I)
MIN_SECRET = 4  # shorter values would match by chance everywhere


def _json_escaped(secret: str) -> tuple[str, str]:
    once = json.dumps(secret)[1:-1]
    return once, json.dumps(once)[1:-1]


def credential_values(value: str) -> list[str]:
    """The secrets inside one credential value: the value, without its scheme, and Basic's decoded parts."""
    value = value.strip()
    bare = _SCHEME.sub("", value)
    out = [value, bare]
    if value.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(bare, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        password = decoded.partition(":")[2]
        out += [decoded, password]
    return [v for v in out if len(v) >= MIN_SECRET]


class Redactor:
    """Knows the secret values of this run (the API keys read from the environment, the provider file's
    header values and URL credentials) and the names of headers that are secret whatever their value."""

    def __init__(self, secrets: Iterable[str] = (), headers: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if s and len(s) >= MIN_SECRET}, key=len, reverse=True)
        self.secret_headers = frozenset(h.lower() for h in headers)
        # the cheap test before the full pattern: each secret as is, JSON-escaped once and twice, in base64
        self._literals = [form for s in self.secrets for form in (s, *_json_escaped(s), *base64_cores(s.encode()))]
        self._pattern = secret_pattern(self.secrets)

    def learn(self, secrets: Iterable[str]) -> Redactor:
        """A redactor that also knows `secrets` (self when they are all known already)."""
        new = {s for s in secrets if len(s) >= MIN_SECRET} - set(self.secrets)
        return Redactor([*self.secrets, *new], self.secret_headers) if new else self

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where known secrets sit in `text`, in any of their forms."""
        if self._pattern is None:
            return []
        if not may_be_encoded(text) and not any(form in text for form in self._literals):
            return []
        return [m.span() for m in self._pattern.finditer(text)]

    def text(self, value: str) -> str:
        spans = self.spans(value)
        if not spans:
            return value
        out, at = [], 0
        for start, end in spans:
            out += [value[at:start], PLACEHOLDER]
            at = end
        out.append(value[at:])
        return "".join(out)

    def body(self, value: str) -> str:
        """A response or request body: `text`, then secrets split across the events of a stream."""
        return redact_stream(self.text(value), self.spans) if self.secrets else value

    def url(self, url: str) -> str:
        if "?" not in url and "@" not in url:  # nothing structural to scrub: the common case, kept cheap
            return self.text(url)
        parts = urlsplit(url)
        if parts.query:
            query = [(k, PLACEHOLDER if KEYLIKE_PARAM.search(k) or secret_name(k) else v)
                     for k, v in parse_qsl(parts.query, keep_blank_values=True)]
            parts = parts._replace(query=urlencode(query, safe="<>"))
        if parts.password:
            parts = parts._replace(netloc=f"{parts.username}:{PLACEHOLDER}@{parts.hostname}"
                                          + (f":{parts.port}" if parts.port else ""))
        return self.text(urlunsplit(parts))

    def is_secret_header(self, name: str) -> bool:
        return name.lower() in self.secret_headers or secret_name(name)

    def headers(self, headers: dict[str, list[str]]) -> dict[str, list[str]]:
        return {k: [PLACEHOLDER] * len(v) if self.is_secret_header(k) else [self.text(x) for x in v]
                for k, v in headers.items()}

    def request(self, request: dict[str, Any]) -> dict[str, Any]:
        body = request.get("body")
        return {
            "method": request["method"],
            "uri": self.url(request["uri"]),
            "body": self.body(body) if isinstance(body, str) else body,
            "headers": self.headers(request.get("headers", {})),
        }

    def learn_request(self, request: dict[str, Any]) -> Redactor:
        """A redactor that also knows the credentials a captured request carries: secret headers' values,
        key-like query parameters, and the URL's user information."""
        found: list[str] = []
        for name, values in (request.get("headers") or {}).items():
            if self.is_secret_header(name):
                for value in values if isinstance(values, list) else [values]:
                    found += credential_values(str(value))
        found += url_credentials(str(request.get("uri") or ""))
        return self.learn(found)


def url_credentials(url: str) -> list[str]:
    """The secrets a URL carries: its password (and user:password), and key-like query parameter values."""
    parts = urlsplit(url)
    found = []
    if parts.password:
        found += [unquote(parts.password), f"{unquote(parts.username or '')}:{unquote(parts.password)}"]
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if KEYLIKE_PARAM.search(key) or secret_name(key):
            found.append(value)
    return [v for v in found if len(v) >= MIN_SECRET]


def field_secrets(value: Any, secret: bool = False) -> list[str]:
    """The secret strings inside a JSON-like value: those under a secret name (`api_key`, `token`, ...), and
    any that look like a credential (long, random) wherever they are."""
    if isinstance(value, str):
        return [value] if len(value) >= MIN_SECRET and (secret or looks_like_credential(value)) else []
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in field_secrets(v, secret or secret_name(k))]
    if isinstance(value, list):
        return [s for v in value for s in field_secrets(v, secret)]
    return []


def redact_fields(value: Any, secret: bool = False) -> Any:
    """`value` with every string `field_secrets` would find replaced by the placeholder (a new structure)."""
    if isinstance(value, str):
        return PLACEHOLDER if value and (secret or looks_like_credential(value)) else value
    if isinstance(value, dict):
        return {k: redact_fields(v, secret or secret_name(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_fields(v, secret) for v in value]
    return value
