"""`replaykit trend`: one provider across runs, and the significance of each change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compare_helpers import assert_fits, cli, cli_json, sim_run

NOISY: dict[str, Any] = {"effects": {"server_error": 0.1, "missing_call": 0.05}}
REDEPLOYED: dict[str, Any] = {"effects": {"server_error": 0.1, "missing_call": 0.05, "wrong_type": 0.5}}


def test_trend_flags_the_redeploy_and_not_the_noise(tmp_path: Path) -> None:
    first = sim_run(tmp_path / "r1-monday", {"p": NOISY, "other": {}}, repeat=15, seed=1, record_seed=1)
    second = sim_run(tmp_path / "r2-tuesday", {"p": NOISY}, repeat=15, seed=2, record_seed=2)
    third = sim_run(tmp_path / "r3-wednesday", {"p": REDEPLOYED}, repeat=15, seed=3, record_seed=3)
    # given out of order: the runs are ordered by their start time
    data = cli_json("trend", str(third.root), str(first.root), str(second.root))
    assert data["provider"] == "p"  # the only provider all three share
    assert [r["run"] for r in data["runs"]] == ["r1-monday", "r2-tuesday", "r3-wednesday"]
    assert all(r["samples"] == 105 for r in data["runs"])
    calm, drop = data["changes"]
    assert (calm["from"], calm["to"], calm["n"]) == ("r1-monday", "r2-tuesday", 105)
    assert not calm["metrics"]["success"]["significant"]
    assert calm["verdict"].startswith("success: no significant difference at n = 105")
    # clustered by scenario: every answer scenario (6 of 7) must be worse for p = 2/64 < 0.05
    assert drop["metrics"]["success"]["better"] == "A"  # the earlier run was better
    assert {"schema_validity", "success"} <= set(drop["significant"])
    assert data["runs"][2]["schema_validity"]["value"] < data["runs"][1]["schema_validity"]["value"]

    result = cli("trend", str(first.root), str(second.root), str(third.root))
    assert result.exit_code == 0, result.output
    assert_fits(result.output)
    assert "r2-tuesday → r3-wednesday" in result.output and "success: worse by" in result.output
    assert "no significant difference at n = 105" in result.output


def test_trend_bad_input_exits_2(tmp_path: Path) -> None:
    one = sim_run(tmp_path / "one", {"p": {}, "q": {}}, repeat=1)
    two = sim_run(tmp_path / "two", {"p": {}, "q": {}}, repeat=1, record_seed=3)
    three = sim_run(tmp_path / "three", {"r": {}}, repeat=1)
    for args, message in [
        ([str(one.root), str(two.root)], "share several providers (p, q); choose one with --provider"),
        ([str(one.root), str(two.root), "--provider", "zz"], "no provider 'zz' in this run"),
        ([str(one.root), str(three.root)], "the runs share no provider"),
        ([str(one.root), str(one.root), "--provider", "p"], "the same run is given twice"),
        ([str(tmp_path / "nope")], "no such run folder"),
    ]:
        result = cli("trend", *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr and result.stderr.count("\n") == 1
    data = cli_json("trend", f"{one.root}:q", str(two.root))
    assert data["provider"] == "q" and len(data["changes"]) == 1
