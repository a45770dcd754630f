"""Requests of other dialects read back as chat-completions messages, so that the engine recognises the
scenario and its step exactly as for a chat request (the recorder's builders are the inverse)."""

from __future__ import annotations

from typing import Any

import orjson


def text_of(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text") or "") for p in content if isinstance(p, dict)
                       and p.get("type") in (None, "text", "input_text", "output_text"))
    return ""


def args_text(value: object) -> str:
    return value if isinstance(value, str) else orjson.dumps(value if value is not None else {}).decode()


def tool(name: object, description: object, parameters: object) -> dict[str, Any]:
    return {"type": "function", "function": {"name": str(name or ""), "description": str(description or ""),
                                             "parameters": parameters if isinstance(parameters, dict) else {}}}


def chat_body(model: object, messages: list[dict[str, Any]], tools: list[dict[str, Any]], stream: bool,
              body: dict[str, Any], seed: object = None) -> dict[str, Any]:
    """The chat body the engine reads: routing kept, usage always streamed (these dialects always send it)."""
    out: dict[str, Any] = {"model": model, "messages": messages, "stream": stream,
                           "stream_options": {"include_usage": True}}
    if tools:
        out["tools"] = tools
    if "provider" in body:
        out["provider"] = body["provider"]
    if seed is not None:
        out["seed"] = seed
    return out


def call_input(arguments: str) -> Any:
    """A call's arguments as the object Anthropic's `input` and Gemini's `args` carry; arguments broken on
    purpose (invalid_json_args) go out as the string, as a corrupting provider sends them."""
    try:
        value = orjson.loads(arguments)
    except orjson.JSONDecodeError:
        return arguments
    return value if isinstance(value, dict) else arguments
