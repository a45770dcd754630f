"""BFCL's own code as an oracle, loaded from a local checkout (not part of replaykit, never copied into it).

Pass the checkout with `--bfcl PATH` or the BFCL_CHECKOUT environment variable: a clone of
github.com/ShishirPatil/gorilla (the issue was measured at commit 6ea5797), or its
`berkeley-function-call-leaderboard` folder. BFCL's files are run unmodified; only modules they import that
the AST checker and the tool conversion never call (model configs, tree-sitter parsers, retry and file-lock
helpers) are replaced by empty stand-ins, so no BFCL dependency needs installing.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV = "BFCL_CHECKOUT"


@dataclass(frozen=True)
class Bfcl:
    """The parts of BFCL the scripts and tests call."""

    ast_checker: Any  # ast_checker(functions, decoded_output, possible_answer, language, category, model)
    convert_to_tool: Any  # convert_to_tool(functions, mapping, model_style)
    add_hint: Any  # _func_doc_language_specific_pre_processing(functions, category)
    mapping: dict[str, str]  # GORILLA_TO_OPENAPI
    python: Any  # Language.PYTHON
    openai_style: Any  # ModelStyle.OPENAI_COMPLETIONS
    model: str = "gpt-4o-2024-11-20-FC"  # any name: the stub config says '.' becomes '_' for every model

    def check(self, functions: list[dict[str, Any]], raw_calls: list[tuple[str, str]], answer: list[Any],
              category: str) -> bool:
        """BFCL's verdict on native tool calls [(name, arguments text)], as its OpenAI FC handler decodes them
        (json.loads per call; a decoding error or a non-object fails the entry) and its AST checker rules."""
        try:
            decoded = [{name: json.loads(text)} for name, text in raw_calls]
        except ValueError:
            return False
        if any(type(next(iter(item.values()))) is not dict for item in decoded):
            return False
        result = self.ast_checker(functions, decoded, answer, self.python, category, self.model)
        return bool(result["valid"])


def locate(explicit: str | None = None) -> Path | None:
    """The folder holding `bfcl_eval`, from the argument or $BFCL_CHECKOUT; None when absent."""
    given = explicit or os.environ.get(ENV)
    if not given:
        return None
    root = Path(given).expanduser()
    for candidate in (root, root / "berkeley-function-call-leaderboard"):
        if (candidate / "bfcl_eval" / "eval_checker" / "ast_eval" / "ast_checker.py").is_file():
            return candidate
    return None


def _stub(name: str, **attrs: Any) -> None:
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    sys.modules[name] = module


class _AnyModel(dict):  # type: ignore[type-arg]
    """MODEL_CONFIG_MAPPING stand-in: every model is a native tool-calling one whose names lose their dots."""

    def __missing__(self, key: str) -> Any:
        return types.SimpleNamespace(underscore_to_dot=True, is_fc_model=True)


def _identity_decorator(*_args: Any, **_kwargs: Any) -> Any:
    return lambda fn: fn


def load(explicit: str | None = None) -> Bfcl | None:
    """BFCL's checker and tool conversion from the checkout, or None when there is none."""
    root = locate(explicit)
    if root is None:
        return None
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    _stub("bfcl_eval.constants.model_config", MODEL_CONFIG_MAPPING=_AnyModel())
    _stub("tenacity", retry=_identity_decorator, retry_if_exception_message=_identity_decorator,
          retry_if_exception_type=_identity_decorator, wait_random_exponential=_identity_decorator)
    _stub("filelock", FileLock=object)
    _stub("bfcl_eval.model_handler.parser.java_parser", parse_java_function_call=None)
    _stub("bfcl_eval.model_handler.parser.js_parser", parse_javascript_function_call=None)
    from bfcl_eval.constants.enums import Language, ModelStyle
    from bfcl_eval.constants.type_mappings import GORILLA_TO_OPENAPI
    from bfcl_eval.eval_checker.ast_eval.ast_checker import ast_checker
    from bfcl_eval.model_handler.utils import convert_to_tool
    from bfcl_eval.utils import _func_doc_language_specific_pre_processing

    return Bfcl(ast_checker, convert_to_tool, _func_doc_language_specific_pre_processing, GORILLA_TO_OPENAPI,
                Language.PYTHON, ModelStyle.OPENAI_COMPLETIONS)


def bfcl_tools(bfcl: Bfcl, functions: list[dict[str, Any]], category: str) -> list[dict[str, Any]]:
    """The tools BFCL sends an OpenAI-style model for these functions: its dataset loader adds the language
    hint to each description, then its OpenAI handler converts them (both on copies)."""
    hinted = bfcl.add_hint(copy.deepcopy(functions), category)
    return list(bfcl.convert_to_tool(hinted, bfcl.mapping, bfcl.openai_style))
