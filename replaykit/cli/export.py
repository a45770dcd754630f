"""`replaykit export`: runs as Parquet (or CSV / JSON Lines) tables for DuckDB, Polars, pandas and Spark."""

from __future__ import annotations

import click

from replaykit.export.writers import FORMATS


@click.command()
@click.argument("runs", nargs=-1, required=True, type=click.Path())
@click.option("--out", required=True, type=click.Path(), help="A new (or empty) folder for the tables.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="parquet", show_default=True,
              help="parquet: partitioned by run and provider (needs pyarrow); csv / jsonl: one file per table.")
@click.option("--scenarios", "scenarios_path", multiple=True, type=click.Path(),
              help="Score against these scenario files instead of each run's own snapshot.")
def export(runs: tuple[str, ...], out: str, fmt: str, scenarios_path: tuple[str, ...]) -> None:
    """Export runs as tables: attempts (one row per attempt), samples (one per sample, with its verdicts) and
    calls (one per returned call). Schema: docs/scale.md; export.json in the folder names its version."""
    from replaykit.export import export_runs

    report = export_runs(runs, out, fmt=fmt, scenarios=list(scenarios_path) or None)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    counts = ", ".join(f"{n} {table}" for table, n in report.rows.items())
    click.echo(f"exported {counts} to {report.path} ({report.format}, {len(report.files)} files)")
