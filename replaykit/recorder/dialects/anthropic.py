"""Anthropic Messages (`POST {base_url}/messages`): Anthropic itself and the Anthropic-compatible endpoints
of Moonshot, DeepSeek, Z.ai, Alibaba Model Studio... Calls and results travel as content blocks
(`tool_use` in the assistant turn, `tool_result` in the next user turn); the assistant turns the model
produced go back exactly as received, thinking blocks and their signatures included."""

from __future__ import annotations

from typing import Any

from replaykit.providers.config import Provider
from replaykit.recorder import request
from replaykit.recorder.dialects.history import (
    call_arguments,
    common,
    conversation,
    functions,
    map_choice,
    text_content,
)
from replaykit.recorder.http import event_objects
from replaykit.recorder.request import native_turn
from replaykit.scenarios.model import Scenario

API = "anthropic-messages"
VERSION = "2023-06-01"  # the `anthropic-version` header; a provider file's `headers` may set another
DEFAULT_MAX_TOKENS = 4096  # `max_tokens` is required by the Messages API


def url(provider: Provider) -> str:
    return provider.base_url.rstrip("/") + "/messages"


def build_headers(provider: Provider) -> dict[str, str]:
    headers = request.build_headers(provider, "x-api-key", "")
    headers.setdefault("anthropic-version", VERSION)
    return headers


def build_body(scenario: Scenario, provider: Provider, messages: list[dict[str, Any]],
               seed: int) -> dict[str, Any]:
    system, rest, tools = conversation(scenario, provider, messages)
    body: dict[str, Any] = {"model": provider.model, "max_tokens": provider.max_tokens or DEFAULT_MAX_TOKENS}
    if system:
        body["system"] = system
    body["messages"] = to_messages(rest)
    if tools:
        body["tools"] = [{"name": f.get("name", ""), "description": f.get("description", ""),
                          "input_schema": f.get("parameters") or {"type": "object", "properties": {}}}
                         for f in functions(tools)]
        choice = tool_choice(scenario.tool_choice)
        if choice is not None:
            body["tool_choice"] = choice
    if provider.temperature is not None:
        body["temperature"] = provider.temperature
    body["stream"] = provider.stream
    return common(body, provider)  # no seed: the Messages API has none


def tool_choice(choice: object) -> Any:
    named = {"auto": {"type": "auto"}, "required": {"type": "any"}, "none": {"type": "none"}}
    return map_choice(choice, named, lambda name: {"type": "tool", "name": name})


def to_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat messages → Messages turns; the results of one assistant turn's calls share one user turn."""
    out: list[dict[str, Any]] = []
    for m in messages:
        role = m.get("role")
        if role == "tool":
            block = {"type": "tool_result", "tool_use_id": str(m.get("tool_call_id") or ""),
                     "content": text_content(m.get("content"))}
            if out and out[-1]["role"] == "user" and _is_results(out[-1]["content"]):
                out[-1]["content"].append(block)
            else:
                out.append({"role": "user", "content": [block]})
        elif role == "assistant":
            out.append(_assistant(m))
        else:
            out.append({"role": "user", "content": m.get("content") if isinstance(m.get("content"), str)
                        else text_content(m.get("content"))})
    return out


def _is_results(content: object) -> bool:
    return isinstance(content, list) and all(b.get("type") == "tool_result" for b in content)


def _assistant(message: dict[str, Any]) -> dict[str, Any]:
    native = native_turn(message, API)
    if native is not None:
        return {"role": "assistant", "content": native}
    blocks: list[dict[str, Any]] = []
    text = text_content(message.get("content"))
    if text:
        blocks.append({"type": "text", "text": text})
    for call in message.get("tool_calls") or ():
        blocks.append({"type": "tool_use", "id": str(call.get("id") or ""),
                       "name": str((call.get("function") or {}).get("name") or ""), "input": call_arguments(call)})
    return {"role": "assistant", "content": blocks or text}


def has_token(event: bytes) -> bool:
    """Text, a tool call's start (its name), or a piece of its input: what chat completions' TTFT counts."""
    if b"content_block_" not in event:
        return False
    for data in event_objects(event):
        block, delta = data.get("content_block"), data.get("delta")
        if isinstance(block, dict) and block.get("type") == "tool_use":
            return True
        if isinstance(delta, dict) and (delta.get("text") or delta.get("partial_json")):
            return True
    return False
