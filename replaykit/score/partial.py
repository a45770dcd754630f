"""Scoring as a map and a reduce: `score --partial` writes a tally's sufficient statistics, `score --combine`
merges partials and scores them as if every run had been scored at once.

Everything a score is made of is a sum — (k, n) pairs per scenario, counts, cost in integer pico-dollars — and
merges exactly. Latency, TTFT and throughput are kept as DDSketch quantile sketches (relative accuracy
`SKETCH_ACCURACY`), which merge with that guarantee kept; a combined score says so in its `run` block.
A partial is plain JSON (the sketches as base64 protobuf), read with the same bounds as any untrusted file.
"""

from __future__ import annotations

import base64
import dataclasses
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import orjson

from replaykit import __version__
from replaykit.cassettes.persist import read_bounded
from replaykit.cassettes.run import Run
from replaykit.errors import BadInputError
from replaykit.score import pooling
from replaykit.score.cells import MAX_BUCKET, TimeCells
from replaykit.score.comparable import Selection, display_names, select
from replaykit.score.engine import ScoreResult, open_runs, score_tally, tally_result
from replaykit.score.metrics import ProviderMetrics
from replaykit.score.tally import Tally

PARTIAL_FORMAT = 2  # 2: the selection block (score/pooling.py)
SKETCH_ACCURACY = 0.01  # DDSketch: every quantile within 1% of the true value at its rank


class SketchedValues:
    """Stands in for a metric's array of values once they are sketched: merges, and gives the same
    p50/p90/p99 summary as `stats.distribution` (within the sketch's accuracy)."""

    def __init__(self, sketch: Any) -> None:
        self.sketch = sketch

    @classmethod
    def of(cls, values: Iterable[float]) -> SketchedValues:
        from ddsketch import DDSketch

        sketch = DDSketch(SKETCH_ACCURACY)
        for value in values:
            sketch.add(value)
        return cls(sketch)

    def __iadd__(self, other: SketchedValues | array[float]) -> SketchedValues:
        self.sketch.merge(other.sketch if isinstance(other, SketchedValues) else SketchedValues.of(other).sketch)
        return self

    def distribution(self) -> dict[str, Any]:
        n = int(self.sketch.count)
        if not n:
            return {"p50": None, "p90": None, "p99": None, "n": 0}
        return {f"p{round(q * 100)}": round(float(self.sketch.get_quantile_value(q)), 3) for q in (0.5, 0.9, 0.99)} \
            | {"n": n}

    def encode(self) -> str:
        from ddsketch.pb.proto import DDSketchProto

        return base64.b64encode(DDSketchProto.to_proto(self.sketch).SerializeToString()).decode()

    @classmethod
    def decode(cls, text: str, where: str) -> SketchedValues:
        from ddsketch.pb import ddsketch_pb2
        from ddsketch.pb.proto import DDSketchProto

        try:
            message = ddsketch_pb2.DDSketch()
            message.ParseFromString(base64.b64decode(text, validate=True))
            return cls(DDSketchProto.from_proto(message))
        except Exception as err:  # protobuf's DecodeError, binascii.Error, bad mapping parameters
            raise BadInputError(f"not a quantile sketch ({type(err).__name__})", field=where) from None


def write_partial(runs: Sequence[Run], tally: Tally, selection: Selection, out: str | Path) -> None:
    data = partial_data(runs, tally, selection)
    Path(out).write_bytes(orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n")


def partial_of(paths: Sequence[str | Path], *, all_samples: bool = False, intersect: bool = False,
               **score_options: Any) -> dict[str, Any]:
    """The map: score these runs into a partial (a JSON-able dict), e.g. inside a Dask or Ray task. The same
    as `score PATHS... --partial FILE`: only the cells every provider completed, unless `all_samples`."""
    runs, tally, selection = scored(paths, all_samples=all_samples, intersect=intersect, **score_options)
    return partial_data(runs, tally, selection)


def scored(paths: Sequence[str | Path], *, all_samples: bool, intersect: bool,
           **score_options: Any) -> tuple[list[Run], Tally, Selection]:
    runs = open_runs(paths)
    selection = select(runs, all_samples=all_samples, intersect=intersect, presence=True)
    return runs, score_tally(runs, selection=selection, **score_options), selection


def partial_data(runs: Sequence[Run], tally: Tally, selection: Selection) -> dict[str, Any]:
    return {"replaykit_partial": PARTIAL_FORMAT, "scored_with": __version__, "selection": pooling.encode(selection),
            "sketch": {"kind": "ddsketch", "relative_accuracy": SKETCH_ACCURACY},
            "runs": [{"root": str(r.root), "manifest": {k: v for k, v in r.manifest.items() if k != "cassettes"}}
                     for r in runs],
            "count": tally.count, "warnings": sorted(set(tally.warnings)), "per_scenario": tally.per_scenario,
            "providers": {name: _state(m) for name, m in sorted(tally.providers.items())}}


def combine(paths: Sequence[str | Path]) -> ScoreResult:
    """Score the runs behind several partial files as one scoring."""
    return combine_data([(_load(Path(p)), str(p)) for p in paths])


def combine_data(partials: Sequence[tuple[dict[str, Any], str]]) -> ScoreResult:
    """The reduce: (partial, where it came from) pairs in, scores out; refuses a run that two partials hold."""
    runs: list[Run] = []
    total = Tally()
    seen: dict[str, str] = {}
    for data, path in partials:
        _check(data, path)
    selection = pooling.combined_selection([(data["selection"], path) for data, path in partials])
    for data, path in partials:
        for item in data["runs"]:
            run = Run(Path(str(item.get("root", ""))), dict(item.get("manifest") or {}))
            if run.id in seen:
                raise BadInputError(f"run {run.id} is in {seen[run.id]} too: combining would count it twice",
                                    source=str(path))
            seen[run.id] = str(path)
            runs.append(run)
        part = _tally(data, str(path))
        for name in part.providers:  # values are sketches from here on, on both sides of every merge
            total.providers.setdefault(name, _sketched(ProviderMetrics()))
        total.merge(part)
    runs.sort(key=lambda r: (r.id, str(r.root)))
    _check_names(runs, selection, partials)
    result = tally_result(runs, total, ", ".join(path for _, path in partials), selection)
    result.data["run"]["percentiles"] = f"ddsketch, within {SKETCH_ACCURACY:.0%} relative error (combined partials)"
    return result


def _check_names(runs: Sequence[Run], selection: Selection, partials: Sequence[tuple[dict[str, Any], str]]) -> None:
    """A name recorded with different settings in two partials' runs is two providers (`a@mode=prompt`):
    each partial named it alone, so combining would pool them under one name."""
    for root, names in display_names(runs).items():
        own = selection.names.get(root, {})  # what the partial holding this run called its providers
        for recorded, shown in names.items():
            if own.get(recorded, recorded) != shown:
                path = next(path for data, path in partials
                            if any(str(item.get("root")) == root for item in data["runs"]))
                raise BadInputError(f"provider {recorded!r} was recorded with other settings in another "
                                    "partial's runs: score those runs together to keep them apart", source=path)


def _sketched(metrics: ProviderMetrics) -> ProviderMetrics:
    for f in dataclasses.fields(metrics):
        value = getattr(metrics, f.name)
        if isinstance(value, array):
            setattr(metrics, f.name, SketchedValues.of(value))
    return metrics


def _state(metrics: ProviderMetrics) -> dict[str, Any]:
    """Every field of the metrics, generically: new fields travel without changes here."""
    return {f.name: _value(getattr(metrics, f.name)) for f in dataclasses.fields(metrics)}


def _value(value: Any) -> Any:
    if isinstance(value, TimeCells):  # as the dict of (scenario, bucket) -> [k, n] it stands for: the same file
        return {_key((scenario, bucket)): [float(k), float(n)] for scenario, bucket, k, n in value.items()}
    if isinstance(value, array | SketchedValues):
        sketch = value if isinstance(value, SketchedValues) else SketchedValues.of(value)
        return {"ddsketch": sketch.encode()}
    if isinstance(value, dict):
        return {_key(k): _value(v) for k, v in value.items()}
    return value


TUPLE = "tuple:"  # JSON keys are strings; (scenario, time block) cells are tuples


def _key(key: Any) -> str:
    return TUPLE + orjson.dumps(list(key)).decode() if isinstance(key, tuple) else str(key)


def _unkey(key: str) -> Any:
    if not key.startswith(TUPLE):
        return key
    items = orjson.loads(key[len(TUPLE):])
    if not isinstance(items, list) or not all(isinstance(x, str) or _is_number(x) for x in items):
        raise ValueError(f"bad cell key {key!r}")
    return tuple(items)


def _load(path: Path) -> Any:
    try:
        return orjson.loads(read_bounded(path))
    except orjson.JSONDecodeError as err:
        raise BadInputError(f"not a partial (invalid JSON: {err})", source=str(path)) from None


def _check(data: Any, source: str) -> None:
    if not isinstance(data, dict) or data.get("replaykit_partial") != PARTIAL_FORMAT:
        raise BadInputError(f"not a replaykit partial of format {PARTIAL_FORMAT} (write one with "
                            "`replaykit score RUN... --partial FILE`)", source=source)
    for key, kind in (("runs", list), ("providers", dict), ("per_scenario", dict), ("count", int)):
        if not isinstance(data.get(key), kind):
            raise BadInputError(f"must be a {kind.__name__}", source=source, field=key)
    for sid, row in data["per_scenario"].items():
        cells = row.get("cells") if isinstance(row, dict) else None
        if not (isinstance(cells, dict) and isinstance(row.get("category"), str) and all(
                isinstance(c, list) and len(c) == 2 and all(_is_number(x) and 0 <= x <= MAX_COUNT for x in c)
                for c in cells.values())):
            raise BadInputError("must be {category, cells: {provider: [k, n]}}", source=source,
                                field=f"per_scenario.{sid}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _tally(data: dict[str, Any], source: str) -> Tally:
    tally = Tally(count=data["count"], warnings=list(data.get("warnings") or []),
                  per_scenario=data["per_scenario"])
    for name, state in data["providers"].items():
        tally.providers[name] = _metrics(state, f"providers.{name}", source)
    return tally


def _metrics(state: Any, where: str, source: str) -> ProviderMetrics:
    metrics = ProviderMetrics()
    if not isinstance(state, dict):
        raise BadInputError("must be an object", source=source, field=where)
    for f in dataclasses.fields(metrics):
        if f.name not in state:
            continue
        empty = getattr(metrics, f.name)
        try:
            setattr(metrics, f.name, _restore(empty, state[f.name], f"{where}.{f.name}"))
        except (TypeError, ValueError, KeyError, orjson.JSONDecodeError) as err:
            raise BadInputError(f"wrong shape ({err})", source=source, field=f"{where}.{f.name}") from None
    return metrics


def _restore(empty: Any, value: Any, where: str) -> Any:
    """`value` in the shape of `empty` (the field's default): sketches for arrays, the same nested
    default-dicts and counters, numbers as numbers."""
    if isinstance(empty, array):
        return SketchedValues.decode(value["ddsketch"], where)
    if isinstance(empty, TimeCells):
        return _cells(empty, value)
    if isinstance(empty, dict):
        if not isinstance(value, dict):
            raise TypeError("must be an object")
        for key, item in value.items():  # scenario, metric, class and tool names: strings, as written
            if isinstance(empty, Counter):
                empty[key] = _count(item, key)
            elif isinstance(slot := empty[key], list):
                empty[key] = _pair(item, key)
            else:
                empty[key] = _restore(slot, item, f"{where}.{key}")
        return empty
    name = where.rpartition(".")[2]  # a field of its own: samples, attempts, cost_pico...
    return _count(value, name, MAX_PICO if name == "cost_pico" else MAX_COUNT)


def _pair(value: Any, key: str) -> list[float]:
    if not (isinstance(value, list) and len(value) == 2):
        raise ValueError(f"{key!r} must be [k, n]")
    return [float(_count(x, key)) for x in value]


MAX_COUNT = 2.0**53  # a cell's k or n: a whole number that a double holds exactly


def _cells(cells: TimeCells, value: Any) -> TimeCells:
    """`{"tuple:[scenario, bucket]": [k, n]}` into compact cells, in the file's order; each checked, as the
    values will be packed (a key's bucket into 41 bits, counts as whole numbers)."""
    if not isinstance(value, dict):
        raise TypeError("must be an object")
    for text, pair in value.items():
        key = _unkey(text)
        if not (isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str) and type(key[1]) is int
                and -1 <= key[1] <= MAX_BUCKET):
            raise ValueError(f"bad cell {text!r}: must be [scenario, time bucket -1–{MAX_BUCKET}]")
        if not (isinstance(pair, list) and len(pair) == 2
                and all(_is_number(x) and 0 <= x <= MAX_COUNT and x == int(x) for x in pair)):
            raise ValueError(f"cell {text!r} must be [k, n], whole numbers 0–2^53")
        if cells.position(*key) >= 0:
            raise ValueError(f"cell {text!r} given twice")
        cells.add(key[0], key[1], *pair)
    return cells


MAX_PICO = 2**63  # cost_pico: USD × 1e12, summed as a Python integer (exact at any size)


def _count(value: Any, name: str, most: float = MAX_COUNT) -> int:
    """A count (samples, attempts, a pair's k or n): a whole number a double holds exactly, so that every sum
    of them stays exact and finite."""
    if not (_is_number(value) and 0 <= value <= most and value == int(value)):
        raise ValueError(f"{name!r} must be a whole number 0–{most:.0f}, not {str(value)[:40]}")
    return int(value)
