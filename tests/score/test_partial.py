"""score --partial / --combine: the map and the reduce give what scoring everything at once gives — exactly
for rates and counts, within the sketch's relative accuracy for percentiles."""

from __future__ import annotations

import math
from pathlib import Path

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
    bad.write_text('{"replaykit_partial": 1, "runs": [], "providers": {"x": {"latency": {"ddsketch": "!!"}}},'
                   ' "per_scenario": {}, "count": 1}')
    broken = runner.invoke(main, ["score", "--combine", str(bad)])
    assert broken.exit_code == 2 and "providers.x.latency" in broken.output and "Traceback" not in broken.output
    ok = runner.invoke(main, ["score", "--combine", str(part), "-o", str(tmp_path / "out.json")])
    assert ok.exit_code == 0, ok.output
    assert orjson.loads((tmp_path / "out.json").read_bytes())["run"]["ids"] == ["part0"]


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
