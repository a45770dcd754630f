"""score --partial / --combine: the map and the reduce give what scoring everything at once gives — exactly
for rates and counts, within the sketch's relative accuracy for percentiles."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from replaykit.cli import main
from replaykit.score import score_runs
from replaykit.score.partial import SKETCH_ACCURACY, combine

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "cassettes" / "example"

pytest.importorskip("ddsketch", reason="partials keep percentiles as DDSketch sketches")


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The example run split in two runs by provider (as two shards or two machines would hold it)."""
    import shutil

    base = tmp_path_factory.mktemp("split")
    manifest = orjson.loads((EXAMPLE / "run.json").read_bytes())
    providers = sorted(manifest["providers"])
    halves = [providers[: len(providers) // 2], providers[len(providers) // 2:]]
    out = []
    for i, names in enumerate(halves):
        root = base / f"part{i}"
        shutil.copytree(EXAMPLE, root)
        for folder in (root / "cassettes").iterdir():
            if folder.name not in names:
                shutil.rmtree(folder)
        data = orjson.loads((root / "run.json").read_bytes())
        data["run_id"] = f"part{i}"
        (root / "run.json").write_bytes(orjson.dumps(data))
        out.append(root)
    return out


def _nearest(values: list[float], q: float) -> tuple[float, float]:
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    return ordered[math.floor(pos)], ordered[math.ceil(pos)]


def test_combined_partials_score_like_one_scoring(two_runs: list[Path], tmp_path: Path) -> None:
    runner = CliRunner()
    partials = []
    for i, run in enumerate(two_runs):
        partial = tmp_path / f"p{i}.json"
        result = runner.invoke(main, ["score", str(run), "--partial", str(partial)])
        assert result.exit_code == 0, result.output
        partials.append(partial)
    combined = combine(partials).data
    whole = score_runs(two_runs).data
    assert combined["scenarios"] == whole["scenarios"]
    assert combined["run"]["samples"] == whole["run"]["samples"] and combined["run"]["ids"] == whole["run"]["ids"]
    assert "ddsketch" in combined["run"]["percentiles"]
    timing = ("latency_ms", "ttft_ms", "output_tps")
    for name, metrics in whole["providers"].items():
        mine = combined["providers"][name]
        assert {k: v for k, v in mine.items() if k not in timing} == {k: v for k, v in metrics.items()
                                                                       if k not in timing}
        for key in timing:
            assert mine[key]["n"] == metrics[key]["n"]
    # percentiles: within the sketch's accuracy of the order statistics around the exact rank
    from replaykit.score.engine import iter_samples, open_runs
    from replaykit.score.sample import ScoreOptions

    latencies: dict[str, list[float]] = {}
    for sample in iter_samples(open_runs(two_runs), None, ScoreOptions(), lambda _: None):
        latencies.setdefault(sample.provider, []).extend(
            a.latency_ms for a in sample.attempts if a.error_class is None and a.latency_ms is not None)
    for name, values in latencies.items():
        for q, key in ((0.5, "p50"), (0.9, "p90"), (0.99, "p99")):
            low, high = _nearest(values, q)
            got = combined["providers"][name]["latency_ms"][key]
            assert low * (1 - SKETCH_ACCURACY) - 1e-3 <= got <= high * (1 + SKETCH_ACCURACY) + 1e-3, (name, q)


def test_combine_through_the_cli_and_refusals(two_runs: list[Path], tmp_path: Path) -> None:
    runner = CliRunner()
    part = tmp_path / "p.json"
    assert runner.invoke(main, ["score", str(two_runs[0]), "--partial", str(part)]).exit_code == 0
    twice = runner.invoke(main, ["score", "--combine", str(part), str(part)])
    assert twice.exit_code == 2 and "count it twice" in twice.output
    bad = tmp_path / "bad.json"
    good = orjson.loads(part.read_bytes())
    bad.write_bytes(orjson.dumps(good | {"providers": {"x": {"latency": {"ddsketch": "!!"}}}}))
    broken = runner.invoke(main, ["score", "--combine", str(bad)])
    assert broken.exit_code == 2 and "providers.x.latency" in broken.output and "Traceback" not in broken.output
    ok = runner.invoke(main, ["score", "--combine", str(part), "-o", str(tmp_path / "out.json")])
    assert ok.exit_code == 0, ok.output
    assert orjson.loads((tmp_path / "out.json").read_bytes())["run"]["ids"] == ["part0"]


def _copy(src: Path, dst: Path, run_id: str, keep: Callable[[Path], bool]) -> Path:
    import shutil

    shutil.copytree(src, dst)
    for file in sorted((dst / "cassettes").rglob("*.json")):
        if not keep(file.relative_to(dst / "cassettes")):
            file.unlink()
    data = orjson.loads((dst / "run.json").read_bytes())
    (dst / "run.json").write_bytes(orjson.dumps(data | {"run_id": run_id}))
    return dst


def _partials(runs: list[Path], tmp_path: Path) -> list[Path]:
    out = []
    for run in runs:
        partial = tmp_path / f"{run.name}.partial.json"
        assert CliRunner().invoke(main, ["score", str(run), "--partial", str(partial)]).exit_code == 0
        out.append(partial)
    return out


def test_combined_pooling_is_what_one_scoring_pools(two_runs: list[Path], tmp_path: Path) -> None:
    """The combined `run` block says what the one scoring says: cells kept and left out, partial runs."""
    cell = Path("sim-steady/coding.parallel_read_three--r0.json")
    gappy = _copy(EXAMPLE, tmp_path / "gappy", "gappy", lambda rel: rel != cell)
    for runs in ([gappy], two_runs):
        combined, whole = combine(_partials(runs, tmp_path)).data, score_runs(runs).data
        assert combined["run"]["comparable"] == whole["run"]["comparable"]
        assert combined["run"]["runs"] == whole["run"]["runs"]
        assert combined["run"]["partial"] == whole["run"]["partial"]
        for name, row in whole["providers"].items():
            assert combined["providers"][name]["samples"] == row["samples"], name
    assert score_runs([gappy]).data["run"]["comparable"]["cells_left_out"] == 1


def test_a_cell_completed_across_partials_is_refused(tmp_path: Path) -> None:
    """Provider A's sample of a cell in one partial, the others' in another: one scoring keeps the cell, each
    partial alone would not, so combining them would give other numbers; it is refused, naming the cell."""
    cell = Path("sim-steady/coding.parallel_read_three--r0.json")
    most = _copy(EXAMPLE, tmp_path / "most", "most", lambda rel: rel != cell)
    rest = _copy(EXAMPLE, tmp_path / "rest", "rest", lambda rel: rel == cell)
    result = CliRunner().invoke(main, ["score", "--combine", *map(str, _partials([most, rest], tmp_path))])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "coding.parallel_read_three, repetition 0" in result.output and "score these runs together" in result.output


def test_one_name_with_other_settings_in_another_partial_is_refused(tmp_path: Path) -> None:
    native = _copy(EXAMPLE, tmp_path / "native", "native", lambda rel: True)
    prompt = _copy(EXAMPLE, tmp_path / "prompt", "prompt", lambda rel: True)
    data = orjson.loads((prompt / "run.json").read_bytes())
    data["providers"]["sim-steady"]["mode"] = "prompt"
    (prompt / "run.json").write_bytes(orjson.dumps(data))
    assert any("@" in name for name in score_runs([native, prompt]).data["providers"])  # kept apart at once
    result = CliRunner().invoke(main, ["score", "--combine", *map(str, _partials([native, prompt], tmp_path))])
    assert result.exit_code == 2 and "'sim-steady'" in result.output and "other settings" in result.output


@pytest.mark.parametrize(("field", "value"), [
    ("mode", "some"), ("cells", {"s": [[0, "zz"]]}), ("cells", {"s": [[0, "f" * 99]]}), ("providers", [1]),
    ("states", [{"id": "x"}]), ("names", {"a": {"b": 3}}), ("left_out", {"a": -1}),
])
def test_a_malformed_selection_block_is_named(two_runs: list[Path], tmp_path: Path, field: str, value: Any) -> None:
    (part,) = _partials([two_runs[0]], tmp_path)
    data = orjson.loads(part.read_bytes())
    data["selection"][field] = value
    part.write_bytes(orjson.dumps(data))
    result = CliRunner().invoke(main, ["score", "--combine", str(part)])
    assert result.exit_code == 2 and f"selection.{field}" in result.output and "Traceback" not in result.output


def _set(state: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """`value` at `path` in a provider's state; "*" is its first key (a scenario, a class...)."""
    for step in path[:-1]:
        state = state[next(iter(state)) if step == "*" else step]
    state[next(iter(state)) if path[-1] == "*" else path[-1]] = value


@pytest.mark.parametrize(("path", "value"), [
    (("rates", "tool_recall", "*"), [1]),  # a pair of one (once: a ValueError traceback)
    (("by_category", "*", "*"), [["a"], 1]),  # a list inside a pair (once: a TypeError traceback)
    (("by_tag", "*", "*"), [1e308, 1e308]),  # sums that overflow
    (("by_tool", "*", "*"), [-1, 2]),
    (("fault_turns", "*"), {"k": 1}),
    (("fault_hits",), {"wrong_args": {"s": [0.5, 0]}}),  # counts are whole numbers
    (("errors",), {"rate_limited": "3"}),
    (("faults",), {"wrong_args": [1]}),
    (("samples",), -5), (("attempts",), 2**60), (("cost_pico",), 2**70), (("cost_known",), True),
])
def test_a_malformed_provider_state_is_refused_naming_the_field(two_runs: list[Path], tmp_path: Path,
                                                                 path: tuple[str, ...], value: Any) -> None:
    """A partial is untrusted: every count and [k, n] pair is checked as restored, none crashes the merge."""
    (part,) = _partials([two_runs[0]], tmp_path)
    data = orjson.loads(part.read_bytes())
    name = next(iter(data["providers"]))
    state = data["providers"][name]
    _set(state, path, value)
    part.write_text(json.dumps(data))  # the stdlib's: it writes integers past 64 bits too
    result = CliRunner().invoke(main, ["score", "--combine", str(part)])
    assert result.exit_code == 2, result.output
    assert f"providers.{name}.{path[0]}" in result.output and "Traceback" not in result.output


def test_the_dask_example_scores_shards_in_parallel_like_one_scoring(two_runs: list[Path]) -> None:
    distributed = pytest.importorskip("dask.distributed", reason="the Dask example needs dask[distributed]")
    import importlib.util

    spec = importlib.util.spec_from_file_location("score_with_dask", REPO / "scripts" / "score_with_dask.py")
    assert spec and spec.loader
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        result = example.score_on_dask([str(p) for p in two_runs], client)
    whole = score_runs(two_runs).data
    assert result.data["scenarios"] == whole["scenarios"]
    for name, metrics in whole["providers"].items():
        assert result.data["providers"][name]["success"] == metrics["success"]
        assert result.data["providers"][name]["error_rate"] == metrics["error_rate"]
