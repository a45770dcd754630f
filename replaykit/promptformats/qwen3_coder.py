"""Qwen3-Coder: tools described as XML (`<function><name>..</name><parameters><parameter>..`), each call
`<tool_call><function=NAME><parameter=P>VALUE</parameter></function></tool_call>` with raw values, each result
a user turn `<tool_response>...</tool_response>` (the text of Qwen3-Coder's chat_template.jinja)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import orjson

from replaykit.promptformats import hermes
from replaykit.promptformats.common import BROKEN, function, parameters, parsed, raw_value

NAME = "qwen3-coder"
_HEADER = "# Tools\n\nYou have access to the following functions:\n\n<tools>"
_FOOTER = (
    "\n</tools>\n\nIf you choose to call a function ONLY reply in the following format with NO suffix:\n\n"
    "<tool_call>\n<function=example_function_name>\n<parameter=example_parameter_1>\nvalue_1\n</parameter>\n"
    "<parameter=example_parameter_2>\nThis is the value for the second parameter\nthat can span\nmultiple lines\n"
    "</parameter>\n</function>\n</tool_call>\n\n<IMPORTANT>\nReminder:\n- Function calls MUST follow the "
    "specified format: an inner <function=...></function> block must be nested within <tool_call></tool_call> "
    "XML tags\n- Required parameters MUST be specified\n- You may provide optional reasoning for your function "
    "call in natural language BEFORE the function call, but NOT after\n- If there is no function call available, "
    "answer the question like normal with your current knowledge and do not tell the user about function calls\n"
    "</IMPORTANT>"
)
_FUNCTION = re.compile(r"<function>\n<name>(.*?)</name>(.*?)\n</function>", re.S)
_PARAMETER = re.compile(r"<parameter>\n<name>(.*?)</name>(?:\n<type>(.*?)</type>)?.*?\n</parameter>", re.S)
_REQUIRED = re.compile(r"\n<required>(\[.*?\])</required>")


def _extra(obj: dict[str, Any], handled: tuple[str, ...]) -> str:
    """The template's `render_extra_keys`: every other key as `<key>value</key>`, tables and lists as JSON."""
    return "".join(f"\n<{k}>{v if isinstance(v, str) else orjson.dumps(v).decode()}</{k}>"
                   for k, v in obj.items() if k not in handled)


def _declaration(tool: dict[str, Any]) -> str:
    fn = function(tool)
    out = f"\n<function>\n<name>{fn.get('name', '')}</name>"
    if fn.get("description"):
        out += f"\n<description>{str(fn['description']).strip()}</description>"
    out += "\n<parameters>"
    params = parameters(fn)
    for name, fields in (params.get("properties") or {}).items():
        fields = fields if isinstance(fields, dict) else {}
        out += f"\n<parameter>\n<name>{name}</name>"
        if "type" in fields:
            out += f"\n<type>{raw_value(fields['type'])}</type>"
        if fields.get("description"):
            out += f"\n<description>{str(fields['description']).strip()}</description>"
        out += _extra(fields, ("name", "type", "description")) + "\n</parameter>"
    out += _extra(params, ("type", "properties")) + "\n</parameters>"
    return out + _extra(fn, ("type", "name", "description", "parameters")) + "\n</function>"


def tools_prompt(tools: Sequence[dict[str, Any]]) -> str:
    return _HEADER + "".join(_declaration(t) for t in tools) + _FOOTER


def read_tools(system: str) -> list[dict[str, Any]] | None:
    """The tools' names, parameter types and required parameters, read back from the XML description."""
    if "<tools>\n<function>" not in system and "<tools>\n</tools>" not in system:
        return None
    tools = []
    for match in _FUNCTION.finditer(system):
        body = match.group(2)
        properties = {p: ({"type": t} if t else {}) for p, t in _PARAMETER.findall(body)}
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        required = _REQUIRED.search(body)
        if required:
            schema["required"] = orjson.loads(required.group(1))
        tools.append({"type": "function", "function": {"name": match.group(1), "parameters": schema}})
    return tools


def format_call(name: str, arguments: Any) -> str:
    params = "".join(f"<parameter={k}>\n{raw_value(v)}\n</parameter>\n"
                     for k, v in (arguments.items() if isinstance(arguments, dict) else []))
    return f"<tool_call>\n<function={name}>\n{params}</function>\n</tool_call>"


def calls_text(calls: Sequence[tuple[str, str]], first: int = 0) -> str:
    blocks = []
    for name, raw in calls:
        value = parsed(raw)
        if value is BROKEN or not isinstance(value, dict):  # no parameters to write: the JSON as it came
            blocks.append(f"<tool_call>\n<function={name}>\n{raw}\n</function>\n</tool_call>")
        else:
            blocks.append(format_call(name, value))
    return "\n".join(blocks)


tool_result = hermes.tool_result
read_tool_result = hermes.read_tool_result
