"""BFCL functions as OpenAI tools: BFCL's types as JSON Schema, `.` as `_` in names."""

from __future__ import annotations

import copy
from typing import Any

from replaykit.scenarios.bfcl.entry import TYPES, Entry, Skip

SCHEMA_KEYS = {"type", "description", "enum", "default", "items", "properties", "required", "format",
               "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems",
               "minLength", "maxLength", "pattern", "additionalProperties", "const", "title", "uniqueItems"}


def tools_of(entry: Entry) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The entry's functions as tools, and the names that changed (new -> BFCL's); fills `entry.schemas`."""
    tools, renamed = [], {}
    for fn in entry.question["function"]:
        name = fn["name"].replace(".", "_")
        if name in entry.schemas:
            raise Skip(f"two functions are both named {name!r} once '.' becomes '_'")
        if name != fn["name"]:
            renamed[name] = fn["name"]
        params = fn.get("parameters") or {"type": "dict", "properties": {}}
        if not isinstance(params, dict):
            raise Skip(f"function {fn['name']!r}: parameters are not a mapping")
        entry.bfcl_schemas[name] = params
        entry.schemas[name] = _parameters(params)
        function = {"name": name, "description": str(fn.get("description") or ""),
                    "parameters": entry.schemas[name]}
        tools.append({"type": "function", "function": function})
    return tools, renamed


def _parameters(params: dict[str, Any]) -> dict[str, Any]:
    required = params.get("required")
    return {"type": "object", "properties": _properties(params.get("properties")),
            "required": [r for r in required if isinstance(r, str)] if isinstance(required, list) else []}


def _properties(props: Any) -> dict[str, Any]:
    return {str(k): _schema(v) for k, v in props.items()} if isinstance(props, dict) else {}


def _schema(raw: Any) -> dict[str, Any]:
    """One BFCL property schema as JSON Schema, as BFCL's OpenAI conversion does (unknown types: string);
    BFCL-only keys (`optional`) are dropped."""
    if not isinstance(raw, dict):
        return {"type": "string"}
    bfcl_type = raw.get("type")
    out = {k: copy.deepcopy(v) for k, v in raw.items() if k in SCHEMA_KEYS}
    out["type"] = TYPES.get(bfcl_type, "string") if isinstance(bfcl_type, str) else "string"
    if bfcl_type == "float":  # what BFCL adds for OpenAI-style tools
        out["format"] = "float"
        out["description"] = str(out.get("description", "")) + " This is a float type value."
    if "properties" in out:
        out["properties"] = _properties(out["properties"])
    if isinstance(out.get("items"), dict):
        out["items"] = _schema(out["items"])
    if out["type"] == "array" and isinstance(out.get("enum"), list):
        items = out.setdefault("items", {"type": "string"})  # BFCL writes item enums on the array
        items.setdefault("enum", out.pop("enum"))
    if not isinstance(out.get("required"), list):
        out.pop("required", None)
    return out
