"""`record --shard I/N` + `merge`: N machines record one run that scores exactly like one piece."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from record_helpers import fixture_scenarios, profiles, providers_for

from replaykit.recorder import RecordOptions, record
from replaykit.score import score_runs
from replaykit.score.partial import combine_data, partial_of
from replaykit.share.merge import merge_runs
from replaykit.share.verify import verify_run
from replaykit.sim import SimServer

# Faults that depend only on the request (never on the clock), so a sample's outcome is the same in any shard.
FAULTY = {"effects": {"server_error": 0.2, "malformed_body": 0.05, "wrong_type": 0.1, "missing_call": 0.1,
                      "text_tool_call_xml": 0.05}}
TIMING = {"latency", "ttft", "tps", "duration", "started_at", "ended_at", "wall", "time"}


# Clustered by time block as well as by scenario (docs/metrics.md): their intervals depend on when each attempt
# ran, so only their values and counts are the same whoever recorded them.
TIME_CLUSTERED = {"error_rate", "availability", "success", "error_rates"}


def _untimed(value: Any, clustered: bool = False) -> Any:
    if isinstance(value, dict):
        if clustered and "value" in value and "n" in value:
            return {"value": value["value"], "n": value["n"]}
        return {k: _untimed(v, clustered or k in TIME_CLUSTERED) for k, v in value.items()
                if not any(t in k for t in TIMING)}
    if isinstance(value, list):
        return [_untimed(v, clustered) for v in value]
    return value


@pytest.fixture(scope="module")
def shards_and_whole(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], Path]:
    base = tmp_path_factory.mktemp("shard")
    scenarios = fixture_scenarios()
    with SimServer(profiles=profiles(faulty=FAULTY, steady={}), scenarios=scenarios, seed=7, time_scale=0) as sim:
        providers = providers_for(sim.base_url, "faulty", "steady")
        whole = record(list(scenarios), providers, base / "whole",
                       options=RecordOptions(repeat=3, seed=5, max_retries=2, backoff_base=0.0)).root
        shards = [record(list(scenarios), providers, base / f"shard{i}",
                         options=RecordOptions(repeat=3, seed=5, max_retries=2, backoff_base=0.0,
                                               shard=(i, 4))).root for i in range(1, 5)]
    return shards, whole


def test_shards_are_disjoint_balanced_and_cover_the_plan(shards_and_whole: tuple[list[Path], Path]) -> None:
    shards, whole = shards_and_whole
    keys = [{f.relative_to(s).as_posix() for f in (s / "cassettes").rglob("*.json")} for s in shards]
    every = {f.relative_to(whole).as_posix() for f in (whole / "cassettes").rglob("*.json")}
    assert set().union(*keys) == every
    assert sum(len(k) for k in keys) == len(every)  # disjoint
    cells = [{k.rsplit("/", 1)[1] for k in shard} for shard in keys]  # SCENARIO--rN.json: one cell per name
    assert all(a.isdisjoint(b) for i, a in enumerate(cells) for b in cells[i + 1:])  # a cell stays whole
    assert max(map(len, cells)) - min(map(len, cells)) <= 1
    blocks = [orjson.loads((s / "run.json").read_bytes())["shard"] for s in shards]
    assert [b["index"] for b in blocks] == [1, 2, 3, 4] and {b["count"] for b in blocks} == {4}
    assert len({b["plan"] for b in blocks}) == 1 and blocks[0]["plan_samples"] == len(every)


def test_merged_shards_verify_and_score_like_one_piece(shards_and_whole: tuple[list[Path], Path],
                                                       tmp_path: Path) -> None:
    shards, whole = shards_and_whole
    report = merge_runs(shards, tmp_path / "merged")
    assert not report.renumbered and not report.warnings, (report.renumbered, report.warnings)
    assert verify_run(tmp_path / "merged").ok
    merged, one = score_runs([tmp_path / "merged"]).data, score_runs([whole]).data
    assert merged["providers"]["faulty"]["samples"] > 0
    assert _untimed(merged["providers"]) == _untimed(one["providers"])
    assert _untimed(merged["scenarios"]) == _untimed(one["scenarios"])
    manifest = orjson.loads((tmp_path / "merged" / "run.json").read_bytes())
    assert manifest["status"] == "complete" and manifest["shard"]["merged"] == [1, 2, 3, 4]


def test_each_shard_scored_apart_combines_like_one_piece(shards_and_whole: tuple[list[Path], Path]) -> None:
    """Shards hold whole cells, so each one's partial keeps what scoring the whole keeps: no merge needed."""
    shards, whole = shards_and_whole
    for shard in shards:  # compared like for like on its own: every cell it holds has every provider
        comparable = score_runs([shard]).data["run"]["comparable"]
        assert (comparable["mode"], comparable["cells_left_out"]) == ("shared_cells", 0), comparable
    combined = combine_data([(partial_of([shard]), str(shard)) for shard in shards]).data
    one = score_runs([whole]).data
    for name, row in one["providers"].items():
        assert combined["providers"][name]["samples"] == row["samples"] > 0, name
    assert _untimed(combined["scenarios"]) == _untimed(one["scenarios"])
    assert combined["run"]["comparable"] == one["run"]["comparable"]
    for name in ("success", "tool_recall", "param_accuracy", "error_rate"):
        for provider, row in one["providers"].items():
            assert _untimed(combined["providers"][provider].get(name), True) == _untimed(row.get(name), True), name


def test_a_missing_shard_makes_the_merge_partial(shards_and_whole: tuple[list[Path], Path], tmp_path: Path) -> None:
    shards, _ = shards_and_whole
    report = merge_runs(shards[:3], tmp_path / "merged")
    assert any("shard 4/4 is missing" in w for w in report.warnings), report.warnings
    manifest = orjson.loads((tmp_path / "merged" / "run.json").read_bytes())
    assert manifest["status"] == "interrupted"


@pytest.mark.parametrize("value", ["0/4", "5/4", "2", "a/b", "2/0"])
def test_a_bad_shard_flag_is_refused(value: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from replaykit.cli import main

    result = CliRunner().invoke(main, ["record", "--providers", "x.toml", "--shard", value,
                                       "--out", str(tmp_path / "run")])
    assert result.exit_code == 2 and "--shard" in result.output and "I/N" in result.output, result.output
    assert not (tmp_path / "run").exists()


def test_a_shard_resumes_its_own_share(shards_and_whole: tuple[list[Path], Path]) -> None:
    """What resume plans for a shard run comes from its run.json: the same share, never the whole plan."""
    from replaykit.cassettes.run import load_run
    from replaykit.recorder.engine import sample_plan
    from replaykit.recorder.resuming import options_from_params

    shards, _ = shards_and_whole
    run = load_run(shards[1])
    opts = options_from_params(run)
    assert opts.shard == (2, 4)
    providers = providers_for("http://127.0.0.1:9/api/v1", "faulty", "steady")
    planned = {s.id.key for s in sample_plan(list(fixture_scenarios()), providers, opts)}
    recorded = {run.read_cassette(f).sample.key for f in run.cassette_files()}
    assert planned == recorded
