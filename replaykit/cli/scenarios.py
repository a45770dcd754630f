"""`replaykit scenarios list|validate|show|export`."""

from __future__ import annotations

from typing import Any

import click
import orjson

from replaykit.cli.options import scenario_filters, shipped_or_given
from replaykit.errors import ScenarioError
from replaykit.packaged import export as export_packaged
from replaykit.scenarios import Scenario, load_scenarios, validate_paths

DEFAULT_PATH = "scenarios"


def _paths(paths: tuple[str, ...]) -> list[str]:
    """The given paths, or `scenarios` (here, else the library shipped with replaykit)."""
    return [shipped_or_given(p) for p in paths or (DEFAULT_PATH,)]


@click.group()
def scenarios() -> None:
    """List, validate, show and export tool-calling scenarios. Without a PATH: ./scenarios if there is one,
    else the library shipped with replaykit."""


@scenarios.command("list")
@click.argument("paths", nargs=-1, type=click.Path())
@scenario_filters
def list_(paths: tuple[str, ...], filter_: str | None, category: tuple[str, ...], tag: tuple[str, ...]) -> None:
    """One line per scenario: id, category, tools offered, expected calls, tags."""
    chosen = load_scenarios(_paths(paths)).select(pattern=filter_, category=category, tags=tag)
    width = max((len(s.id) for s in chosen), default=2)
    for s in chosen:
        calls = sum(len(step.calls) for step in s.steps)
        click.echo(f"{s.id:<{width}}  {s.category:<17}  tools={len(s.tools):<3} calls={calls:<2} "
                   f"{','.join(s.tags)}")
    click.echo(f"{len(chosen)} scenarios", err=True)


@scenarios.command()
@click.argument("paths", nargs=-1, type=click.Path())
def validate(paths: tuple[str, ...]) -> None:
    """Check every scenario file; list every bad file and exit 2 if any, or if there is no scenario at all."""
    chosen = _paths(paths)
    count, errors = validate_paths(chosen)
    for err in errors:
        click.echo(f"error: {err}", err=True)
    click.echo(f"{count} valid scenarios, {len(errors)} errors")
    if not count and not errors:
        raise ScenarioError("nothing to check: no scenario file (*.yaml, *.yml) there",
                            source=", ".join(chosen))
    if errors:
        raise SystemExit(2)


@scenarios.command()
@click.argument("scenario_id")
@click.option("--scenarios", "path", default=DEFAULT_PATH, show_default=True, type=click.Path(),
              help="Scenario file or folder.")
def show(scenario_id: str, path: str) -> None:
    """Print one scenario as JSON: its source file, content hash, and everything it expects (argument matchers,
    multi-turn steps, canned tool results) as written."""
    found = load_scenarios(shipped_or_given(path)).get(scenario_id)
    if found is None:
        raise ScenarioError(f"no scenario with id {scenario_id!r}", source=path)
    click.echo(orjson.dumps(_shown(found), option=orjson.OPT_INDENT_2).decode())


def _shown(found: Scenario) -> dict[str, Any]:
    raw = found.raw
    data = {"id": found.id, "hash": found.hash, "source": found.source, "category": found.category,
            "tags": list(found.tags), "description": found.description, "tools": list(found.tools),
            "messages": list(found.messages),
            "expected_calls": [[c.name for c in step.calls] for step in found.steps]}
    # the expectation as written: matchers and all (`expect` for one turn, `steps` for multi-turn)
    data.update({key: raw[key] for key in ("expect", "steps", "tool_results", "tool_choice") if key in raw})
    return data


@scenarios.command("export")
@click.argument("dest", type=click.Path())
def export(dest: str) -> None:
    """Copy the scenario library shipped with replaykit into DEST (absent or empty), to edit or extend it."""
    written = export_packaged("scenarios", dest)
    click.echo(f"wrote {len(written)} scenario files to {dest}  (use them: --scenarios {dest})")


@scenarios.command("from-run")
@click.argument("run", type=click.Path())
@click.option("--out", required=True, type=click.Path(), help="A new (or empty) folder for the scenario files.")
@click.option("--reference", help="The provider whose answers are the reference (needed if the run has several).")
@click.option("--sample", type=click.IntRange(1), help="Keep a random N of the requests.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of --sample.")
@click.option("--no-dedupe", is_flag=True, help="Keep requests that are identical to an earlier one.")
@click.option("--redact", multiple=True, metavar="REGEX", help="Replace matches with <redacted> (repeatable).")
@click.option("--keep-paths", is_flag=True, help="Keep home folder names (/home/NAME, /Users/NAME) as captured.")
def from_run(run: str, out: str, reference: str | None, sample: int | None, seed: int, no_dedupe: bool,
             redact: tuple[str, ...], keep_paths: bool) -> None:
    """Turn a run's requests (captured, imported or recorded) into replay scenarios: the exact messages and
    tools, with the reference provider's answer as the expected one. Refuses to write a secret."""
    from replaykit.scenarios.replay import from_run as build

    report = build(run, out, reference=reference, sample=sample, seed=seed, dedupe=not no_dedupe,
                   redact=redact, keep_paths=keep_paths)
    click.echo(f"{report.written} replay scenarios written to {report.path} in {len(report.files)} files "
               f"({report.duplicates} duplicates, {report.skipped_unusable} without a usable answer, "
               f"{report.sampled_out} sampled out)")


@scenarios.command()
@click.argument("paths", nargs=-1, type=click.Path())
@scenario_filters
@click.option("--context", "contexts", default="0", show_default=True,
              help="Comma-separated preamble sizes in tokens (2k, 8k, 32k, 0 for none).")
@click.option("--tools", "tool_counts", default="0", show_default=True,
              help="Comma-separated tool counts to offer (the scenario's own tools plus distractors).")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--out", required=True, type=click.Path(), help="A new (or empty) folder for the variants.")
def stress(paths: tuple[str, ...], filter_: str | None, category: tuple[str, ...], tag: tuple[str, ...],
           contexts: str, tool_counts: str, seed: int, out: str) -> None:
    """Derive variants of scenarios under agent-like load: every (context, tools) pair of the sweep, the same
    question behind a longer preamble and among more distractor tools, expected calls unchanged."""
    from replaykit.scenarios.stress import parse_size, write_sweep

    chosen = load_scenarios(_paths(paths)).select(pattern=filter_, category=category, tags=tag)
    sizes = [parse_size(x) for x in contexts.split(",") if x.strip()]
    counts = [parse_size(x) for x in tool_counts.split(",") if x.strip()]
    written = write_sweep(list(chosen), sizes, counts, out, seed=seed)
    click.echo(f"{written} variants of {len(chosen)} scenarios written to {out}")
