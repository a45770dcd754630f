"""`replaykit score run.tar.gz`: a pack scores exactly like its unpacked run, streaming, nothing written."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from replaykit.cli import main
from replaykit.score import score_runs
from replaykit.share.pack import pack_run

EXAMPLE = Path(__file__).resolve().parents[2] / "cassettes" / "example"


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pack") / "example.tar.gz"
    pack_run(EXAMPLE, out)
    return out


def test_a_pack_scores_like_its_run_without_unpacking(pack: Path) -> None:
    before = sorted(p.name for p in pack.parent.iterdir())
    packed, folder = score_runs([pack]).data, score_runs([EXAMPLE]).data
    assert packed["providers"] == folder["providers"] and packed["scenarios"] == folder["scenarios"]
    assert packed["run"]["ids"] == folder["run"]["ids"]
    assert sorted(p.name for p in pack.parent.iterdir()) == before  # nothing unpacked beside it
    result = CliRunner().invoke(main, ["score", str(pack), "--json"])
    assert result.exit_code == 0, result.output


def test_a_tampered_pack_is_refused_with_the_member_named(pack: Path, tmp_path: Path) -> None:
    raw = gzip.decompress(pack.read_bytes())
    members, tampered = [], ""
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        for member in tar.getmembers():
            data = tar.extractfile(member).read() if member.isfile() else b""  # type: ignore[union-attr]
            if member.name.startswith("cassettes/") and member.isfile() and not tampered:
                data = data[:40] + (b"X" if data[40:41] != b"X" else b"Y") + data[41:]  # same size, one byte
                tampered = member.name
            members.append((member, data))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for member, data in members:
            tar.addfile(member, io.BytesIO(data) if member.isfile() else None)
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(gzip.compress(buf.getvalue()))
    result = CliRunner().invoke(main, ["score", str(bad)])
    assert result.exit_code == 2 and "sha256" in result.output and "Traceback" not in result.output
    assert tampered in result.output


def test_a_pack_whose_skipped_members_are_large_still_scores(tmp_path: Path) -> None:
    """Skipping run.json and a large scenarios.json on the scoring pass stays within the inflate budget."""
    import shutil

    import orjson

    run = tmp_path / "run"
    shutil.copytree(EXAMPLE, run)
    snapshot = orjson.loads((run / "scenarios.json").read_bytes())
    snapshot[0]["description"] = "x" * 3_000_000  # a big snapshot: more than a header's budget
    (run / "scenarios.json").write_bytes(orjson.dumps(snapshot))
    manifest = orjson.loads((run / "run.json").read_bytes())
    manifest["scenarios"] = {}  # hashes are not what this test is about
    (run / "run.json").write_bytes(orjson.dumps(manifest))
    pack_run(run, tmp_path / "big.tar.gz", check=False)
    assert score_runs([tmp_path / "big.tar.gz"]).data["run"]["samples"] > 0


def test_a_pack_pools_like_its_unpacked_run(tmp_path: Path) -> None:
    """A pack's cells are known from its run.json before it streams: a gap (a cell one provider lacks) is left
    out of the pack exactly as of the folder, alone or scored beside another run, and the `run` block says so."""
    import shutil

    import orjson

    run = tmp_path / "gappy"
    shutil.copytree(EXAMPLE, run)
    gap = "cassettes/sim-steady/coding.parallel_read_three--r0.json"
    (run / gap).unlink()
    manifest = orjson.loads((run / "run.json").read_bytes())
    del manifest["cassettes"][gap]
    (run / "run.json").write_bytes(orjson.dumps(manifest | {"run_id": "gappy"}))
    pack_run(run, tmp_path / "gappy.tar.gz", check=False)
    for together in ([], [EXAMPLE]):
        packed = score_runs([tmp_path / "gappy.tar.gz", *together]).data
        folder = score_runs([run, *together]).data
        assert packed["run"]["comparable"] == folder["run"]["comparable"]
        assert packed["providers"] == folder["providers"] and packed["scenarios"] == folder["scenarios"]
    assert score_runs([tmp_path / "gappy.tar.gz"]).data["run"]["comparable"]["cells_left_out"] == 1
