"""Export runs: score each sample once, turn it into rows, hand them to a sink, write `export.json`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from replaykit import __version__
from replaykit.cassettes.run import MANIFEST_DIGEST
from replaykit.export.columns import SCHEMA_VERSION, TABLES, attempt_rows, call_rows, sample_row
from replaykit.export.writers import open_sink
from replaykit.score.engine import iter_samples, open_runs
from replaykit.score.sample import ScoreOptions
from replaykit.share.paths import staged_folder


@dataclass
class ExportReport:
    path: str
    format: str
    rows: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def export_runs(paths: Sequence[str | Path], out: str | Path, *, fmt: str = "parquet",
                scenarios: str | Sequence[str] | None = None, options: ScoreOptions | None = None) -> ExportReport:
    """Write `out` (a new or empty folder, filled only when the export completes) from the runs."""
    runs = open_runs(paths)
    report = ExportReport(str(out), fmt, {t: 0 for t in TABLES})
    with staged_folder(Path(out), "export") as staging:
        sink = open_sink(fmt, staging)
        for run in runs:
            for sample in iter_samples([run], scenarios, options or ScoreOptions(), report.warnings.append):
                tables = {"attempts": attempt_rows(run.id, sample), "samples": [sample_row(run.id, sample)],
                          "calls": call_rows(run.id, sample)}
                for table, rows in tables.items():
                    sink.add(table, rows)
                    report.rows[table] += len(rows)
        report.files = sink.close()
        manifest = {"schema_version": SCHEMA_VERSION, "replaykit_version": __version__, "format": fmt,
                    "runs": [{"run_id": r.id, "status": r.manifest.get("status"),
                              "run_digest": r.manifest.get(MANIFEST_DIGEST)} for r in runs],
                    "rows": report.rows, "files": report.files, "warnings": report.warnings,
                    "tables": {t: [{"name": n, "type": k, "meaning": m} for n, k, m in cols]
                               for t, cols in TABLES.items()}}
        (staging / "export.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
    return report
