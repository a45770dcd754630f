"""The scenario library, simulator profiles and example provider files inside the package (issue 14 §1):
commands defaulting to `scenarios` or `providers/...` fall back to them outside a checkout, and say so."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from simkit import FIXTURES

from replaykit.cli import main
from replaykit.packaged import locate, packaged
from replaykit.scenarios import load_scenarios


@pytest.fixture
def empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_package_holds_the_library_profiles_and_provider_examples() -> None:
    assert len(load_scenarios(packaged("scenarios"))) > 100
    for name in ("sim.toml", "sim-profiles.toml", "openrouter-qwen3-coder.toml", "direct-qwen3-coder.toml"):
        assert packaged(f"providers/{name}").is_file(), name


def test_list_outside_a_checkout_uses_the_packaged_library_and_says_so(empty: Path) -> None:
    result = CliRunner().invoke(main, ["scenarios", "list", "--category", "single"])
    assert result.exit_code == 0, result.output
    assert "sql.single_group_by_average" in result.stdout
    assert "no scenarios in" in result.stderr and "using the one shipped with replaykit" in result.stderr
    assert "replaykit scenarios export DIR" in result.stderr


def test_a_scenarios_folder_here_wins_over_the_packaged_one(empty: Path) -> None:
    (empty / "scenarios").mkdir()
    (empty / "scenarios" / "mine.yaml").write_bytes((FIXTURES / "single.yaml").read_bytes())
    result = CliRunner().invoke(main, ["scenarios", "list"])
    assert result.exit_code == 0, result.output
    assert sorted(line.split()[0] for line in result.stdout.splitlines()) == ["fx.unicode", "fx.weather"]
    assert "shipped" not in result.stderr


def test_providers_list_reads_a_packaged_example_with_a_header_row(empty: Path) -> None:
    result = CliRunner().invoke(main, ["providers", "list", "providers/openrouter-qwen3-coder.toml"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["provider", "model", "routing"]
    assert any(line.startswith("deepinfra-fp8 ") for line in lines)
    assert "providers/openrouter-qwen3-coder.toml" in result.stderr


def test_export_copies_the_library_and_refuses_a_non_empty_folder(empty: Path) -> None:
    result = CliRunner().invoke(main, ["scenarios", "export", "lib"])
    assert result.exit_code == 0, result.output
    assert len(load_scenarios(empty / "lib")) == len(load_scenarios(packaged("scenarios")))
    again = CliRunner().invoke(main, ["scenarios", "export", "lib"])
    assert again.exit_code == 2 and "lib: exists and is not an empty folder" in again.stderr
    providers = CliRunner().invoke(main, ["providers", "export", "prov"])
    assert providers.exit_code == 0, providers.output
    assert sorted(p.name for p in (empty / "prov").iterdir()) == sorted(p.name for p in packaged("providers").iterdir())
    assert {"direct-qwen3-coder.toml", "openrouter-qwen3-coder.toml", "sim-profiles.toml", "sim.toml"} <= {
        p.name for p in (empty / "prov").iterdir()}


def test_locate_leaves_other_missing_paths_alone(empty: Path) -> None:
    assert locate("providers/nope.toml") == locate("providers/nope.toml")
    assert not locate("providers/nope.toml").packaged
    assert not locate("elsewhere/sim.toml").packaged
    assert locate("providers/sim.toml").packaged
    missing = CliRunner().invoke(main, ["providers", "list", "providers/nope.toml"])
    assert missing.exit_code == 2 and "providers/nope.toml" in missing.stderr
