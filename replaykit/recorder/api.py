"""`replaykit.record(...)` and `replaykit.resume(...)`: the recorder's public entry points."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from replaykit.cassettes.model import Cassette
from replaykit.cassettes.run import Run
from replaykit.errors import BadInputError
from replaykit.providers.config import Provider
from replaykit.recorder.engine import (
    RecordOptions,
    apply_overrides,
    check_keys,
    check_out,
    completed_samples,
    execute,
    finish,
    new_run_id,
    prepare_run,
    reopen,
    sample_plan,
)
from replaykit.recorder.plan import PlannedSample
from replaykit.recorder.reachability import NothingReachable, Reachability, preflight
from replaykit.recorder.resuming import options_from_params, provider_file_identity, run_scenarios, trusted_providers
from replaykit.scenarios.loader import ScenarioSet
from replaykit.scenarios.model import Scenario


class ProgressSink(Protocol):
    def start(self, run: Run, samples: list[PlannedSample], done: Sequence[PlannedSample] = ()) -> None: ...
    def sample_done(self, sample: PlannedSample, cassette: Cassette, classes: list[str | None]) -> None: ...
    def stop(self) -> None: ...


def record(scenarios: ScenarioSet | Sequence[Scenario], providers: Sequence[Provider],
           out: str | Path | None = None, *, options: RecordOptions | None = None,
           progress: ProgressSink | None = None) -> Run:
    """Record every (provider, scenario, repetition) into a new run folder and return the run."""
    opts = _identified(options or RecordOptions(), providers)
    chosen = apply_overrides(providers, opts)
    check_keys(chosen)
    samples = sample_plan(list(scenarios), chosen, opts)
    folder = Path(out) if out else Path("cassettes") / new_run_id()
    check_out(folder)
    reach = _preflight(samples, opts)  # before the run folder exists: nothing reachable, nothing written
    run = prepare_run(folder, list(scenarios), chosen, opts)
    return _drive(run, samples, opts, progress, reach=reach)


def resume(path: str | Path, *, providers_file: str | None = None, scenarios: Sequence[str] = (),
           repeat: int | None = None, concurrency: int | None = None, base_url: str | None = None,
           progress: ProgressSink | None = None) -> Run:
    """Finish an interrupted run: samples whose cassette is complete are not requested again. What is sent
    comes from `providers_file` (default: the file the run was recorded with, if it is on this machine and
    unchanged), never from run.json; see `replaykit.recorder.resuming`."""
    plan = plan_resume(path, providers_file=providers_file, scenarios=scenarios, repeat=repeat,
                       concurrency=concurrency, base_url=base_url)
    return drive_resume(plan, progress)


def _identified(opts: RecordOptions, providers: Sequence[Provider]) -> RecordOptions:
    """The options with absolute paths and the provider file's hash, so that a resume works from any folder
    and can tell the file it was recorded with from another."""
    sources = {p.source for p in providers}
    path = opts.providers_file or (sources.pop() if len(sources) == 1 else "")
    file, digest = provider_file_identity(path) if path and Path(path).is_file() else ("", "")
    return replace(opts, providers_file=file, providers_file_hash=digest,
                   scenarios_path=[str(Path(p).resolve()) for p in opts.scenarios_path])


@dataclass
class ResumePlan:
    run: Run
    samples: list[PlannedSample]  # every sample of the run, done or not
    todo: list[PlannedSample]  # those still to record
    opts: RecordOptions
    providers_file: str  # what is sent comes from this file


def plan_resume(path: str | Path, *, providers_file: str | None = None, scenarios: Sequence[str] = (),
                repeat: int | None = None, concurrency: int | None = None,
                base_url: str | None = None) -> ResumePlan:
    """Check everything a resume needs, send nothing: the run, the user's provider file, the scenarios.
    `base_url` (the user's `--base-url`, as when the run was recorded) replaces the file's base URLs."""
    run = reopen(Path(path))
    opts = options_from_params(run)
    if repeat is not None:
        if opts.shard and repeat != opts.repeat:
            raise BadInputError("--repeat cannot change on a shard: the other shards of its plan would no longer "
                                "add up to one run")
        if repeat < opts.repeat:
            raise BadInputError(f"--repeat {repeat}: this run was recorded with --repeat {opts.repeat}; a resume "
                                "can extend a run, not shrink it (score it with fewer repetitions instead)")
        opts.repeat = repeat
    if concurrency is not None:
        opts.concurrency = concurrency

    def overrides(found: list[Provider]) -> list[Provider]:
        return apply_overrides([p.with_overrides(base_url=base_url) for p in found], opts)

    providers_used, providers = trusted_providers(run, run.manifest.get("params") or {}, providers_file,
                                                  overrides)
    samples = sample_plan(run_scenarios(run, scenarios), providers, opts)
    done = completed_samples(run)
    todo = [s for s in samples if s.id.key not in done]
    return ResumePlan(run, samples, todo, opts, providers_used)


def drive_resume(plan: ResumePlan, progress: ProgressSink | None = None) -> Run:
    run, opts = plan.run, plan.opts
    if not plan.todo and run.manifest.get("status") == "complete":
        return run
    check_keys([p for s in plan.todo for p in s.chain])
    reach = _preflight(plan.todo, opts)
    run.manifest["status"] = "running"
    run.manifest.setdefault("params", {})["repeat"] = opts.repeat
    todo = {s.id.key for s in plan.todo}
    return _drive(run, plan.todo, opts, progress, [s for s in plan.samples if s.id.key not in todo], reach)


def _preflight(samples: list[PlannedSample], opts: RecordOptions) -> Reachability:
    """Probe each provider once; a lane (provider or fallback chain) none of whose providers answered is
    skipped. None answering at all is bad input (a dead network, wrong base URLs): nothing is sent."""
    reach = Reachability()
    if not opts.preflight or not samples:
        return reach
    found = preflight([p for s in samples for p in s.chain])
    lanes = {s.id.provider: s.chain for s in samples}
    for lane, chain in lanes.items():
        if all(p.name in found for p in chain):
            reach.unreachable[lane] = "; ".join(found[p.name] for p in chain)
    if len(reach.unreachable) == len(lanes):
        shown = "; ".join(f"{lane}: {why}" for lane, why in reach.unreachable.items())
        raise NothingReachable(f"no provider answered the pre-flight request, so nothing was sent or recorded "
                               f"(check the network and the base URLs): {shown}")
    return reach


def _drive(run: Run, samples: list[PlannedSample], opts: RecordOptions, progress: ProgressSink | None,
           done: Sequence[PlannedSample] = (), reach: Reachability | None = None) -> Run:
    reach = reach or Reachability()
    skipped = [s for s in samples if s.id.provider in reach.unreachable]
    samples = [s for s in samples if s.id.provider not in reach.unreachable]
    if progress:
        progress.start(run, samples, done)

    def on_done(sample: PlannedSample, cassette: Cassette, classes: list[str | None]) -> None:
        reach.note(sample.id.provider, classes)
        if progress:
            progress.sample_done(sample, cassette, classes)

    lanes = {s.id.provider for s in samples}
    status = "interrupted"
    try:
        asyncio.run(execute(run, samples, opts, on_done, stop=lambda: reach.all_down(lanes)))
        if reach.all_down(lanes):
            raise NothingReachable(f"stopped early: none of the first {reach.total()} attempts got an HTTP response "
                                   "from any provider (check the network and the base URLs); what was recorded is "
                                   f"kept: `replaykit record --resume {run.root}` once the network is back")
        status = "interrupted" if skipped else "complete"
    finally:
        if progress:
            progress.stop()
        verdicts = reach.verdicts()
        run.manifest.pop("unreachable", None)
        if verdicts:  # said on the terminal by the CLI, and kept with the run for whoever scores it
            run.manifest["unreachable"] = verdicts
        finish(run, status)
    return run
