"""`replaykit merge`: every sample kept once (by content), provenance kept, scores equal to the union."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from share_helpers import FIXTURE_SCENARIOS, PLANTED, cassette_files, cli, copy_run, edit_cassette, record_run

from replaykit.canonical import content_hash
from replaykit.scenarios import load_scenarios
from replaykit.score import score_runs
from replaykit.share.verify import verify_run


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("runs")
    return record_run(base / "alice", seed=1), record_run(base / "bob", seed=2)


def _samples(run: Path) -> dict[str, dict[str, object]]:
    """Each cassette's content (without repetition and provenance) → its sample."""
    out = {}
    for file in cassette_files(run):
        raw = orjson.loads(file.read_bytes())
        own = raw["replaykit"]
        sample = {k: v for k, v in own["sample"].items() if k != "repetition"}
        key = content_hash([sample, raw["interactions"], own["attempts"]])
        assert key not in out, f"{file} holds a sample twice"
        out[key] = own
    return out


def test_merge_keeps_every_sample_once_and_scores_as_the_union(runs: tuple[Path, Path], tmp_path: Path) -> None:
    alice, bob = runs
    carol = copy_run(alice, tmp_path / "carol")  # a contributor who re-published alice's samples
    out = tmp_path / "merged"
    result = cli("merge", str(alice), str(bob), str(carol), "-o", str(out))
    assert result.exit_code == 0, result.output
    merged = _samples(out)
    expected = {**_samples(alice), **_samples(bob)}
    assert merged.keys() == expected.keys()
    assert len(merged) == len(cassette_files(alice)) + len(cassette_files(bob))
    assert f"{len(cassette_files(carol))} duplicates dropped" in result.output
    union = score_runs([alice, bob]).data
    combined = score_runs([out]).data
    assert combined["providers"] == union["providers"]
    assert combined["scenarios"] == union["scenarios"]
    assert combined["run"]["samples"] == union["run"]["samples"]
    assert verify_run(out).ok


def test_provenance_and_renumbering(runs: tuple[Path, Path], tmp_path: Path) -> None:
    alice, bob = runs
    out = tmp_path / "merged"
    cli("merge", str(bob), str(alice), "-o", str(out))
    repetitions: dict[tuple[str, str], list[int]] = {}
    for own in _samples(out).values():
        sample = own["sample"]
        assert isinstance(sample, dict)
        repetitions.setdefault((sample["provider"], sample["scenario"]), []).append(sample["repetition"])
        [origin] = own["provenance"]  # type: ignore[misc]
        assert origin["run_id"] in ("alice", "bob") and origin["path"].startswith("cassettes/alpha/")
        assert origin["run_digest"].startswith("sha256:")
    # alice and bob both had r0 and r1 of every scenario: all four survive, numbered 0..3
    assert all(sorted(reps) == [0, 1, 2, 3] for reps in repetitions.values()), repetitions
    manifest = orjson.loads((out / "run.json").read_bytes())
    assert [m["run_id"] for m in manifest["merged_from"]] == ["alice", "bob"]  # in a stable order


def test_merge_prints_a_summary_and_the_details_only_with_verbose(runs: tuple[Path, Path], tmp_path: Path) -> None:
    alice, bob = runs
    carol = copy_run(alice, tmp_path / "carol")
    quiet = cli("merge", str(alice), str(bob), str(carol), "-o", str(tmp_path / "quiet"))
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stdout.splitlines() == [
        f"merged 3 runs into {tmp_path / 'quiet'}: {2 * len(cassette_files(alice))} samples, "
        f"{len(cassette_files(carol))} duplicates dropped, {len(cassette_files(bob))} repetitions renumbered "
        "(-v lists them)"]
    loud = cli("merge", str(alice), str(bob), str(carol), "-o", str(tmp_path / "loud"), "-v")
    lines = loud.stdout.splitlines()
    assert sum(line.startswith("duplicate: ") for line in lines) == len(cassette_files(carol))
    assert sum(line.startswith("renumbered: ") for line in lines) == len(cassette_files(bob))


def test_merging_a_merge_keeps_the_original_provenance(runs: tuple[Path, Path], tmp_path: Path) -> None:
    alice, bob = runs
    cli("merge", str(alice), "-o", str(tmp_path / "first"))
    result = cli("merge", str(tmp_path / "first"), str(alice), str(bob), "-o", str(tmp_path / "second"))
    assert result.exit_code == 0, result.output
    origins = {own["provenance"][0]["run_id"] for own in _samples(tmp_path / "second").values()}  # type: ignore[index]
    assert origins == {"alice", "bob"}
    assert len(_samples(tmp_path / "second")) == len(cassette_files(alice)) + len(cassette_files(bob))


def test_a_scenario_that_differs_is_named(runs: tuple[Path, Path], tmp_path: Path) -> None:
    alice, _ = runs
    changed = tmp_path / "scenarios"
    shutil.copytree(FIXTURE_SCENARIOS, changed)
    single = changed / "single.yaml"
    single.write_text(single.read_text().replace("Weather forecast for a city", "Weather forecast for a town"))
    dave = record_run(tmp_path / "dave", scenarios=load_scenarios(changed))
    result = cli("merge", str(alice), str(dave), "-o", str(tmp_path / "merged"))
    assert result.exit_code == 2
    assert "scenario fx.weather" in result.output and "differs" in result.output
    assert not (tmp_path / "merged").exists()


def test_a_run_that_does_not_verify_is_not_merged(runs: tuple[Path, Path], tmp_path: Path) -> None:
    alice, bob = runs
    tampered = copy_run(bob, tmp_path / "bob")
    edit_cassette(cassette_files(tampered)[0], lambda raw: raw["interactions"][0]["request"]["headers"].update(
        x=[PLANTED]), resign=False)
    result = cli("merge", str(alice), str(tampered), "-o", str(tmp_path / "merged"))
    assert result.exit_code == 2 and "does not verify" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bob"]  # no merged folder, no staging left


def test_another_model_under_the_same_provider_name_is_refused(runs: tuple[Path, Path], tmp_path: Path) -> None:
    alice, bob = runs
    other = copy_run(bob, tmp_path / "bob")
    manifest = orjson.loads((other / "run.json").read_bytes())
    manifest["providers"]["alpha"]["model"] = "another/model"
    from replaykit.cassettes.run import Run

    Run(other, manifest).save()
    result = cli("merge", str(alice), str(other), "-o", str(tmp_path / "merged"))
    assert result.exit_code == 2 and "provider alpha" in result.output and "model" in result.output
