"""`replaykit score run.tar.gz`: a pack scored as it streams, never unpacked to disk.

A first look takes the pack's run.json and scenario snapshot — packs put them right after their manifest, so
this stops after a few kilobytes (packs made before that held them last, and are read through, skipping
cassette data) — then a second pass scores each cassette as it arrives. Both apply every check `unpack` does,
sha256s included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from replaykit.cassettes.codec import decode_parsed, parse
from replaykit.cassettes.limits import check_shape
from replaykit.cassettes.model import Cassette
from replaykit.cassettes.run import RUN_FILE, Run
from replaykit.errors import BadInputError, CassetteError
from replaykit.scenarios.loader import ScenarioSet, load_scenarios, scenarios_from_snapshot
from replaykit.score.sample import ScoreOptions
from replaykit.score.tally import Extra, Tally, score_into
from replaykit.share.pack_stream import read_members

SUFFIXES = (".tar.gz", ".tgz")
SNAPSHOT = "scenarios.json"


def is_pack(path: str | Path) -> bool:
    p = Path(path)
    return p.name.endswith(SUFFIXES) and p.is_file()


@dataclass
class PackedRun(Run):
    """A run inside a pack: its manifest and scenario snapshot, read once; its cassettes, streamed."""

    snapshot: Any = field(default=None, repr=False)
    streamed = True

    def cassette_names(self) -> list[str]:
        return []  # nothing on disk: the engine streams the pack instead

    def cassette_listing(self) -> list[str]:
        """What run.json lists — unpack's checks hold every member to it — so the comparable cells are known
        before the pack streams (score/comparable.py), as `root/cassettes/...` paths."""
        listed = self.manifest.get("cassettes")
        names = sorted(k for k in listed if isinstance(k, str) and k.startswith("cassettes/")
                       and k.endswith(".json")) if isinstance(listed, dict) else []
        return [f"{self.root}/{name}" for name in names]

    def read_cassette(self, path: str | Path, *, walkers: bool = True) -> Cassette:
        raise BadInputError("a packed cassette is read as the pack streams", source=str(path))

    def read_scenarios(self) -> Any:
        return self.snapshot


def open_pack(path: str | Path) -> PackedRun:
    found: dict[str, bytes] = {}

    def wanted(name: str) -> bool:  # a cassette after run.json means the snapshot isn't coming: stop there
        return name in (RUN_FILE, SNAPSHOT) or (RUN_FILE in found and name.startswith("cassettes/"))

    members = read_members(path, want=wanted)
    for name, data in members:
        if name.startswith("cassettes/"):
            break
        found[name] = data
        if len(found) == 2:
            break
    members.close()
    if RUN_FILE not in found:
        raise BadInputError(f"no {RUN_FILE} in the pack", source=str(path))
    manifest = _json(found[RUN_FILE], f"{path}:{RUN_FILE}")
    if not isinstance(manifest, dict):
        raise BadInputError("must be an object", source=f"{path}:{RUN_FILE}")
    snapshot = _json(found[SNAPSHOT], f"{path}:{SNAPSHOT}") if SNAPSHOT in found else None
    return PackedRun(Path(path), manifest, snapshot=snapshot)


def tally_pack(run: PackedRun, scenarios: Sequence[str] | None, options: ScoreOptions, keep: bool,
               names: dict[str, str] | None = None, left_out: frozenset[str] = frozenset(),
               extra: Extra | None = None) -> Tally:
    """Score a pack's cassettes as they stream; `left_out`: members (as `root/cassettes/...`) the selection
    left out (a cell some provider lacks); `extra`: as for a folder's chunks (the HTML drill-down), built
    from the member's bytes as they pass."""
    tally = Tally()
    chosen = _scenarios(run, scenarios)
    for name, data in read_members(run.root, want=lambda n: n.startswith("cassettes/")):
        if left_out and f"{run.root}/{name}" in left_out:
            continue
        where = f"{run.root}:{name}"
        try:
            raw = parse(data, where, walkers=False)
            cassette = decode_parsed(raw, where)
        except CassetteError as err:
            tally.warnings.append(str(err))
            continue
        cassette.path = name
        sample = score_into(tally, cassette, chosen, where, str(run.root), options, keep, names)
        if sample is not None and extra is not None and keep:
            sample.extra = extra(sample, cassette, data, raw)
    return tally


def _scenarios(run: PackedRun, override: Sequence[str] | None) -> ScenarioSet:
    if override:
        return load_scenarios(list(override))
    if run.snapshot is None:
        raise BadInputError(f"the pack has no {SNAPSHOT}; pass --scenarios PATH", source=str(run.root))
    return scenarios_from_snapshot(run.snapshot, f"{run.root}:{SNAPSHOT}")


def _json(data: bytes, where: str) -> Any:
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as err:
        raise BadInputError(f"invalid JSON: {err}", source=where) from None
    check_shape(value, where)
    return value
