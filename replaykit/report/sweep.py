"""Where each provider breaks: success, schema validity and calls leaked as text against the load of a stress
sweep (`replaykit scenarios stress`), per provider, each with its clustered 95% interval.

The load of a sample is its scenario's `meta.stress` (context tokens, tools offered); clusters are the base
scenarios, so the interval is about the questions a user would ask, not about the variants of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from replaykit.errors import BadInputError
from replaykit.score.engine import iter_samples, open_runs, scenarios_for
from replaykit.score.sample import SampleScore, ScoreOptions
from replaykit.score.stats import rate

AXES = ("context_tokens", "tools")
METRICS = ("success", "schema_validity", "text_calls")


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


def sweep(paths: Sequence[str | Path]) -> dict[str, Any]:
    """{axis: {provider: {level: {metric: rate}}}} over every stress variant in the runs."""
    runs = open_runs(paths)
    loads = _loads(runs)
    if not loads:
        raise BadInputError("no stress variants in these runs (record scenarios made by `replaykit scenarios "
                            "stress`)", source=", ".join(map(str, paths)))
    cells: dict[tuple[str, str, int], _Cells] = {}
    for sample in iter_samples(runs, None, ScoreOptions(), lambda _: None):
        load = loads.get(sample.scenario)
        if load is None:
            continue
        base, levels = load
        for axis, level in zip(AXES, levels, strict=True):
            cells.setdefault((axis, sample.provider, level), _Cells()).add(base, sample)
    out: dict[str, Any] = {axis: {} for axis in AXES}
    for (axis, provider, level), cell in sorted(cells.items()):
        out[axis].setdefault(provider, {})[str(level)] = {m: rate(cell.pairs[m]) for m in METRICS}
    return out


def _loads(runs: Sequence[Any]) -> dict[str, tuple[str, tuple[int, int]]]:
    found = {}
    for run in runs:
        for scenario in scenarios_for(run, None):
            stress = scenario.meta.get("stress")
            if isinstance(stress, dict) and isinstance(stress.get("base"), str):
                levels = (int(stress.get("context_tokens") or 0), int(stress.get("tools") or 0))
                found[scenario.id] = (stress["base"], levels)
    return found


def render(data: dict[str, Any], metric: str) -> str:
    """A Markdown table per axis: providers down, load levels across, `value [low, high]` in each cell."""
    lines = []
    for axis, providers in data.items():
        levels = sorted({int(level) for rows in providers.values() for level in rows})
        lines += [f"### {metric} by {axis.replace('_', ' ')}", "",
                  "| provider | " + " | ".join(map(str, levels)) + " |", "|---|" + "---|" * len(levels)]
        for provider, rows in sorted(providers.items()):
            cells = [_cell(rows.get(str(level), {}).get(metric)) for level in levels]
            lines.append(f"| {provider} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _cell(value: dict[str, Any] | None) -> str:
    if not value or value.get("value") is None:
        return "–"
    return f"{value['value']:.0%} [{value['low']:.0%}, {value['high']:.0%}] n={value['n']}"
