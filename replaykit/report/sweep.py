"""Where each provider breaks: success, schema validity and calls leaked as text against the load of a stress
sweep (`replaykit scenarios stress`), per provider, each with its clustered 95% interval.

The load of a sample is its scenario's `meta.stress` (context tokens, tools offered); clusters are the base
scenarios, so the interval is about the questions a user would ask, not about the variants of one. The samples
are the ones `score` pools (the same selection, the same provider names), so `replaykit sweep`, the score JSON's
`sweep` block and the reports' sweep charts are one computation and give the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from replaykit.errors import BadInputError
from replaykit.score.engine import ScoreResult, open_runs, scenarios_for, score_runs
from replaykit.score.sample import SampleScore, ScoreOptions
from replaykit.score.stats import rate

AXES = ("context_tokens", "tools")
METRICS = ("success", "schema_validity", "text_calls")
LABELS = {"success": "success", "schema_validity": "schema validity", "text_calls": "calls leaked as text",
          "context_tokens": "context length (tokens)", "tools": "tools offered"}
Load = tuple[str, tuple[int, int]]  # (base scenario, (context tokens, tools))


@dataclass
class _Cells:
    """metric -> base scenario -> [k, n], for one (provider, axis, level)."""

    pairs: dict[str, dict[str, list[float]]] = field(default_factory=lambda: {m: {} for m in METRICS})

    def add(self, base: str, sample: SampleScore) -> None:
        self._add("success", base, sample.success, 1)
        if sample.usable:
            self._add("schema_validity", base, sample.schema_ok, sample.returned)
            self._add("text_calls", base, "text_tool_call" in sample.faults, 1)

    def _add(self, metric: str, base: str, k: float, n: float) -> None:
        pair = self.pairs[metric].setdefault(base, [0.0, 0.0])
        pair[0] += k
        pair[1] += n


class SweepTally:
    """Accumulates scored samples (`score_runs(on_sample=...)`) of stress variants into the sweep. False when
    the runs hold no stress variant: then nothing needs to be fed."""

    def __init__(self, runs: Sequence[Any], scenarios: str | Sequence[str] | None = None) -> None:
        self.loads = stress_loads(runs, scenarios)
        self._cells: dict[tuple[str, str, int], _Cells] = {}

    def __bool__(self) -> bool:
        return bool(self.loads)

    def add(self, sample: SampleScore) -> None:
        load = self.loads.get(sample.scenario)
        if load is None or sample.harness_cut or sample.reference == "pending":
            return  # as in `score`: the harness's failures and unjudged samples say nothing of the provider
        base, levels = load
        for axis, level in zip(AXES, levels, strict=True):
            self._cells.setdefault((axis, sample.provider, level), _Cells()).add(base, sample)

    def result(self) -> dict[str, Any]:
        """{axis: {provider: {level: {metric: rate}}}}, levels as strings (JSON keys)."""
        out: dict[str, Any] = {axis: {} for axis in AXES}
        for (axis, provider, level), cell in sorted(self._cells.items()):
            out[axis].setdefault(provider, {})[str(level)] = {m: rate(cell.pairs[m]) for m in METRICS}
        return out


def stress_loads(runs: Sequence[Any], scenarios: str | Sequence[str] | None = None) -> dict[str, Load]:
    """Stress variant id -> its base scenario and load, from the scenarios the runs are scored with."""
    found = {}
    for run in runs:
        for scenario in scenarios_for(run, scenarios):
            stress = scenario.meta.get("stress")
            if isinstance(stress, dict) and isinstance(stress.get("base"), str):
                levels = (int(stress.get("context_tokens") or 0), int(stress.get("tools") or 0))
                found[scenario.id] = (stress["base"], levels)
    return found


def sweep_scoring(paths: Sequence[str | Path], scenarios: str | Sequence[str] | None = None,
                  on_sample: Callable[[SampleScore], None] | None = None,
                  ) -> tuple[SweepTally, Callable[[SampleScore], None] | None]:
    """The tally of these runs' sweep and the `on_sample` callback to score them with: `on_sample` alone (or
    None) when they hold no stress variant, so that scoring them keeps no sample it doesn't need."""
    tally = SweepTally(open_runs(paths), scenarios)
    if not tally:
        return tally, on_sample
    if on_sample is None:
        return tally, tally.add

    def both(sample: SampleScore) -> None:
        tally.add(sample)
        on_sample(sample)

    return tally, both


def attach(result: ScoreResult, tally: SweepTally) -> ScoreResult:
    """The score JSON gets `sweep` when the runs hold stress variants (and is unchanged otherwise)."""
    if tally:
        result.data["sweep"] = tally.result()
    return result


def sweep(paths: Sequence[str | Path], *, scenarios: str | Sequence[str] | None = None,
          options: ScoreOptions | None = None, all_samples: bool = False,
          intersect: bool = False) -> dict[str, Any]:
    """{axis: {provider: {level: {metric: rate}}}} over every stress variant `score` pools in the runs."""
    tally, on_sample = sweep_scoring(paths, scenarios)
    if not tally:
        raise BadInputError("no stress variants in these runs (record scenarios made by `replaykit scenarios "
                            "stress`)", source=", ".join(map(str, paths)))
    score_runs(paths, scenarios=scenarios, options=options, on_sample=on_sample, all_samples=all_samples,
               intersect=intersect)
    return tally.result()


def levels_of(providers: dict[str, Any]) -> list[int]:
    return sorted({int(level) for rows in providers.values() for level in rows})


def render(data: dict[str, Any], metric: str) -> str:
    """A Markdown table per axis: providers down, load levels across, `value [low, high] n=N` in each cell."""
    lines = []
    for axis, providers in data.items():
        levels = levels_of(providers)
        lines += [f"### {metric} by {axis.replace('_', ' ')}", "",
                  "| provider | " + " | ".join(map(str, levels)) + " |", "|---|" + "---|" * len(levels)]
        for provider, rows in sorted(providers.items()):
            cells = [cell(rows.get(str(level), {}).get(metric)) for level in levels]
            lines.append(f"| {escape(provider)} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def render_all(data: dict[str, Any]) -> str:
    """Every metric's tables (the Markdown report's section, `replaykit sweep --format markdown --metric all`)."""
    return "\n".join(render(data, metric) for metric in METRICS)


def escape(text: str) -> str:
    """A provider name inside a Markdown table cell (`|` and backslashes would break the row)."""
    return text.replace("\\", "\\\\").replace("|", "\\|")


def cell(value: dict[str, Any] | None) -> str:
    if not value or value.get("value") is None:
        return "–"
    return f"{value['value']:.0%} [{value['low']:.0%}, {value['high']:.0%}] n={value['n']}"


def summary_lines(data: dict[str, Any], metric: str = "success", providers: Sequence[str] | None = None,
                  name_width: int = 20) -> list[str]:
    """A plain-text table of one metric, every axis's levels across (`1k tokens`, `32 tools`), `value (low–high)`
    in %: the demo prints it under the leaderboard."""
    names = sorted({p for axis in AXES for p in data.get(axis, {})})
    names = [p for p in (providers or names) if p in names]
    header = [""]
    for axis in AXES:
        unit = "tools" if axis == "tools" else "tokens"
        header += [f"{_size(level) if axis == 'context_tokens' else level} {unit}"
                   for level in levels_of(data.get(axis, {}))]
    rows = [header]
    for name in names:
        row = [name if len(name) <= name_width else name[: name_width - 1] + "…"]
        for axis in AXES:
            rates = data.get(axis, {}).get(name, {})
            row += [_pct(rates.get(str(level), {}).get(metric)) for level in levels_of(data.get(axis, {}))]
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return ["  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                             enumerate(zip(r, widths, strict=True))).rstrip() for r in rows]


def _size(tokens: int) -> str:
    return f"{tokens // 1000}k" if tokens >= 1000 and tokens % 1000 == 0 else str(tokens)


def _pct(value: dict[str, Any] | None) -> str:
    if not value or value.get("value") is None:
        return "-"
    return f"{100 * value['value']:.0f} ({100 * value['low']:.0f}–{100 * value['high']:.0f})"
