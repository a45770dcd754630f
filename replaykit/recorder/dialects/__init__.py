"""Request building per wire dialect: one module per dialect, chosen by the provider's `api` field.

Scenarios and the recorder's running conversation stay in one form (chat-completions messages, tools as
JSON Schema); each dialect module turns them into its own request (URL, headers with its key header, body)
and says which stream events carry generated content (for TTFT). docs/dialects.md has the tables.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Protocol, cast

from replaykit.providers.config import Provider
from replaykit.recorder.dialects import anthropic, chat, gemini, responses
from replaykit.scenarios.model import Scenario


class RequestDialect(Protocol):
    def url(self, provider: Provider) -> str: ...

    def build_body(self, scenario: Scenario, provider: Provider, messages: list[dict[str, Any]],
                   seed: int) -> dict[str, Any]: ...

    def build_headers(self, provider: Provider) -> dict[str, str]: ...

    def has_token(self, event: bytes) -> bool: ...


_MODULES: dict[str, ModuleType] = {
    "openai-chat": chat, "anthropic-messages": anthropic, "openai-responses": responses, "gemini": gemini,
}


def request_dialect(api: str) -> RequestDialect:
    """The request builder of a dialect (`api` was checked when the provider file was read)."""
    return cast(RequestDialect, _MODULES[api])
