"""The HTML report without a browser: one self-contained file, its embedded payload, redaction, size."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import orjson
from report_helpers import EXAMPLE, embedded, grow_run, report_data

from replaykit.cassettes.run import load_run
from replaykit.report.html import render
from replaykit.report.samples import INDEX_COLUMNS, ReportSamples, _shown_rows, collect


def test_one_self_contained_file(example: tuple[dict[str, Any], ReportSamples]) -> None:
    html = render(*example)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)  # nothing fetched
    assert not re.search(r"<link[^>]+stylesheet|@import|url\(\s*['\"]?https?:", html, re.I)
    assert "<script src" not in html
    assert html.count("<style>") == 1 and "{{" not in html.split('id="rk-data"')[0]
    for section in ("leaderboard", "tradeoffs", "errors", "recall", "distributions", "samples", "diff", "run",
                    "definitions"):
        assert f'<section id="{section}">' in html


def test_the_embedded_payload_describes_every_sample(example: tuple[dict[str, Any], ReportSamples]) -> None:
    data, samples = example
    html = render(data, samples)
    index = embedded(html, "rk-index")
    assert index["columns"] == list(INDEX_COLUMNS)
    assert len(index["rows"]) == data["run"]["samples"] == 168
    col = {c: i for i, c in enumerate(index["columns"])}
    run = load_run(EXAMPLE)
    chunks: dict[int, Any] = {}
    for row in index["rows"]:
        chunk = chunks.setdefault(row[col["chunk"]], embedded(html, f"rk-chunk-{row[col['chunk']]}"))
        detail = chunk["samples"][row[col["pos"]]]
        provider, scenario, rep = row[col["provider"]], row[col["scenario"]], row[col["rep"]]
        assert detail["cassette"] == f"cassettes/{provider}/{scenario}--r{rep}.json"
        assert detail["sha256"] == detail["manifest_sha256"] == run.manifest["cassettes"][detail["cassette"]]
        assert len(detail["attempts"]) == row[col["attempts"]]
        for attempt in detail["attempts"]:
            assert 0 <= attempt["request"]["body"] < len(chunk["bodies"])
            assert 0 <= attempt["response"]["body"] < len(chunk["bodies"])
    assert index["scenarios"]["coding.read_file_basic"]["expected"][0]["calls"][0]["name"] == "read_file"
    assert index["runs"][0]["cassettes"] == 168 and index["runs"][0]["cassettes_digest"].startswith("sha256:")


def test_different_between_providers_has_what_it_needs(example: tuple[dict[str, Any], ReportSamples]) -> None:
    _, samples = example
    col = {c: i for i, c in enumerate(INDEX_COLUMNS)}
    groups: dict[tuple[str, int], set[tuple[int, int]]] = {}
    for row in samples.index:
        groups.setdefault((row[col["scenario"]], row[col["rep"]]), set()).add((row[col["success"]], row[col["sig"]]))
    assert any(len(v) > 1 for v in groups.values()) and any(len(v) == 1 for v in groups.values())
    causes = {row[col["cause"]] for row in samples.index}
    assert "" in causes and "text_tool_call" in causes


def test_report_data_and_significance(example: tuple[dict[str, Any], ReportSamples]) -> None:
    data, samples = example
    embedded_data = report_data(render(data, samples))
    assert embedded_data["score"] == orjson.loads(orjson.dumps(data))
    assert embedded_data["significance"]["sim-textcalls"]["significant"] is True
    assert embedded_data["has_samples"] is True and embedded_data["chunks"] == len(samples.chunks)
    assert set(embedded_data["timing"]["latency_ms"]["counts"]) == set(data["providers"])


def test_without_samples_the_aggregates_remain(example_data: dict[str, Any]) -> None:
    html = render(example_data)
    assert 'id="rk-index"' not in html
    assert report_data(html)["has_samples"] is False


def test_deterministic(example: tuple[dict[str, Any], ReportSamples]) -> None:
    assert render(*example) == render(*example)


def test_hostile_text_cannot_break_out(example_data: dict[str, Any]) -> None:
    data = copy.deepcopy(example_data)
    data["run"]["ids"] = ["</script><script>alert(1)</script>{{JS}}{{BLOBS}}"]
    html = render(data)
    assert "<script>alert(1)" not in html
    assert html.count("\"use strict\"") == 1  # the script was inserted once, not again via the title


def test_secrets_never_reach_the_report(tmp_path: Path) -> None:
    run = grow_run(EXAMPLE, tmp_path / "run", 1)
    path = next(p for p in run.cassette_files() if "sim-steady" in p.as_posix())
    secret = "sk-or-v1-" + "0123456789abcdef" * 4
    raw = orjson.loads(path.read_bytes())
    raw["interactions"][0]["request"]["headers"]["authorization"] = [f"Bearer {secret}"]
    raw["interactions"][0]["request"]["body"] = raw["interactions"][0]["request"]["body"].replace(
        '"model"', f'"note":"{secret}","model"', 1)
    # in fields no name marks as secret, scanned in one pass with the attempt's other short strings
    raw["interactions"][0]["response"]["headers"]["x-debug"] = [f"echo {secret}"]
    raw["interactions"][0]["response"]["status"]["message"] = f"OK {secret}"
    path.write_bytes(orjson.dumps(raw))
    result, samples = collect([run.root])
    html = render(result.data, samples)
    text = " ".join(orjson.dumps(embedded(html, f"rk-chunk-{i}")).decode() for i in range(len(samples.chunks)))
    assert secret not in text and secret[:20] not in html
    assert text.count("<redacted>") >= 4, text.count("<redacted>")


def test_the_index_rows_are_scanned_each_distinct_string_once() -> None:
    secret = "sk-or-v1-" + "0123456789abcdef" * 4
    clean = [[0, "sim-a", "fx.weather", 1, ["rate_limited"], 2.5, None], [1, "sim-b", "fx.weather", 0, [], 1.0, 3]]
    assert _shown_rows(clean) is clean  # nothing found: the rows as they are
    for row in ([0, f"prov {secret}", "x", 1, [], 1.0, None], [0, "p", "x", 1, ["ok", f"e {secret}"], 1.0, None],
                [0, "p", "x", 1, [{"k": secret}], 1.0, None]):
        shown = _shown_rows([*clean, row])
        assert secret not in orjson.dumps(shown).decode() and "<redacted>" in orjson.dumps(shown[-1]).decode()
        assert shown[:2] == clean


def test_size_grows_slower_than_samples_and_a_budget_cuts_bodies(tmp_path: Path) -> None:
    sizes = {}
    for copies in (1, 4):
        run = grow_run(EXAMPLE, tmp_path / f"x{copies}", copies)
        result, samples = collect([run.root])
        sizes[copies] = len(render(result.data, samples).encode()) / result.scored
        if copies == 4:
            small = render(result.data, samples, max_bytes=500_000)
    assert sizes[4] < sizes[1] < 2_000, sizes  # bytes per sample, falling as repetitions share a chunk
    assert sizes[4] * 10_000 < 10_000_000
    assert len(small.encode()) <= 500_000
    assert "characters cut by the report" in orjson.dumps(embedded(small, "rk-chunk-0")).decode()
