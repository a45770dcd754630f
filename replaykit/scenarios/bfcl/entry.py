"""One BFCL entry while it is converted, and the reason to skip one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# BFCL's type names as JSON Schema types (its OpenAI conversion; unknown types become strings)
TYPES = {"dict": "object", "object": "object", "float": "number", "number": "number", "tuple": "array",
         "list": "array", "array": "array", "integer": "integer", "string": "string", "boolean": "boolean",
         "any": "string", "null": "null"}
OMIT = object()  # the parameter must be absent


class Skip(Exception):
    """This entry cannot become a valid scenario; the message says why."""


@dataclass
class Entry:
    """One question with its answer, being converted."""

    category: str
    question: dict[str, Any]
    answer: list[Any] | None
    source: str
    bfcl_schemas: dict[str, dict[str, Any]] = field(default_factory=dict)  # tool name -> BFCL parameters
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)  # tool name -> JSON Schema parameters
    widened: list[str] = field(default_factory=list)


def sub(schema: dict[str, Any], key: str) -> dict[str, Any]:
    """A sub-schema (`items`, `properties`), or {} when there is none."""
    value = schema.get(key)
    return value if isinstance(value, dict) else {}
