"""Body readers per wire dialect: one module per dialect, each reading a JSON body and a stream into the
one `Outcome` (calls, text, finish reason in chat-completions' vocabulary with the dialect's own kept as the
native one, usage with `prompt_tokens`/`completion_tokens` added, error classes of the shared taxonomy).

The dialect of an attempt is told by its request URL, so foreign cassettes read right too: `/messages` is
Anthropic Messages, `/responses` OpenAI Responses, `:generateContent` / `:streamGenerateContent` Gemini, and
anything else chat completions (docs/dialects.md).
"""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType
from typing import Any, Protocol, cast
from urllib.parse import urlsplit

from replaykit.normalize import json_body, stream
from replaykit.normalize.dialects import anthropic, gemini, responses
from replaykit.normalize.outcome import Outcome


class BodyReader(Protocol):
    def read_json(self, text: str, out: Outcome) -> bool: ...

    def read_stream(self, text: str, out: Outcome) -> bool: ...


class _Chat:
    read_json = staticmethod(json_body.read_json)
    read_stream = staticmethod(stream.read_stream)


_READERS: dict[str, ModuleType] = {"anthropic-messages": anthropic, "openai-responses": responses, "gemini": gemini}
CHAT = _Chat()


def api_of(request: Any) -> str:
    """The dialect of a recorded request, from its URL's path."""
    uri = request.get("uri") if isinstance(request, dict) else None
    return _api_of_uri(uri) if isinstance(uri, str) else "openai-chat"


@lru_cache(maxsize=1024)  # a run's attempts go to a few URLs: each is told apart once
def _api_of_uri(uri: str) -> str:
    path = urlsplit(uri).path.rstrip("/")
    if path.endswith(("/messages", "/messages/count_tokens")):
        return "anthropic-messages"
    if path.endswith("/responses") or path.rpartition("/")[0].endswith("/responses"):  # create, or retrieve
        return "openai-responses"
    if path.endswith((":generateContent", ":streamGenerateContent")):
        return "gemini"
    return "openai-chat"


def reader_for(request: Any) -> BodyReader:
    module = _READERS.get(api_of(request))
    return CHAT if module is None else cast(BodyReader, module)
