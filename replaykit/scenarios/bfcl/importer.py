"""BFCL's files → scenario files: discovery, reading (bounded, named errors), one scenario per entry."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from replaykit.errors import ScenarioError
from replaykit.scenarios.bfcl.answers import expected_call
from replaykit.scenarios.bfcl.entry import Entry, Skip
from replaykit.scenarios.bfcl.schemas import tools_of
from replaykit.scenarios.validate import build_scenario

# Categories we can express, and whether their right answer is "no call".
CATEGORIES = {
    "simple": False, "simple_python": False, "multiple": False, "parallel": False, "parallel_multiple": False,
    "live_simple": False, "live_multiple": False, "live_parallel": False, "live_parallel_multiple": False,
    "irrelevance": True, "live_irrelevance": True,
}
FILE_RE = re.compile(r"^BFCL_v\d+_(?P<category>[a-z0-9_]+)\.json$")
IMPORT_VERSION = 2  # 2: BFCL's tools as sent, BFCL's answer kept; scenarios without it come from older imports
HEADER = "# Imported from BFCL ({source}) by `replaykit import bfcl`; regenerate rather than edit.\n"


@dataclass(frozen=True)
class SkippedEntry:
    category: str
    bfcl_id: str
    reason: str


class BfclImport(dict[str, int]):
    """Scenarios written per category, plus what was skipped, which entries no answer can pass, and which
    scoring schemas had to be widened."""

    def __init__(self) -> None:
        super().__init__()
        self.skipped: list[SkippedEntry] = []
        self.unanswerable: list[SkippedEntry] = []  # written as scenarios that always fail
        self.widened: dict[str, list[str]] = {}  # BFCL id -> notes
        self.files: list[Path] = []


def import_bfcl(path: str | Path, out: str | Path, categories: list[str] | None = None) -> BfclImport:
    """Convert a BFCL data folder (or one question file) into `bfcl_<category>.yaml` files under OUT."""
    sources = _select(_discover(Path(path)), categories)
    out_dir = Path(out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ScenarioError(f"cannot create the output folder: {err.strerror or err}", source=str(out)) \
            from None
    result = BfclImport()
    for category, question_file, answer_file in sources:
        scenarios = _convert_file(category, question_file, answer_file, result)
        target = out_dir / f"bfcl_{category}.yaml"
        _write(target, scenarios, question_file)
        result[category] = len(scenarios)
        result.files.append(target)
    return result


def _discover(path: Path) -> list[tuple[str, Path, Path | None]]:
    """(category, question file, answer file) for every supported category found at PATH."""
    if path.is_dir():
        found = [(m["category"], f) for f in sorted(path.iterdir()) if (m := FILE_RE.match(f.name))]
        files = [(c, f) for c, f in found if c in CATEGORIES]
        if not files:
            raise ScenarioError("no BFCL question files (BFCL_v4_<category>.json) of a supported category",
                                source=str(path))
    elif path.is_file():
        match = FILE_RE.match(path.name)
        if not match or match["category"] not in CATEGORIES:
            raise ScenarioError(f"not a BFCL question file of a supported category "
                                f"({', '.join(sorted(CATEGORIES))})", source=str(path))
        files = [(match["category"], path)]
    else:
        raise ScenarioError("no such file or folder", source=str(path))
    return [(c, f, _answer_file(c, f)) for c, f in files]


def _answer_file(category: str, question_file: Path) -> Path | None:
    if CATEGORIES[category]:
        return None
    answer = question_file.parent / "possible_answer" / question_file.name
    if not answer.is_file():
        raise ScenarioError(f"no possible answers for category {category} (expected {answer})",
                            source=str(question_file))
    return answer


def _select(sources: list[tuple[str, Path, Path | None]],
            categories: list[str] | None) -> list[tuple[str, Path, Path | None]]:
    if not categories:
        return sources
    available = {c for c, _, _ in sources}
    unknown = [c for c in categories if c not in available]
    if unknown:
        raise ScenarioError(f"category {unknown[0]!r} not found (available: {', '.join(sorted(available))})",
                            source=str(sources[0][1].parent))
    return [s for s in sources if s[0] in categories]


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line; a malformed line names file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"cannot read: {getattr(err, 'strerror', None) or err}", source=str(path)) \
            from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as err:
            raise ScenarioError(f"invalid JSON: {err.msg} (column {err.colno})", source=str(path),
                                field=f"line {number}") from None
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise ScenarioError("expected a JSON object with an `id`", source=str(path),
                                field=f"line {number}")
        yield number, data


def _read_answers(path: Path | None) -> dict[str, list[Any]]:
    if path is None:
        return {}
    answers = {}
    for number, data in _read_jsonl(path):
        if not isinstance(data.get("ground_truth"), list):
            raise ScenarioError("expected `ground_truth`: a list of {function: {param: [values]}}",
                                source=str(path), field=f"line {number}")
        answers[data["id"]] = data["ground_truth"]
    return answers


def _check_question(question: dict[str, Any], path: Path, number: int) -> None:
    turns, functions = question.get("question"), question.get("function")
    if not isinstance(turns, list) or not turns or not isinstance(turns[0], list) or not turns[0]:
        raise ScenarioError("expected `question`: a list of turns, each a list of messages",
                            source=str(path), field=f"line {number}")
    if not isinstance(functions, list) or not all(
            isinstance(f, dict) and isinstance(f.get("name"), str) for f in functions):
        raise ScenarioError("expected `function`: a list of {name, description, parameters}",
                            source=str(path), field=f"line {number}")


def _convert_file(category: str, question_file: Path, answer_file: Path | None,
                  result: BfclImport) -> list[dict[str, Any]]:
    answers = _read_answers(answer_file)
    scenarios: dict[str, dict[str, Any]] = {}
    for number, question in _read_jsonl(question_file):
        _check_question(question, question_file, number)
        bfcl_id = question["id"]
        entry = Entry(category, question, answers.get(bfcl_id), f"{question_file}:{number}")
        try:
            scenario = _scenario(entry)
            if scenario["id"] in scenarios:
                raise Skip(f"its id {scenario['id']} is taken by an earlier entry")
        except Skip as why:
            result.skipped.append(SkippedEntry(category, bfcl_id, str(why)))
            continue
        scenarios[scenario["id"]] = scenario
        if entry.unanswerable:
            result.unanswerable.append(SkippedEntry(category, bfcl_id, "; ".join(entry.unanswerable)))
        if entry.widened:
            result.widened[bfcl_id] = entry.widened
    return list(scenarios.values())


def _write(target: Path, scenarios: list[dict[str, Any]], source: Path) -> None:
    _share_tools(scenarios)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # safe_dump's dumper, libyaml's when present
    text = yaml.dump(scenarios, Dumper=dumper, allow_unicode=True, sort_keys=False, width=110,
                     default_flow_style=None)
    try:
        target.write_text(HEADER.format(source=source.name) + text, encoding="utf-8")
    except OSError as err:
        raise ScenarioError(f"cannot write: {err.strerror or err}", source=str(target)) from None


def _share_tools(scenarios: list[dict[str, Any]]) -> None:
    """Identical tools become one object, which YAML writes once (&idNNN) and then by alias (*idNNN):
    the live categories offer the same tool sets again and again."""
    seen: dict[str, dict[str, Any]] = {}
    for scenario in scenarios:
        scenario["tools"] = [seen.setdefault(json.dumps(t), t) for t in scenario["tools"]]  # key order counts


def _scenario(entry: Entry) -> dict[str, Any]:
    bfcl_id = entry.question["id"]
    no_call = CATEGORIES[entry.category]
    if entry.answer is None and not no_call:
        raise Skip("no possible answer for this id")
    tools, renamed = tools_of(entry)
    calls = [] if no_call else [expected_call(entry, item) for item in entry.answer or []]
    meta: dict[str, Any] = {"bfcl_id": bfcl_id, "bfcl_category": entry.category, "bfcl_import": IMPORT_VERSION}
    if renamed:
        meta["original_names"] = renamed
    if not no_call:
        meta["bfcl_answer"] = entry.answer  # BFCL's own answer, which --bfcl-compat checks against
    if entry.unanswerable:
        meta["bfcl_unanswerable"] = entry.unanswerable
    if entry.widened:
        meta["bfcl_scoring_widened"] = entry.widened
    raw = {
        "id": "bfcl." + re.sub(r"[^a-z0-9_.-]", "_", bfcl_id.lower()),
        "category": _shape(len(tools), calls),
        "tags": ["bfcl", entry.category],
        "tools": tools,
        "messages": [_message(m) for m in entry.question["question"][0]],
        "expect": {"calls": calls},
    }
    sent = {t["function"]["name"]: t["function"]["parameters"] for t in tools}
    score_schemas = {name: schema for name, schema in entry.schemas.items() if schema != sent[name]}
    if score_schemas:
        raw["score_schemas"] = score_schemas
    raw["meta"] = meta
    try:
        build_scenario(raw, entry.source)  # never writes a scenario the loader would refuse
    except ScenarioError as err:
        raise Skip(f"does not validate: {err.field or ''}: {err.message}") from None
    return raw


def _shape(tool_count: int, calls: list[dict[str, Any]]) -> str:
    """The replaykit category the answer's shape calls for (BFCL's own name is kept in tags and meta)."""
    if not calls:
        return "no_call"
    if len(calls) == 1:
        return "single" if tool_count == 1 else "multiple"
    return "parallel" if len({c["name"] for c in calls}) == 1 else "parallel_multiple"


def _message(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict) or not isinstance(raw.get("role"), str):
        raise Skip("a message is not {role, content}")
    return {"role": raw["role"], "content": raw.get("content")}
