"""What every dialect's request builder reads from a chat-completions conversation: the system prompt, the
turns, calls' arguments as objects, tool names by call id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from replaykit.promptmode import to_prompt_messages
from replaykit.providers.config import Provider
from replaykit.recorder.request import without_native
from replaykit.scenarios.model import Scenario


def conversation(scenario: Scenario, provider: Provider,
                 messages: list[dict[str, Any]]) -> tuple[str | None, list[dict[str, Any]], list[dict[str, Any]]]:
    """(system text, the other messages, the OpenAI tool objects to offer). Prompt mode rewrites the
    conversation first, as for chat completions, and offers no tools; `_native` keys stay for the builder."""
    tools = list(scenario.tools)
    if provider.mode == "prompt":
        messages, tools = to_prompt_messages([without_native(m) for m in messages], tools, provider.prompt_format), []
    system = [text_content(m.get("content")) for m in messages if m.get("role") in ("system", "developer")]
    rest = [m for m in messages if m.get("role") not in ("system", "developer")]
    return ("\n\n".join(system) if system else None), rest, tools


def text_content(content: object) -> str:
    """Chat message content as text (a string, or a list of text parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def call_arguments(call: dict[str, Any]) -> dict[str, Any]:
    """A chat tool call's arguments as an object (dialects that take objects); {} when the text is no object."""
    raw = (call.get("function") or {}).get("arguments")
    if isinstance(raw, dict):
        return raw
    try:
        value = orjson.loads(raw) if isinstance(raw, str) and raw.strip() else {}
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def call_names(messages: list[dict[str, Any]]) -> dict[str, str]:
    """Tool names by call id, from the assistant turns (Gemini's function responses name the function)."""
    names = {}
    for m in messages:
        for call in m.get("tool_calls") or ():
            if isinstance(call, dict) and call.get("id"):
                names[str(call["id"])] = str((call.get("function") or {}).get("name") or "")
    return names


def functions(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The `function` objects of OpenAI tool objects."""
    return [t["function"] for t in tools if isinstance(t, dict) and isinstance(t.get("function"), dict)]


def map_choice(tool_choice: object, named: dict[str, Any], forced: Callable[[str], Any]) -> Any:
    """A chat `tool_choice` in a dialect's terms: "auto" / "required" / "none" by the table, a forced
    function by `forced(name)`; None (send none) for anything else."""
    if isinstance(tool_choice, str):
        return named.get(tool_choice)
    if isinstance(tool_choice, dict):
        fn = tool_choice.get("function")
        if isinstance(fn, dict) and isinstance(fn.get("name"), str):
            return forced(fn["name"])
    return None


def common(body: dict[str, Any], provider: Provider) -> dict[str, Any]:
    """OpenRouter-style routing (the simulator routes on it too) and the provider's extra body fields."""
    if provider.routing:
        body["provider"] = provider.routing
    body.update(provider.extra_body)
    return body
