"""What may be pooled into one leaderboard (docs/metrics.md, "What is compared").

Decided before any cassette is read, from run.json and the cassette file names alone:

- each run's **state**: complete, or partial (interrupted, still running, or fewer cassettes than planned);
- each provider's **display name**: a name recorded with different settings in different runs (native vs
  prompt mode, stream or not, another time scale...) gets a short config tag in each run (`name@mode=prompt`),
  so that two set-ups are never merged under one name;
- the **scenario sets**: runs with different scenario sets (ids or content hashes) are refused, as `diff`
  refuses them, unless `intersect` scores the scenarios all runs share;
- the **cells** kept: a (scenario, repetition) is scored only when every provider has a sample of it, unless
  `all_samples`; the rest are left out and counted.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from array import array
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from replaykit.cassettes.listing import Picked
from replaykit.cassettes.run import CASSETTE_DIR, Run
from replaykit.errors import BadInputError

Cell = tuple[str, int]  # (scenario, repetition)
# The settings that change what a provider answers or how fast: a name recorded with different values of any
# of them is two set-ups. Price and data policy do not change an answer (cost is priced per run anyway).
SETTINGS = ("api", "base_url", "model", "mode", "stream", "routing", "quantization", "temperature", "max_tokens",
            "extra_body", "time_scale")
_FILE = re.compile(r"^(?P<scenario>.+)--r(?P<rep>\d+)\.json$")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class RunState:
    id: str
    status: str
    planned: int | None  # samples the run set out to record; None when run.json does not say
    recorded: int  # cassette files on disk
    time_scale: float | None

    @property
    def partial(self) -> bool:
        if self.status not in ("complete", ""):
            return True
        return self.planned is not None and self.recorded < self.planned

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status or "unknown", "partial": self.partial,
                "samples_planned": self.planned, "samples_recorded": self.recorded, "time_scale": self.time_scale}


@dataclass
class Selection:
    """Which files of each run are scored, under which provider names, and what was left out."""

    files: dict[str, Sequence[str]]  # run root -> cassette paths to score
    names: dict[str, dict[str, str]]  # run root -> recorded provider name -> display name
    states: list[RunState]
    left_out: dict[str, int] = field(default_factory=dict)  # display provider -> samples left out
    cells_left_out: int = 0
    cells_kept: int = 0
    dropped_scenarios: list[str] = field(default_factory=list)
    all_samples: bool = False
    no_shared_cells: bool = False  # no cell has every provider: everything is scored, not compared like for like
    # with select(presence=True): the providers (bit order) and each cell's providers as bits, for a partial
    presence: tuple[list[str], dict[Cell, int]] | None = None

    def run_json(self) -> dict[str, Any]:
        """What the score's `run` block says about completeness and pooling."""
        return {
            "runs": [s.to_json() for s in self.states],
            "partial": any(s.partial for s in self.states),
            "comparable": {"mode": "no_shared_cells" if self.no_shared_cells
                           else "all_samples" if self.all_samples else "shared_cells",
                           "cells": self.cells_kept, "cells_left_out": self.cells_left_out,
                           "samples_left_out": sum(self.left_out.values()),
                           "left_out": dict(sorted(self.left_out.items())),
                           "dropped_scenarios": self.dropped_scenarios},
        }


def run_state(run: Run, recorded: int) -> RunState:
    m = run.manifest
    params = m.get("params")
    return RunState(run.id, str(m.get("status") or ""), _planned(m, params if isinstance(params, dict) else {}),
                    recorded, time_scale(run))


def time_scale(run: Run) -> float | None:
    """The simulator time scale the run was recorded at (run.json `params.time_scale`); None: real time."""
    params = run.manifest.get("params") or {}
    value = params.get("time_scale") if isinstance(params, dict) else None
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0 and value != 1:
        return float(value)
    return None


def _planned(manifest: dict[str, Any], params: dict[str, Any]) -> int | None:
    scenarios, providers = manifest.get("scenarios"), manifest.get("providers")
    repeat = params.get("repeat")
    if params.get("capture") or not isinstance(scenarios, dict) or not isinstance(providers, dict):
        return None
    if not isinstance(repeat, int) or repeat < 1:
        return None
    chains = 1 if params.get("fallback") else len(providers)
    return chains * len(scenarios) * repeat


def select(runs: Sequence[Run], *, all_samples: bool = False, intersect: bool = False,
           presence: bool = False) -> Selection:
    # a pack's listing is what its run.json lists (unpack holds every member to it): see PackedRun
    listed = {str(run.root): run.cassette_listing() for run in runs}
    names = display_names(runs)
    states = [run_state(run, len(listed[str(run.root)])) for run in runs]
    dropped = _scenario_check(runs, intersect)
    selection = Selection({}, names, states, dropped_scenarios=sorted(dropped), all_samples=all_samples)
    _keep_shared(runs, listed, selection, dropped, presence)
    return selection


def _keep_shared(runs: Sequence[Run], listed: dict[str, Sequence[str]], selection: Selection,
                 dropped: set[str], presence: bool = False) -> None:
    """Keep the cells every provider has (or everything with `all_samples`), and count what goes. Two passes
    over the file names (one when every file is kept), nothing kept per file but its name: a million-file run
    is scored in bounded memory (a cell's providers are the bits of one integer)."""
    bits: dict[str, int] = {}
    by_cell: dict[Cell, int] = {}
    for _run, provider, cell, _at in _identities(runs, listed, selection.names, dropped):
        bit = bits.setdefault(provider, 1 << len(bits))
        if cell is not None:
            by_cell[cell] = by_cell.get(cell, 0) | bit
    every = (1 << len(bits)) - 1
    shared = {cell for cell, have in by_cell.items() if have == every}
    if not shared and by_cell:  # nothing in common (imported cassettes of unrelated tests): score all, and say so
        selection.all_samples, selection.no_shared_cells = True, True
    selection.cells_kept = len(by_cell) if selection.all_samples else len(shared)
    selection.cells_left_out = 0 if selection.all_samples else len(by_cell) - len(shared)
    if presence:
        selection.presence = (list(bits), by_cell)
    if not dropped and (selection.all_samples or len(shared) == len(by_cell)):
        # every file is kept (the usual run): a second pass over a million names would only confirm it
        for run in runs:
            selection.files[str(run.root)] = listed[str(run.root)]
        selection.left_out = {p: 0 for p in sorted(bits)}
        return
    del by_cell
    left: defaultdict[str, int] = defaultdict(int)
    kept: dict[str, array[int]] = {str(run.root): array("I") for run in runs}  # positions in the listing
    for run, provider, cell, at in _identities(runs, listed, selection.names, dropped):
        if selection.all_samples or cell is None or cell in shared:
            kept[str(run.root)].append(at)
        else:
            left[provider] += 1
    for root, positions in kept.items():  # all of them, most often: the listing itself
        selection.files[root] = listed[root] if len(positions) == len(listed[root]) else Picked(listed[root], positions)
    selection.left_out = {p: left.get(p, 0) for p in sorted(bits)}


def _identities(runs: Sequence[Run], listed: dict[str, Sequence[str]], names: dict[str, dict[str, str]],
                dropped: set[str]) -> Iterator[tuple[Run, str, Cell | None, int]]:
    """(run, display provider, cell, position in its listing) of every file not of a dropped scenario."""
    for run in runs:
        root = str(run.root)
        shown = names[root]
        base = os.path.join(root, CASSETTE_DIR) + os.sep
        for at, path in enumerate(listed[root]):
            provider, cell = _identity(run, path, base)
            if cell is not None and cell[0] in dropped:
                continue
            yield run, shown.get(provider, provider), cell, at


def _identity(run: Run, path: str, base: str) -> tuple[str, Cell | None]:
    """(provider, (scenario, repetition)) from `cassettes/PROVIDER/SCENARIO--rN.json`; a file named some
    other way is read (imported cassettes may be). String operations: this runs for every file."""
    if path.startswith(base):
        parts = path[len(base):].split(os.sep)
    else:
        parts = list(Path(path).relative_to(run.root / CASSETTE_DIR).parts)
    match = _FILE.match(parts[-1])
    if len(parts) == 2 and match:
        return parts[0], (sys.intern(match["scenario"]), int(match["rep"]))
    try:
        sample = run.read_cassette(path, walkers=False).sample
    except BadInputError:
        return parts[0], None  # unreadable: the scorer reports it
    return sample.provider, (sample.scenario, sample.repetition)


def display_names(runs: Sequence[Run]) -> dict[str, dict[str, str]]:
    """Run root -> recorded name -> the name it is reported under: the name itself, or the name with a config
    tag when the same name was recorded with different settings in another run."""
    settings: defaultdict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for run in runs:
        for name, cfg in (run.manifest.get("providers") or {}).items():
            if isinstance(cfg, dict):
                settings[name][str(run.root)] = _settings(cfg, run)
    out: dict[str, dict[str, str]] = {str(run.root): {} for run in runs}
    for name, by_run in settings.items():
        distinct = {orjson.dumps(s, option=orjson.OPT_SORT_KEYS) for s in by_run.values()}
        if len(distinct) < 2:
            continue
        for root, tag in _tags(by_run).items():
            out[root][name] = f"{name}@{tag}"
    return out


def _settings(cfg: dict[str, Any], run: Run) -> dict[str, Any]:
    out = {k: cfg.get(k) for k in SETTINGS if k != "time_scale"}
    params = run.manifest.get("params") or {}
    if isinstance(params, dict):  # record-wide overrides (--mode, --stream) win over the provider file
        for key in ("mode", "stream"):
            if params.get(key) is not None:
                out[key] = params[key]
    out["base_url"] = _site(out.get("base_url"))
    out["time_scale"] = time_scale(run) or 1.0
    return out


def _site(url: Any) -> Any:
    """A loopback URL without its port: the simulator listens on a new port every time."""
    if not isinstance(url, str):
        return url
    parts = urlsplit(url)
    if parts.hostname in _LOOPBACK:
        return f"{parts.scheme}://{parts.hostname}{parts.path}"
    return url


def _tags(by_run: dict[str, dict[str, Any]]) -> dict[str, str]:
    """`key=value` for the settings that differ between the runs, when short; else a hash of the settings."""
    keys = [k for k in SETTINGS if len({orjson.dumps(s.get(k)) for s in by_run.values()}) > 1]
    out = {}
    for root, s in by_run.items():
        simple = all(isinstance(s.get(k), str | int | float | bool) or s.get(k) is None for k in keys)
        tag = ",".join(f"{k}={_spell(s.get(k))}" for k in keys)
        if not simple or len(tag) > 40:
            tag = "cfg-" + hashlib.sha256(orjson.dumps(s, option=orjson.OPT_SORT_KEYS)).hexdigest()[:6]
        out[root] = tag
    return out


def _spell(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return "none" if value is None else str(value)


def _scenario_check(runs: Sequence[Run], intersect: bool) -> set[str]:
    """Scenario ids to leave out. Runs whose scenario sets differ are refused, unless `intersect`."""
    sets = [(run, s) for run in runs if (s := _scenario_set(run)) is not None]
    if len(sets) < 2:
        return set()
    every = set().union(*(s.keys() for _, s in sets))
    changed = sorted(sid for sid in every if len({s.get(sid) for _, s in sets if sid in s} - {""}) > 1)
    missing = sorted(sid for sid in every if any(sid not in s for _, s in sets))
    if intersect:
        return set(changed) | set(missing)
    if changed:
        raise BadInputError(f"scenario {changed[0]!r}{_more(changed)} differs between the runs (content hash); "
                            "score on the rest with --intersect")
    if missing:
        run, _ = next((r, s) for r, s in sets if missing[0] not in s)
        raise BadInputError(f"scenario sets differ: {missing[0]!r}{_more(missing)} is not in run {run.id}; "
                            "pooling them would give providers different samples. Score on the shared "
                            "scenarios with --intersect")
    return set()


def _scenario_set(run: Run) -> dict[str, str] | None:
    """id -> content hash, as run.json planned it ("" when unknown)."""
    planned = run.manifest.get("scenarios")
    if isinstance(planned, dict) and planned:
        return {str(k): str(v or "") for k, v in planned.items()}
    return None


def _more(items: Sequence[str]) -> str:
    return f" and {len(items) - 1} more" if len(items) > 1 else ""
