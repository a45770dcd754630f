"""The package root: every public name resolves, and commands load only what they use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import replaykit


def test_every_public_name_resolves_to_what_it_names() -> None:
    for name in replaykit.__all__:
        assert getattr(replaykit, name) is not None, name
    assert callable(replaykit.record) and callable(replaykit.normalize) and callable(replaykit.score_runs)
    assert issubclass(replaykit.BadInputError, replaykit.ReplaykitError)


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
                         check=True, capture_output=True, text=True)
    return set(out.stdout.split())


def test_importing_a_subpackage_later_does_not_shadow_the_functions() -> None:
    code = ("import replaykit, replaykit.recorder.sample, replaykit.normalize.stream\n"
            "assert callable(replaykit.record), replaykit.record\n"
            "assert callable(replaykit.normalize), replaykit.normalize\n"
            "from replaykit import record, normalize\n"
            "assert callable(record) and callable(normalize)")
    _modules_after(code)


def test_scoring_does_not_load_the_recorder_or_the_simulator() -> None:
    # what `replaykit score` imports: startup time is paid on every command
    loaded = _modules_after("import replaykit.cli.score")
    assert "replaykit.cli.score" in loaded
    # readers share the recorder's redaction (replaykit.recorder.redact), never its HTTP side or scheduler
    for heavy in ("httpx", "replaykit.recorder.api", "replaykit.recorder.engine", "replaykit.recorder.http",
                  "replaykit.sim", "deepdiff", "uvicorn", "starlette"):
        assert heavy not in loaded, heavy


def test_scoring_a_run_folder_loads_neither_http_nor_vcrpy(tmp_path: Path) -> None:
    # the pack reader (score run.tar.gz) sits next to verify, whose replay needs vcrpy and httpx: a folder
    # run must not pay for them (they were 17% of scoring a 7,600-cassette run)
    from simkit import fixture_scenarios, profiles, providers_for

    from replaykit import RecordOptions, record
    from replaykit.sim import SimServer

    scenarios = fixture_scenarios()
    with SimServer(profiles=profiles(steady={}), scenarios=scenarios, seed=1, time_scale=0.0) as sim:
        record(list(scenarios)[:3], providers_for(sim.base_url, "steady"), tmp_path / "run",
               options=RecordOptions(repeat=1))
    loaded = _modules_after(f"from replaykit import score_runs\nscore_runs([{str(tmp_path / 'run')!r}])")
    assert "replaykit.score.engine" in loaded
    for heavy in ("httpx", "vcr", "replaykit.share.replay", "replaykit.recorder.http"):
        assert heavy not in loaded, heavy


def test_the_command_line_lists_every_command_without_importing_them() -> None:
    loaded = _modules_after("from replaykit.cli import main")
    assert not any(m.startswith("replaykit.cli.") for m in loaded - {"replaykit.cli"})
    out = subprocess.run([sys.executable, "-m", "replaykit", "--help"], capture_output=True, text=True)
    for name in ("record", "score", "diff", "verify", "pack", "demo", "report"):
        assert f"  {name} " in out.stdout, name
