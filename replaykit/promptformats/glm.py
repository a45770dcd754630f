"""GLM-4.5 / 4.6: tools as JSON lines inside `<tools></tools>` (as Hermes), each call
`<tool_call>NAME\n<arg_key>K</arg_key>\n<arg_value>V</arg_value>\n</tool_call>` with raw values, each result
`<tool_response>...</tool_response>` (GLM-4.5's chat template)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import orjson

from replaykit.promptformats import hermes
from replaykit.promptformats.common import BROKEN, json_lines, parsed, raw_value

NAME = "glm"
_FOOTER = (
    "\n</tools>\n\nFor each function call, output the function name and arguments within the following XML "
    "format:\n<tool_call>{function-name}\n<arg_key>{arg-key-1}</arg_key>\n<arg_value>{arg-value-1}</arg_value>\n"
    "<arg_key>{arg-key-2}</arg_key>\n<arg_value>{arg-value-2}</arg_value>\n...\n</tool_call>"
)
_TOOLS = re.compile(r"<tools>\n(.*?)\n</tools>", re.S)


def tools_prompt(tools: Sequence[dict[str, Any]]) -> str:
    return hermes.HEADER + "\n".join(orjson.dumps(t).decode() for t in tools) + _FOOTER


def read_tools(system: str) -> list[dict[str, Any]] | None:
    return json_lines(system, _TOOLS) if "<arg_key>" in system else None


def calls_text(calls: Sequence[tuple[str, str]], first: int = 0) -> str:
    blocks = []
    for name, raw in calls:
        value = parsed(raw)
        if value is BROKEN or not isinstance(value, dict):  # no keys to write: Hermes' form, as it came
            blocks.append(hermes.calls_text([(name, raw)]))
            continue
        pairs = "".join(f"<arg_key>{k}</arg_key>\n<arg_value>{raw_value(v)}</arg_value>\n" for k, v in value.items())
        blocks.append(f"<tool_call>{name}\n{pairs}</tool_call>")
    return "\n".join(blocks)


tool_result = hermes.tool_result
read_tool_result = hermes.read_tool_result
