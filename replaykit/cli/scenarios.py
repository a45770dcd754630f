"""`replaykit scenarios list|validate|show`."""

from __future__ import annotations

import click
import orjson

from replaykit.cli.options import scenario_filters
from replaykit.errors import ScenarioError
from replaykit.scenarios import load_scenarios, validate_paths

DEFAULT_PATH = "scenarios"


@click.group()
def scenarios() -> None:
    """List, validate and show tool-calling scenarios."""


@scenarios.command("list")
@click.argument("paths", nargs=-1, type=click.Path())
@scenario_filters
def list_(paths: tuple[str, ...], filter_: str | None, category: str | None, tag: tuple[str, ...]) -> None:
    """One line per scenario: id, category, tools offered, expected calls, tags."""
    chosen = load_scenarios(paths or [DEFAULT_PATH]).select(pattern=filter_, category=category, tags=tag)
    width = max((len(s.id) for s in chosen), default=2)
    for s in chosen:
        calls = sum(len(step.calls) for step in s.steps)
        click.echo(f"{s.id:<{width}}  {s.category:<17}  tools={len(s.tools):<3} calls={calls:<2} "
                   f"{','.join(s.tags)}")
    click.echo(f"{len(chosen)} scenarios", err=True)


@scenarios.command()
@click.argument("paths", nargs=-1, type=click.Path())
def validate(paths: tuple[str, ...]) -> None:
    """Check every scenario file; list every bad file and exit 2 if any."""
    count, errors = validate_paths(paths or [DEFAULT_PATH])
    for err in errors:
        click.echo(f"error: {err}", err=True)
    click.echo(f"{count} valid scenarios, {len(errors)} errors")
    if errors:
        raise SystemExit(2)


@scenarios.command()
@click.argument("scenario_id")
@click.option("--scenarios", "path", default=DEFAULT_PATH, show_default=True, type=click.Path(),
              help="Scenario file or folder.")
def show(scenario_id: str, path: str) -> None:
    """Print one scenario as JSON, with its source file and content hash."""
    found = load_scenarios(path).get(scenario_id)
    if found is None:
        raise ScenarioError(f"no scenario with id {scenario_id!r}", source=path)
    data = {"id": found.id, "hash": found.hash, "source": found.source, "category": found.category,
            "tags": list(found.tags), "tools": list(found.tools), "messages": list(found.messages),
            "expected_calls": [[c.name for c in step.calls] for step in found.steps]}
    click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


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
def stress(paths: tuple[str, ...], filter_: str | None, category: str | None, tag: tuple[str, ...],
           contexts: str, tool_counts: str, seed: int, out: str) -> None:
    """Derive variants of scenarios under agent-like load: every (context, tools) pair of the sweep, the same
    question behind a longer preamble and among more distractor tools, expected calls unchanged."""
    from replaykit.scenarios.stress import parse_size, write_sweep

    chosen = load_scenarios(paths or [DEFAULT_PATH]).select(pattern=filter_, category=category, tags=tag)
    sizes = [parse_size(x) for x in contexts.split(",") if x.strip()]
    counts = [parse_size(x) for x in tool_counts.split(",") if x.strip()]
    written = write_sweep(list(chosen), sizes, counts, out, seed=seed)
    click.echo(f"{written} variants of {len(chosen)} scenarios written to {out}")
