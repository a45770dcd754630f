"""`replaykit record`: scenarios × providers × repeats → a run folder."""

from __future__ import annotations

import sys

import click

from replaykit.cassettes.run import Run
from replaykit.cli.options import scenario_filters, shipped_or_given
from replaykit.errors import BadInputError
from replaykit.providers import Provider, load_providers
from replaykit.recorder import RecordOptions
from replaykit.recorder import record as record_run
from replaykit.recorder import resume as resume_run
from replaykit.recorder.engine import apply_overrides, sample_plan
from replaykit.recorder.plan import PlannedSample
from replaykit.recorder.progress import Progress
from replaykit.scenarios import load_scenarios


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


@click.command()
@click.option("--providers", "providers_file", type=click.Path(), help="Provider config (TOML).")
@click.option("--only", help="Comma-separated provider names to record (default: all in the file).")
@click.option("--scenarios", "scenarios_path", multiple=True, type=click.Path(),
              help="Scenario file or folder (repeatable; default: ./scenarios, else the library shipped with "
                   "replaykit).")
@scenario_filters
@click.option("--repeat", default=1, show_default=True, type=click.IntRange(1), help="Repetitions per scenario.")
@click.option("--out", type=click.Path(), help="The new run folder (default: cassettes/<run-id>).")
@click.option("--concurrency", type=click.IntRange(1), help="Requests in flight per provider.")
@click.option("--stream/--no-stream", default=None, help="Override the providers' stream setting.")
@click.option("--mode", type=click.Choice(["native", "prompt"]), help="Override the providers' mode.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds per attempt.")
@click.option("--max-retries", default=3, show_default=True, type=click.IntRange(0))
@click.option("--backoff", "backoff_base", default=0.5, show_default=True, type=click.FloatRange(0),
              help="Base of the jittered exponential backoff, in seconds.")
@click.option("--fallback", help="Comma-separated chain A,B,...: a failed sample moves to the next provider.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--base-url", metavar="URL",
              help="Send every provider's requests to this API root instead of its base_url (e.g. a simulator "
                   "on another port: http://127.0.0.1:PORT/api/v1).")
@click.option("--resume", "resume_dir", type=click.Path(), help="Finish an interrupted run folder.")
@click.option("--dry-run", is_flag=True, help="Print the plan and estimated cost; send nothing.")
@click.option("--budget", type=click.FloatRange(0), help="Ask before a run estimated above this many USD.")
@click.option("--yes", is_flag=True, help="Don't ask (with --budget).")
@click.option("--plain", is_flag=True, help="Plain progress lines even on a terminal.")
def record(providers_file: str | None, only: str | None, scenarios_path: tuple[str, ...], filter_: str | None,
           category: tuple[str, ...], tag: tuple[str, ...], repeat: int, out: str | None,
           concurrency: int | None, stream: bool | None, mode: str | None, timeout: float | None,
           max_retries: int, backoff_base: float, fallback: str | None, seed: int, base_url: str | None,
           resume_dir: str | None, dry_run: bool, budget: float | None, yes: bool, plain: bool) -> None:
    """Send scenarios to providers and store every attempt in cassettes, with live timing."""
    progress = Progress(plain=plain or None)
    if resume_dir:
        _finish(resume_run(resume_dir, progress=progress))
        return
    if not providers_file:
        raise BadInputError("--providers FILE is required (or --resume DIR)")
    paths = [shipped_or_given(p) for p in scenarios_path or ("scenarios",)]
    scenarios = load_scenarios(paths).select(pattern=filter_, category=category, tags=tag)
    if not len(scenarios):
        raise BadInputError("no scenario matches the filters", source=", ".join(paths))
    chain = _csv(fallback)
    providers_file = shipped_or_given(providers_file)
    providers = _providers(providers_file, _csv(only) or chain, base_url)
    opts = RecordOptions(repeat=repeat, seed=seed, concurrency=concurrency, max_retries=max_retries,
                         backoff_base=backoff_base, timeout=timeout, stream=stream, mode=mode, fallback=chain,
                         scenarios_path=paths, providers_file=providers_file,
                         filters={"filter": filter_, "category": list(category), "tags": list(tag)})
    samples = sample_plan(list(scenarios), apply_overrides(providers, opts), opts)
    if dry_run or budget is not None:
        cost = _print_plan(samples)
        if dry_run:
            return
        if budget is not None and cost > budget and not yes:
            _confirm_over_budget(cost, budget)
    try:
        run = record_run(list(scenarios), providers, out, options=opts, progress=progress)
    except KeyboardInterrupt:
        target = out or "cassettes/<run-id>"
        click.echo(f"\ninterrupted; finished samples are kept. Resume with: replaykit record --resume {target}",
                   err=True)
        sys.exit(130)
    _finish(run)


def _providers(path: str, names: list[str], base_url: str | None) -> list[Provider]:
    chosen = list(load_providers(path).select(names or None))
    if not base_url:
        return chosen
    if not base_url.startswith(("http://", "https://")):
        raise BadInputError(f"wants an http(s) URL, got {base_url!r}", field="--base-url")
    return [p.with_overrides(base_url=base_url.rstrip("/")) for p in chosen]


def _confirm_over_budget(cost: float, budget: float) -> None:
    question = f"estimated ${cost:.2f} is over the budget of ${budget:.2f}"
    if not sys.stdin.isatty():  # nobody to ask: say so instead of click's bare "Aborted!"
        raise BadInputError(f"{question}; pass --yes to record anyway (no terminal to ask on)", field="--budget")
    click.confirm(f"{question}; record anyway?", abort=True)


def _print_plan(samples: list[PlannedSample]) -> float:
    from replaykit.recorder.plan import estimate

    rows = estimate(samples)
    click.echo(f"{'provider':<28} {'samples':>8} {'requests':>9} {'in tok':>10} {'out tok':>9} {'cost USD':>10}")
    total = 0.0
    for name, row in rows.items():
        cost = f"{row['cost_usd']:.4f}" if row["priced"] else "unpriced"
        total += row["cost_usd"]
        click.echo(f"{name:<28} {row['samples']:>8} {row['requests']:>9} {row['input_tokens']:>10} "
                   f"{row['output_tokens']:>9} {cost:>10}")
    click.echo(f"estimated total: ${total:.4f} (≈4 characters a token; retries not included)")
    return total


def _finish(run: Run) -> None:
    root = run.root
    click.echo(f"run written to {root}  (score it: replaykit score {root})")
