"""Stress variants of scenarios: the same question behind a longer agent preamble and among more tools.

`stress(scenario, context_tokens=K, tools=T)` keeps the messages and the expected calls, and adds
- a realistic coding-agent preamble of about K tokens (≈ 4 characters each) at the head of the system prompt:
  instructions, a repository map, and file contents, all plausible and fixed by the seed;
- distractor tools (MCP-namespaced, from domains that don't answer the question; see distractors.py) until T
  tools are offered, in an order fixed by the seed, the scenario's own tools among them.
Tags `stress`, `ctx-<K>`, `tools-<T>` and `meta.stress` let scores and reports break results down by load.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import yaml

from replaykit.errors import BadInputError
from replaykit.scenarios.distractors import distractors_for
from replaykit.scenarios.model import Scenario
from replaykit.share.paths import staged_folder

CHARS_PER_TOKEN = 4

INSTRUCTIONS = (
    "You are an autonomous coding agent working in the user's repository. Use the tools to inspect and change "
    "files; never guess file contents. Prefer small, reviewable edits and keep the existing style. When a "
    "command fails, read the error before retrying. Do not run destructive commands without being asked. "
    "Answer in the user's language; be brief. Call tools only when they are needed to answer."
)
_DIRS = ("src", "src/api", "src/core", "src/storage", "src/cli", "tests", "tests/unit", "docs", "scripts",
         "src/auth", "src/jobs", "src/web", "migrations")
_NOUNS = ("user", "order", "invoice", "session", "token", "cache", "queue", "report", "config", "event",
          "schema", "client", "router", "worker", "metric", "payload", "account", "job")
_VERBS = ("load", "save", "parse", "render", "validate", "refresh", "build", "resolve", "sync", "merge",
          "encode", "fetch", "apply", "compute")


def parse_size(text: str) -> int:
    """`2k` → 2000, `32k` → 32000, `500` → 500 (tokens)."""
    value = text.strip().lower()
    try:
        return int(float(value[:-1]) * 1000) if value.endswith("k") else int(value)
    except ValueError:
        raise BadInputError(f"not a size like 2k or 500: {text!r}") from None


def size_label(tokens: int) -> str:
    return f"{tokens // 1000}k" if tokens and tokens % 1000 == 0 else str(tokens)


def stress(scenario: Scenario, *, context_tokens: int, tools: int, seed: int = 0) -> dict[str, Any]:
    """The raw (YAML-shaped) variant of `scenario` at this load."""
    raw = copy.deepcopy(scenario.raw)
    rng = random.Random(f"{seed}|{scenario.id}|{context_tokens}|{tools}")
    offered = list(raw.get("tools") or [])
    pool = distractors_for([t["function"]["name"] for t in offered])
    extra = max(0, tools - len(offered))
    if extra > len(pool):
        raise BadInputError(f"at most {len(pool) + len(offered)} tools for this scenario "
                            f"({len(pool)} distractors fit it)", item=scenario.id, field="--tools")
    mixed = offered + rng.sample(pool, extra)
    rng.shuffle(mixed)
    raw["tools"] = mixed
    if context_tokens:
        raw["messages"] = _with_preamble(raw["messages"], preamble(context_tokens, rng))
    label = size_label(context_tokens)
    raw["id"] = f"{scenario.id}.stress.c{label}.t{len(mixed)}"
    raw["tags"] = [*raw.get("tags", []), "stress", f"ctx-{label}", f"tools-{len(mixed)}"]
    raw["meta"] = {**(raw.get("meta") or {}),
                   "stress": {"base": scenario.id, "context_tokens": context_tokens, "tools": len(mixed)}}
    if raw.get("category") == "single" and len(mixed) > 1:
        raw["category"] = "multiple"  # one right tool among several
    return raw


def _with_preamble(messages: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    first = messages[0] if messages else {}
    if first.get("role") == "system" and isinstance(first.get("content"), str):
        return [{**first, "content": f"{text}\n\n{first['content']}"}, *messages[1:]]
    return [{"role": "system", "content": text}, *messages]


def preamble(tokens: int, rng: random.Random) -> str:
    """About `tokens` tokens of agent context: instructions, a repository map, then file contents."""
    budget = tokens * CHARS_PER_TOKEN
    files = [f"{rng.choice(_DIRS)}/{rng.choice(_VERBS)}_{rng.choice(_NOUNS)}.py" for _ in range(60)]
    files = sorted(set(files))
    parts = [INSTRUCTIONS, "# Repository map\n" + "\n".join(files)]
    size = sum(len(p) for p in parts)
    while size < budget:
        path = rng.choice(files)
        block = f"# File: {path}\n```python\n{_module(rng)}```"
        parts.append(block)
        size += len(block) + 2
    return "\n\n".join(parts)[:budget]


def _module(rng: random.Random) -> str:
    noun = rng.choice(_NOUNS)
    lines = [f'"""{noun.title()} helpers."""', "", "from __future__ import annotations", ""]
    for _ in range(rng.randint(2, 5)):
        verb = rng.choice(_VERBS)
        other = rng.choice(_NOUNS)
        lines += [
            f"def {verb}_{noun}({other}: dict, *, retries: int = {rng.randint(1, 5)}) -> dict:",
            f'    """{verb.title()} the {noun} for a {other}; raises ValueError when it is incomplete."""',
            f"    if not {other}.get('id'):",
            f"        raise ValueError('{other} without id')",
            f"    result = {{'id': {other}['id'], '{noun}': {other}.get('{noun}', {rng.randint(0, 99)})}}",
            "    for attempt in range(retries):",
            f"        if result['{noun}'] is not None:",
            "            break",
            "    return result",
            "",
        ]
    return "\n".join(lines) + "\n"


def write_sweep(scenarios: list[Scenario], contexts: list[int], tools: list[int], out: str | Path, *,
                seed: int = 0) -> int:
    """Every scenario at every (context, tools) pair, one YAML file per base scenario, into a new folder."""
    if not scenarios:
        raise BadInputError("no scenario to stress")
    written = 0
    with staged_folder(Path(out), "stress") as staging:
        for scenario in scenarios:
            if scenario.category == "multi_turn":
                continue  # the simulator and the recorder count turns from the scenario's own messages
            variants = [stress(scenario, context_tokens=c, tools=t, seed=seed) for c in contexts for t in tools]
            text = yaml.safe_dump(variants, sort_keys=False, allow_unicode=True, width=120)
            (staging / f"{scenario.id}.yaml").write_text(text, encoding="utf-8")
            written += len(variants)
    return written
