"""OpenAI chat completions (and every OpenAI-compatible server): the request as replaykit always built it."""

from __future__ import annotations

from replaykit.providers.config import Provider
from replaykit.recorder.http import _has_token as has_token
from replaykit.recorder.request import build_body, build_headers

__all__ = ["build_body", "build_headers", "has_token", "url"]


def url(provider: Provider) -> str:
    return provider.chat_url
