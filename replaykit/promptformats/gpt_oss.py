"""gpt-oss (harmony): tools declared as TypeScript-like types in a `functions` namespace, each call a message
on the commentary channel `<|start|>assistant<|channel|>commentary to=functions.NAME <|constrain|>json
<|message|>{json}<|call|>`, each result a message from the tool `<|start|>functions.NAME to=assistant
<|channel|>commentary<|message|>...<|end|>` (the harmony response format)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import orjson

from replaykit.promptformats.common import function, parameters

NAME = "gpt-oss"
_HEADER = "# Tools\n\n## functions\n\nnamespace functions {\n"
_FOOTER = (
    "\n} // namespace functions\n\n# Valid channels: analysis, commentary, final. Channel must be included for "
    "every message.\nCalls to these tools must go to the commentary channel: 'functions'.\nA call is written as "
    "<|start|>assistant<|channel|>commentary to=functions.NAME <|constrain|>json<|message|>{json arguments}<|call|>"
)
_TS = {"string": "string", "integer": "number", "number": "number", "boolean": "boolean", "null": "null"}
_BACK = {"string": "string", "number": "number", "boolean": "boolean"}
_TYPE = re.compile(r"^type (\S+) = \((?:_: \{\n(.*?)\n\})?\) => any;$", re.M | re.S)
_FIELD = re.compile(r"^(\w+)(\??): ([^,\n]+),", re.M)
_RESULT = re.compile(r"<\|start\|>functions\.\S+ to=assistant<\|channel\|>commentary<\|message\|>(.*)<\|end\|>", re.S)


def _ts_type(schema: Any) -> str:
    if not isinstance(schema, dict):
        return "any"
    if isinstance(schema.get("enum"), list):
        return " | ".join(orjson.dumps(v).decode() for v in schema["enum"]) or "any"
    kind = schema.get("type")
    if kind == "array":
        return f"{_ts_type(schema.get('items'))}[]"
    if isinstance(kind, list):
        return " | ".join(_TS.get(k, "any") for k in kind if isinstance(k, str)) or "any"
    return _TS.get(kind, "object" if kind == "object" else "any") if isinstance(kind, str) else "any"


def _declaration(tool: dict[str, Any]) -> str:
    fn = function(tool)
    params = parameters(fn)
    props = params.get("properties") or {}
    required = set(params.get("required") or ())
    head = f"\n// {' '.join(str(fn.get('description') or '').split())}\n" if fn.get("description") else "\n"
    if not props:
        return f"{head}type {fn.get('name', '')} = () => any;\n"
    lines = []
    for name, schema in props.items():
        note = schema.get("description") if isinstance(schema, dict) else None
        if note:
            lines.append(f"// {' '.join(str(note).split())}")
        lines.append(f"{name}{'' if name in required else '?'}: {_ts_type(schema)},")
    return f"{head}type {fn.get('name', '')} = (_: {{\n" + "\n".join(lines) + "\n}) => any;\n"


def tools_prompt(tools: Sequence[dict[str, Any]]) -> str:
    return _HEADER + "".join(_declaration(t) for t in tools) + _FOOTER


def read_tools(system: str) -> list[dict[str, Any]] | None:
    """Names, parameter types (string, number, boolean) and required parameters, read back from the types."""
    start = system.find(_HEADER)
    end = system.find("} // namespace functions", start)
    if start < 0 or end < 0:
        return None
    tools = []
    for name, body in _TYPE.findall(system[start:end]):
        fields = _FIELD.findall(body or "")
        properties = {f: ({"type": _BACK[t]} if t in _BACK else {}) for f, _, t in fields}
        schema = {"type": "object", "properties": properties, "required": [f for f, opt, _ in fields if not opt]}
        tools.append({"type": "function", "function": {"name": name, "parameters": schema}})
    return tools


def calls_text(calls: Sequence[tuple[str, str]], first: int = 0) -> str:
    return "".join(f"<|start|>assistant<|channel|>commentary to=functions.{name} <|constrain|>json<|message|>{raw}"
                   "<|call|>" for name, raw in calls)


def tool_result(name: str, index: int, text: str) -> str:
    return f"<|start|>functions.{name} to=assistant<|channel|>commentary<|message|>{text}<|end|>"


def read_tool_result(text: str) -> str | None:
    found = _RESULT.fullmatch(text)
    return found.group(1) if found else None
