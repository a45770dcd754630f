"""Scores runs: streams every cassette through normalize → check → metrics, in a fixed order.

A cassette that cannot be read or does not belong to the scenario set is reported and skipped; the rest is
scored. Output is deterministic: paths are sorted, keys are sorted, floats rounded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from replaykit import __version__
from replaykit.cassettes.model import Cassette
from replaykit.cassettes.run import Run, load_run
from replaykit.errors import BadInputError, CassetteError
from replaykit.providers.config import Price
from replaykit.scenarios.loader import ScenarioSet, load_scenarios, scenarios_from_snapshot
from replaykit.score.metrics import ProviderMetrics
from replaykit.score.sample import SampleScore, ScoreOptions, score_sample
from replaykit.score.schema import SchemaChecker


@dataclass
class ScoreResult:
    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    scored: int = 0


def open_runs(paths: Sequence[str | Path]) -> list[Run]:
    runs = [load_run(p) for p in paths]
    return sorted(runs, key=lambda r: (r.id, str(r.root)))


def scenarios_for(run: Run, override: str | Sequence[str] | None) -> ScenarioSet:
    """The run's own snapshot, unless scenarios are given; then the files on disk."""
    if override:
        return load_scenarios(override)
    snapshot = run.read_scenarios()
    if snapshot is not None:
        return scenarios_from_snapshot(snapshot, str(run.root / "scenarios.json"))
    paths = (run.manifest.get("params") or {}).get("scenarios_path") or ["scenarios"]
    return load_scenarios(paths)


def iter_samples(runs: Sequence[Run], scenarios: str | Sequence[str] | None, opts: ScoreOptions,
                 warn: Callable[[str], None]) -> Iterator[SampleScore]:
    """Every scoreable sample of the runs, in a stable order; problems go to `warn`."""
    schemas = SchemaChecker()
    for run in runs:
        if run.manifest.get("missing_manifest"):
            warn(f"{run.root}: no run.json; scoring its cassettes without a manifest")
        prices = {**opts.prices, **_prices(run)}
        run_opts = ScoreOptions(opts.rules, opts.greedy, prices)
        chosen: ScenarioSet | None = None
        for item in run.iter_cassettes():
            if isinstance(item, CassetteError):
                warn(str(item))
                continue
            if chosen is None:  # loaded on the first cassette: an empty folder needs no scenarios
                try:
                    chosen = scenarios_for(run, scenarios)
                except BadInputError as err:
                    warn(f"{run.root}: cannot load its scenarios ({err}); pass --scenarios PATH")
                    break
            scenario = _scenario_of(item, chosen, warn)
            if scenario is not None:
                yield score_sample(item, scenario, run_opts, schemas)


def _scenario_of(cassette: Cassette, scenarios: ScenarioSet, warn: Callable[[str], None]) -> Any:
    scenario = scenarios.get(cassette.sample.scenario)
    if scenario is None:
        warn(f"{cassette.path}: scenario {cassette.sample.scenario!r} is not in the scenario set; skipped")
        return None
    if cassette.sample.scenario_hash and cassette.sample.scenario_hash != scenario.hash:
        warn(f"{cassette.path}: recorded with another version of scenario {scenario.id} (hash differs); skipped")
        return None
    return scenario


def _prices(run: Run) -> dict[str, Price]:
    out = {}
    for name, cfg in (run.manifest.get("providers") or {}).items():
        price = cfg.get("price") if isinstance(cfg, dict) else None
        if isinstance(price, dict):
            try:
                out[name] = Price(float(price["input_per_mtok"]), float(price["output_per_mtok"]))
            except (KeyError, TypeError, ValueError):
                continue
    return out


def score_runs(paths: Sequence[str | Path], *, scenarios: str | Sequence[str] | None = None,
               options: ScoreOptions | None = None,
               on_sample: Callable[[SampleScore], None] | None = None) -> ScoreResult:
    """Score one or more runs into SPEC §7's JSON shape."""
    opts = options or ScoreOptions()
    runs = open_runs(paths)
    warnings: list[str] = []
    providers: dict[str, ProviderMetrics] = {}
    per_scenario: dict[str, dict[str, list[int]]] = {}
    count = 0
    for sample in iter_samples(runs, scenarios, opts, warnings.append):
        count += 1
        providers.setdefault(sample.provider, ProviderMetrics()).add(sample)
        row = per_scenario.setdefault(sample.scenario, {"category": [sample.category]})  # type: ignore[dict-item]
        cell = row.setdefault(sample.provider, [0, 0])
        cell[0] += sample.success
        cell[1] += 1
        if on_sample:
            on_sample(sample)
    if count == 0:
        raise BadInputError("nothing could be scored" + (f": {warnings[0]}" if warnings else ""),
                            source=", ".join(map(str, paths)))
    data = {
        "run": _run_info(runs, count),
        "providers": {name: providers[name].result() | {"config": _config(runs, name)} for name in sorted(providers)},
        "scenarios": [_scenario_row(sid, row) for sid, row in sorted(per_scenario.items())],
    }
    return ScoreResult(data, sorted(set(warnings)), count)


def _run_info(runs: Sequence[Run], samples: int) -> dict[str, Any]:
    return {
        "ids": [r.id for r in runs],
        "started_at": min((str(r.manifest.get("started_at") or "") for r in runs), default=""),
        "recorded_with": sorted({str(r.manifest.get("replaykit_version", "?")) for r in runs}),
        "scored_with": __version__,
        "samples": samples,
    }


def _config(runs: Sequence[Run], name: str) -> dict[str, Any]:
    for run in runs:
        cfg = (run.manifest.get("providers") or {}).get(name.split("+")[0])
        if isinstance(cfg, dict):
            keys = ("model", "quantization", "price", "mode", "stream", "routing", "data_policy")
            return {k: cfg[k] for k in keys if k in cfg}
    return {}


def _scenario_row(sid: str, row: dict[str, Any]) -> dict[str, Any]:
    category = row.pop("category")[0]
    return {"id": sid, "category": category,
            "success": {p: {"k": v[0], "n": v[1]} for p, v in sorted(row.items())}}


