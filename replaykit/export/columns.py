"""The export's tables: their columns (name, type, meaning) and how a scored sample becomes rows.

The schema is versioned (`SCHEMA_VERSION`, written to `export.json` and to each Parquet file's metadata): a
column is only ever added; renaming, removing or changing the meaning of one raises the version.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from replaykit.score.sample import AttemptFacts, SampleScore

SCHEMA_VERSION = 1

# Every table starts with these; in Parquet they are hive partitions (`run=.../provider=...` folders).
PARTITION = ("run", "provider")

# type names: str, int, float, bool, time (UTC timestamp), list (of str)
TABLES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "attempts": (
        ("run", "str", "run id"),
        ("provider", "str", "the sample's provider (a fallback chain's is `a+b`)"),
        ("scenario", "str", "scenario id"),
        ("repetition", "int", "repetition of the (provider, scenario) sample"),
        ("step", "int", "turn of a multi-turn scenario, from 0"),
        ("attempt", "int", "the attempt's position in its sample, from 0"),
        ("retry", "int", "0 for the first try of a step on a provider"),
        ("attempt_provider", "str", "where this attempt went (differs from `provider` on fallback hops)"),
        ("status", "int", "HTTP status; null when no response came"),
        ("error_class", "str", "null for a usable answer, else the class (docs/metrics.md)"),
        ("faults", "list", "tool-call faults of the answer (text_tool_call, invalid_json_args, ...)"),
        ("stream", "bool", "an SSE answer, or a request that asked for one"),
        ("started_at", "time", "when the request was sent (UTC)"),
        ("wait_ms", "float", "time waited before the attempt (backoff, Retry-After)"),
        ("ttft_ms", "float", "time to first token of a successful stream"),
        ("latency_ms", "float", "total time of a successful attempt"),
        ("total_ms", "float", "total time of any attempt, failed ones too"),
        ("output_tps", "float", "output tokens per second after the first token"),
        ("input_tokens", "int", "prompt tokens the provider reported"),
        ("output_tokens", "int", "completion tokens the provider reported"),
        ("cost_usd", "float", "the provider's reported cost, else tokens × the run's price"),
    ),
    "samples": (
        ("run", "str", "run id"),
        ("provider", "str", "the sample's provider"),
        ("scenario", "str", "scenario id"),
        ("repetition", "int", "repetition"),
        ("category", "str", "scenario category"),
        ("tags", "list", "scenario tags"),
        ("usable", "bool", "every turn got an answer (else the sample failed at the API level)"),
        ("success", "bool", "every turn's calls were all correct"),
        ("attempts", "int", "attempts made, retries included"),
        ("error_classes", "list", "class of each failed attempt, in order"),
        ("expected_calls", "int", "calls the scenario expects"),
        ("matched_calls", "int", "expected calls matched by a returned call of the same tool"),
        ("returned_calls", "int", "calls returned"),
        ("correct_args", "int", "matched calls whose arguments were all right"),
        ("schema_valid_calls", "int", "returned calls valid against the tool's schema"),
        ("faults", "list", "distinct faults of the sample"),
        ("latency_ms", "float", "latency of the last successful attempt"),
        ("cost_usd", "float", "cost of every attempt"),
        ("cassette", "str", "the cassette's path inside its run"),
    ),
    "calls": (
        ("run", "str", "run id"),
        ("provider", "str", "the sample's provider"),
        ("scenario", "str", "scenario id"),
        ("repetition", "int", "repetition"),
        ("step", "int", "turn"),
        ("index", "int", "the call's position in the answer"),
        ("name", "str", "tool name as returned"),
        ("arguments", "str", "arguments as JSON text (null when they did not parse)"),
        ("raw_arguments", "str", "arguments as the provider sent them"),
        ("expected_index", "int", "the expected call it was matched to; null when unmatched"),
        ("args_correct", "bool", "matched, with every argument right"),
        ("schema_problem", "str", "why the call is invalid against its schema; null when valid"),
    ),
}


def attempt_rows(run: str, sample: SampleScore) -> list[dict[str, Any]]:
    return [_attempt_row(run, sample, i, a) for i, a in enumerate(sample.attempts)]


def _attempt_row(run: str, sample: SampleScore, index: int, a: AttemptFacts) -> dict[str, Any]:
    started = datetime.fromtimestamp(a.started_at, UTC) if a.started_at is not None else None
    return {"run": run, "provider": sample.provider, "scenario": sample.scenario, "repetition": sample.repetition,
            "step": a.step, "attempt": index, "retry": a.retry, "attempt_provider": a.provider, "status": a.status,
            "error_class": a.error_class, "faults": list(a.faults), "stream": a.stream, "started_at": started,
            "wait_ms": a.wait_ms, "ttft_ms": a.ttft_ms, "latency_ms": a.latency_ms, "total_ms": a.total_ms,
            "output_tps": a.output_tps, "input_tokens": a.input_tokens, "output_tokens": a.output_tokens,
            "cost_usd": a.cost_usd}


def sample_row(run: str, sample: SampleScore) -> dict[str, Any]:
    data = sample.to_json()
    row = {name: data.get(name) for name, _, _ in TABLES["samples"]}
    row.update(run=run, cassette=sample.path)
    return row


def call_rows(run: str, sample: SampleScore) -> list[dict[str, Any]]:
    rows = []
    for step in sample.steps:
        by_returned = {v["returned"]: v for v in step.get("verdicts", []) if v.get("returned") is not None}
        problems = step.get("schema_problems") or []
        for index, call in enumerate(step.get("calls", [])):
            verdict = by_returned.get(index)
            arguments = call.get("arguments")
            rows.append({
                "run": run, "provider": sample.provider, "scenario": sample.scenario,
                "repetition": sample.repetition, "step": step["step"], "index": index, "name": call.get("name"),
                "arguments": None if arguments is None else orjson.dumps(arguments, option=orjson.OPT_SORT_KEYS)
                .decode(),
                "raw_arguments": call.get("raw_arguments"),
                "expected_index": verdict["expected"] if verdict else None,
                "args_correct": bool(verdict and not verdict["failures"]),
                "schema_problem": problems[index] if index < len(problems) else None,
            })
    return rows
