"""`replaykit export`: Parquet / CSV / JSON Lines tables that agree with `score`, read by DuckDB as documented."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from replaykit.cli import main
from replaykit.export import SCHEMA_VERSION, TABLES, export_runs
from replaykit.score import score_runs

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "cassettes" / "example"
DOC = REPO / "docs" / "scale.md"


def _queries() -> dict[str, str]:
    blocks = re.findall(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    return {b.splitlines()[0].removeprefix("-- ").strip(): b for b in blocks}


@pytest.fixture(scope="module")
def parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("pyarrow", reason="Parquet export needs pyarrow (replaykit[parquet])")
    out = tmp_path_factory.mktemp("exp") / "export"
    export_runs([EXAMPLE], out)
    return out


def test_documented_duckdb_leaderboard_agrees_with_score(parquet: Path) -> None:
    duckdb = pytest.importorskip("duckdb", reason="the documented queries run on DuckDB")
    sql = _queries()["leaderboard"].replace("'export/", f"'{parquet}/")
    rows = duckdb.sql(sql).fetchall()
    scored = score_runs([EXAMPLE]).data["providers"]
    assert sorted(r[0] for r in rows) == sorted(scored)
    for provider, samples, success, error_rate, _p50, cost in rows:
        metrics = scored[provider]
        assert samples == metrics["samples"]
        assert success == pytest.approx(metrics["success"]["value"], abs=1e-6)
        assert error_rate == pytest.approx(metrics["error_rate"]["value"], abs=1e-6)
        assert cost == pytest.approx(metrics["cost_usd"]["total"], abs=1e-5)
    assert [r[2] for r in rows] == sorted((r[2] for r in rows), reverse=True)


def test_documented_errors_by_hour_counts_every_failed_attempt(parquet: Path) -> None:
    duckdb = pytest.importorskip("duckdb", reason="the documented queries run on DuckDB")
    rows = duckdb.sql(_queries()["errors by hour"].replace("'export/", f"'{parquet}/")).fetchall()
    scored = score_runs([EXAMPLE]).data["providers"]
    by_class: dict[tuple[str, str], int] = {}
    for _hour, provider, error_class, n in rows:
        by_class[(provider, error_class)] = by_class.get((provider, error_class), 0) + n
    expected = {(p, c): n for p, m in scored.items() for c, n in m["errors"].items()}
    assert by_class == expected and sum(expected.values()) > 0


def test_parquet_schema_is_versioned_and_partitioned(parquet: Path) -> None:
    import pyarrow.parquet as pq

    files = sorted((parquet / "attempts.parquet").rglob("*.parquet"))
    assert {f.parent.name for f in files} >= {"provider=sim-flaky", "provider=sim-steady"}
    schema = pq.read_schema(files[0])
    assert schema.metadata[b"replaykit.schema_version"] == str(SCHEMA_VERSION).encode()
    assert schema.names == [n for n, _, _ in TABLES["attempts"] if n not in ("run", "provider")]
    manifest = orjson.loads((parquet / "export.json").read_bytes())
    assert manifest["schema_version"] == SCHEMA_VERSION and manifest["runs"][0]["run_id"] == "example"
    assert manifest["rows"]["attempts"] == sum(m["attempts"] for m in score_runs([EXAMPLE]).data["providers"].values())


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_text_formats_hold_the_same_rows(fmt: str, tmp_path: Path) -> None:
    report = export_runs([EXAMPLE], tmp_path / "out", fmt=fmt)
    for table, columns in TABLES.items():
        path = tmp_path / "out" / f"{table}.{fmt}"
        if fmt == "csv":
            with path.open(newline="") as f:
                rows = list(csv.DictReader(f))
        else:
            rows = [orjson.loads(line) for line in path.read_bytes().splitlines()]
        assert len(rows) == report.rows[table] > 0
        assert list(rows[0]) == [n for n, _, _ in columns]
    samples = [orjson.loads(x) for x in (tmp_path / "out" / "samples.jsonl").read_bytes().splitlines()] \
        if fmt == "jsonl" else None
    if samples:
        scored = score_runs([EXAMPLE]).data["providers"]
        wins = {p: sum(s["success"] for s in samples if s["provider"] == p) for p in scored}
        assert all(wins[p] == round(m["success"]["value"] * m["success"]["n"]) for p, m in scored.items())


def test_export_is_deterministic(tmp_path: Path) -> None:
    export_runs([EXAMPLE], tmp_path / "a", fmt="jsonl")
    export_runs([EXAMPLE], tmp_path / "b", fmt="jsonl")
    for name in ("attempts.jsonl", "samples.jsonl", "calls.jsonl", "export.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_cli_refuses_a_folder_with_files_and_leaves_it_alone(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    result = CliRunner().invoke(main, ["export", str(EXAMPLE), "--format", "csv", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "not an empty folder" in result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]
    ok = CliRunner().invoke(main, ["export", str(EXAMPLE), "--format", "csv", "--out", str(tmp_path / "new")])
    assert ok.exit_code == 0 and "exported" in ok.output and (tmp_path / "new" / "calls.csv").exists()
