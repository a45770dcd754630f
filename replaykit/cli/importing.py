"""`replaykit import bfcl|vcr`: bring outside data into replaykit's formats."""

from __future__ import annotations

import click


@click.group("import")
def import_() -> None:
    """Import BFCL data as scenarios, or foreign vcrpy cassettes as a run."""


@import_.command("bfcl")
@click.argument("path", type=click.Path())
@click.option("--out", "out", required=True, type=click.Path(), help="Folder to write scenario files into.")
@click.option("--category", "categories", multiple=True, help="Only these BFCL categories (repeatable).")
def bfcl(path: str, out: str, categories: tuple[str, ...]) -> None:
    """Convert BFCL v4 question + possible_answer files (a file or a data folder) into scenarios."""
    from replaykit.scenarios.bfcl import import_bfcl

    report = import_bfcl(path, out, categories=list(categories) or None)
    for category, count in sorted(report.items()):
        click.echo(f"{category:<24} {count:>5} scenarios")
    click.echo(f"{sum(report.values())} scenarios written to {out}")
    if report.widened:
        click.echo(f"{len(report.widened)} scenarios have a schema widened to admit BFCL's answers "
                   "(see meta.bfcl_schema_widened)")
    if report.skipped:
        click.echo(f"skipped {len(report.skipped)} entries:")
        for skip in report.skipped:
            click.echo(f"  {skip.bfcl_id} ({skip.category}): {skip.reason}")
