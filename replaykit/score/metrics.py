"""SPEC §6 metrics: sample scores in, one provider's metrics out. Counts are kept per scenario, so that
rates can be clustered by scenario; nothing per sample is held beyond timing values."""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from replaykit.normalize.outcome import HARNESS
from replaykit.score.cells import TimeCells
from replaykit.score.passk import flaky, pass_k
from replaykit.score.sample import SampleScore
from replaykit.score.stats import TwoWay, distribution, rate, time_bucket

RATES = ("error_rate", "availability", "tool_recall", "tool_precision", "param_accuracy", "schema_validity",
         "no_call_accuracy", "success")
# Only for replay scenarios (a reference provider's answers), and only when a run has some.
TRIGGER_RATES = ("trigger_precision", "trigger_recall", "trigger_f1")
TIMED = ("error_rate", "availability", "success")  # failures cluster in time too: bursts, downtime
FOLD_EVERY = 1024  # samples: the time cells they counted are folded into compact arrays (cells.py)
# The classes and faults of docs/metrics.md: each gets a rate (0 with its upper bound when never seen), so
# that "none seen in n attempts" is told from "not measured".
ERROR_CLASSES = ("rate_limited", "server_error", "client_error", "timeout", "connection", "stream_cut",
                 "stream_error", "malformed_body")  # + reasoning_signature, when seen (thinking models only)
FAULTS = ("text_tool_call", "invalid_json_args", "empty_tool_calls", "unknown_tool", "schema_violation",
          "wrong_tool", "missing_call", "extra_call", "wrong_args", "wrong_order")


def _zero() -> list[float]:
    return [0.0, 0.0]


def _pairs() -> defaultdict[str, list[float]]:
    """scenario -> [k, n]. Module-level factories (no lambdas) keep the metrics picklable for workers."""
    return defaultdict(_zero)


def _tables() -> defaultdict[str, defaultdict[str, list[float]]]:
    return defaultdict(_pairs)


def _time_tables() -> defaultdict[str, TimeCells]:
    return defaultdict(TimeCells)


def _doubles() -> array[float]:
    return array("d")


def _merge_pairs(into: dict[str, list[float]], other: dict[str, list[float]]) -> None:
    for key, (k, n) in other.items():
        pair = into[key]
        pair[0] += k
        pair[1] += n


def _merge_tables(into: dict[str, defaultdict[str, list[float]]],
                  other: dict[str, defaultdict[str, list[float]]]) -> None:
    for name, pairs in other.items():
        _merge_pairs(into[name], pairs)


@dataclass
class ProviderMetrics:
    """Accumulates one provider's samples."""

    rates: dict[str, defaultdict[str, list[float]]] = field(default_factory=_tables)
    # error_rate, availability, success: (scenario, time bucket) -> [k, n], clustered two ways (stats.py);
    # nearly a cell per attempt in a real run, so compact (cells.py)
    timed: dict[str, TimeCells] = field(default_factory=_time_tables)
    errors: Counter[str] = field(default_factory=Counter)
    error_cells: dict[str, TimeCells] = field(default_factory=_time_tables)  # class -> cell -> [k, 0]
    faults: Counter[str] = field(default_factory=Counter)
    fault_turns: defaultdict[str, list[float]] = field(default_factory=_pairs)
    fault_hits: dict[str, defaultdict[str, list[float]]] = field(default_factory=_tables)
    # one value per answered attempt, as C doubles: 8 bytes each instead of a 32-byte float object
    latency: array[float] = field(default_factory=_doubles)
    ttft: array[float] = field(default_factory=_doubles)
    tps: array[float] = field(default_factory=_doubles)
    cost_pico: int = 0  # USD × 1e12 as an integer: sums stay exact in any order, so output is byte-stable
    cost_known: int = 0
    samples: int = 0
    attempts: int = 0
    by_category: dict[str, defaultdict[str, list[float]]] = field(default_factory=_tables)
    by_tag: dict[str, defaultdict[str, list[float]]] = field(default_factory=_tables)
    by_tool: dict[str, defaultdict[str, list[float]]] = field(default_factory=_tables)
    # the harness's failures (DNS, no route, refused on loopback...): reported, never counted against the
    # provider — not in error_rate, availability, success or the breakdowns
    harness_attempts: int = 0
    harness_samples: int = 0

    def add(self, s: SampleScore) -> None:
        # runs once per sample of every scoring: written for speed, counting exactly what RATES define
        key = s.scenario
        n_attempts = len(s.attempts)
        self.samples += 1
        self.attempts += n_attempts
        if not self.samples % FOLD_EVERY:
            self._fold()
        timed = self.timed["error_rate"].pending
        harness = 0
        for a in s.attempts:
            if a.error_class == HARNESS:
                harness += 1
                continue
            cell = timed[(key, time_bucket(a.started_at))]
            cell[1] += 1
            if a.error_class is None:
                if a.latency_ms is not None:
                    self.latency.append(a.latency_ms)
                if a.ttft_ms is not None:
                    self.ttft.append(a.ttft_ms)
                if a.output_tps is not None:
                    self.tps.append(a.output_tps)
            else:
                cell[0] += 1
                self.errors[a.error_class] += 1
                self.error_cells[a.error_class].pending[(key, time_bucket(a.started_at))][0] += 1
            if a.cost_usd is not None:
                self.cost_pico += round(a.cost_usd * 1e12)
                self.cost_known += 1
        self.harness_attempts += harness
        if s.harness_cut:  # the harness cut this sample short: no verdict on the provider
            self.harness_samples += 1
            return
        first = (key, time_bucket(s.attempts[0].started_at) if s.attempts else -1)
        cell = self.timed["availability"].pending[first]
        cell[0] += s.usable
        cell[1] += 1
        if s.reference == "pending":
            return  # no reference answer yet: nothing to judge the calls against
        cell = self.timed["success"].pending[first]
        cell[0] += s.success
        cell[1] += 1
        pair = self.by_category[s.category][key]
        pair[0] += s.success
        pair[1] += 1
        for tag in s.tags:
            pair = self.by_tag[tag][key]
            pair[0] += s.success
            pair[1] += 1
        if s.usable:
            self._answers(s)

    def _fold(self) -> None:
        """Every time table's pending counts into its compact arrays (cells.py)."""
        for tables in (self.timed, self.error_cells):
            for cells in tables.values():
                cells.fold()

    def _answers(self, s: SampleScore) -> None:
        key = s.scenario
        if s.reference == "replay":
            self._trigger(key, s.expected > 0, s.returned > 0)
        self._add("tool_recall", key, s.matched, s.expected)
        self._add("tool_precision", key, s.matched, s.returned)
        self._add("param_accuracy", key, s.args_ok, s.matched)
        self._add("schema_validity", key, s.schema_ok, s.returned)
        if s.category == "no_call":
            self._add("no_call_accuracy", key, s.returned == 0, 1)
        self.fault_turns[key][1] += s.answered_turns
        for fault in s.faults:
            self.faults[fault] += 1
            self.fault_hits[fault][key][0] += 1
        for tool, (matched, expected) in s.per_tool.items():
            pair = self.by_tool[tool][key]
            pair[0] += matched
            pair[1] += expected

    def _trigger(self, key: str, reference: bool, called: bool) -> None:
        """K2-Vendor-Verifier's trigger agreement: did the provider call a tool where the reference did?
        F1 = 2TP / (2TP + FP + FN), a ratio of sums, kept as its own (k, n) pairs."""
        self._add("trigger_precision", key, reference and called, called)
        self._add("trigger_recall", key, reference and called, reference)
        self._add("trigger_f1", key, 2 * (reference and called), 2 * (reference and called) + (reference != called))

    def _add(self, metric: str, key: str, k: float, n: float) -> None:
        pair = self.rates[metric][key]
        pair[0] += k
        pair[1] += n

    def merge(self, other: ProviderMetrics) -> None:
        """Add another partial (a worker's chunk). Every sum is of integers, so the order does not matter."""
        for mine, theirs in ((self.rates, other.rates), (self.fault_hits, other.fault_hits),
                             (self.by_category, other.by_category), (self.by_tag, other.by_tag),
                             (self.by_tool, other.by_tool)):
            _merge_tables(mine, theirs)
        for tables, others in ((self.timed, other.timed), (self.error_cells, other.error_cells)):
            for name, cells in others.items():
                tables[name].merge(cells)
        _merge_pairs(self.fault_turns, other.fault_turns)
        self.errors.update(other.errors)
        self.faults.update(other.faults)
        self.latency += other.latency
        self.ttft += other.ttft
        self.tps += other.tps
        self.cost_pico += other.cost_pico
        self.cost_known += other.cost_known
        self.samples += other.samples
        self.attempts += other.attempts
        self.harness_attempts += other.harness_attempts
        self.harness_samples += other.harness_samples

    def result(self) -> dict[str, Any]:
        out: dict[str, Any] = {m: rate(dict(self.rates.get(m, {}))) for m in RATES if m not in TIMED}
        # the clusters of the attempts' cells, once: every error class is a rate over the same attempts
        attempts = TwoWay(self.timed.get("error_rate") or TimeCells())
        out |= {m: attempts.rate() if m == "error_rate" else TwoWay(self.timed.get(m) or TimeCells()).rate()
                for m in TIMED}
        out.update({m: rate(dict(self.rates[m])) for m in TRIGGER_RATES if m in self.rates})
        out["errors"] = dict(sorted(self.errors.items()))
        out["error_rates"] = {c: attempts.rate(self.error_cells.get(c) or TimeCells())
                              for c in sorted({*ERROR_CLASSES, *self.errors})}
        out["faults"] = dict(sorted(self.faults.items()))
        out["fault_rates"] = {f: rate(self._over_turns(self.fault_hits.get(f, {})))
                              for f in sorted({*FAULTS, *self.faults})}
        out["latency_ms"] = distribution(self.latency)
        out["ttft_ms"] = distribution(self.ttft)
        out["output_tps"] = distribution(self.tps)
        cost = self.cost_pico / 1e12
        out["cost_usd"] = {"total": round(cost, 6), "per_sample": round(cost / self.samples, 8)
                           if self.samples else None, "attempts_priced": self.cost_known}
        out["samples"] = self.samples
        out["attempts"] = self.attempts
        if self.harness_attempts:  # only when there are any: runs without them score byte-identically
            out["harness"] = {"attempts": self.harness_attempts, "samples_not_counted": self.harness_samples}
        counts = self.success_by_scenario()
        out["pass_k"] = pass_k(counts)
        out["flaky"] = flaky(counts)
        out["by_category"] = {c: rate(dict(v)) for c, v in sorted(self.by_category.items())}
        out["by_tag"] = {t: rate(dict(v)) for t, v in sorted(self.by_tag.items())}
        out["by_tool"] = {t: rate(dict(v)) for t, v in sorted(self.by_tool.items())}
        return out

    def success_by_scenario(self) -> dict[str, tuple[int, int]]:
        out: dict[str, list[int]] = {}
        for scenario, _, k, n in self.timed["success"].items():
            pair = out.setdefault(scenario, [0, 0])
            pair[0] += int(k)
            pair[1] += int(n)
        return {s: (k, n) for s, (k, n) in out.items()}

    def _over_turns(self, hits: dict[str, list[float]]) -> dict[str, list[float]]:
        return {k: [hits[k][0] if k in hits else 0.0, v[1]] for k, v in self.fault_turns.items()}
