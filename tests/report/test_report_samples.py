"""The report's per-sample collector: which run a scored cassette belongs to; the drill-down built on the
scorer's workers."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from report_helpers import EXAMPLE, embedded, grow_run

from replaykit.report.detail import Drill, drill, read_drill
from replaykit.report.html import render
from replaykit.report.samples import SampleCollector, collect
from replaykit.score import SampleScore, score_runs, tally


def test_a_cassette_belongs_to_its_run_not_to_a_sibling_with_a_shorter_name(tmp_path: Path) -> None:
    for name in ("a", "ab"):
        (tmp_path / name).mkdir()
    collector = SampleCollector([tmp_path / "a", tmp_path / "ab"])
    assert [r.root.name for r in collector.runs] == ["a", "ab"]
    rel = "cassettes/p/s--r0.json"
    assert collector._run_of(str(tmp_path / "ab" / rel)) == (1, rel)
    assert collector._run_of(str(tmp_path / "a" / rel)) == (0, rel)


def test_the_drill_down_built_on_workers_is_the_one_read_back_and_the_same_for_any_jobs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not (EXAMPLE / "run.json").exists():
        pytest.skip("cassettes/example is missing")
    run = grow_run(EXAMPLE, tmp_path / "run", 2)
    monkeypatch.setattr(tally, "CHUNK_FILES", 60)  # several chunks, so that -j 2 starts workers
    built: list[Drill] = []
    reread: list[Drill] = []

    def each(sample: SampleScore) -> None:
        built.append(sample.extra)
        reread.append(read_drill(sample))  # what the report read from the cassette before it was built here

    score_runs([run.root], on_sample=each, extra=drill, jobs=2)
    assert len(built) == len(list(run.cassette_names())) and all(isinstance(d, Drill) for d in built)
    assert built == reread
    pages = {}
    for jobs in (1, 2):
        result, samples = collect([run.root], jobs=jobs)
        pages[jobs] = (render(result.data, samples), render(result.data, samples, max_bytes=400_000))
    assert pages[1] == pages[2]
    cut = pages[1][1]
    assert any("characters cut by the report" in orjson.dumps(embedded(cut, f"rk-chunk-{i}")).decode()
               for i in range(cut.count('id="rk-chunk-')))


def test_a_pack_has_the_drill_down_of_its_folder(tmp_path: Path) -> None:
    """A pack's members are never on disk: its drill-down is built as it streams, not re-read (that found
    nothing, so a pack's report had no raw attempts)."""
    if not (EXAMPLE / "run.json").exists():
        pytest.skip("cassettes/example is missing")
    from replaykit.share.pack import pack_run

    pack_run(EXAMPLE, tmp_path / "example.tar.gz")
    built: list[object] = []
    (folder, folder_samples) = collect([EXAMPLE])
    (packed, pack_samples) = collect([tmp_path / "example.tar.gz"], on_sample=lambda s: built.append(s.extra))
    assert built and all(isinstance(d, Drill) for d in built)
    assert render(packed.data, pack_samples) == render(folder.data, folder_samples)
