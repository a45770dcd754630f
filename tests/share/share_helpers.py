"""Shared pieces of the sharing tests: runs recorded from the simulator with canary keys, hand edits that
keep run.json's hashes in step (as a publisher who planted something would), and a CLI runner."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner, Result

from replaykit import RecordOptions, record
from replaykit.canonical import file_hash
from replaykit.cassettes.run import load_run
from replaykit.cli import main
from replaykit.providers import parse_providers
from replaykit.scenarios import ScenarioSet, load_scenarios
from replaykit.sim import SimServer, parse_profiles

REPO = Path(__file__).resolve().parents[2]
FIXTURE_SCENARIOS = REPO / "tests" / "fixtures" / "scenarios"
SHARE_FIXTURES = Path(__file__).resolve().parent / "fixtures"
REAL_CASSETTES = REPO.parent / "shared" / "data" / "real-cassettes" / "simonw-llm"

# Canary keys in the providers' own formats: recording with them must leave no trace on disk.
CANARY = {"CANARY_OPENROUTER_KEY": "sk-or-v1-" + "c0ffee00" * 8,
          "CANARY_OPENAI_KEY": "sk-proj-" + "Canary0Key1Value2Abc3" * 2}
PLANTED = "sk-or-v1-" + "badc0de1" * 8  # a key "planted by hand"


def fixture_scenarios() -> ScenarioSet:
    return load_scenarios(FIXTURE_SCENARIOS)


def record_run(out: Path, *, seed: int = 1, provider: str = "alpha", repeat: int = 2,
               scenarios: ScenarioSet | None = None, effects: dict[str, float] | None = None) -> Path:
    """A run recorded from the simulator with a canary key in the environment (sent as the bearer token)."""
    os.environ.update(CANARY)
    chosen = scenarios or fixture_scenarios()
    table = {"display_name": provider.title(), "ttft_ms": {"median": 20, "sigma": 0.0},
             "tps": {"median": 5000, "sigma": 0.0}, "price": {"input_per_mtok": 1.0, "output_per_mtok": 2.0},
             "effects": effects if effects is not None else {"server_error": 0.2}}
    profiles = parse_profiles({"profiles": {provider: table}}, "<test>")
    with SimServer(profiles=profiles, scenarios=chosen, seed=seed, time_scale=0) as sim:
        defaults = {"base_url": sim.base_url, "model": "qwen/qwen3-coder", "timeout": 10.0,
                    "api_key_env": "CANARY_OPENROUTER_KEY", "stream": True}
        table_p = {provider: {"routing": {"only": [provider], "allow_fallbacks": False}}}
        providers = list(parse_providers({"defaults": defaults, "providers": table_p}, "<test>"))
        record(list(chosen), providers, out, options=RecordOptions(repeat=repeat, seed=seed, backoff_base=0.0))
    return out


def copy_run(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def cassette_files(run: Path) -> list[Path]:
    return sorted((run / "cassettes").rglob("*.json"))


def edit_cassette(path: Path, change: Callable[[dict[str, Any]], None], *, resign: bool = True) -> None:
    """Change a cassette by hand; with `resign`, update run.json's hash too, so only the content is wrong."""
    raw = orjson.loads(path.read_bytes())
    change(raw)
    path.write_bytes(orjson.dumps(raw, option=orjson.OPT_INDENT_2))
    if resign:
        resign_run(path.parents[2])


def resign_run(root: Path) -> None:
    run = load_run(root)
    for file in run.cassette_files():
        run.manifest["cassettes"][file.relative_to(root).as_posix()] = file_hash(file.read_bytes())
    run.save()


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under `root` by relative path (to prove a command changed nothing)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)
