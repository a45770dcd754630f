"""Scoring in chunks of cassette files, on worker processes when the run is large.

A chunk's result is a `Tally`: partial metrics whose sums are all of integers (or lists that are sorted
later), so merging chunks in file order gives the same bytes whatever the number of workers.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from replaykit.cassettes.codec import decode_parsed, parse
from replaykit.cassettes.model import Cassette
from replaykit.cassettes.persist import read_bounded
from replaykit.cassettes.run import Run, load_run
from replaykit.errors import BadInputError, CassetteError
from replaykit.scenarios.loader import ScenarioSet
from replaykit.score.comparable import Selection
from replaykit.score.metrics import ProviderMetrics
from replaykit.score.sample import SampleScore, ScoreOptions, score_sample
from replaykit.score.schema import SchemaChecker

CHUNK_FILES = 500
PARALLEL_FROM = 4000  # files; below this, starting workers costs more than it saves


@dataclass
class Tally:
    providers: dict[str, ProviderMetrics] = field(default_factory=dict)
    per_scenario: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    samples: list[SampleScore] = field(default_factory=list)  # kept only when someone wants them
    count: int = 0

    def add(self, sample: SampleScore, keep: bool) -> None:
        self.count += 1
        metrics = self.providers.get(sample.provider)
        if metrics is None:  # not setdefault: that would build a ProviderMetrics for every sample
            metrics = self.providers[sample.provider] = ProviderMetrics()
        metrics.add(sample)
        # nothing judged without a reference, nor on a sample the harness cut short: no success cell
        if sample.reference != "pending" and not sample.harness_cut:
            self._cell(sample)
        if keep:
            self.samples.append(sample)

    def _cell(self, sample: SampleScore) -> None:
        row = self.per_scenario.get(sample.scenario)
        if row is None:
            row = self.per_scenario[sample.scenario] = {"category": sample.category, "cells": {}}
        cell = row["cells"].get(sample.provider)
        if cell is None:
            cell = row["cells"][sample.provider] = [0, 0]
        cell[0] += sample.success
        cell[1] += 1

    def merge(self, other: Tally) -> None:
        self.count += other.count
        self.warnings += other.warnings
        for name, metrics in other.providers.items():
            self.providers.setdefault(name, ProviderMetrics()).merge(metrics)
        for sid, row in other.per_scenario.items():
            mine = self.per_scenario.setdefault(sid, {"category": row["category"], "cells": {}})
            for provider, (k, n) in row["cells"].items():
                cell = mine["cells"].setdefault(provider, [0, 0])
                cell[0] += k
                cell[1] += n


@dataclass(frozen=True)
class Chunk:
    run_root: str
    files: tuple[str, ...]
    scenarios: tuple[str, ...] | None  # --scenarios override, else the run's own
    options: ScoreOptions
    keep_samples: bool
    names: tuple[tuple[str, str], ...] = ()  # recorded provider name -> name reported (config-tagged)
    # built for each kept sample where its cassette is read, into `SampleScore.extra` (a module-level
    # function, so that the chunk pickles): the HTML drill-down, made on the workers
    extra: Extra | None = None


# (sample, its cassette, the file's bytes, the parsed data) -> what the sample carries back in `extra`
Extra = Callable[[SampleScore, Cassette, bytes, Any], Any]


# Per scoring (cleared by run_chunks): runs and scenario sets already loaded; a worker scores many chunks of
# the same run.
_RUNS: dict[str, Run] = {}
_SCENARIOS: dict[tuple[str, tuple[str, ...] | None], ScenarioSet | BadInputError] = {}
_SCHEMAS = SchemaChecker()


def score_chunk(chunk: Chunk, scenarios_for: Callable[[Run, Any], ScenarioSet]) -> Tally:
    tally = Tally()
    run = _run(chunk.run_root)
    chosen = _scenario_set(run, chunk.scenarios, scenarios_for)
    names = dict(chunk.names)
    for name in chunk.files:
        try:
            data = read_bounded(name)
            raw = parse(data, name, walkers=False)
            cassette = decode_parsed(raw, name)
        except CassetteError as err:
            tally.warnings.append(str(err))
            continue
        if isinstance(chosen, BadInputError):
            tally.warnings.append(f"{run.root}: cannot load its scenarios ({chosen}); pass --scenarios PATH")
            break
        sample = score_into(tally, cassette, chosen, name, str(run.root), chunk.options, chunk.keep_samples, names)
        if sample is not None and chunk.extra is not None and chunk.keep_samples:
            sample.extra = chunk.extra(sample, cassette, data, raw)
    return tally


def score_into(tally: Tally, cassette: Cassette, chosen: ScenarioSet, name: str, run_root: str,
               options: ScoreOptions, keep: bool, names: dict[str, str] | None = None) -> SampleScore | None:
    """One cassette against its scenario, into the tally; a cassette that doesn't fit is a warning (None).
    `names`: recorded provider name -> the name it is reported under (config-tagged, comparable.py)."""
    scenario = chosen.get(cassette.sample.scenario)
    if scenario is None:
        tally.warnings.append(f"{name}: scenario {cassette.sample.scenario!r} is not in the scenario set; skipped")
    elif cassette.sample.scenario_hash and cassette.sample.scenario_hash != scenario.hash:
        tally.warnings.append(f"{name}: recorded with another version of scenario {scenario.id} "
                              "(hash differs); skipped")
    else:
        if "bfcl_id" in scenario.meta and "bfcl_import" not in scenario.meta:
            _warn_once(tally, f"{run_root}: its BFCL scenarios come from an older `replaykit import bfcl`, "
                              "whose tools differ from BFCL's (widened schemas, no Python hint): not BFCL's "
                              "experiment; --bfcl-compat scores them with BFCL's value rules only")
        sample = score_sample(cassette, scenario, options, _SCHEMAS, detail=keep)
        if names:
            sample.provider = names.get(sample.provider, sample.provider)
        tally.add(sample, keep)
        return sample
    return None


def _warn_once(tally: Tally, warning: str) -> None:
    if warning not in tally.warnings:
        tally.warnings.append(warning)


def _run(root: str) -> Run:
    if root not in _RUNS:
        _RUNS[root] = load_run(root)
    return _RUNS[root]


def _scenario_set(run: Run, override: tuple[str, ...] | None,
                  scenarios_for: Callable[[Run, Any], ScenarioSet]) -> ScenarioSet | BadInputError:
    key = (str(run.root), override)
    if key not in _SCENARIOS:
        try:
            _SCENARIOS[key] = scenarios_for(run, list(override) if override else None)
        except BadInputError as err:
            _SCENARIOS[key] = err
    return _SCENARIOS[key]


def plan_chunks(runs: Sequence[Run], scenarios: Sequence[str] | None, options: Callable[[Run], ScoreOptions],
                keep_samples: bool, selection: Selection | None = None, extra: Extra | None = None) -> Iterator[Chunk]:
    """Chunks in file order, listed one run at a time: 200,000 file names held at once would be most of
    the scorer's memory. With a `selection`, its files under its provider names; `extra`: see Chunk."""
    override = tuple(scenarios) if scenarios else None
    for run in runs:
        root = str(run.root)
        _RUNS[root] = run  # already open: no second read of its run.json
        if run.streamed:
            continue  # a pack: engine._packs streams it
        files = selection.files[root] if selection else run.cassette_names()
        names = tuple(sorted(selection.names.get(root, {}).items())) if selection else ()
        for start in range(0, len(files), CHUNK_FILES):
            yield Chunk(root, tuple(files[start:start + CHUNK_FILES]), override, options(run), keep_samples, names,
                        extra)


def run_chunks(chunks: Iterable[Chunk], scenarios_for: Callable[[Run, Any], ScenarioSet],
               jobs: int | None) -> Iterator[Tally]:
    """Tallies in chunk order; on worker processes when there is enough work (`jobs` None: when the first
    chunks hold PARALLEL_FROM files), with a few chunks in flight per worker."""
    _RUNS.clear()  # a scoring reads the files as they are now, not as an earlier scoring in this process did
    _SCENARIOS.clear()
    chunks = iter(chunks)
    head: list[Chunk] = []
    files, enough = 0, False
    while not enough and (chunk := next(chunks, None)) is not None:
        head.append(chunk)
        files += len(chunk.files)
        enough = len(head) > 1 and (jobs is not None or files >= PARALLEL_FROM)
    queue = itertools.chain(head, chunks)
    workers = (jobs if jobs is not None else min(os.cpu_count() or 1, 8)) if enough else 1
    if workers <= 1:
        for chunk in queue:
            yield score_chunk(chunk, scenarios_for)
    else:
        yield from _on_workers(queue, scenarios_for, workers)


def _on_workers(chunks: Iterator[Chunk], scenarios_for: Callable[[Run, Any], ScenarioSet],
                workers: int) -> Iterator[Tally]:
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    first = next(chunks, None)
    if first is None:
        return
    if method == "fork":  # load the scenarios here, once; forked workers inherit them
        _scenario_set(_run(first.run_root), first.scenarios, scenarios_for)
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
        pending: deque[Future[Tally]] = deque()
        for chunk in itertools.chain([first], chunks):
            pending.append(pool.submit(score_chunk, chunk, scenarios_for))
            if len(pending) >= 4 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
