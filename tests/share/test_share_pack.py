"""`replaykit pack` / `unpack`: a deterministic pack that round-trips to byte-identical scores, and hostile
packs refused before anything is written outside a temporary folder."""

from __future__ import annotations

import io
import re
import tarfile
import uuid
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from bombs import BombWriter, GiB, manifest, member, sha, write_tar_gz, zero_bomb
from share_helpers import PLANTED, cassette_files, cli, copy_run, edit_cassette, record_run, tree_bytes

from replaykit.share.bounded_gzip import PackError
from replaykit.share.pack import UnpackLimits, unpack


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return record_run(tmp_path_factory.mktemp("rec") / "run")


def test_pack_unpack_score_is_byte_identical(recorded: Path, tmp_path: Path) -> None:
    pack = tmp_path / "run.tar.gz"
    result = cli("pack", str(recorded), "-o", str(pack))
    assert result.exit_code == 0, result.output
    assert "sha256 of the pack" in result.output
    out = tmp_path / "empty"
    out.mkdir()
    result = cli("unpack", str(pack), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert tree_bytes(out) == tree_bytes(recorded)
    original = cli("score", str(recorded), "--json")
    unpacked = cli("score", str(out), "--json")
    assert original.exit_code == unpacked.exit_code == 0
    assert unpacked.stdout_bytes == original.stdout_bytes and b'"providers"' in original.stdout_bytes
    assert cli("verify", str(out)).exit_code == 0


def test_packs_are_deterministic_and_list_every_member_first(recorded: Path, tmp_path: Path) -> None:
    first, second, again = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz", tmp_path / "c.tar.gz"
    cli("pack", str(recorded), "-o", str(first))
    cli("pack", str(copy_run(recorded, tmp_path / "copy")), "-o", str(second))
    assert first.read_bytes() == second.read_bytes()
    cli("unpack", str(first), "-o", str(tmp_path / "u"))
    cli("pack", str(tmp_path / "u"), "-o", str(again))
    assert again.read_bytes() == first.read_bytes()
    with tarfile.open(first) as tar:
        members = tar.getmembers()
        listed = orjson.loads(tar.extractfile(members[0]).read())  # type: ignore[union-attr]
    assert members[0].name == "MANIFEST.json"
    names = [m.name for m in members[1:]]
    # run.json and scenarios.json first (a streaming reader knows the run before its cassettes), then sorted
    assert names[:2] == ["run.json", "scenarios.json"] and names[2:] == sorted(names[2:])
    assert {(m.name, m.mtime, m.uid, m.gid, m.mode) for m in members[1:]} == \
        {(m.name, 0, 0, 0, 0o644) for m in members[1:]}
    assert [e["path"] for e in listed["members"]] == [m.name for m in members[1:]]
    assert all(e["sha256"] == sha((recorded / e["path"]).read_bytes()) for e in listed["members"])


def test_a_run_with_a_secret_is_not_packed(recorded: Path, tmp_path: Path) -> None:
    run = copy_run(recorded, tmp_path / "run")
    edit_cassette(cassette_files(run)[0], lambda raw: raw["interactions"][0]["request"]["headers"].update(
        x=[PLANTED]))
    result = cli("pack", str(run), "-o", str(tmp_path / "p.tar.gz"))
    assert result.exit_code == 1 and "openrouter key" in result.output
    assert not (tmp_path / "p.tar.gz").exists()


def test_no_verify_never_encourages_publishing(recorded: Path, tmp_path: Path) -> None:
    run = copy_run(recorded, tmp_path / "run")
    edit_cassette(cassette_files(run)[0], lambda raw: raw["interactions"][0]["request"]["headers"].update(
        x=[PLANTED]))
    result = cli("pack", str(run), "-o", str(tmp_path / "p.tar.gz"), "--no-verify")
    assert "publish it with the pack" not in result.output
    if result.exit_code == 0:  # packed unchecked: it must say so
        assert "don't publish this pack" in result.stderr and f"replaykit verify {run}" in result.stderr
    clean = cli("pack", str(recorded), "-o", str(tmp_path / "clean.tar.gz"), "--no-verify")
    assert clean.exit_code == 0 and "don't publish this pack" in clean.stderr


def test_unpack_wants_an_empty_folder(recorded: Path, tmp_path: Path) -> None:
    pack = tmp_path / "p.tar.gz"
    cli("pack", str(recorded), "-o", str(pack))
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    result = cli("unpack", str(pack), "-o", str(busy))
    assert result.exit_code == 2 and "not an empty folder" in result.output
    assert [p.name for p in busy.iterdir()] == ["keep.txt"]


# ------------------------------------------------------------------------------------------- hostile packs

RUN_JSON = b"{}"


def _valid_start(*extra: tuple[str, int, str]) -> list[tuple[tarfile.TarInfo, bytes]]:
    return [manifest([("run.json", len(RUN_JSON), sha(RUN_JSON)), *extra]), member("run.json", RUN_JSON)]


def _outside() -> Path:
    return Path("/tmp") / f"replaykit-escape-{uuid.uuid4().hex}"


HOSTILE: dict[str, tuple[Callable[[Path], list[tuple[tarfile.TarInfo, bytes]]], str]] = {
    "dot-dot": (lambda out: [*_valid_start(), member("../evil.json", b"x")], "climbs out"),
    "dot-dot inside": (lambda out: [*_valid_start(), member("cassettes/../../evil.json", b"x")], "climbs out"),
    "absolute": (lambda out: [*_valid_start(), member(str(out / "x.json"), b"x")], "absolute path"),
    "symlink": (lambda out: [*_valid_start(), member("cassettes/p/s--r0.json", type=tarfile.SYMTYPE,
                                                     linkname=str(out))], "a symbolic link"),
    "hardlink": (lambda out: [*_valid_start(), member("cassettes/p/s--r0.json", type=tarfile.LNKTYPE,
                                                      linkname="run.json")], "a hard link"),
    "device": (lambda out: [*_valid_start(), member("cassettes/p/s--r0.json", type=tarfile.CHRTYPE,
                                                    devmajor=1, devminor=3)], "a device"),
    "fifo": (lambda out: [*_valid_start(), member("cassettes/p/s--r0.json", type=tarfile.FIFOTYPE)], "a fifo"),
    "not a run file": (lambda out: [*_valid_start(), member("run.sh", b"rm -rf ~")], "not a file of a run"),
    "manifest not first": (lambda out: [member("run.json", RUN_JSON), *_valid_start()], "must be MANIFEST"),
    "unlisted member": (lambda out: [*_valid_start(), member("cassettes/p/s--r0.json", b"{}")],
                        "not in MANIFEST"),
    "duplicate member": (lambda out: [*_valid_start(), member("run.json", RUN_JSON)], "not in MANIFEST"),
    "wrong sha256": (lambda out: [manifest([("run.json", 2, sha(b"[]"))]), member("run.json", RUN_JSON)],
                     "sha256 differs"),
    "wrong size": (lambda out: [manifest([("run.json", 3, sha(b"{} "))]), member("run.json", RUN_JSON)],
                   "MANIFEST.json says 3"),
    "missing member": (lambda out: _valid_start(("scenarios.json", 2, sha(b"[]"))), "lacks: scenarios.json"),
    "newer format": (lambda out: [manifest([("run.json", 2, sha(RUN_JSON))], format=2),
                                  member("run.json", RUN_JSON)], "pack format 2 is newer"),
    "manifest declares a bad path": (lambda out: [manifest([("../run.json", 2, sha(RUN_JSON))])],
                                     "members[0] is not a distinct run file"),
    "empty archive": (lambda out: [], "no MANIFEST.json"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_packs_are_refused_and_nothing_is_written(case: str, tmp_path: Path) -> None:
    build, message = HOSTILE[case]
    outside = _outside()
    pack = write_tar_gz(tmp_path / "evil.tar.gz", build(outside))
    out = tmp_path / "out"
    with pytest.raises(PackError, match=re.escape(message)):
        unpack(pack, out)
    assert not out.exists() and not outside.exists() and not (tmp_path.parent / "evil.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.tar.gz"]  # the staging folder is gone


def test_hostile_pack_on_the_command_line_is_one_line_exit_2(tmp_path: Path) -> None:
    pack = write_tar_gz(tmp_path / "evil.tar.gz", [*_valid_start(), member("../evil.json", b"x")])
    result = cli("unpack", str(pack), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "climbs out" in lines[0] and "Traceback" not in result.output


def _raw_pack(path: Path, *pieces: bytes) -> Path:
    """A tar.gz from raw tar bytes: headers whose sizes are not backed by data."""
    writer = BombWriter(path)
    for piece in pieces:
        writer.data(piece)
    writer.close()
    return path


def _start_bytes() -> bytes:
    info, data = manifest([("run.json", 2, sha(RUN_JSON))])
    return info.tobuf(tarfile.PAX_FORMAT) + data + bytes(-len(data) % 512)


def test_a_member_declaring_10_gb_is_refused_at_its_header(tmp_path: Path) -> None:
    header = member("cassettes/p/s--r0.json", size=10 * GiB)[0].tobuf(tarfile.PAX_FORMAT)
    pack = _raw_pack(tmp_path / "big.tar.gz", _start_bytes(), header)
    with pytest.raises(PackError, match="over the 67108864-byte limit"):
        unpack(pack, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", [tarfile.XHDTYPE, tarfile.GNUTYPE_LONGNAME])
def test_a_1_gb_pax_or_long_name_header_is_refused_within_its_budget(tmp_path: Path, kind: bytes) -> None:
    # tarfile reads such headers whole into memory: the bounded stream stops it after a megabyte
    header = member("x", type=kind, size=GiB)[0].tobuf(tarfile.USTAR_FORMAT if kind == tarfile.XHDTYPE
                                                       else tarfile.GNU_FORMAT)
    writer = BombWriter(tmp_path / "hdr.tar.gz")
    writer.data(_start_bytes() + header)
    writer.zeros(GiB)
    writer.close()
    with pytest.raises(PackError, match="a tar header is larger than allowed"):
        unpack(tmp_path / "hdr.tar.gz", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_too_many_members(tmp_path: Path) -> None:
    files = [(f"cassettes/p/s{i}--r0.json", 2, sha(b"{}")) for i in range(5)]
    pack = write_tar_gz(tmp_path / "many.tar.gz", [*_valid_start(*files)] +
                        [member(name, b"{}") for name, _, _ in files])
    with pytest.raises(PackError, match="at most 3"):
        unpack(pack, tmp_path / "out", limits=UnpackLimits(max_members=3))
    assert unpack(pack, tmp_path / "ok").members == 6


def test_corrupt_and_truncated_gzip(tmp_path: Path) -> None:
    good = write_tar_gz(tmp_path / "good.tar.gz", _valid_start())
    data = good.read_bytes()
    (tmp_path / "trunc.tar.gz").write_bytes(data[: len(data) // 2])
    (tmp_path / "plain.tar.gz").write_bytes(b"not a gzip file at all" * 10)
    for name in ("trunc.tar.gz", "plain.tar.gz"):
        with pytest.raises(PackError):
            unpack(tmp_path / name, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_without_the_ratio_guard_the_manifest_still_bounds_what_is_written(tmp_path: Path) -> None:
    bomb = zero_bomb(tmp_path / "bomb.tar.gz", total=64 * 1024 * 1024, member_size=8 * 1024 * 1024, declared=2)
    with pytest.raises(PackError, match="not in MANIFEST"):
        unpack(bomb, tmp_path / "out", limits=UnpackLimits(max_ratio=None))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb.tar.gz"]


def test_the_bomb_builder_makes_a_valid_gzip_tar(tmp_path: Path) -> None:
    import gzip

    bomb = zero_bomb(tmp_path / "small.tar.gz", total=6 * 1024 * 1024, member_size=2 * 1024 * 1024)
    raw = gzip.decompress(bomb.read_bytes())  # checks the CRC and size in the trailer
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        assert [m.size for m in tar.getmembers()[1:]] == [2 * 1024 * 1024] * 3
