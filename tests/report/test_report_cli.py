"""`replaykit report RUN -o FILE` and `replaykit score RUN -o report.html`."""

from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner
from report_helpers import EXAMPLE, embedded

from replaykit.cli import main
from replaykit.report.files import to_json
from replaykit.score import score_runs


def test_report_writes_every_type(tmp_path: Path) -> None:
    outs = [tmp_path / f"report.{ext}" for ext in ("html", "md", "csv", "json")]
    args = ["report", str(EXAMPLE)]
    for out in outs:
        args += ["-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    html, md, csv, js = (p.read_text() for p in outs)
    assert len(embedded(html, "rk-index")["rows"]) == 168
    assert md.startswith("# replaykit results: example") and "| provider |" in md
    assert csv.splitlines()[0] == "provider,metric,value,low,high,n"
    assert js.encode() == to_json(score_runs([EXAMPLE]).data)


def test_score_writes_the_html_with_its_drill_down(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    samples = tmp_path / "samples.jsonl"
    result = CliRunner().invoke(main, ["score", str(EXAMPLE), "-o", str(out), "--samples", str(samples)])
    assert result.exit_code == 0, result.output
    assert len(embedded(out.read_text(), "rk-index")["rows"]) == 168
    assert len(samples.read_bytes().splitlines()) == 168  # --samples still gets every sample
    assert orjson.loads(samples.read_bytes().splitlines()[0])["provider"]


def test_without_output_it_prints_the_leaderboard() -> None:
    result = CliRunner().invoke(main, ["report", str(EXAMPLE), "--plain"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1].startswith("provider")
    assert max(len(line) for line in result.output.splitlines()) <= 100


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for args in (["report", str(EXAMPLE), "-o", str(tmp_path / "report.pdf")],
                 ["report", str(tmp_path / "no-such-run"), "-o", str(tmp_path / "r.html")]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert result.output.startswith("error: ") and "Traceback" not in result.output
