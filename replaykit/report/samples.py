"""The per-sample payload of the HTML report: what the drill-down, the filters and the diff view need.

`score_runs` keeps only aggregates; `collect` rides along with it (its `on_sample` callback), and has the
scorer build each sample's raw attempts (`detail.drill`) where it reads the cassette, on its workers. The
payload is built for size: one index row per sample (decoded when the report opens), and detail chunks of
consecutive samples of one scenario (decoded when one of their rows is opened), each with its bodies in one
de-duplicated list, requests first, so that near-identical requests sit next to each other and compress to
almost nothing.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from replaykit.canonical import canonical_json, file_hash
from replaykit.cassettes.run import Run
from replaykit.report.detail import BODY_LIMIT, Body, Drill, drill, read_drill, rounded, sample_detail, shown_clip
from replaykit.score.comparable import time_scale
from replaykit.score.engine import ScoreResult, open_runs, scenarios_for, score_runs
from replaykit.score.sample import SampleScore, ScoreOptions
from replaykit.share.secrets import redact_shown

CHUNK_LIMIT = 250  # samples per detail chunk at most
HIST_BINS = 36
TIME_BINS = 48  # intervals of the failed-attempts-over-time chart
INDEX_COLUMNS = ("run", "provider", "scenario", "rep", "category", "success", "usable", "errors",
                 "faults", "cause", "latency_ms", "ttft_ms", "cost_usd", "attempts", "matched", "expected",
                 "sig", "chunk", "pos")
# The cause a wrong answer is filed under: its first fault in this order.
FAULT_ORDER = ("text_tool_call", "invalid_json_args", "empty_tool_calls", "unknown_tool", "wrong_tool",
               "missing_call", "schema_violation", "wrong_args", "extra_call", "wrong_order")


@dataclass
class Chunk:
    """Consecutive samples of one scenario; their bodies in one de-duplicated list, requests first."""

    samples: list[dict[str, Any]]
    bodies: list[Body]

    def to_json(self, limit: int = BODY_LIMIT) -> dict[str, Any]:
        """As the report prints it: the samples were passed through `redact_shown` where they were read."""
        return {"samples": self.samples, "bodies": [shown_clip(b, limit) for b in self.bodies]}


@dataclass
class ReportSamples:
    """What `replaykit.report.html.render` embeds besides the score data."""

    runs: list[dict[str, Any]]
    scenarios: dict[str, dict[str, Any]]
    index: list[list[Any]]
    chunks: list[Chunk]
    timing: dict[str, Any]
    recall_by_category: dict[str, dict[str, list[int]]]
    warnings: list[str] = field(default_factory=list)
    errors_over_time: dict[str, Any] | None = None

    def index_json(self) -> dict[str, Any]:
        return {"columns": list(INDEX_COLUMNS), "rows": _shown_rows(self.index),
                **redact_shown({"runs": self.runs, "scenarios": self.scenarios, "warnings": self.warnings,
                                "errors_over_time": self.errors_over_time})}


def _shown_rows(rows: list[list[Any]]) -> list[list[Any]]:
    """`redact_shown(rows)`, each distinct string scanned once: the rows' strings are a few hundred names
    repeated in every row, and walking 20 values a row for each of 40,000 rows cost 0.9 s of a report."""
    texts: set[str] = set()
    for row in rows:
        for value in row:
            if type(value) is str:
                texts.add(value)
            elif type(value) is list and all(type(x) is str for x in value):
                texts.update(value)
            elif type(value) not in _NUMBERS:
                return list(redact_shown(rows))
    return rows if all(redact_shown(text) == text for text in texts) else list(redact_shown(rows))


_NUMBERS = frozenset({int, float, bool, type(None)})


def collect(paths: Sequence[str | Path], *, scenarios: str | Sequence[str] | None = None,
            options: ScoreOptions | None = None,
            on_sample: Callable[[SampleScore], None] | None = None,
            jobs: int | None = None, all_samples: bool = False,
            intersect: bool = False) -> tuple[ScoreResult, ReportSamples]:
    """Score the runs and build the report's per-sample payload in the same pass."""
    collector = SampleCollector(paths, scenarios)

    def each(sample: SampleScore) -> None:
        collector.add(sample)
        if on_sample is not None:
            on_sample(sample)

    result = score_runs(paths, scenarios=scenarios, options=options, on_sample=each, jobs=jobs,
                        all_samples=all_samples, intersect=intersect, extra=drill)
    return result, collector.payload()


class SampleCollector:
    """Accumulates samples (from `score_runs(on_sample=...)`) into a `ReportSamples`."""

    def __init__(self, paths: Sequence[str | Path], scenarios: str | Sequence[str] | None = None) -> None:
        self.runs = open_runs(paths)
        self._roots = [str(run.root) for run in self.runs]
        self._override = scenarios
        self._raw_scenarios: dict[int, dict[str, Any]] = {}
        self._scenarios: dict[str, dict[str, Any]] = {}
        self._items: list[tuple[tuple[str, int, int, str], list[Any], dict[str, Any]]] = []
        self._sigs: dict[bytes, int] = {}
        self._latency: dict[str, list[float]] = defaultdict(list)
        self._ttft: dict[str, list[float]] = defaultdict(list)
        self._recall: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        self._starts: dict[str, list[tuple[int, float, bool]]] = defaultdict(list)  # (run, started_at, failed)
        self._scales = [time_scale(run) or 1.0 for run in self.runs]
        self.warnings: list[str] = []

    def add(self, sample: SampleScore) -> None:
        run_index, rel = self._run_of(sample.path)
        got = sample.extra if isinstance(sample.extra, Drill) else read_drill(sample)
        if got.warning is not None:
            self.warnings.append(got.warning)
        self._remember_scenario(run_index, sample.scenario)
        self._aggregate(sample, self._scales[run_index])
        if got.starts:  # not a key for a provider without one: the chart would show it
            self._starts[sample.provider] += [(run_index, started, failed) for started, failed in got.starts]
        recorded = (self.runs[run_index].manifest.get("cassettes") or {}).get(rel)
        detail = sample_detail(got, rel, recorded)
        key = (sample.scenario, sample.repetition, run_index, sample.provider)
        self._items.append((key, self._row(run_index, sample), detail))

    def payload(self) -> ReportSamples:
        self._items.sort(key=lambda item: item[0])
        index: list[list[Any]] = []
        chunks: list[Chunk] = []
        for group in _groups(self._items):
            for pos, (_, row, _) in enumerate(group):
                index.append([*row, len(chunks), pos])
            chunks.append(_chunk([detail for _, _, detail in group]))
        return ReportSamples(
            runs=[_run_meta(r) for r in self.runs], scenarios=dict(sorted(self._scenarios.items())),
            index=index, chunks=chunks,
            timing={"latency_ms": histograms(self._latency), "ttft_ms": histograms(self._ttft)},
            recall_by_category={p: {c: list(v) for c, v in sorted(cats.items())}
                                for p, cats in sorted(self._recall.items())},
            warnings=sorted(set(self.warnings)), errors_over_time=errors_over_time(self._starts))

    def _aggregate(self, sample: SampleScore, scale: float) -> None:
        """Speed histograms in the time of the profile: a run recorded at a time scale is rescaled."""
        for facts in sample.attempts:
            if facts.error_class is None and facts.latency_ms is not None:
                self._latency[sample.provider].append(facts.latency_ms / scale)
            if facts.error_class is None and facts.ttft_ms is not None:
                self._ttft[sample.provider].append(facts.ttft_ms / scale)
        cell = self._recall[sample.provider][sample.category]
        if sample.usable and sample.category == "no_call":  # no call expected: no-call accuracy instead
            cell[0] += sample.returned == 0
            cell[1] += 1
        elif sample.usable and sample.expected:
            cell[0] += sample.matched
            cell[1] += sample.expected

    def _run_of(self, path: str) -> tuple[int, str]:
        """The run a cassette belongs to, and its path inside the run (as run.json names it)."""
        for i, root in enumerate(self._roots):
            if path.startswith((root + "/", root + os.sep)):  # not a sibling run whose name extends this one
                return i, path[len(root):].lstrip("/\\").replace("\\", "/")
        return 0, path

    def _remember_scenario(self, run_index: int, scenario_id: str) -> None:
        if scenario_id in self._scenarios:
            return
        if run_index not in self._raw_scenarios:
            self._raw_scenarios[run_index] = self._load_raw(self.runs[run_index])
        raw = self._raw_scenarios[run_index].get(scenario_id)
        if isinstance(raw, dict):
            self._scenarios[scenario_id] = scenario_info(raw)

    def _load_raw(self, run: Run) -> dict[str, Any]:
        """Scenarios as written, by id: the run's snapshot read as is (the scorer has validated it)."""
        snapshot = None if self._override else run.read_scenarios()
        if snapshot is None:
            return {s.id: s.raw for s in scenarios_for(run, self._override)}
        return {str(raw.get("id")): raw for raw in snapshot if isinstance(raw, dict)}

    def _row(self, run_index: int, s: SampleScore) -> list[Any]:
        answered = next((a for a in reversed(s.attempts) if a.error_class is None), None)
        latency, ttft = (answered.latency_ms, answered.ttft_ms) if answered else (None, None)
        return [
            run_index, s.provider, s.scenario, s.repetition, s.category, int(s.success), int(s.usable),
            sorted({a.error_class for a in s.attempts if a.error_class}), sorted(set(s.faults)), cause(s),
            rounded(latency), rounded(ttft),
            rounded(sum(a.cost_usd or 0.0 for a in s.attempts), 8), len(s.attempts), s.matched, s.expected,
            self._signature(s),
        ]

    def _signature(self, s: SampleScore) -> int:
        """Equal numbers for samples that returned the same calls (-1: no usable answer)."""
        if not s.usable:
            return -1
        calls = [[(c["name"], c["arguments"] if c["arguments"] is not None else c["raw_arguments"])
                  for c in step.get("calls", [])] for step in s.steps]
        return self._sigs.setdefault(canonical_json(calls), len(self._sigs))


def cause(s: SampleScore) -> str:
    """Why a sample is not fully correct, in one word: the error class of its last failed attempt when it
    got no usable answer, else its first answer fault (FAULT_ORDER); "" when it is correct."""
    if s.success:
        return ""
    if not s.usable:
        return next((a.error_class for a in reversed(s.attempts) if a.error_class), "no_answer")
    faults = set(s.faults)
    return next((f for f in FAULT_ORDER if f in faults), "stopped_early" if s.steps and not all(
        step.get("answered") for step in s.steps) else "other")


def _groups(items: list[Any]) -> list[list[Any]]:
    """Consecutive samples of one scenario, at most CHUNK_LIMIT together."""
    groups: list[list[Any]] = []
    for item in items:
        if groups and groups[-1][0][0][0] == item[0][0] and len(groups[-1]) < CHUNK_LIMIT:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _chunk(details: list[dict[str, Any]]) -> Chunk:
    """Moves every body into one de-duplicated list, requests first (near-identical requests then sit
    within gzip's window of each other), and leaves its index in its place."""
    index: dict[Body, int] = {}
    for kind in ("request", "response"):
        for d in details:
            for a in d["attempts"]:
                a[kind]["body"] = index.setdefault(a[kind]["body"], len(index))
    return Chunk(details, list(index))


def scenario_info(raw: dict[str, Any]) -> dict[str, Any]:
    """What the drill-down shows of a scenario: the expectation of each step (matchers as written)."""
    tools = [t.get("function", {}).get("name") for t in raw.get("tools") or [] if isinstance(t, dict)]
    steps = raw.get("steps") if raw.get("category") == "multi_turn" else [raw.get("expect")]
    return {"category": raw.get("category"), "tags": list(raw.get("tags") or []),
            "description": raw.get("description") or "", "prompt": _last_user(raw.get("messages") or []),
            "expected": [s for s in steps or [] if s is not None], "tools": tools}


def _last_user(messages: Sequence[dict[str, Any]]) -> str:
    for message in reversed(messages):
        content = message.get("content") if isinstance(message, dict) else None
        if message.get("role") == "user" and isinstance(content, str):
            return content[:600]
    return ""


def _run_meta(run: Run) -> dict[str, Any]:
    m = run.manifest
    params = m.get("params") or {}
    cassettes = m.get("cassettes") or {}
    keep = ("repeat", "seed", "stream", "mode", "concurrency", "max_retries", "timeout", "fallback")
    return {
        "id": run.id, "started_at": m.get("started_at"), "ended_at": m.get("ended_at"),
        "status": m.get("status"), "replaykit_version": m.get("replaykit_version"), "format": m.get("format"),
        "params": {k: params[k] for k in keep if k in params},
        "scenarios": len(m.get("scenarios") or {}), "scenarios_file": m.get("scenarios_file"),
        "cassettes": len(cassettes),
        "cassettes_digest": file_hash(canonical_json(cassettes)) if cassettes else None,
    }


def errors_over_time(starts: dict[str, list[tuple[int, float, bool]]],
                     bins: int = TIME_BINS) -> dict[str, Any] | None:
    """Per provider, [attempts, failed] in each of `bins` equal intervals of time since its run's first
    attempt (runs of several providers share their clock): downtime windows and 5xx bursts become visible."""
    first: dict[int, float] = {}
    for rows in starts.values():
        for run, t, _ in rows:
            first[run] = min(first.get(run, t), t)
    span = max((t - first[run] for rows in starts.values() for run, t, _ in rows), default=0.0)
    if not starts:
        return None
    width = span / bins if span > 0 else 1.0
    out = {}
    for provider, rows in sorted(starts.items()):
        series = [[0, 0] for _ in range(bins)]
        for run, t, failed in rows:
            cell = series[min(bins - 1, int((t - first[run]) / width))]
            cell[0] += 1
            cell[1] += failed
        out[provider] = series
    return {"bins": bins, "span_s": round(span, 3), "providers": out}


def histograms(values: dict[str, list[float]], bins: int = HIST_BINS) -> dict[str, Any]:
    """Per-provider counts over shared log-spaced bins (latencies are skewed)."""
    every = [v for vs in values.values() for v in vs if v > 0]
    if not every:
        return {"edges": [], "counts": {}}
    lo, hi = math.log10(min(every)), math.log10(max(every))
    if hi - lo < 1e-9:
        lo, hi = lo - 0.05, hi + 0.05
    step = (hi - lo) / bins
    edges = [round(10 ** (lo + i * step), 3) for i in range(bins + 1)]
    counts = {}
    for provider, vs in sorted(values.items()):
        row = [0] * bins
        for v in vs:
            if v > 0:
                row[min(bins - 1, int((math.log10(v) - lo) / step))] += 1
        counts[provider] = row
    return {"edges": edges, "counts": counts}
