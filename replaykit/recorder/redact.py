"""Redaction before anything reaches disk: secret headers, key-like query parameters, and every known
secret value wherever it appears (headers, URL, request body, echoed response text)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

PLACEHOLDER = "<redacted>"
SECRET_HEADERS = frozenset({
    "authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie", "x-goog-api-key",
    "openai-organization", "openai-project", "x-auth-token",
})
KEYLIKE_PARAM = re.compile(r"(key|token|secret|signature|sig|password|auth)", re.I)


class Redactor:
    """Knows the secret values of this run (the API keys read from the environment)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, PLACEHOLDER)
        return value

    def url(self, url: str) -> str:
        if "?" not in url and "@" not in url:  # nothing structural to scrub: the common case, kept cheap
            return self.text(url)
        parts = urlsplit(url)
        if parts.query:
            query = [(k, PLACEHOLDER if KEYLIKE_PARAM.search(k) else v)
                     for k, v in parse_qsl(parts.query, keep_blank_values=True)]
            parts = parts._replace(query=urlencode(query, safe="<>"))
        if parts.password:
            parts = parts._replace(netloc=f"{parts.username}:{PLACEHOLDER}@{parts.hostname}"
                                          + (f":{parts.port}" if parts.port else ""))
        return self.text(urlunsplit(parts))

    def headers(self, headers: dict[str, list[str]]) -> dict[str, list[str]]:
        return {k: [PLACEHOLDER] * len(v) if k.lower() in SECRET_HEADERS else [self.text(x) for x in v]
                for k, v in headers.items()}

    def request(self, request: dict[str, Any]) -> dict[str, Any]:
        body = request.get("body")
        return {
            "method": request["method"],
            "uri": self.url(request["uri"]),
            "body": self.text(body) if isinstance(body, str) else body,
            "headers": self.headers(request.get("headers", {})),
        }
