"""Prompt-mode formats, one module per model family: how its chat template describes tools in the system
prompt, writes calls, and gives results back, so that prompt mode talks to a model the way it was trained
(docs/dialects.md, "Prompt mode"). Calls in the answer are read by the text-call readers of every family
(normalize/textcalls.py), whatever the format asked for.

A provider file picks one with `prompt_format`; the simulator tells the format of a request from its system
prompt and answers in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any, Protocol, cast

from replaykit.promptformats import deepseek, glm, gpt_oss, hermes, kimi_k2, qwen3_coder


class PromptFormat(Protocol):
    NAME: str

    def tools_prompt(self, tools: Sequence[dict[str, Any]]) -> str: ...

    def read_tools(self, system: str) -> list[dict[str, Any]] | None: ...

    def calls_text(self, calls: Sequence[tuple[str, str]], first: int = 0) -> str: ...

    def tool_result(self, name: str, index: int, text: str) -> str: ...

    def read_tool_result(self, text: str) -> str | None: ...


DEFAULT = hermes.NAME
# Told apart by their system prompts in this order: GLM's tools block is Hermes' with another call syntax, and
# Qwen3-Coder's XML sits in the same `<tools>` tags, so both go before Hermes.
_MODULES: tuple[ModuleType, ...] = (glm, qwen3_coder, kimi_k2, deepseek, gpt_oss, hermes)
FORMATS: dict[str, PromptFormat] = {m.NAME: cast(PromptFormat, m) for m in _MODULES}
NAMES = tuple(sorted(FORMATS))


def prompt_format(name: str) -> PromptFormat:
    """The format named `name` (checked when the provider file was read)."""
    return FORMATS[name]


def detect(system: str) -> tuple[PromptFormat, list[dict[str, Any]]] | None:
    """The format a system prompt is written in, and the tools it describes; None when it describes none."""
    for fmt in FORMATS.values():
        tools = fmt.read_tools(system)
        if tools is not None:
            return fmt, tools
    return None


def tool_result_text(text: str) -> str | None:
    """A tool result given back in any format, unwrapped; None when `text` is not one."""
    for fmt in FORMATS.values():
        inner = fmt.read_tool_result(text)
        if inner is not None:
            return inner
    return None
