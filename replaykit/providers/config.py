"""The provider config model: one endpoint + model + routing, as the recorder will call it."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any

MODES = ("native", "prompt")
STREAM_FORMATS = ("sse", "json-array")  # how Gemini streams: `alt=sse`, or one JSON array
APIS = ("openai-chat", "anthropic-messages", "openai-responses", "gemini")  # wire dialects (docs/dialects.md)


@dataclass(frozen=True)
class Price:
    input_per_mtok: float
    output_per_mtok: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input_per_mtok + completion_tokens * self.output_per_mtok) / 1e6


@dataclass(frozen=True)
class Provider:
    """One provider to record against. `api_key_env` names the variable; the key never lives here."""

    name: str
    base_url: str
    model: str
    api_key_env: str | None = None
    temperature: float | None = 0.0
    max_tokens: int | None = None
    stream: bool = True
    mode: str = "native"
    routing: dict[str, Any] | None = None
    quantization: str | None = None
    price: Price | None = None
    data_policy: str | None = None
    max_concurrency: int = 4
    timeout: float = 120.0
    usage_accounting: bool = False
    context_length: int | None = None
    extra_body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    api: str = "openai-chat"
    prompt_format: str = "hermes"  # prompt mode's format: a model family's (replaykit/promptformats/)
    stream_format: str = "sse"  # Gemini only: "json-array" streams without alt=sse
    source: str = ""

    @property
    def chat_url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"

    def api_key(self) -> str | None:
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def key_status(self) -> str:
        if not self.api_key_env:
            return "no key needed"
        return f"${self.api_key_env} ({'set' if os.environ.get(self.api_key_env) else 'not set'})"

    def with_overrides(self, **changes: Any) -> Provider:
        data = {**self.__dict__, **{k: v for k, v in changes.items() if v is not None}}
        return Provider(**data)

    def sanitized(self) -> dict[str, Any]:
        """The config as stored in run.json: header values, URL credentials and secret `extra_body` values
        are `<redacted>` (header names stay, so a reader sees what was sent, not with what)."""
        from replaykit.recorder.redact import PLACEHOLDER, Redactor, redact_fields  # recorder imports us

        data = asdict(self)
        data.pop("source")
        if data["api"] == "openai-chat":  # the default: run.json files stay as they were before dialects
            data.pop("api")
        for key, default in (("prompt_format", "hermes"), ("stream_format", "sse")):  # likewise for defaults
            if data[key] == default:
                data.pop(key)
        data["base_url"] = Redactor().url(self.base_url)
        data["headers"] = dict.fromkeys(self.headers, PLACEHOLDER)
        data["extra_body"] = redact_fields(self.extra_body)
        return {k: v for k, v in data.items() if v not in (None, {}, "")}

    def secrets(self) -> list[str]:
        """Every secret value this provider sends: its key, credential-like header values, the URL's
        credentials, secret `extra_body` values. The recorder redacts each, in any form, wherever it appears."""
        from replaykit.recorder.redact import credential_values, field_secrets, secret_name, url_credentials

        key = self.api_key()
        found = credential_values(key) if key else []
        for name, value in self.headers.items():
            found += credential_values(value) if secret_name(name) else field_secrets(value)
        return found + url_credentials(self.base_url) + field_secrets(self.extra_body)
