"""The report's per-sample collector: which run a scored cassette belongs to."""

from __future__ import annotations

from pathlib import Path

from replaykit.report.samples import SampleCollector


def test_a_cassette_belongs_to_its_run_not_to_a_sibling_with_a_shorter_name(tmp_path: Path) -> None:
    for name in ("a", "ab"):
        (tmp_path / name).mkdir()
    collector = SampleCollector([tmp_path / "a", tmp_path / "ab"])
    assert [r.root.name for r in collector.runs] == ["a", "ab"]
    rel = "cassettes/p/s--r0.json"
    assert collector._run_of(str(tmp_path / "ab" / rel)) == (1, rel)
    assert collector._run_of(str(tmp_path / "a" / rel)) == (0, rel)
