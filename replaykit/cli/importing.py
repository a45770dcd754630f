"""`replaykit import bfcl|vcr`: bring outside data into replaykit's formats."""

from __future__ import annotations

import click

from replaykit.errors import BadInputError


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
        click.echo(f"{len(report.widened)} scenarios score against a schema widened to admit BFCL's answers "
                   "(score_schemas; the tools sent are BFCL's; see meta.bfcl_scoring_widened)")
    if report.unanswerable:
        click.echo(f"{len(report.unanswerable)} scenarios always fail, as in BFCL (no answer can pass):")
        for entry in report.unanswerable:
            click.echo(f"  {entry.bfcl_id} ({entry.category}): {entry.reason}")
    if report.skipped:
        click.echo(f"skipped {len(report.skipped)} entries:")
        for skip in report.skipped:
            click.echo(f"  {skip.bfcl_id} ({skip.category}): {skip.reason}")


def _maps(items: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in items:
        cassette, sep, scenario = item.rpartition("=")
        if not sep or not cassette or not scenario:
            raise BadInputError(f"--map wants CASSETTE=SCENARIO, got {item!r}")
        out[cassette] = scenario
    return out


@import_.command("vcr")
@click.argument("cassettes", nargs=-1, required=True, type=click.Path())
@click.option("--scenarios", "scenarios_path", multiple=True, required=True, type=click.Path(),
              help="Scenario files or folders the recorded requests are matched against (repeatable).")
@click.option("-o", "--output", required=True, type=click.Path(), help="The run folder to create (absent or empty).")
@click.option("--provider", help="Provider name for every sample (default: the response's `provider`, or the host).")
@click.option("--map", "maps", multiple=True, metavar="CASSETTE=SCENARIO",
              help="Take every interaction of CASSETTE as SCENARIO instead of matching requests (repeatable).")
def vcr(cassettes: tuple[str, ...], scenarios_path: tuple[str, ...], output: str, provider: str | None,
        maps: tuple[str, ...]) -> None:
    """Turn foreign vcrpy cassettes (YAML or JSON) into a run that score, diff and verify read."""
    from replaykit.share.import_vcr import import_vcr

    report = import_vcr(list(cassettes), list(scenarios_path), output, provider=provider, mapping=_maps(maps))
    for line in report.samples:
        click.echo(f"sample: {line}")
    for change in report.redacted:
        click.echo(f"redacted: {change}")
    click.echo(f"imported {len(cassettes)} cassettes into {report.path}: {len(report.samples)} samples")
