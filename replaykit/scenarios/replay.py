"""Replay scenarios: the requests of a run — captured from an agent, imported from a request set, or
recorded from any scenarios — with the answers of one provider of that run as the reference.

`from_run` takes every chat request the reference provider answered (one per turn), keeps those whose answer is
usable, de-duplicates and samples them, scrubs home folders and user patterns, refuses to write anything the
secret scan flags, and writes one YAML file per session.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
import yaml

from replaykit.canonical import content_hash
from replaykit.cassettes.model import Attempt
from replaykit.cassettes.run import Run, load_run
from replaykit.errors import BadInputError
from replaykit.scenarios.reference import chat_form, reference_scenario
from replaykit.scenarios.validate import build_scenario
from replaykit.share.paths import staged_folder
from replaykit.share.secrets import scan_value

PLACEHOLDER = "<redacted>"
# /home/alice/..., /Users/alice/..., C:\Users\alice\... → a neutral user, so shared requests don't name people
HOME = re.compile(r"(/home/|/Users/|[A-Za-z]:\\\\?Users\\\\?)([^/\\\s\"']+)")


@dataclass
class ReplayReport:
    path: str
    written: int = 0
    files: list[str] = field(default_factory=list)
    skipped_unusable: int = 0
    duplicates: int = 0
    sampled_out: int = 0


def from_run(run_path: str | Path, out: str | Path, *, reference: str | None = None, sample: int | None = None,
             seed: int = 0, dedupe: bool = True, redact: Sequence[str] = (),
             keep_paths: bool = False) -> ReplayReport:
    run = load_run(run_path)
    provider = _reference_provider(run, reference)
    report = ReplayReport(str(out))
    chosen = [raw for raw in _requests(run, provider) if _usable(raw, report)]
    if dedupe:
        chosen = _dedupe(chosen, report)
    if sample is not None and sample < len(chosen):
        keep = set(random.Random(seed).sample(range(len(chosen)), sample))
        report.sampled_out = len(chosen) - sample
        chosen = [raw for i, raw in enumerate(chosen) if i in keep]
    patterns = [_pattern(p) for p in redact]
    scrubbed = [_scrub(raw, patterns, keep_paths) for raw in chosen]
    if not scrubbed:
        raise BadInputError(f"no request answered usably by {provider}", source=str(run_path))
    _refuse_secrets(scrubbed)
    _write(Path(out), scrubbed, report)
    return report


def _reference_provider(run: Run, wanted: str | None) -> str:
    names = sorted((run.manifest.get("providers") or {}).keys())
    if wanted is None and len(names) == 1:
        return names[0]
    if wanted is None or wanted not in names:
        raise BadInputError(f"name the reference provider with --reference (one of: {', '.join(names)})",
                            source=str(run.root), field="--reference")
    return wanted


def _requests(run: Run, provider: str) -> Iterator[dict[str, Any]]:
    """One raw scenario per turn of every sample of `provider`: the request its last attempt sent, and the
    answer it got."""
    for file in run.cassette_files():
        cassette = run.read_cassette(file)
        if cassette.sample.provider != provider:
            continue
        last: dict[int, Attempt] = {}
        for attempt in cassette.attempts:
            last[attempt.step] = attempt
        for step, attempt in sorted(last.items()):
            body = chat_form(urlsplit(str(attempt.request.get("uri", ""))).path, _json(attempt.request.get("body")))
            if body is None:
                continue
            sid = cassette.sample.scenario
            if cassette.sample.repetition or len(last) > 1:
                sid += f".r{cassette.sample.repetition}.s{step}"
            yield reference_scenario(sid, body, attempt, provider)


def _json(text: Any) -> Any:
    try:
        return orjson.loads(text) if isinstance(text, str) else None
    except orjson.JSONDecodeError:
        return None


def _usable(raw: dict[str, Any], report: ReplayReport) -> bool:
    if not raw["meta"]["reference"]["usable"]:
        report.skipped_unusable += 1
        return False
    return True


def _dedupe(items: list[dict[str, Any]], report: ReplayReport) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for raw in items:
        key = content_hash([raw.get("messages"), raw.get("tools"), raw.get("tool_choice")])
        if key in seen:
            report.duplicates += 1
            continue
        seen.add(key)
        out.append(raw)
    return out


def _pattern(text: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as err:
        raise BadInputError(f"not a regular expression: {err}", field="--redact", item=text) from None


def _scrub(value: Any, patterns: list[re.Pattern[str]], keep_paths: bool) -> Any:
    if isinstance(value, str):
        if not keep_paths:
            value = HOME.sub(lambda m: m.group(1) + "user", value)
        for pattern in patterns:
            value = pattern.sub(PLACEHOLDER, value)
        return value
    if isinstance(value, dict):
        return {k: _scrub(v, patterns, keep_paths) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, patterns, keep_paths) for v in value]
    return value


def _refuse_secrets(items: list[dict[str, Any]]) -> None:
    for raw in items:
        for where, kind in scan_value(raw, ""):
            raise BadInputError(f"looks like a secret ({kind}); add a --redact pattern for it",
                                item=str(raw.get("id")), field=where)


def _write(target: Path, items: list[dict[str, Any]], report: ReplayReport) -> None:
    sessions: dict[str, list[dict[str, Any]]] = {}
    for raw in items:
        build_scenario(raw, "<from-run>", lint=False)  # still a scenario after scrubbing
        session = f"replay.{raw['meta']['reference']['session']}"
        sessions.setdefault(session, []).append(raw)
    with staged_folder(target, "from-run") as staging:
        for session, raws in sorted(sessions.items()):
            name = f"{session}.yaml"
            text = yaml.safe_dump(raws, sort_keys=False, allow_unicode=True, width=120)
            (staging / name).write_text(text, encoding="utf-8")
            report.files.append(name)
    report.written = len(items)
