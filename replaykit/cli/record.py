"""`replaykit record`: scenarios × providers × repeats → a run folder."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click
from click.core import ParameterSource

from replaykit.cassettes.run import Run
from replaykit.cli.options import ShardType, scenario_filters, shipped_or_given
from replaykit.errors import BadInputError
from replaykit.providers import Provider, load_providers
from replaykit.recorder import RecordOptions
from replaykit.recorder import record as record_run
from replaykit.recorder.api import ResumePlan, drive_resume, plan_resume
from replaykit.recorder.engine import apply_overrides, sample_plan
from replaykit.recorder.plan import PlannedSample
from replaykit.recorder.progress import Progress
from replaykit.scenarios import load_scenarios


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


@click.command()
@click.option("--providers", "providers_file", type=click.Path(),
              help="Provider config (TOML). With --resume: the file to send with (default: the file the run "
                   "was recorded with, if unchanged); run.json's copy must agree with it.")
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
@click.option("--shard", type=ShardType(),
              help="Record only share I of N of the samples (N machines record one run; `merge` joins them).")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--base-url", metavar="URL",
              help="Send every provider's requests to this API root instead of its base_url (e.g. a simulator "
                   "on another port: http://127.0.0.1:PORT/api/v1).")
@click.option("--resume", "resume_dir", type=click.Path(),
              help="Finish an interrupted run folder (from any folder). Takes --providers, --scenarios (checked "
                   "against the run), a larger --repeat, --concurrency, --base-url, --dry-run, --budget.")
@click.option("--dry-run", is_flag=True, help="Print the plan and estimated cost; send nothing.")
@click.option("--budget", type=click.FloatRange(0), help="Ask before a run estimated above this many USD.")
@click.option("--yes", is_flag=True, help="Don't ask (with --budget).")
@click.option("--plain", is_flag=True, help="Plain progress lines even on a terminal.")
def record(providers_file: str | None, only: str | None, scenarios_path: tuple[str, ...], filter_: str | None,
           category: tuple[str, ...], tag: tuple[str, ...], repeat: int, out: str | None,
           concurrency: int | None, stream: bool | None, mode: str | None, timeout: float | None,
           max_retries: int, backoff_base: float, fallback: str | None, shard: tuple[int, int] | None, seed: int,
           base_url: str | None, resume_dir: str | None, dry_run: bool, budget: float | None, yes: bool,
           plain: bool) -> None:
    """Send scenarios to providers and store every attempt in cassettes, with live timing."""
    progress = Progress(plain=plain or None)
    if resume_dir:
        _refuse_fixed_flags(click.get_current_context())
        plan = plan_resume(resume_dir, providers_file=shipped_or_given(providers_file) if providers_file else None,
                           scenarios=[shipped_or_given(p) for p in scenarios_path],
                           repeat=_given("repeat", repeat), concurrency=concurrency, base_url=_checked_url(base_url))
        if _resume_summary(plan) and _planned(plan.todo, dry_run, budget, yes):
            _finish(_interruptible(lambda: drive_resume(plan, progress), resume_dir), plan.todo)
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
                         filters={"filter": filter_, "category": list(category), "tags": list(tag)},
                         shard=shard)
    samples = sample_plan(list(scenarios), apply_overrides(providers, opts), opts)
    if _planned(samples, dry_run, budget, yes):
        _finish(_interruptible(lambda: record_run(list(scenarios), providers, out, options=opts,
                                                  progress=progress), out or "cassettes/<run-id>"), samples)


# What a resumed run cannot change, and why (it keeps the settings it was recorded with).
_SAME_RUN = "a resumed run keeps the settings it was recorded with (run.json's params), so that one run never " \
            "mixes two"
_FIXED_ON_RESUME = {
    "only": ("--only", "a resumed run records the providers it started with; record others into a new run and "
                       "combine the two with `replaykit merge`"),
    "filter_": ("--filter", "a resumed run keeps its scenario set"),
    "category": ("--category", "a resumed run keeps its scenario set"),
    "tag": ("--tag", "a resumed run keeps its scenario set"),
    "out": ("--out", "a run is resumed in its own folder"),
    "stream": ("--stream/--no-stream", _SAME_RUN), "mode": ("--mode", _SAME_RUN),
    "timeout": ("--timeout", _SAME_RUN), "max_retries": ("--max-retries", _SAME_RUN),
    "backoff_base": ("--backoff", _SAME_RUN), "fallback": ("--fallback", _SAME_RUN), "seed": ("--seed", _SAME_RUN),
    "shard": ("--shard", "a run resumes the shard it was recorded as"),
}


def _given(name: str, value: Any) -> Any:
    """The value if the user gave the option, else None (a default is not a request)."""
    source = click.get_current_context().get_parameter_source(name)
    return value if source is ParameterSource.COMMANDLINE else None


def _refuse_fixed_flags(ctx: click.Context) -> None:
    for name, (flag, why) in _FIXED_ON_RESUME.items():
        if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE:
            raise BadInputError(f"{flag} cannot be used with --resume: {why}")


def _resume_summary(plan: ResumePlan) -> bool:
    """Say what the resume will do; False when there is nothing to do."""
    total, todo = len(plan.samples), len(plan.todo)
    if not todo and plan.run.manifest.get("status") == "complete":
        click.echo(f"nothing to do: the run is complete ({total} samples in {plan.run.root})")
        return False
    click.echo(f"resuming {plan.run.root}: {total - todo} of {total} samples done, {todo} to record, "
               f"sent as {plan.providers_file} says", err=True)
    return True


def _planned(samples: list[PlannedSample], dry_run: bool, budget: float | None, yes: bool) -> bool:
    """Print the plan for --dry-run or --budget; True when recording should go ahead."""
    if not dry_run and budget is None:
        return True
    cost = _print_plan(samples)
    if dry_run:
        return False
    if budget is not None and cost > budget and not yes:
        _confirm_over_budget(cost, budget)
    return True


def _interruptible(work: Callable[[], Run], target: str) -> Run:
    try:
        return work()
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted; finished samples are kept. Resume with: replaykit record --resume {target}",
                   err=True)
        sys.exit(130)


def _providers(path: str, names: list[str], base_url: str | None) -> list[Provider]:
    chosen = list(load_providers(path).select(names or None))
    base_url = _checked_url(base_url)
    return [p.with_overrides(base_url=base_url) for p in chosen] if base_url else chosen


def _checked_url(base_url: str | None) -> str | None:
    if base_url and not base_url.startswith(("http://", "https://")):
        raise BadInputError(f"wants an http(s) URL, got {base_url!r}", field="--base-url")
    return base_url.rstrip("/") if base_url else None


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


def _finish(run: Run, samples: list[PlannedSample]) -> None:
    """Say where the run is; then, loudly, which providers were never reached (exit 1, or 2 when none was):
    their failures are this machine's or the network's, not the providers'."""
    root = run.root
    click.echo(f"run written to {root}  (score it: replaykit score {root})")
    unreachable = run.manifest.get("unreachable") or {}
    lanes = {s.id.provider for s in samples}
    for lane, why in unreachable.items():
        click.echo(f"error: provider {lane} was never reached: {why}. Its failures are not the provider's: "
                   f"check the network and the base URL (samples not recorded are recorded by "
                   f"`replaykit record --resume {root}`)", err=True)
    if unreachable:
        sys.exit(2 if lanes <= set(unreachable) else 1)
