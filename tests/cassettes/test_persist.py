"""Bounded reads of untrusted files, and the listing of a run's cassettes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from replaykit.cassettes.persist import read_bounded
from replaykit.cassettes.run import Run
from replaykit.errors import CassetteError


@pytest.mark.parametrize("size", [0, 1, 99, 100])
def test_reads_whole_files_up_to_the_limit(tmp_path: Path, size: int) -> None:
    path = tmp_path / "c.json"
    data = os.urandom(size)
    path.write_bytes(data)
    assert read_bounded(path, limit=100) == data
    assert read_bounded(str(path), limit=100) == data


def test_refuses_a_file_over_the_limit_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * 101)
    with pytest.raises(CassetteError, match="over the 100-byte limit") as err:
        read_bounded(path, limit=100)
    assert "big.json" in str(err.value)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    # opening a FIFO for reading blocks until a writer comes; read_bounded must not even wait for one
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(CassetteError, match=r"not a regular file \(a FIFO\)"):
        read_bounded(fifo, limit=5000)


def test_a_link_is_refused_even_to_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "real.json").write_bytes(b"{}")
    (tmp_path / "link.json").symlink_to(tmp_path / "real.json")
    with pytest.raises(CassetteError, match="a symbolic link"):
        read_bounded(tmp_path / "link.json")
    with pytest.raises(CassetteError, match="not a regular file"):
        read_bounded(tmp_path)


def test_a_missing_file_is_a_cassette_error(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match="cannot read"):
        read_bounded(tmp_path / "nope.json")


def test_cassette_listing_is_sorted_and_skips_hidden_and_other_files(tmp_path: Path) -> None:
    base = tmp_path / "cassettes"
    for rel in ("b/x--r0.json", "a/z--r1.json", "a/z--r0.json", "a-b/y--r0.json", "a/.tmp.json",
                "a/notes.txt", "a/deep/w--r0.json"):
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_text("{}")
    names = Run(tmp_path).cassette_names()
    rel = [Path(n).relative_to(base).as_posix() for n in names]
    assert rel == sorted(rel)
    assert set(rel) == {"b/x--r0.json", "a/z--r1.json", "a/z--r0.json", "a-b/y--r0.json", "a/deep/w--r0.json"}
    assert Run(tmp_path).cassette_files() == [Path(n) for n in names]
