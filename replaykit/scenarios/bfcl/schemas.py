"""BFCL functions as the OpenAI tools BFCL itself sends, and the scoring schemas derived from them.

What is sent is BFCL's own preparation for native tool calling, reproduced exactly (same keys, same order,
same text): the Python hint appended to every function description, BFCL's type names mapped to JSON Schema
(`float` → `number` with `format: float` and " This is a float type value." in its description, `dict` →
`object`, `tuple` → `array`, `any` and unknown types → `string`), `.` → `_` in names, every other key kept as
BFCL wrote it (`optional`, an `enum` on an array). A test compares the result byte for byte with BFCL's
`convert_to_tool` when a BFCL checkout is at hand.

The scoring schema is the same schema made valid JSON Schema for the answers: an array's `enum` moved to its
items; `answers` then widens it where BFCL accepts a value it does not admit. It is never sent.
"""

from __future__ import annotations

import copy
from typing import Any

from replaykit.scenarios.bfcl.entry import TYPES, Entry, Skip

PYTHON_HINT = " Note that the provided function is in Python 3 syntax."  # BFCL's hint for Python categories


def tools_of(entry: Entry) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The entry's functions as BFCL sends them, and the names that changed (new -> BFCL's); fills
    `entry.bfcl_schemas` (BFCL's parameters) and `entry.schemas` (scoring schemas, to be widened)."""
    tools, renamed = [], {}
    for fn in entry.question["function"]:
        name = fn["name"].replace(".", "_")
        if name in entry.schemas:
            raise Skip(f"two functions are both named {name!r} once '.' becomes '_'")
        if name != fn["name"]:
            renamed[name] = fn["name"]
        params = fn.get("parameters")
        if not isinstance(params, dict) or not isinstance(params.get("properties"), dict):
            raise Skip(f"function {fn['name']!r}: parameters are not {{type, properties}}")
        entry.bfcl_schemas[name] = params
        function = copy.deepcopy(fn)
        function["name"] = name
        function["description"] = str(fn.get("description") or "") + PYTHON_HINT
        function["parameters"]["type"] = "object"
        _convert_properties(function["parameters"]["properties"])
        entry.schemas[name] = scoring_schema(function["parameters"])
        tools.append({"type": "function", "function": function})
    return tools, renamed


def _convert_properties(props: dict[str, Any]) -> None:
    """BFCL's type mapping, in place: properties (recursively) and up to two levels of `items`."""
    for key, prop in props.items():
        if not isinstance(prop, dict):
            raise Skip(f"parameter {key!r} is not a mapping")
        bfcl_type = prop.get("type")
        if bfcl_type == "float":
            prop["format"] = "float"
            prop["description"] = str(prop.get("description", "")) + " This is a float type value."
        prop["type"] = _json_type(bfcl_type, default="string")
        if prop["type"] not in ("array", "object"):
            continue
        if isinstance(prop.get("properties"), dict):
            _convert_properties(prop["properties"])
        elif isinstance(prop.get("items"), dict):
            items = prop["items"]
            items["type"] = _json_type(items.get("type"), default=None)
            if items["type"] == "array" and isinstance(items.get("items"), dict):
                items["items"]["type"] = _json_type(items["items"].get("type"), default=None)
            elif items["type"] == "object" and isinstance(items.get("properties"), dict):
                _convert_properties(items["properties"])


def _json_type(bfcl_type: Any, default: str | None) -> str:
    """A BFCL type as JSON Schema's; an item type BFCL cannot map is an error in BFCL too."""
    found = TYPES.get(bfcl_type) if isinstance(bfcl_type, str) else None
    if found is None:
        if default is None:
            raise Skip(f"an item type {bfcl_type!r} BFCL cannot convert")
        return default
    return found


def scoring_schema(sent: dict[str, Any]) -> dict[str, Any]:
    """The schema the scorer validates against: the sent one, with every array's `enum` on its items (BFCL
    writes the item values on the array, where JSON Schema would compare whole arrays)."""
    schema = copy.deepcopy(sent)
    _move_array_enums(schema)
    return schema


def _move_array_enums(schema: Any) -> None:
    if isinstance(schema, dict):
        if schema.get("type") == "array" and isinstance(schema.get("enum"), list):
            items = schema.setdefault("items", {"type": "string"})
            if isinstance(items, dict):
                items.setdefault("enum", schema.pop("enum"))
        for value in schema.values():
            _move_array_enums(value)
    elif isinstance(schema, list):
        for value in schema:
            _move_array_enums(value)
