"""`replaykit import k2vv`: request bodies in, pending-reference scenarios out; bad lines named, exit 2."""

from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner

from replaykit.cli import main
from replaykit.scenarios import load_scenarios

TOOL = {"type": "function", "function": {"name": "get_weather", "description": "Weather",
                                         "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                        "required": ["city"]}}}


def _body(i: int) -> dict[str, object]:
    return {"model": "kimi-k2", "temperature": 0.6, "tools": [TOOL],
            "messages": [{"role": "system", "content": "You are helpful."},
                         {"role": "user", "content": f"Weather in city {i}?", "reasoning_content": "dropped"}]}


def test_import_writes_pending_reference_scenarios_and_samples_deterministically(tmp_path: Path) -> None:
    src = tmp_path / "samples.jsonl"
    src.write_bytes(b"\n".join(orjson.dumps(_body(i)) for i in range(30)) + b"\n")
    runner = CliRunner()
    result = runner.invoke(main, ["import", "k2vv", str(src), "--out", str(tmp_path / "a"), "--sample", "10"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(main, ["import", "k2vv", str(src), "--out", str(tmp_path / "b"), "--sample", "10"])
    assert again.exit_code == 0
    first, second = load_scenarios(tmp_path / "a"), load_scenarios(tmp_path / "b")
    assert len(first) == 10 and [s.id for s in first] == [s.id for s in second]
    scenario = next(iter(first))
    assert scenario.meta["reference"]["pending"] is True and "pending-reference" in scenario.tags
    assert scenario.tools[0]["function"]["name"] == "get_weather"
    assert all("reasoning_content" not in m for m in scenario.messages)


def test_a_bad_line_is_named_with_exit_2_and_nothing_written(tmp_path: Path) -> None:
    src = tmp_path / "samples.jsonl"
    src.write_bytes(orjson.dumps(_body(1)) + b"\n" + b'{"messages": "not a list"}\n')
    result = CliRunner().invoke(main, ["import", "k2vv", str(src), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and f"{src}:2" in result.output and "messages" in result.output
    assert not (tmp_path / "out").exists()


def test_pending_references_are_recorded_but_never_judged(tmp_path: Path) -> None:
    from simkit import profiles, providers_for

    from replaykit.recorder import RecordOptions, record
    from replaykit.score import score_runs
    from replaykit.sim import SimServer

    src = tmp_path / "samples.jsonl"
    src.write_bytes(b"\n".join(orjson.dumps(_body(i)) for i in range(4)) + b"\n")
    assert CliRunner().invoke(main, ["import", "k2vv", str(src), "--out", str(tmp_path / "k2vv")]).exit_code == 0
    pending = load_scenarios(tmp_path / "k2vv")
    with SimServer(profiles=profiles(official={"effects": {"server_error": 0.5}}), scenarios=pending,
                   time_scale=0) as sim:
        run = record(list(pending), providers_for(sim.base_url, "official"), tmp_path / "ref",
                     options=RecordOptions(max_retries=3, backoff_base=0.0))
    data = score_runs([run.root]).data
    official = data["providers"]["official"]
    assert official["samples"] == 4 and official["attempts"] >= 4
    assert official["success"]["n"] == 0 and official["no_call_accuracy"]["n"] == 0  # nothing judged
    assert official["availability"]["n"] == 4  # what the API did is still counted
    assert all(not row["success"] for row in data["scenarios"])
