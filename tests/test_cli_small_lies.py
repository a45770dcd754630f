"""Each command says what it does (issue 14 §3): real files, the real simulator, the real command line."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from simkit import FIXTURES, fixture_scenarios, profiles

from replaykit import load_run
from replaykit.cli import main
from replaykit.scenarios import load_scenarios
from replaykit.sim import SimServer


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """In a real process, stdin not a terminal (as in CI)."""
    return subprocess.run([sys.executable, "-m", "replaykit", *args], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": ""})


def _providers(tmp: Path, base_url: str, extra: str = "") -> Path:
    path = tmp / "providers.toml"
    path.write_text(f'[defaults]\nbase_url = "{base_url}"\nmodel = "m"\n{extra}\n'
                    '[providers.p]\nrouting = { only = ["p"] }\n')
    return path


def test_repeated_category_takes_the_union() -> None:
    result = CliRunner().invoke(main, ["scenarios", "list", str(FIXTURES), "--category", "single",
                                       "--category", "parallel"])
    assert result.exit_code == 0, result.output
    assert sorted(line.split()[0] for line in result.stdout.splitlines()) == ["fx.prices", "fx.unicode", "fx.weather"]


def test_record_takes_the_union_of_categories_too(tmp_path: Path) -> None:
    providers = _providers(tmp_path, "http://127.0.0.1:9", "price = { input_per_mtok = 1.0, output_per_mtok = 2.0 }")
    result = _cli("record", "--providers", str(providers), "--scenarios", str(FIXTURES), "--category", "single",
                  "--category", "no_call", "--dry-run")
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("p "))
    assert row.split()[1] == "3"  # fx.weather, fx.unicode, fx.joke


def test_budget_without_a_terminal_says_the_estimate_and_wants_yes(tmp_path: Path) -> None:
    providers = _providers(tmp_path, "http://127.0.0.1:9", "price = { input_per_mtok = 100, output_per_mtok = 100 }")
    out = tmp_path / "run"
    result = _cli("record", "--providers", str(providers), "--scenarios", str(FIXTURES), "--budget", "0",
                  "--out", str(out))
    assert result.returncode == 2, result.stderr
    assert "Aborted" not in result.stderr and "Traceback" not in result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("error: --budget: estimated $") and "pass --yes" in error
    assert not out.exists()


@pytest.mark.parametrize("kind", ["recorded run", "scenario folder"])
def test_demo_refuses_a_folder_that_is_not_an_earlier_demo(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "target"
    target.mkdir()
    if kind == "recorded run":
        (target / "run.json").write_text("{}")
        (target / "cassettes").mkdir()
    else:
        (target / "single.yaml").write_bytes((FIXTURES / "single.yaml").read_bytes())
    before = sorted(p.name for p in target.rglob("*"))
    result = CliRunner().invoke(main, ["demo", "--out", str(target), "--plain"])
    assert result.exit_code == 2
    assert f"{target}: holds files that are not an earlier demo's" in result.stderr
    assert sorted(p.name for p in target.rglob("*")) == before


def test_validate_and_sim_serve_refuse_a_folder_without_scenarios(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    validate = CliRunner().invoke(main, ["scenarios", "validate", str(empty)])
    assert validate.exit_code == 2 and "nothing to check" in validate.stderr
    serve = CliRunner().invoke(main, ["sim", "serve", "--port", "0", "--scenarios", str(empty)])
    assert serve.exit_code == 2 and "nothing to serve" in serve.stderr


def test_the_simulator_serves_several_folders(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "joke.yaml").write_bytes((FIXTURES / "no_call.yaml").read_bytes())
    single = FIXTURES / "single.yaml"
    with SimServer(profiles=profiles(p={}), scenarios=[str(single.parent / "multiple.yaml"), str(other)],
                   time_scale=0) as sim:
        assert len(sim.engine.index) == len(fixture_scenarios().select(category=["multiple", "parallel",
                                                                                 "parallel_multiple", "no_call"]))


def test_recording_scenarios_the_simulator_does_not_know_warns(tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    text = (FIXTURES / "single.yaml").read_text().replace("fx.weather", "my.weather").replace("fx.unicode", "my.uni")
    (mine / "single.yaml").write_text(text.replace("Weather forecast for a city", "Forecast of a place"))
    known = load_scenarios(mine).select(pattern="my.uni")  # the simulator knows one of the two
    with caplog.at_level(logging.WARNING, logger="replaykit.sim"), \
            SimServer(profiles=profiles(p={}), scenarios=known, time_scale=0) as sim:
        providers = _providers(tmp_path, sim.base_url)
        result = _cli("record", "--providers", str(providers), "--scenarios", str(mine), "--plain",
                      "--out", str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr
    assert "warning: p my.weather: unknown scenario" in result.stderr
    assert "warning: 1 samples: unknown scenario" in result.stderr  # the other one is known
    assert any("unknown scenario" in r.getMessage() for r in caplog.records)
    run = load_run(tmp_path / "run")
    warned = {c.sample.scenario: c.attempts[0].server_warning for c in run.iter_cassettes()}
    assert warned["my.uni"] is None and warned["my.weather"].startswith("unknown scenario")


def test_record_refuses_a_base_url_that_is_not_http(tmp_path: Path) -> None:
    providers = _providers(tmp_path, "http://127.0.0.1:9")
    result = _cli("record", "--providers", str(providers), "--scenarios", str(FIXTURES), "--base-url", "localhost:9")
    assert result.returncode == 2 and "error: --base-url: wants an http(s) URL" in result.stderr


def test_scenarios_show_prints_what_is_expected_of_a_multi_turn_scenario() -> None:
    result = CliRunner().invoke(main, ["scenarios", "show", "fx.fix_typo", "--scenarios", str(FIXTURES)])
    assert result.exit_code == 0, result.output
    data = orjson.loads(result.stdout)
    assert data["steps"][0]["calls"][0]["args"]["encoding"] == {"one_of": ["utf-8"], "optional": True}
    assert [step["calls"] for step in data["steps"]][2] == []
    assert data["tool_results"][1] == {"name": "edit_line", "content": {"ok": True}}
    assert data["tools"][0]["function"]["description"] == "Read lines of a text file"


def test_inspect_names_what_a_malformed_cassette_lacks(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[1] / "cassettes" / "example" / "cassettes"
    raw = orjson.loads(next(example.rglob("*.json")).read_bytes())
    del raw["interactions"][0]["response"]
    bad = tmp_path / "bad.json"
    bad.write_bytes(orjson.dumps(raw))
    result = _cli("inspect", str(bad))
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {bad}: interactions[0]: ") and "response" in line and "KeyError" not in line
