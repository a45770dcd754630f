"""Gemini (`POST {base_url}/models/{model}:generateContent`, `:streamGenerateContent?alt=sse`). The
conversation is `contents` of `user` and `model` turns made of parts: `functionCall` parts in the model's
turn, `functionResponse` parts in the next user turn; the model turns it produced go back exactly as received,
`thoughtSignature`s included. Tools are declared with their JSON Schema as `parametersJsonSchema`."""

from __future__ import annotations

from typing import Any

import orjson

from replaykit.providers.config import Provider
from replaykit.recorder import request
from replaykit.recorder.dialects.history import (
    call_arguments,
    call_names,
    common,
    conversation,
    functions,
    map_choice,
    text_content,
)
from replaykit.recorder.http import event_objects
from replaykit.recorder.request import native_turn
from replaykit.scenarios.model import Scenario

API = "gemini"


def url(provider: Provider) -> str:
    base = f"{provider.base_url.rstrip('/')}/models/{provider.model}"
    if not provider.stream:
        return f"{base}:generateContent"
    # `stream_format = "json-array"`: without alt=sse the stream is one JSON array, timed element by element
    return f"{base}:streamGenerateContent" + ("" if provider.stream_format == "json-array" else "?alt=sse")


def build_headers(provider: Provider) -> dict[str, str]:
    headers = request.build_headers(provider, "x-goog-api-key", "")
    if provider.stream and provider.stream_format == "json-array":
        headers["accept"] = "application/json"
    return headers


def build_body(scenario: Scenario, provider: Provider, messages: list[dict[str, Any]],
               seed: int) -> dict[str, Any]:
    system, rest, tools = conversation(scenario, provider, messages)
    body: dict[str, Any] = {"contents": to_contents(rest)}
    if system:
        body["systemInstruction"] = {"parts": [{"text": system}]}
    if tools:
        body["tools"] = [{"functionDeclarations": [
            {"name": f.get("name", ""), "description": f.get("description", ""),
             "parametersJsonSchema": f.get("parameters") or {"type": "object", "properties": {}}}
            for f in functions(tools)]}]
        config = tool_config(scenario.tool_choice)
        if config is not None:
            body["toolConfig"] = {"functionCallingConfig": config}
    generation: dict[str, Any] = {}
    if provider.temperature is not None:
        generation["temperature"] = provider.temperature
    if provider.max_tokens is not None:
        generation["maxOutputTokens"] = provider.max_tokens
    generation["seed"] = seed
    body["generationConfig"] = generation
    return common(body, provider)


def tool_config(choice: object) -> Any:
    named = {"auto": {"mode": "AUTO"}, "required": {"mode": "ANY"}, "none": {"mode": "NONE"}}
    return map_choice(choice, named, lambda name: {"mode": "ANY", "allowedFunctionNames": [name]})


def function_response(text: str) -> dict[str, Any]:
    """A tool result as `functionResponse.response` (an object): a JSON object result as itself when it
    reads back to the same text, anything else under `result`."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        value = None
    if isinstance(value, dict) and orjson.dumps(value).decode() == text and set(value) != {"result"}:
        return value
    return {"result": text}


def to_contents(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = call_names(messages)
    out: list[dict[str, Any]] = []
    for m in messages:
        role = m.get("role")
        if role == "tool":
            call_id = str(m.get("tool_call_id") or "")
            part = {"functionResponse": {"name": names.get(call_id, ""),
                                         "response": function_response(text_content(m.get("content")))}}
            if out and out[-1]["role"] == "user" and all("functionResponse" in p for p in out[-1]["parts"]):
                out[-1]["parts"].append(part)
            else:
                out.append({"role": "user", "parts": [part]})
        elif role == "assistant":
            out.append(_model_turn(m))
        else:
            out.append({"role": "user", "parts": [{"text": text_content(m.get("content"))}]})
    return out


def _model_turn(message: dict[str, Any]) -> dict[str, Any]:
    native = native_turn(message, API)
    if isinstance(native, dict):
        return native
    parts: list[dict[str, Any]] = []
    text = text_content(message.get("content"))
    if text:
        parts.append({"text": text})
    for call in message.get("tool_calls") or ():
        name = str((call.get("function") or {}).get("name") or "")
        parts.append({"functionCall": {"name": name, "args": call_arguments(call)}})
    return {"role": "model", "parts": parts}


def has_token(event: bytes) -> bool:
    """A chunk with answer text (not a thought) or a function call."""
    if b'"text"' not in event and b'"functionCall"' not in event:
        return False
    for data in event_objects(event):
        candidates = data.get("candidates")
        content = candidates[0].get("content") if isinstance(candidates, list) and candidates and isinstance(
            candidates[0], dict) else None
        parts = content.get("parts") if isinstance(content, dict) else None
        for part in parts if isinstance(parts, list) else ():
            if isinstance(part, dict) and ("functionCall" in part or (part.get("text") and not part.get("thought"))):
                return True
    return False
