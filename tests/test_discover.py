"""`replaykit providers discover`: the endpoint listing becomes a providers file that records as it is."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from simkit import fixture_scenarios

from replaykit import load_providers, record, score_runs
from replaykit.cli import main
from replaykit.packaged import packaged
from replaykit.sim import SimServer, load_profiles

REPO = Path(__file__).resolve().parents[1]


def test_discovered_file_pins_every_endpoint_and_records(tmp_path: Path) -> None:
    profiles = load_profiles(packaged("providers/sim-profiles.toml"))
    out = tmp_path / "found.toml"
    with SimServer(profiles=profiles, scenarios=fixture_scenarios(), time_scale=0) as sim:
        result = CliRunner().invoke(main, ["providers", "discover", "qwen/qwen3-coder", "--base-url", sim.base_url,
                                           "-o", str(out), "--api-key-env", ""])
        assert result.exit_code == 0, result.output
        found = load_providers(out)
        assert sorted(found.names()) == sorted(p.name for p in profiles)
        for profile in profiles:
            provider = found.get(profile.name)
            assert provider.routing == {"only": [profile.name], "allow_fallbacks": False}
            assert provider.quantization == profile.quantization
            assert provider.price is not None and provider.price.input_per_mtok == profile.input_per_mtok
        chosen = list(found.select(["sim-steady", "sim-quantized"]))
        run = record(list(fixture_scenarios()), chosen, tmp_path / "run")
        counts = sim.counts()
    assert counts["sim-steady"] > 0 and counts["sim-quantized"] > 0
    assert set(score_runs([run.root]).data["providers"]) == {"sim-steady", "sim-quantized"}


def test_bad_model_and_unreachable_listing_exit_2() -> None:
    bad = CliRunner().invoke(main, ["providers", "discover", "no-slash"])
    assert bad.exit_code == 2 and "author/slug" in bad.output
    down = CliRunner().invoke(main, ["providers", "discover", "a/b", "--base-url", "http://127.0.0.1:9/api/v1"])
    assert down.exit_code == 2 and "cannot reach" in down.output
