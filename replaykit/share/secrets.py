"""Secret scan: key formats of the common providers, bearer tokens, cookies, key-like query parameters.

Runs over a cassette's structure, so every finding names the file and the field it sits in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from replaykit.recorder.redact import KEYLIKE_PARAM, PLACEHOLDER, SECRET_HEADERS

PATTERNS: dict[str, re.Pattern[str]] = {
    "openrouter key": re.compile(r"sk-or-v1-[0-9a-f]{32,}"),
    "anthropic key": re.compile(r"sk-ant-[A-Za-z0-9_-]{20,}"),
    "openai key": re.compile(r"\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}"),
    "google api key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}"),
    "groq key": re.compile(r"\bgsk_[A-Za-z0-9]{20,}"),
    "xai key": re.compile(r"\bxai-[A-Za-z0-9]{20,}"),
    "hugging face token": re.compile(r"\bhf_[A-Za-z0-9]{30,}"),
    "fireworks key": re.compile(r"\bfw_[A-Za-z0-9]{20,}"),
    "github token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}"),
    "aws access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "bearer token": re.compile(r"\bBearer\s+(?!<redacted>)[A-Za-z0-9._~+/=-]{12,}", re.I),
}


@dataclass(frozen=True)
class Finding:
    file: str
    field: str
    kind: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.kind}"


def scan_text(text: str) -> Iterator[str]:
    for kind, pattern in PATTERNS.items():
        if pattern.search(text):
            yield kind


def scan_value(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(field path, kind) for every secret-looking string inside a JSON-like value."""
    if isinstance(value, str):
        for kind in scan_text(value):
            yield path, kind
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from scan_value(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from scan_value(item, f"{path}[{i}]")


def scan_headers(headers: Any, path: str) -> Iterator[tuple[str, str]]:
    if not isinstance(headers, dict):
        return
    for name, values in headers.items():
        values = values if isinstance(values, list) else [values]
        if str(name).lower() in SECRET_HEADERS and any(str(v) != PLACEHOLDER for v in values):
            yield f"{path}.{name}", f"unredacted {str(name).lower()} header"


def scan_url(url: Any, path: str) -> Iterator[tuple[str, str]]:
    if not isinstance(url, str):
        return
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if KEYLIKE_PARAM.search(key) and value and value != PLACEHOLDER:
            yield f"{path}?{key}", "key-like query parameter"
    if parts.password and parts.password != PLACEHOLDER:
        yield path, "password in URL"


def scan_cassette(data: dict[str, Any], file: str) -> list[Finding]:
    """Findings in a parsed cassette (replaykit's or vcrpy's layout)."""
    found: list[tuple[str, str]] = []
    for i, inter in enumerate(data.get("interactions") or []):
        if not isinstance(inter, dict):
            continue
        base = f"interactions[{i}]"
        req, resp = inter.get("request") or {}, inter.get("response") or {}
        found += scan_headers(req.get("headers"), f"{base}.request.headers")
        found += scan_url(req.get("uri"), f"{base}.request.uri")
        found += scan_headers(resp.get("headers"), f"{base}.response.headers")
    found += scan_value(data, "")
    unique = dict.fromkeys(found)
    return [Finding(file, field, kind) for field, kind in unique]
