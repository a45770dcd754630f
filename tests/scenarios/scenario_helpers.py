"""Helpers for scenario tests: a valid scenario to start from, written to real files."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

READ_FILE_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "read_file",
        "description": "Read a text file",
        "parameters": {
            "type": "object",
            "properties": {"path": {"type": "string"}, "encoding": {"type": "string"}},
            "required": ["path"],
        },
    },
}

EDIT_FILE_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "edit_file",
        "description": "Replace text in a file",
        "parameters": {
            "type": "object",
            "properties": {"path": {"type": "string"}, "old": {"type": "string"}, "new": {"type": "string"}},
            "required": ["path", "old", "new"],
        },
    },
}


def base_scenario(sid: str = "coding.read_file", **changes: Any) -> dict[str, Any]:
    """A valid `single` scenario; keyword arguments replace top-level keys (None removes one)."""
    raw: dict[str, Any] = {
        "id": sid,
        "category": "single",
        "tags": ["coding"],
        "tools": [copy.deepcopy(READ_FILE_TOOL)],
        "messages": [
            {"role": "system", "content": "You are a coding agent."},
            {"role": "user", "content": "Show me src/app.py"},
        ],
        "expect": {"calls": [{"name": "read_file", "args": {
            "path": "src/app.py", "encoding": {"one_of": ["utf-8", "utf8"], "optional": True}}}]},
    }
    for key, value in changes.items():
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    return raw


def multi_turn_scenario(sid: str = "coding.fix_typo_chain") -> dict[str, Any]:
    return {
        "id": sid,
        "category": "multi_turn",
        "tools": [copy.deepcopy(READ_FILE_TOOL), copy.deepcopy(EDIT_FILE_TOOL)],
        "messages": [{"role": "user", "content": "Fix the typo in README.md"}],
        "steps": [
            {"calls": [{"name": "read_file", "args": {"path": "README.md"}}]},
            {"calls": [{"name": "edit_file", "args": {"path": "README.md", "old": "teh", "new": "the"}}]},
            {"calls": []},
        ],
        "tool_results": [
            {"name": "read_file", "args": {"path": "README.md"}, "content": "# Demo\nThis is teh demo.\n"},
            {"name": "edit_file", "content": {"ok": True}},
        ],
    }


def write_yaml(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
