"""Runs of imported BFCL scenarios, recorded against the simulator and scored with and without --bfcl-compat;
a run made with an older import (widened tools, no BFCL answer kept) still scores, with a warning."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from simkit import profiles, providers_for

from replaykit import RecordOptions, record
from replaykit.scenarios import load_scenarios
from replaykit.scenarios.bfcl import import_bfcl
from replaykit.score import ScoreOptions, score_runs
from replaykit.score.bfcl_compat import BFCL_RULES
from replaykit.sim import SimServer

DATA = Path(__file__).resolve().parents[2] / "../shared/data/bfcl"
COMPAT = ScoreOptions(rules=BFCL_RULES, greedy=True, bfcl=True)

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="BFCL data (../shared/data/bfcl) not present")


def _small_bfcl(folder: Path, count: int = 6) -> Path:
    """The first entries of simple_python, as a BFCL data folder."""
    (folder / "possible_answer").mkdir(parents=True)
    for sub in ("", "possible_answer/"):
        lines = (DATA / f"{sub}BFCL_v4_simple_python.json").read_text(encoding="utf-8").splitlines()[:count]
        (folder / f"{sub}BFCL_v4_simple_python.json").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _record(scenario_file: Path, out: Path) -> Path:
    scenarios = load_scenarios(scenario_file)
    with SimServer(profiles=profiles(a={}), scenarios=scenarios, seed=1, time_scale=0) as sim:
        record(list(scenarios), providers_for(sim.base_url, "a"), out, options=RecordOptions(repeat=1))
    return out


def _as_older_import(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Scenarios as an older `import bfcl` wrote them: no BFCL answer kept, a widened tool sent."""
    for scenario in raw:
        scenario["meta"] = {k: v for k, v in scenario["meta"].items() if k not in ("bfcl_import", "bfcl_answer")}
        tool = json.loads(json.dumps(scenario["tools"][0]))
        for prop in tool["function"]["parameters"]["properties"].values():
            if prop.get("type") == "string":
                prop["type"] = ["string", "null"]
        scenario["tools"] = [tool]
    return raw


def test_bfcl_runs_score_in_both_modes_and_older_imports_warn(tmp_path: Path) -> None:
    import_bfcl(_small_bfcl(tmp_path / "data"), tmp_path / "scenarios")
    new = _record(tmp_path / "scenarios" / "bfcl_simple_python.yaml", tmp_path / "new")
    for options in (None, COMPAT):
        result = score_runs([new], options=options)
        assert result.scored == 6
        assert result.warnings == []
        assert result.data["providers"]["a"]["success"]["value"] > 0.5

    raw = yaml.safe_load((tmp_path / "scenarios" / "bfcl_simple_python.yaml").read_text(encoding="utf-8"))
    older = tmp_path / "older.yaml"
    older.write_text(yaml.safe_dump(_as_older_import(raw), sort_keys=False), encoding="utf-8")
    old = _record(older, tmp_path / "old")
    for options in (None, COMPAT):
        result = score_runs([old], options=options)
        assert result.scored == 6
        assert len(result.warnings) == 1
        assert "whose tools differ from BFCL's" in result.warnings[0]
