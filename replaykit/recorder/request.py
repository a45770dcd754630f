"""Builds the chat-completions request for one turn of a sample, natively or in prompt mode."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from replaykit.promptmode import to_prompt_messages
from replaykit.providers.config import Provider
from replaykit.scenarios.model import Scenario

USER_AGENT = "replaykit"


def attempt_seed(run_seed: int, provider: str, scenario: str, repetition: int, step: int, attempt: int) -> int:
    """A per-attempt `seed`: requests stay reproducible, and every attempt's body is distinct."""
    key = f"{run_seed}|{provider}|{scenario}|{repetition}|{step}|{attempt}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:4], "big") & 0x7FFFFFFF


def build_body(scenario: Scenario, provider: Provider, messages: list[dict[str, Any]], seed: int) -> dict[str, Any]:
    body: dict[str, Any] = {"model": provider.model}
    messages = [_with_reasoning(m) for m in messages]
    if provider.mode == "prompt":
        body["messages"] = to_prompt_messages(messages, list(scenario.tools), provider.prompt_format)
    else:
        body["messages"] = messages
        if scenario.tools:
            body["tools"] = list(scenario.tools)
            if scenario.tool_choice is not None:
                body["tool_choice"] = scenario.tool_choice
    if provider.temperature is not None:
        body["temperature"] = provider.temperature
    if provider.max_tokens is not None:
        body["max_tokens"] = provider.max_tokens
    body["stream"] = provider.stream
    if provider.stream:
        body["stream_options"] = {"include_usage": True}
    if provider.routing:
        body["provider"] = provider.routing
    if provider.usage_accounting:
        body["usage"] = {"include": True}
    body["seed"] = seed
    body.update(provider.extra_body)
    return body


def build_headers(provider: Provider, key_header: str = "authorization", key_prefix: str = "Bearer ") -> dict[str, str]:
    """Headers sent. The key comes from the environment here and is redacted before anything is stored;
    dialects name their own key header (Anthropic's `x-api-key`, Gemini's `x-goog-api-key`)."""
    headers = base_headers(provider)
    key = provider.api_key()
    if key:
        headers[key_header] = f"{key_prefix}{key}"
    return headers


def base_headers(provider: Provider) -> dict[str, str]:
    """Every dialect's headers but the key: each dialect adds its own key header."""
    headers = {
        "content-type": "application/json",
        "accept": "text/event-stream" if provider.stream else "application/json",
        "accept-encoding": "identity",  # stored bodies stay plain text that any vcrpy serializer replays
        "user-agent": USER_AGENT,
        "x-title": "replaykit",
    }
    headers.update({k.lower(): v for k, v in provider.headers.items()})
    return headers


def encode_body(body: dict[str, Any]) -> bytes:
    return orjson.dumps(body)


NATIVE = "_native"  # a follow-up assistant turn's own-dialect form, kept to send back exactly (docs/dialects.md)


def without_native(message: dict[str, Any]) -> dict[str, Any]:
    """The message without the private `_native` key, which must never go on the wire as is."""
    if NATIVE not in message:
        return message
    return {k: v for k, v in message.items() if k != NATIVE}


def _with_reasoning(message: dict[str, Any]) -> dict[str, Any]:
    """A chat message for the wire: an assistant turn a chat answer gave `reasoning_content` takes it back,
    exactly as received (thinking models refuse the follow-up without it)."""
    native = native_turn(message, "openai-chat")
    plain = without_native(message)
    if isinstance(native, dict) and isinstance(native.get("reasoning_content"), str):
        return {**plain, "reasoning_content": native["reasoning_content"]}
    return plain


def native_turn(message: dict[str, Any], api: str) -> Any:
    """The assistant turn as the dialect `api` returned it, when it did; else None (rebuild it)."""
    native = message.get(NATIVE)
    return native.get("turn") if isinstance(native, dict) and native.get("api") == api else None
