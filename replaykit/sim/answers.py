"""Scenario recognition and the intended answer: what a perfect provider would reply to a request.

A request is recognised by (its first user message, the sorted names of the tools it offers). The tools come
from the `tools` field (native mode) or from the system prompt (prompt mode, SPEC §4, in whichever family's
format it is written: the answer is then written in that format), so the same scenario is recognised in both
modes. The intended answer is the expected calls of the step the
conversation has reached, with concrete values from the matchers; anything else gets a plain text answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from replaykit.canonical import canonical_json
from replaykit.promptformats import tool_result_text
from replaykit.promptmode import prompt_tools
from replaykit.scenarios import Scenario, ScenarioSet

_NO_CALL_TEXTS = (
    "None of the tools I have can do that, so I'll answer directly: I don't have enough information to "
    "act on this request with the functions available. Could you tell me more about what you need?",
    "I can't help with that using the tools provided. They don't cover this request, and calling one of "
    "them would not give you a correct result, so I'll leave them unused.",
    "This doesn't need a tool call. Based on what you asked, the functions on offer are unrelated, so here "
    "is a plain answer instead of an action.",
)
_DONE_TEXT = "Done. I have completed every step you asked for, and the results are summarised above."
_UNKNOWN_TEXT = ("Hello! I am a simulated model. I don't recognise this conversation, so here is a plain "
                 "answer.")


@dataclass(frozen=True)
class Intended:
    """The right answer to one request, before any profile perturbs it."""

    scenario: str | None
    mode: str                                   # native | prompt | plain (no tools offered or recognised)
    calls: tuple[tuple[str, Any], ...]          # (tool name, arguments object)
    text: str | None
    tools: tuple[dict[str, Any], ...] = ()      # the functions offered (the `function` objects)
    prompt_format: str = "hermes"               # prompt mode: the family format the request is written in

    @property
    def tool_names(self) -> tuple[str, ...]:
        return tuple(t.get("name", "") for t in self.tools)

    def schema(self, name: str) -> dict[str, Any]:
        for tool in self.tools:
            if tool.get("name") == name and isinstance(tool.get("parameters"), dict):
                return tool["parameters"]
        return {"type": "object", "properties": {}}


def _key(first_user: Any, names: list[str]) -> bytes:
    return canonical_json([first_user, sorted(names)])


def _first_user(messages: list[Any]) -> Any:
    return next((m.get("content") for m in messages if isinstance(m, dict) and m.get("role") == "user"), None)


def _functions(tools: Any) -> list[dict[str, Any]]:
    if not isinstance(tools, list):
        return []
    return [t["function"] for t in tools if isinstance(t, dict) and isinstance(t.get("function"), dict)]


def _turns(messages: list[Any]) -> list[tuple[str, Any]]:
    """The conversation as (role, content) turns that read the same in native and prompt mode: system
    prompts dropped (prompt mode rewrites them), assistant turns reduced to their role, tool results
    whether sent as `tool` messages or as prompt mode's user messages (in any family's format)."""
    turns: list[tuple[str, Any]] = []
    for m in messages:
        role, content = (m.get("role"), m.get("content")) if isinstance(m, dict) else (None, None)
        if role == "assistant":
            turns.append(("assistant", None))
        elif role == "tool":
            turns.append(("tool", content if isinstance(content, str) else canonical_json(content).decode()))
        elif role == "user":
            result = tool_result_text(content) if isinstance(content, str) else None
            turns.append(("user", content) if result is None else ("tool", result))
    return turns


class ScenarioIndex:
    """Scenarios by (first user message, sorted tool names). Scenarios sharing both (the same question
    with different histories) are told apart by the longest history that the request starts with."""

    def __init__(self, scenarios: ScenarioSet) -> None:
        self._by_key: dict[bytes, list[tuple[list[tuple[str, Any]], Scenario]]] = {}
        self._count = 0
        for s in scenarios:
            key = _key(_first_user(list(s.messages)), list(s.tool_names))
            self._by_key.setdefault(key, []).append((_turns(list(s.messages)), s))
            self._count += 1

    def __len__(self) -> int:
        return self._count

    def _find(self, messages: list[Any], names: list[str]) -> Scenario | None:
        candidates = self._by_key.get(_key(_first_user(messages), names))
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0][1]
        turns = _turns(messages)
        best: Scenario | None = None
        longest = -1
        for own, scenario in candidates:
            if turns[:len(own)] == own and len(own) > longest:
                best, longest = scenario, len(own)
        return best

    def intended(self, body: dict[str, Any]) -> Intended:
        raw = body.get("messages")
        messages: list[Any] = raw if isinstance(raw, list) else []
        mode, functions, fmt = "native", _functions(body.get("tools")), "hermes"
        if not functions:
            found = prompt_tools(messages)
            mode, functions, fmt = "prompt", _functions(found[1] if found else []), found[0] if found else fmt
        if not functions:
            return Intended(None, "plain", (), _UNKNOWN_TEXT)
        names = [str(f.get("name", "")) for f in functions]
        scenario = self._find(messages, names)
        if scenario is None:
            return Intended(None, mode, (), _UNKNOWN_TEXT, tuple(functions), fmt)
        if mode == "prompt":  # some formats describe a schema only in part (types, no enums): use the scenario's
            functions = _functions(list(scenario.tools))
        return _answer(scenario, messages, mode, tuple(functions), fmt)


def _answer(scenario: Scenario, messages: list[Any], mode: str, functions: tuple[dict[str, Any], ...],
            fmt: str) -> Intended:
    step = _count_assistant(messages) - _count_assistant(list(scenario.messages))
    if step < 0 or step >= len(scenario.steps):
        return Intended(scenario.id, mode, (), _DONE_TEXT, functions, fmt)
    expectation = scenario.steps[step]
    if not expectation.calls:
        return Intended(scenario.id, mode, (), _no_call_text(scenario.id), functions, fmt)
    calls = tuple((c.name, c.args.example(scenario.tool_schema(c.name))) for c in expectation.calls)
    return Intended(scenario.id, mode, calls, None, functions, fmt)


def _count_assistant(messages: list[Any]) -> int:
    return sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "assistant")


def _no_call_text(scenario_id: str) -> str:
    # Chosen by the scenario, not the request's random draws, so stream and JSON answers agree.
    digest = hashlib.sha256(scenario_id.encode()).digest()
    return _NO_CALL_TEXTS[digest[0] % len(_NO_CALL_TEXTS)]
