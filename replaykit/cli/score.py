"""`replaykit score RUN...`: replay cassettes offline and print or write the metrics."""

from __future__ import annotations

import sys
from typing import IO

import click
import orjson
from rich.console import Console

from replaykit.report.files import to_json, write_report
from replaykit.report.terminal import render as render_terminal
from replaykit.score import ScoreOptions, score_runs
from replaykit.score.gates import evaluate, from_fail_under, junit_xml, parse_gate
from replaykit.score.sample import SampleScore


@click.command()
@click.argument("runs", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the machine-readable result.")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(),
              help="Write the result; type by extension: .json .md .csv .html, or .xml for the gates as JUnit "
                   "XML (repeatable).")
@click.option("--samples", "samples_file", type=click.Path(), help="Per-sample results as JSON Lines.")
@click.option("--scenarios", "scenarios_path", multiple=True, type=click.Path(),
              help="Score against these scenario files instead of the run's own snapshot.")
@click.option("--bfcl-compat", is_flag=True, help="BFCL's AST checker rules and greedy call matching.")
@click.option("--gate", "gates", multiple=True, metavar="[PROVIDER:]METRIC<=VALUE",
              help="Exit 1 unless every provider (or PROVIDER) meets it, e.g. \"error_rate<=0.05\", "
                   "\"success>=0.9\", \"ttft_ms.p50<=800\", \"cost_usd.per_sample<=0.001\" (repeatable).")
@click.option("--fail-under", multiple=True, metavar="METRIC=VALUE",
              help="Same as --gate \"METRIC>=VALUE\", for rates where higher is better.")
@click.option("--plain", is_flag=True, help="Plain text table (for logs and CI).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
              help="Worker processes [default: one per core for runs of 4,000 cassettes or more]. The output is "
                   "the same bytes whatever N.")
def score(runs: tuple[str, ...], as_json: bool, outputs: tuple[str, ...], samples_file: str | None,
          scenarios_path: tuple[str, ...], bfcl_compat: bool, gates: tuple[str, ...], fail_under: tuple[str, ...],
          plain: bool, jobs: int | None) -> None:
    """Score recorded runs offline: tool recall, argument accuracy, errors, speed and cost."""
    limits = [parse_gate(g) for g in gates] + [from_fail_under(f) for f in fail_under]
    opts = ScoreOptions()
    if bfcl_compat:
        from replaykit.score.bfcl_compat import BFCL_RULES

        opts = ScoreOptions(rules=BFCL_RULES, greedy=True)
    sink: IO[bytes] | None = open(samples_file, "wb") if samples_file else None  # noqa: SIM115
    on_sample = None
    if sink:
        def on_sample(s: SampleScore) -> None:
            sink.write(orjson.dumps(s.to_json(), option=orjson.OPT_SORT_KEYS) + b"\n")
    samples = None
    try:
        if any(p.lower().endswith(".html") for p in outputs):  # the HTML drill-down needs per-sample data
            from replaykit.report.samples import collect

            result, samples = collect(list(runs), scenarios=list(scenarios_path) or None, options=opts,
                                      on_sample=on_sample, jobs=jobs)
        else:
            result = score_runs(list(runs), scenarios=list(scenarios_path) or None, options=opts,
                                on_sample=on_sample, jobs=jobs)
    finally:
        if sink:
            sink.close()
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    verdicts = evaluate(limits, result.data["providers"])
    for path in outputs:
        if path.lower().endswith(".xml"):
            with open(path, "w", encoding="utf-8") as out:
                out.write(junit_xml(verdicts))
        else:
            write_report(result.data, path, samples)
        click.echo(f"wrote {path}", err=True)
    if as_json:
        sys.stdout.buffer.write(to_json(result.data))
    elif not outputs or plain:
        render_terminal(result.data, Console(width=100), plain=plain or not sys.stdout.isatty())
    failed = [v for v in verdicts if not v.passed]
    for v in failed:
        click.echo(f"gate: {v.message}", err=True)
    if failed:
        sys.exit(1)
