"""One BFCL entry while it is converted, and the reason to skip one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# BFCL's type names as JSON Schema types, as its OpenAI conversion maps them (a property of another type
# becomes a string; an item of another type is an error)
TYPES = {"integer": "integer", "number": "number", "float": "number", "string": "string", "boolean": "boolean",
         "bool": "boolean", "array": "array", "list": "array", "dict": "object", "object": "object",
         "tuple": "array", "any": "string", "byte": "integer", "short": "integer", "long": "integer",
         "double": "number", "char": "string", "ArrayList": "array", "Array": "array", "HashMap": "object",
         "Hashtable": "object", "Queue": "array", "Stack": "array", "Any": "string", "String": "string",
         "Bigint": "integer"}
OMIT = object()  # the parameter must be absent


class Skip(Exception):
    """This entry cannot become a valid scenario; the message says why."""


class Unanswerable(Skip):
    """No answer can pass BFCL's checker for this entry: it becomes a scenario that always fails."""


@dataclass
class Entry:
    """One question with its answer, being converted."""

    category: str
    question: dict[str, Any]
    answer: list[Any] | None
    source: str
    bfcl_schemas: dict[str, dict[str, Any]] = field(default_factory=dict)  # tool name -> BFCL parameters
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)  # tool name -> scoring schema
    widened: list[str] = field(default_factory=list)
    unanswerable: list[str] = field(default_factory=list)  # why BFCL fails every answer, if it does


def sub(schema: dict[str, Any], key: str) -> dict[str, Any]:
    """A sub-schema (`items`, `properties`), or {} when there is none."""
    value = schema.get(key)
    return value if isinstance(value, dict) else {}
