"""`replaykit.record(...)` and `replaykit.resume(...)`: the recorder's public entry points."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from replaykit.cassettes.model import Cassette
from replaykit.cassettes.run import Run
from replaykit.errors import RecordError
from replaykit.providers.config import Price, Provider
from replaykit.recorder.engine import (
    RecordOptions,
    apply_overrides,
    check_keys,
    completed_samples,
    execute,
    finish,
    new_run_id,
    prepare_run,
    reopen,
    sample_plan,
)
from replaykit.recorder.plan import PlannedSample
from replaykit.scenarios.loader import ScenarioSet, load_scenarios
from replaykit.scenarios.model import Scenario


class ProgressSink(Protocol):
    def start(self, run: Run, samples: list[PlannedSample]) -> None: ...
    def sample_done(self, sample: PlannedSample, cassette: Cassette, classes: list[str | None]) -> None: ...
    def stop(self) -> None: ...


def record(scenarios: ScenarioSet | Sequence[Scenario], providers: Sequence[Provider],
           out: str | Path | None = None, *, options: RecordOptions | None = None,
           progress: ProgressSink | None = None) -> Run:
    """Record every (provider, scenario, repetition) into a new run folder and return the run."""
    opts = options or RecordOptions()
    chosen = apply_overrides(providers, opts)
    check_keys(chosen)
    samples = sample_plan(list(scenarios), chosen, opts)
    run = prepare_run(Path(out) if out else Path("cassettes") / new_run_id(), list(scenarios), chosen, opts)
    return _drive(run, samples, opts, progress)


def resume(path: str | Path, *, progress: ProgressSink | None = None) -> Run:
    """Finish an interrupted run: samples whose cassette is complete are not requested again."""
    run = reopen(Path(path))
    params = dict(run.manifest.get("params") or {})
    opts = RecordOptions(**{k: v for k, v in params.items() if k in RecordOptions.__dataclass_fields__})
    providers = [_provider_from_manifest(name, data) for name, data in run.manifest["providers"].items()]
    check_keys(providers)
    scenarios = _scenarios_of(run, opts)
    samples = sample_plan(scenarios, providers, opts)
    run.manifest["status"] = "running"
    return _drive(run, samples, opts, progress)


def _drive(run: Run, samples: list[PlannedSample], opts: RecordOptions, progress: ProgressSink | None) -> Run:
    done = completed_samples(run)
    samples = [s for s in samples if s.id.key not in done]
    if progress:
        progress.start(run, samples)
    status = "interrupted"
    try:
        asyncio.run(execute(run, samples, opts, progress.sample_done if progress else None))
        status = "complete"
    finally:
        if progress:
            progress.stop()
        finish(run, status)
    return run


def _provider_from_manifest(name: str, data: dict[str, Any]) -> Provider:
    fields = {k: v for k, v in data.items() if k in Provider.__dataclass_fields__}
    if isinstance(fields.get("price"), dict):
        fields["price"] = Price(**fields["price"])
    fields["name"] = name
    return Provider(**fields)


def _scenarios_of(run: Run, opts: RecordOptions) -> list[Scenario]:
    wanted: dict[str, str] = run.manifest.get("scenarios") or {}
    if not opts.scenarios_path:
        raise RecordError(f"{run.root}: run.json does not say where its scenarios are; cannot resume")
    loaded = load_scenarios(opts.scenarios_path)
    out = []
    for sid, digest in wanted.items():
        scenario = loaded.get(sid)
        if scenario is None:
            raise RecordError(f"scenario {sid} of this run is no longer in {', '.join(opts.scenarios_path)}")
        if scenario.hash != digest:
            raise RecordError(f"scenario {sid} changed since the run started ({scenario.source}); "
                              "resuming would mix two versions")
        out.append(scenario)
    return out
