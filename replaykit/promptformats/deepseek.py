"""DeepSeek V3.1 and later: tools described as `### NAME` / `Description:` / `Parameters: {json}` under
`## Tools`, calls as `<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>NAME<｜tool▁sep｜>{json}<｜tool▁call▁end｜>
<｜tool▁calls▁end｜>`, each result `<｜tool▁output▁begin｜>...<｜tool▁output▁end｜>` (DeepSeek-V3.1's chat template)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import orjson

from replaykit.promptformats.common import between, function

NAME = "deepseek"
_HEADER = "## Tools\nYou have access to the following tools:\n"
_FOOTER = (
    "\nIMPORTANT: ALWAYS adhere to this exact format for tool use:\n<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>"
    "tool_call_name<｜tool▁sep｜>tool_call_arguments<｜tool▁call▁end｜>{{additional_tool_calls}}<｜tool▁calls▁end｜>\n\n"
    "Where:\n\n- `tool_call_name` must be an exact match to one of the available tools\n- `tool_call_arguments` "
    "must be valid JSON that strictly follows the tool's Parameters Schema\n- For multiple tool calls, chain them "
    "directly without separators or spaces"
)
_TOOL = re.compile(r"^### (\S+)\nDescription: .*?\n\nParameters: (\{.*\})$", re.M)
_RESULT = ("<｜tool▁output▁begin｜>", "<｜tool▁output▁end｜>")


def _declaration(tool: dict[str, Any]) -> str:
    fn = function(tool)
    params = fn.get("parameters") if isinstance(fn.get("parameters"), dict) else {"type": "object", "properties": {}}
    description = " ".join(str(fn.get("description") or "").split())  # one line: the reader reads line by line
    return f"\n### {fn.get('name', '')}\nDescription: {description}\n\nParameters: {orjson.dumps(params).decode()}\n"


def tools_prompt(tools: Sequence[dict[str, Any]]) -> str:
    return _HEADER + "".join(_declaration(t) for t in tools) + _FOOTER


def read_tools(system: str) -> list[dict[str, Any]] | None:
    if _HEADER not in system or "<｜tool▁sep｜>" not in system:
        return None
    tools = []
    for name, params in _TOOL.findall(system):
        try:
            schema = orjson.loads(params)
        except orjson.JSONDecodeError:
            return None
        tools.append({"type": "function", "function": {"name": name, "parameters": schema}})
    return tools


def calls_text(calls: Sequence[tuple[str, str]], first: int = 0) -> str:
    inner = "".join(f"<｜tool▁call▁begin｜>{name}<｜tool▁sep｜>{raw}<｜tool▁call▁end｜>" for name, raw in calls)
    return f"<｜tool▁calls▁begin｜>{inner}<｜tool▁calls▁end｜>"


def tool_result(name: str, index: int, text: str) -> str:
    return _RESULT[0] + text + _RESULT[1]


def read_tool_result(text: str) -> str | None:
    return between(text, *_RESULT)
