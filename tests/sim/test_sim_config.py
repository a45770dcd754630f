"""Profile files: the shipped ones load and match providers/sim.toml; bad ones exit 2 with one clear line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sim_helpers import FIXTURES, PROFILES, REPO, body_for, fixture_scenarios

from replaykit.cli import main
from replaykit.errors import ProfileError
from replaykit.packaged import packaged
from replaykit.providers import load_providers
from replaykit.sim import EFFECTS, load_profiles, parse_profiles

GOOD = """
[profiles.p]
display_name = "P"
ttft_ms = { median = 200, sigma = 0.2 }
[profiles.p.effects]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profiles.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("effects", "field", "words"), [
    ("server_eror = 0.1", "profiles.p.effects.server_eror", "unknown effect"),
    ("server_error = 1.5", "profiles.p.effects.server_error", "[0, 1]"),
    ("stream_cut = -0.1", "profiles.p.effects.stream_cut", "[0, 1]"),
    ('wrong_type = "often"', "profiles.p.effects.wrong_type", "[0, 1]"),
    ("timeout = { rate = 2 }", "profiles.p.effects.timeout.rate", "[0, 1]"),
    ("timeout = { rate = 0.1, stal_s = 3 }", "profiles.p.effects.timeout.stal_s", "unknown key"),
    ("server_error = 0.6\nstream_cut = 0.6", "profiles.p.effects", "sum to at most 1"),
    ("downtime = { period_s = 10, down_s = 20 }", "profiles.p.effects.downtime", "down_s <= period_s"),
])
def test_bad_effects_are_refused_with_file_profile_and_field(tmp_path: Path, effects: str, field: str,
                                                             words: str) -> None:
    path = _write(tmp_path, GOOD + effects + "\n")
    with pytest.raises(ProfileError) as caught:
        load_profiles(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: p: {field}: ") and words in message


@pytest.mark.parametrize(("extra", "field"), [
    ("colour = 'red'", "profiles.p.colour"),
    ("tps = { median = 0 }", "profiles.p.tps.median"),
    ("rate_limit = { requests = 0, per_s = 1 }", "profiles.p.rate_limit.requests"),
    ("price = { input_per_mtok = -1 }", "profiles.p.price.input_per_mtok"),
])
def test_bad_profile_keys_are_refused(tmp_path: Path, extra: str, field: str) -> None:
    path = _write(tmp_path, GOOD.replace("[profiles.p.effects]", extra + "\n[profiles.p.effects]"))
    with pytest.raises(ProfileError, match=field.replace(".", r"\.")):
        load_profiles(path)


def test_cli_exits_2_with_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = _write(tmp_path, GOOD + "hallucinate = 0.1\n")
    result = runner.invoke(main, ["sim", "serve", "--profiles", str(bad), "--scenarios", str(FIXTURES)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "unknown effect" in lines[0]
    missing = runner.invoke(main, ["sim", "serve", "--profiles", str(PROFILES),
                                   "--scenarios", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "no such scenario file or folder" in missing.output
    assert len(missing.output.strip().splitlines()) == 1
    unreadable = runner.invoke(main, ["sim", "serve", "--profiles", str(tmp_path / "none.toml")])
    assert unreadable.exit_code == 2 and "cannot read" in unreadable.output


def test_shipped_profiles_cover_the_issue_and_match_sim_toml() -> None:
    profiles = load_profiles(PROFILES)
    assert len(profiles) >= 6
    used = {e for p in profiles for e, r in p.rates.items() if r > 0}
    used |= {"downtime"} if any(p.downtime for p in profiles) else set()
    assert used == set(EFFECTS)  # every effect is shown by some shipped profile
    assert any(p.rate_limit for p in profiles)
    providers = load_providers(packaged("providers/sim.toml"))
    assert {p.routing["only"][0] for p in providers if p.routing} == set(profiles.names())
    for provider in providers:
        assert provider.base_url == "http://127.0.0.1:8377/api/v1" and provider.api_key_env is None
        assert provider.routing is not None
        profile = profiles.find(provider.routing["only"][0])
        assert profile is not None and provider.quantization == profile.quantization and provider.price
        assert (provider.price.input_per_mtok, provider.price.output_per_mtok) == (
            profile.input_per_mtok, profile.output_per_mtok)
    assert any(p.mode == "prompt" for p in providers)


def test_parse_profiles_accepts_rate_tables() -> None:
    profiles = parse_profiles({"profiles": {"x": {"effects": {"timeout": {"rate": 0.2, "stall_s": 5}}}}})
    profile = profiles.profiles[0]
    assert profile.rate("timeout") == 0.2 and profile.param("stall_s") == 5
    assert profile.display_name == "x" and profiles.find("X") is profile


def test_sim_serve_runs_until_interrupted() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "replaykit", "sim", "serve", "--port", "0", "--time-scale", "0",
         "--scenarios", str(FIXTURES), "--profiles", str(PROFILES), "--seed", "4"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO,
        # a test runner's worker may ignore SIGINT, and a child would inherit that: Ctrl-C must reach it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("replaykit simulator on http://127.0.0.1:") and "7 scenarios" in first
        base_url = first.split()[3]
        scenario = fixture_scenarios().get("fx.weather")
        assert scenario is not None
        body = body_for(scenario, profile="sim-steady")
        response = httpx.post(base_url + "/chat/completions", json=body, timeout=10)
        assert response.status_code in (200, 500, 502, 503) and response.headers["x-generation-id"]
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "sim-steady=1" in out
