"""`replaykit diff | trend | fallback | plan`: comparisons of recorded runs (docs/compare.md)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from replaykit.compare import (
    CompareOptions,
    PlanInput,
    RunCache,
    diff_result,
    fallback_result,
    pair,
    parse_ref,
    plan,
    reference_result,
    sides_for,
    trend_result,
)
from replaykit.compare.fallback import POLICIES
from replaykit.compare.text import render_diff, render_fallback, render_plan, render_reference, render_trend
from replaykit.errors import BadInputError, printable
from replaykit.report.files import to_json
from replaykit.share.secrets import redact_shown


def _emit(data: dict[str, Any], as_json: bool, render: Callable[[dict[str, Any]], list[str]]) -> None:
    data = redact_shown(data)  # a run may hide a key that the comparison decodes (share/secrets.py)
    if as_json:
        sys.stdout.buffer.write(to_json(data))
        return
    for line in render(data):
        click.echo(line)


def _warn(message: str) -> None:
    click.echo(f"warning: {printable(redact_shown(message))}", err=True)


def _stats_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--seed", default=0, show_default=True, help="Seed of the bootstrap resampling.")(fn)
    fn = click.option("--resamples", default=1000, show_default=True, type=click.IntRange(100, 100000),
                      help="Bootstrap resamples and permutation-test swaps.")(fn)
    fn = click.option("--alpha", default=0.05, show_default=True, type=click.FloatRange(0, 1, min_open=True,
                      max_open=True), help="Significance level.")(fn)
    return fn


@click.command()
@click.argument("a")
@click.argument("b", required=False)
@click.option("--reference", metavar="NAME", help="Measure every other provider of run A against NAME.")
@click.option("--intersect", is_flag=True, help="Compare on the scenarios both sides share.")
@click.option("--limit", default=20, show_default=True, help="Scenarios listed in the text output.")
@click.option("--json", "as_json", is_flag=True, help="Print the machine-readable result.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="Plain text, JSON (same as --json) or GitHub-flavoured Markdown (A B comparisons).")
@_stats_options
def diff(a: str, b: str | None, reference: str | None, intersect: bool, limit: int, as_json: bool, fmt: str,
         alpha: float, resamples: int, seed: int) -> None:
    """Compare two runs or providers (RUN or RUN:provider) sample by sample, with paired significance;
    or, with --reference NAME, every provider of run A against NAME's decisions."""
    opts = CompareOptions(alpha=alpha, resamples=resamples, seed=seed)
    cache = RunCache(_warn)
    if reference is not None:
        if b is not None:
            raise BadInputError("--reference compares the providers of one run: give only RUN", field="B")
        if fmt == "markdown":
            raise BadInputError("--format markdown is for A B comparisons; use text or json with --reference",
                                field="--format")
        ref = parse_ref(a)
        _emit(reference_result(cache.get(ref.path), reference, opts), as_json or fmt == "json", render_reference)
        return
    if b is None:
        raise BadInputError("give two sides to compare (A B), or one run and --reference NAME")
    pairings = [pair(x, y, intersect=intersect) for x, y in sides_for(cache, parse_ref(a), parse_ref(b))]
    if fmt == "markdown" and not as_json:
        from replaykit.compare.markdown import render_diff_markdown

        click.echo(render_diff_markdown(redact_shown(diff_result(pairings, opts)), limit), nl=False)
        return
    _emit(diff_result(pairings, opts), as_json or fmt == "json", lambda data: render_diff(data, limit))


@click.command()
@click.argument("runs", nargs=-1, required=True)
@click.option("--provider", metavar="NAME", help="The provider to follow (needed when runs share several).")
@click.option("--intersect", is_flag=True, help="Compare consecutive runs on the scenarios both share.")
@click.option("--json", "as_json", is_flag=True, help="Print the machine-readable result.")
@_stats_options
def trend(runs: tuple[str, ...], provider: str | None, intersect: bool, as_json: bool, alpha: float,
          resamples: int, seed: int) -> None:
    """One provider's metrics across runs, oldest first, with the significance of each change."""
    paths = []
    for text in runs:
        ref = parse_ref(text)
        if ref.provider and provider and ref.provider != provider:
            raise BadInputError(f"names provider {ref.provider!r} but --provider is {provider!r}",
                                source=text)
        provider = provider or ref.provider
        paths.append(ref.path)
    opts = CompareOptions(alpha=alpha, resamples=resamples, seed=seed)
    _emit(trend_result(RunCache(_warn), paths, provider, opts, intersect), as_json, render_trend)


@click.command()
@click.argument("run")
@click.option("--chain", metavar="A,B[,C]", help="Providers in fallback order.")
@click.option("--policy", type=click.Choice(POLICIES), default="on-error", show_default=True,
              help="Fall back on errors only, or also on answers that are not fully correct.")
@click.option("--timeout", "timeout_s", type=float, metavar="S", help="Cap each hop at S seconds.")
@click.option("--all", "all_chains", is_flag=True, help="Rank every chain of length up to 2.")
@click.option("--json", "as_json", is_flag=True, help="Print the machine-readable result.")
def fallback(run: str, chain: str | None, policy: str, timeout_s: float | None, all_chains: bool,
             as_json: bool) -> None:
    """Simulate a fallback chain from recorded attempts only: availability, success, latency, cost."""
    samples = RunCache(_warn).get(parse_ref(run).path)
    _emit(fallback_result(samples, chain, policy, timeout_s, all_chains), as_json, render_fallback)


@click.command("plan")
@click.option("--baseline", type=float, required=True, metavar="RATE", help="The rate now, e.g. 0.85.")
@click.option("--delta", type=float, required=True, metavar="D", help="The difference to detect, e.g. 0.05.")
@click.option("--power", type=float, default=0.8, show_default=True)
@click.option("--alpha", type=float, default=0.05, show_default=True)
@click.option("--discordance", type=float, metavar="PSI",
              help="Share of samples where the two providers disagree (default: independent outcomes).")
@click.option("--scenario-count", type=int, metavar="K", help="Also say the --repeat needed for K scenarios.")
@click.option("--icc", type=float, default=0.1, show_default=True, metavar="RHO",
              help="Correlation of the paired outcome within a scenario (with --scenario-count).")
@click.option("--json", "as_json", is_flag=True, help="Print the machine-readable result.")
def plan_(baseline: float, delta: float, power: float, alpha: float, discordance: float | None,
          scenario_count: int | None, icc: float, as_json: bool) -> None:
    """Samples per provider needed to detect a difference in a rate, paired (before paying for a run)."""
    inp = PlanInput(baseline, delta, power, alpha, discordance, scenario_count, icc)
    _emit(plan(inp), as_json, render_plan)
