"""The per-sample payload of the HTML report: what the drill-down, the filters and the diff view need.

`score_runs` keeps only aggregates; this module rides along with it (its `on_sample` callback) and, for
each sample, re-reads the cassette for the raw attempts. The payload is built for size: one index row per
sample (decoded when the report opens), and detail chunks grouped by scenario (decoded when a row is
opened), each with the chunk's bodies in one list so that near-identical requests sit next to each other
and compress to almost nothing.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from replaykit.canonical import canonical_json, file_hash
from replaykit.cassettes.codec import decode
from replaykit.cassettes.model import Attempt, Cassette
from replaykit.cassettes.persist import read_bounded
from replaykit.cassettes.run import Run
from replaykit.errors import CassetteError
from replaykit.record.redact import Redactor
from replaykit.score.engine import ScoreResult, open_runs, scenarios_for, score_runs
from replaykit.score.sample import SampleScore, ScoreOptions

BODY_LIMIT = 16_000  # characters of a request or response body kept in the report
BODY_TAIL = 3_000  # of which this many from the end
CHUNK_LIMIT = 250  # samples per detail chunk at most
HIST_BINS = 36

INDEX_COLUMNS = ("run", "provider", "scenario", "rep", "category", "success", "usable", "errors", "faults",
                 "latency_ms", "ttft_ms", "cost_usd", "attempts", "matched", "expected", "sig", "chunk", "pos")

_TOKEN = re.compile(r"\b(sk-[A-Za-z0-9_\-]{16,}|Bearer\s+[A-Za-z0-9._\-]{16,})")
_REDACT = Redactor()


@dataclass
class ReportSamples:
    """What `replaykit.report.html.render` embeds besides the score data."""

    runs: list[dict[str, Any]]
    scenarios: dict[str, dict[str, Any]]
    index: list[list[Any]]
    chunks: list[dict[str, Any]]
    timing: dict[str, Any]
    recall_by_category: dict[str, dict[str, list[int]]]
    warnings: list[str] = field(default_factory=list)

    def index_json(self) -> dict[str, Any]:
        return {"columns": list(INDEX_COLUMNS), "rows": self.index, "runs": self.runs,
                "scenarios": self.scenarios, "warnings": self.warnings}


def collect(paths: Sequence[str | Path], *, scenarios: str | Sequence[str] | None = None,
            options: ScoreOptions | None = None,
            on_sample: Any = None) -> tuple[ScoreResult, ReportSamples]:
    """Score the runs and build the report's per-sample payload in the same pass."""
    collector = SampleCollector(paths, scenarios)

    def each(sample: SampleScore) -> None:
        collector.add(sample)
        if on_sample is not None:
            on_sample(sample)

    result = score_runs(paths, scenarios=scenarios, options=options, on_sample=each)
    return result, collector.payload()


class SampleCollector:
    """Accumulates samples (from `score_runs(on_sample=...)`) into a `ReportSamples`."""

    def __init__(self, paths: Sequence[str | Path], scenarios: str | Sequence[str] | None = None) -> None:
        self.runs = open_runs(paths)
        self._override = scenarios
        self._raw_scenarios: dict[int, dict[str, Any]] = {}
        self._details: list[tuple[tuple[str, int, int, str], list[Any], dict[str, Any]]] = []
        self._sigs: dict[bytes, int] = {}
        self._latency: dict[str, list[float]] = defaultdict(list)
        self._ttft: dict[str, list[float]] = defaultdict(list)
        self._recall: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        self._scenarios: dict[str, dict[str, Any]] = {}
        self.warnings: list[str] = []

    def add(self, sample: SampleScore) -> None:
        run_index = self._run_of(sample.path)
        run = self.runs[run_index]
        cassette, digest = self._read(sample.path)
        self._remember_scenario(run_index, sample.scenario)
        for facts in sample.attempts:
            if facts.error_class is None and facts.latency_ms is not None:
                self._latency[sample.provider].append(facts.latency_ms)
            if facts.error_class is None and facts.ttft_ms is not None:
                self._ttft[sample.provider].append(facts.ttft_ms)
        if sample.usable and sample.expected:
            cell = self._recall[sample.provider][sample.category]
            cell[0] += sample.matched
            cell[1] += sample.expected
        detail = _detail(sample, cassette, run, digest)
        key = (sample.scenario, sample.repetition, run_index, sample.provider)
        self._details.append((key, self._row(run_index, sample), detail))

    def payload(self) -> ReportSamples:
        self._details.sort(key=lambda item: item[0])
        index: list[list[Any]] = []
        chunks: list[dict[str, Any]] = []
        for group in _groups(self._details):
            chunk_id = len(chunks)
            chunks.append(_chunk([d for _, _, d in group]))
            for pos, (_, row, _) in enumerate(group):
                index.append([*row, chunk_id, pos])
        return ReportSamples(
            runs=[_run_meta(r) for r in self.runs], scenarios=dict(sorted(self._scenarios.items())),
            index=index, chunks=chunks,
            timing={"latency_ms": histograms(self._latency), "ttft_ms": histograms(self._ttft)},
            recall_by_category={p: {c: list(v) for c, v in sorted(cats.items())}
                                for p, cats in sorted(self._recall.items())},
            warnings=sorted(set(self.warnings)))

    def _run_of(self, path: str) -> int:
        resolved = Path(path).resolve()
        for i, run in enumerate(self.runs):
            if resolved.is_relative_to(run.root.resolve()):
                return i
        return 0

    def _read(self, path: str) -> tuple[Cassette | None, str]:
        try:
            data = read_bounded(Path(path))
            return decode(data, path), file_hash(data)
        except CassetteError as err:
            self.warnings.append(str(err))
            return None, ""

    def _remember_scenario(self, run_index: int, scenario_id: str) -> None:
        if scenario_id in self._scenarios:
            return
        if run_index not in self._raw_scenarios:
            self._raw_scenarios[run_index] = self._load_raw(self.runs[run_index])
        raw = self._raw_scenarios[run_index].get(scenario_id)
        if isinstance(raw, dict):
            self._scenarios[scenario_id] = scenario_info(raw)

    def _load_raw(self, run: Run) -> dict[str, Any]:
        """Scenarios as written, by id: the run's snapshot read as is (already validated by the scorer)."""
        snapshot = None if self._override else run.read_scenarios()
        if snapshot is None:
            return {s.id: s.raw for s in scenarios_for(run, self._override)}
        return {str(raw.get("id")): raw for raw in snapshot if isinstance(raw, dict)}

    def _row(self, run_index: int, s: SampleScore) -> list[Any]:
        answered = next((a for a in reversed(s.attempts) if a.error_class is None), None)
        return [
            run_index, s.provider, s.scenario, s.repetition, s.category, int(s.success), int(s.usable),
            sorted({a.error_class for a in s.attempts if a.error_class}), sorted(set(s.faults)),
            _round(answered.latency_ms if answered else None), _round(answered.ttft_ms if answered else None),
            _round(sum(a.cost_usd or 0.0 for a in s.attempts), 8), len(s.attempts), s.matched, s.expected,
            self._signature(s),
        ]

    def _signature(self, s: SampleScore) -> int:
        """Equal numbers for samples that returned the same calls (-1: no usable answer)."""
        if not s.usable:
            return -1
        calls = [[(c["name"], c["arguments"] if c["arguments"] is not None else c["raw_arguments"])
                  for c in step.get("calls", [])] for step in s.steps]
        return self._sigs.setdefault(canonical_json(calls), len(self._sigs))


def _groups(details: list[Any]) -> list[list[Any]]:
    """Consecutive samples of one scenario, at most CHUNK_LIMIT together."""
    groups: list[list[Any]] = []
    for item in details:
        if groups and groups[-1][0][0][0] == item[0][0] and len(groups[-1]) < CHUNK_LIMIT:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _chunk(details: list[dict[str, Any]]) -> dict[str, Any]:
    """The chunk's samples, with every body moved into one de-duplicated list (requests first)."""
    bodies: dict[str, int] = {}
    for kind in ("request", "response"):
        for d in details:
            for a in d["attempts"]:
                a[kind]["body"] = bodies.setdefault(a[kind]["body"], len(bodies))
    return {"samples": details, "bodies": list(bodies)}


def _detail(s: SampleScore, cassette: Cassette | None, run: Run, digest: str) -> dict[str, Any]:
    rel = _relpath(s.path, run)
    recorded = (run.manifest.get("cassettes") or {}).get(rel)
    attempts = cassette.attempts if cassette is not None else []
    return {
        "cassette": rel, "sha256": digest, "manifest_sha256": recorded,
        "steps": s.steps,
        "attempts": [_attempt(a, f.error_class, f.cost_usd) for a, f in zip(attempts, s.attempts)],
    }


def _attempt(a: Attempt, error_class: str | None, cost: float | None) -> dict[str, Any]:
    timing = a.timing or {}
    events = timing.get("events_ms") or []
    request = _REDACT.request({"method": a.request.get("method", ""), "uri": a.request.get("uri", ""),
                               "body": a.request.get("body"), "headers": a.request.get("headers") or {}})
    return {
        "step": a.step, "provider": a.provider, "retry": a.retry, "wait_ms": _round(a.wait_ms),
        "status": a.status, "reason": a.reason, "error_class": error_class, "error": a.error,
        "cost_usd": _round(cost, 8),
        "timing": {"started_at": timing.get("started_at"), "ttfb_ms": _round(timing.get("ttfb_ms")),
                   "ttft_ms": _round(timing.get("ttft_ms")), "total_ms": _round(timing.get("total_ms")),
                   "events": len(events), "last_event_ms": _round(events[-1] if events else None)},
        "request": {"method": request["method"], "uri": request["uri"], "headers": _flat(request["headers"]),
                    "body": clip_body(request["body"])},
        "response": {"headers": _flat(_REDACT.headers(a.response_headers)), "body": clip_body(a.body)},
    }


def clip_body(body: Any) -> str:
    """Redacted, and cut in the middle beyond BODY_LIMIT characters (the cut says how much)."""
    if body is None:
        return ""
    text = body if isinstance(body, str) else str(body)
    text = _TOKEN.sub("<redacted>", _REDACT.text(text))
    if len(text) <= BODY_LIMIT:
        return text
    head = BODY_LIMIT - BODY_TAIL
    return f"{text[:head]}\n… [{len(text) - BODY_LIMIT} characters cut by the report] …\n{text[-BODY_TAIL:]}"


def _flat(headers: dict[str, Any]) -> dict[str, str]:
    return {k: ", ".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in sorted(headers.items())}


def _relpath(path: str, run: Run) -> str:
    try:
        return Path(path).resolve().relative_to(run.root.resolve()).as_posix()
    except ValueError:
        return path


def scenario_info(raw: dict[str, Any]) -> dict[str, Any]:
    """What the drill-down shows of a scenario: the expectation of each step (matchers as written)."""
    tools = [t.get("function", {}).get("name") for t in raw.get("tools") or [] if isinstance(t, dict)]
    steps = raw.get("steps") if raw.get("category") == "multi_turn" else [raw.get("expect")]
    return {"category": raw.get("category"), "tags": list(raw.get("tags") or []),
            "description": raw.get("description") or "", "expected": [s for s in steps or [] if s is not None],
            "prompt": _last_user(raw.get("messages") or []), "tools": tools}


def _last_user(messages: Sequence[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user" and isinstance(message.get("content"), str):
            return str(message["content"])[:600]
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


def _round(value: Any, digits: int = 1) -> Any:
    return round(float(value), digits) if isinstance(value, int | float) else None
