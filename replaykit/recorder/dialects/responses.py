"""OpenAI Responses (`POST {base_url}/responses`): OpenAI, OpenRouter, Moonshot, Alibaba... The conversation
is a list of input items: messages, `function_call` items and `function_call_output` items; the output items
the model produced (reasoning items included) go back exactly as received."""

from __future__ import annotations

from typing import Any

import orjson

from replaykit.providers.config import Provider
from replaykit.recorder.dialects.history import common, conversation, functions, map_choice, text_content
from replaykit.recorder.http import event_objects
from replaykit.recorder.request import build_headers, native_turn
from replaykit.scenarios.model import Scenario

__all__ = ["build_body", "build_headers", "has_token", "url"]

API = "openai-responses"
_TOKEN_EVENTS = (b"response.output_text.delta", b"response.function_call_arguments.delta",
                 b"response.output_item.added")


def url(provider: Provider) -> str:
    return provider.base_url.rstrip("/") + "/responses"


def build_body(scenario: Scenario, provider: Provider, messages: list[dict[str, Any]],
               seed: int) -> dict[str, Any]:
    system, rest, tools = conversation(scenario, provider, messages)
    body: dict[str, Any] = {"model": provider.model}
    if system:
        body["instructions"] = system
    body["input"] = to_items(rest)
    if tools:
        body["tools"] = [{"type": "function", "name": f.get("name", ""), "description": f.get("description", ""),
                          "parameters": f.get("parameters") or {"type": "object", "properties": {}}}
                         for f in functions(tools)]
        choice = tool_choice(scenario.tool_choice)
        if choice is not None:
            body["tool_choice"] = choice
    if provider.temperature is not None:
        body["temperature"] = provider.temperature
    if provider.max_tokens is not None:
        body["max_output_tokens"] = provider.max_tokens
    body["stream"] = provider.stream
    return common(body, provider)  # no seed: the Responses API has none


def tool_choice(choice: object) -> Any:
    named = {"auto": "auto", "required": "required", "none": "none"}
    return map_choice(choice, named, lambda name: {"type": "function", "name": name})


def to_items(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for m in messages:
        role = m.get("role")
        if role == "tool":
            items.append({"type": "function_call_output", "call_id": str(m.get("tool_call_id") or ""),
                          "output": text_content(m.get("content"))})
        elif role == "assistant":
            items.extend(_assistant(m))
        else:
            items.append({"role": "user", "content": text_content(m.get("content"))})
    return items


def _assistant(message: dict[str, Any]) -> list[dict[str, Any]]:
    native = native_turn(message, API)
    if isinstance(native, list):
        return native
    items: list[dict[str, Any]] = []
    text = text_content(message.get("content"))
    if text:
        items.append({"role": "assistant", "content": text})
    for call in message.get("tool_calls") or ():
        fn = call.get("function") or {}
        raw = fn.get("arguments")
        items.append({"type": "function_call", "call_id": str(call.get("id") or ""), "name": str(fn.get("name") or ""),
                      "arguments": raw if isinstance(raw, str) else orjson.dumps(raw or {}).decode()})
    return items


def has_token(event: bytes) -> bool:
    """A text or arguments delta, or a function call item's start (its name)."""
    if not any(name in event for name in _TOKEN_EVENTS):
        return False
    for data in event_objects(event):
        kind = data.get("type")
        if kind == "response.output_item.added":
            item = data.get("item")
            return isinstance(item, dict) and item.get("type") == "function_call"
        if kind in ("response.output_text.delta", "response.function_call_arguments.delta"):
            return bool(data.get("delta"))
    return False
