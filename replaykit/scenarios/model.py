"""The scenario model: what is offered, what is asked, and what the right answer is."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any
from typing import Literal as TypingLiteral

from replaykit.scenarios.matchers import ObjectOf

CATEGORIES = ("single", "multiple", "parallel", "parallel_multiple", "no_call", "multi_turn")
Order = TypingLiteral["any", "strict"]


@dataclass(frozen=True)
class ExpectedCall:
    name: str
    args: ObjectOf


@dataclass(frozen=True)
class Expectation:
    """The right answer to one model turn: these calls (none means a text answer)."""

    calls: tuple[ExpectedCall, ...]
    order: Order = "any"


@dataclass(frozen=True)
class ToolResult:
    """A canned tool result for multi-turn scenarios; `args` (matchers) narrows which calls it answers."""

    name: str
    content: Any
    args: ObjectOf | None = None


@dataclass(frozen=True)
class Scenario:
    id: str
    category: str
    tools: tuple[dict[str, Any], ...]
    messages: tuple[dict[str, Any], ...]
    steps: tuple[Expectation, ...]
    hash: str
    source: str = ""
    tags: tuple[str, ...] = ()
    description: str = ""
    tool_choice: Any = None
    tool_results: tuple[ToolResult, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    score_schemas: dict[str, dict[str, Any]] = field(default_factory=dict)  # tool -> schema scored, not sent
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # as written, for snapshots

    @property
    def expect(self) -> Expectation:
        """The expectation of the first turn (the only one outside multi-turn)."""
        return self.steps[0]

    @functools.cached_property
    def tool_names(self) -> tuple[str, ...]:
        return tuple(t["function"]["name"] for t in self.tools)

    @functools.cached_property
    def offered(self) -> frozenset[str]:
        """The tool names as a set: the checker asks `in` for every returned call."""
        return frozenset(self.tool_names)

    def tool_schema(self, name: str) -> dict[str, Any] | None:
        for tool in self.tools:
            if tool["function"]["name"] == name:
                params = tool["function"].get("parameters")
                return params if isinstance(params, dict) else {"type": "object", "properties": {}}
        return None

    def score_schema(self, name: str) -> dict[str, Any] | None:
        """The schema returned arguments are scored against: `score_schemas`' entry, else the tool's own."""
        return self.score_schemas.get(name) or self.tool_schema(name)

    def result_for(self, name: str, arguments: Any) -> Any:
        """The canned result the recorder sends back for a call (multi-turn)."""
        if name not in self.tool_names:
            return {"error": f"unknown tool {name}"}
        for result in self.tool_results:
            if result.name != name:
                continue
            if result.args is None or (isinstance(arguments, dict) and result.args.check(arguments) is None):
                return result.content
        return {"error": "no such file or result"}
