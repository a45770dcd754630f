"""`replaykit import bfcl|vcr`: bring outside data into replaykit's formats."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from replaykit.errors import BadInputError

if TYPE_CHECKING:
    from replaykit.scenarios.bfcl.importer import BfclImport


@click.group("import")
def import_() -> None:
    """Import BFCL data as scenarios, or foreign vcrpy cassettes as a run."""


@import_.command("bfcl")
@click.argument("path", type=click.Path())
@click.option("--out", "out", required=True, type=click.Path(), help="Folder to write scenario files into.")
@click.option("--category", "categories", multiple=True, help="Only these BFCL categories (repeatable).")
@click.option("--force", is_flag=True,
              help="--out holds an earlier import: replace its bfcl_*.yaml files (other files are left alone).")
def bfcl(path: str, out: str, categories: tuple[str, ...], force: bool) -> None:
    """Convert BFCL v4 question + possible_answer files (a file or a data folder) into scenarios, in a new or
    empty folder (or, with --force, in place of an earlier import)."""
    report = _import_bfcl_into(path, Path(out), list(categories) or None, force)
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


def _import_bfcl_into(path: str, out: Path, categories: list[str] | None, force: bool) -> BfclImport:
    """Import into `out` if it is absent or empty; with --force, import beside it first, then swap the
    earlier import's bfcl_*.yaml for the new ones, so no stale category file is left to be validated and a
    failed import leaves the earlier one whole."""
    from replaykit.scenarios.bfcl import import_bfcl

    if not out.exists() or (out.is_dir() and not any(out.iterdir())):
        return import_bfcl(path, out, categories=categories)
    if not out.is_dir():
        raise BadInputError("exists and is not a folder", source=str(out), field="--out")
    if not force:
        raise BadInputError("is not empty: an earlier import's files would be read with the new ones; choose a new "
                            "folder, or --force to replace its bfcl_*.yaml files", source=str(out), field="--out")
    staging = Path(tempfile.mkdtemp(prefix=".bfcl-import-", dir=out))
    try:
        report = import_bfcl(path, staging, categories=categories)
        for stale in out.glob("bfcl_*.yaml"):
            stale.unlink()
        for new in staging.iterdir():
            new.replace(out / new.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


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


@import_.command("k2vv")
@click.argument("path", type=click.Path())
@click.option("--out", required=True, type=click.Path(), help="A new (or empty) folder for the scenario files.")
@click.option("--sample", type=click.IntRange(1), help="Keep a random N of the requests.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of --sample.")
def k2vv(path: str, out: str, sample: int | None, seed: int) -> None:
    """Import a K2-Vendor-Verifier request set (JSON Lines of chat-completion request bodies) as replay
    scenarios awaiting their reference: record them against the reference provider, then
    `replaykit scenarios from-run RUN --reference NAME` (docs/capture.md)."""
    from replaykit.scenarios.k2vv import import_k2vv

    count = import_k2vv(path, out, sample=sample, seed=seed)
    click.echo(f"{count} requests written to {out} as scenarios with a pending reference")
