"""Scores runs: streams every cassette through normalize → check → metrics, in a fixed order.

A cassette that cannot be read or does not belong to the scenario set is reported and skipped; the rest is
scored. Output is deterministic: paths are sorted, keys are sorted, floats rounded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from replaykit import __version__
from replaykit.cassettes.limits import MAX_COST, number_in
from replaykit.cassettes.run import Run, load_run
from replaykit.errors import BadInputError
from replaykit.providers.config import Price
from replaykit.scenarios.loader import ScenarioSet, load_scenarios, scenarios_from_snapshot
from replaykit.score.comparable import Selection, select, time_scale
from replaykit.score.sample import SampleScore, ScoreOptions
from replaykit.score.tally import Extra, Tally, plan_chunks, run_chunks
from replaykit.share.secrets import redact_shown


@dataclass
class ScoreResult:
    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    scored: int = 0


def open_runs(paths: Sequence[str | Path]) -> list[Run]:
    from replaykit.score.packed import is_pack, open_pack

    runs = [open_pack(p) if is_pack(p) else load_run(p) for p in paths]
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
    for warning in _manifest_warnings(runs):
        warn(warning)
    chunks = plan_chunks(runs, _override(scenarios), lambda run: _run_options(run, opts), keep_samples=True)
    for tally in run_chunks(chunks, scenarios_for, jobs=1):
        for warning in tally.warnings:
            warn(warning)
        yield from tally.samples


def _override(scenarios: str | Sequence[str] | None) -> list[str] | None:
    """`--scenarios` paths, or None to score each run against its own snapshot."""
    return [scenarios] if isinstance(scenarios, str) else list(scenarios or []) or None


def _manifest_warnings(runs: Sequence[Run]) -> list[str]:
    return [f"{run.root}: no run.json; scoring its cassettes without a manifest"
            for run in runs if run.manifest.get("missing_manifest")]


def _prices(run: Run) -> dict[str, Price]:
    out = {}
    for name, cfg in (run.manifest.get("providers") or {}).items():
        price = cfg.get("price") if isinstance(cfg, dict) else None
        if isinstance(price, dict):  # run.json is untrusted: a price of "inf" or 1e308 is no price
            given, taken = price.get("input_per_mtok"), price.get("output_per_mtok")
            if number_in(given, 0, MAX_COST) and number_in(taken, 0, MAX_COST):
                out[name] = Price(float(given), float(taken))
    return out


def score_runs(paths: Sequence[str | Path], *, scenarios: str | Sequence[str] | None = None,
               options: ScoreOptions | None = None, on_sample: Callable[[SampleScore], None] | None = None,
               jobs: int | None = None, all_samples: bool = False, intersect: bool = False,
               extra: Extra | None = None) -> ScoreResult:
    """Score one or more runs into SPEC §7's JSON shape. `jobs`: worker processes (default: one per core
    for large runs); the output is the same bytes whatever it is. `extra`: built for each sample passed to
    `on_sample` where its cassette is read (on the workers), into `SampleScore.extra`.

    Only what is comparable is pooled (`comparable.select`): the (scenario, repetition) cells every provider
    has, unless `all_samples`; runs with different scenario sets are refused unless `intersect`."""
    runs = open_runs(paths)
    selection = select(runs, all_samples=all_samples, intersect=intersect)
    total = score_tally(runs, scenarios=scenarios, options=options, jobs=jobs, on_sample=on_sample,
                        selection=selection, extra=extra)
    return tally_result(runs, total, ", ".join(map(str, paths)), selection)


def score_tally(runs: Sequence[Run], *, scenarios: str | Sequence[str] | None = None,
                options: ScoreOptions | None = None, jobs: int | None = None,
                on_sample: Callable[[SampleScore], None] | None = None, selection: Selection | None = None,
                extra: Extra | None = None) -> Tally:
    """The map half of scoring: the sufficient statistics of these runs (partial.py writes them). With a
    `selection`, only its files, under its provider names."""
    opts = options or ScoreOptions()
    total = Tally()
    total.warnings += _manifest_warnings(runs)
    chunks = plan_chunks(runs, _override(scenarios), lambda run: _run_options(run, opts), on_sample is not None,
                         selection, extra)
    with gc_paused():
        for tally in itertools.chain(run_chunks(chunks, scenarios_for, jobs),
                                     _packs(runs, scenarios, opts, on_sample is not None, selection, extra)):
            total.merge(tally)
            for sample in tally.samples:
                on_sample(sample)  # type: ignore[misc]
    return total


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector off while tallies arrive and are merged: they hold no cycles (reference
    counts free them), and each of its full passes walks every object received so far — over half the time
    of unpickling a worker's tally once a report's samples have piled up."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _packs(runs: Sequence[Run], scenarios: str | Sequence[str] | None, opts: ScoreOptions,
           keep: bool, selection: Selection | None, extra: Extra | None = None) -> Iterator[Tally]:
    """Packs stream in this process, one after the other (their cassettes are never on disk). Their samples
    take the selection's provider names and skip the cells it left out (known from their run.json)."""
    from replaykit.score.packed import PackedRun, tally_pack

    for run in runs:
        if isinstance(run, PackedRun):
            root = str(run.root)
            names = selection.names.get(root) if selection else None
            left_out = frozenset(run.cassette_listing()) - frozenset(selection.files[root]) if selection \
                else frozenset()
            yield tally_pack(run, _override(scenarios), _run_options(run, opts), keep, names, left_out, extra)


def tally_result(runs: Sequence[Run], total: Tally, source: str, selection: Selection | None = None) -> ScoreResult:
    """The reduce half: the scores of a (merged) tally, in SPEC §7's JSON shape."""
    if total.count == 0:
        first = f": {total.warnings[0]}" if total.warnings else ""
        raise BadInputError(f"nothing could be scored{first}", source=source)
    # what every output shows: a run may carry a key that only decoding reveals (share/secrets.py)
    data: dict[str, Any] = redact_shown({
        "run": _run_info(runs, total.count) | (selection.run_json() if selection else {}),
        "providers": {name: _with_costs(total.providers[name].result()) | {"config": _config(runs, name, selection)}
                      for name in sorted(total.providers)},
        "scenarios": [_scenario_row(sid, row) for sid, row in sorted(total.per_scenario.items())],
    })
    total.warnings += _harness_warnings(data["providers"])
    return ScoreResult(data, sorted(set(redact_shown(total.warnings))), total.count)


def _harness_warnings(providers: dict[str, Any]) -> list[str]:
    return [f"{name}: {h['attempts']} attempts failed on the recording machine's side (DNS, no route, refused "
            f"on loopback, proxy/TLS set-up): not counted against the provider ({h['samples_not_counted']} "
            "samples left out of availability and success)"
            for name, result in providers.items() if (h := result.get("harness"))]


def _with_costs(m: dict[str, Any]) -> dict[str, Any]:
    """Cost per fully correct sample next to cost per sample (what a right answer really costs); both null
    for a provider with no priced attempt: its cost is unknown, not zero."""
    cost = m["cost_usd"]
    successes = round((m["success"]["value"] or 0) * m["success"]["n"])
    if not cost["attempts_priced"]:
        cost["per_sample"] = cost["per_success"] = None
    else:
        cost["per_success"] = round(cost["total"] / successes, 8) if successes else None
    return m


def _run_options(run: Run, opts: ScoreOptions) -> ScoreOptions:
    return dataclasses.replace(opts, prices={**opts.prices, **_prices(run)})


def _run_info(runs: Sequence[Run], samples: int) -> dict[str, Any]:
    return {
        "ids": [r.id for r in runs],
        "started_at": min((str(r.manifest.get("started_at") or "") for r in runs), default=""),
        "recorded_with": sorted({str(r.manifest.get("replaykit_version", "?")) for r in runs}),
        "scored_with": __version__,
        "samples": samples,
    }


def _config(runs: Sequence[Run], name: str, selection: Selection | None) -> dict[str, Any]:
    """The settings of the run(s) a reported name comes from (a tagged name: its own run's), and the time
    scale its speed was measured at."""
    for run in runs:
        shown = selection.names.get(str(run.root), {}) if selection else {}
        recorded = {tagged: real for real, tagged in shown.items()}
        cfg = (run.manifest.get("providers") or {}).get(recorded.get(name, name).split("+")[0])
        if isinstance(cfg, dict):
            keys = ("model", "quantization", "price", "mode", "stream", "routing", "data_policy")
            return {k: cfg[k] for k in keys if k in cfg} | {"time_scale": time_scale(run)}
    return {}


def _scenario_row(sid: str, row: dict[str, Any]) -> dict[str, Any]:
    return {"id": sid, "category": row["category"],
            "success": {p: {"k": v[0], "n": v[1]} for p, v in sorted(row["cells"].items())}}


