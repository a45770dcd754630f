"""`replaykit score RUN...`: replay cassettes offline and print or write the metrics."""

from __future__ import annotations

import sys
from typing import IO, Any

import click
import orjson

from replaykit.cli.options import pooling
from replaykit.errors import BadInputError, printable
from replaykit.report.files import to_json, write_report
from replaykit.report.sweep import attach, sweep_scoring
from replaykit.score import ScoreOptions, score_runs
from replaykit.score.engine import ScoreResult
from replaykit.score.gates import Verdict, evaluate, from_fail_under, junit_xml, parse_gate
from replaykit.score.sample import SampleScore
from replaykit.share.secrets import redact_shown


@click.command()
@click.argument("runs", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the machine-readable result.")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(),
              help="Write the result; type by extension: .json .md .csv .html (repeatable).")
@click.option("--samples", "samples_file", type=click.Path(), help="Per-sample results as JSON Lines.")
@click.option("--scenarios", "scenarios_path", multiple=True, type=click.Path(),
              help="Score against these scenario files instead of the run's own snapshot.")
@click.option("--bfcl-compat", is_flag=True,
              help="BFCL's verdicts: its AST checker on BFCL's own answers for imported BFCL scenarios, its value "
                   "rules and greedy call matching for other scenarios.")
@click.option("--gate", "gates", multiple=True, metavar="[PROVIDER:]METRIC<=VALUE",
              help="Exit 1 unless every provider (or PROVIDER) meets it, e.g. \"error_rate<=0.05\", "
                   "\"success>=0.9\", \"ttft_ms.p50<=800\", \"cost_usd.per_sample<=0.001\" (repeatable).")
@click.option("--fail-under", multiple=True, metavar="METRIC=VALUE",
              help="Same as --gate \"METRIC>=VALUE\", for rates where higher is better.")
@click.option("--plain", is_flag=True, help="Plain text table (for logs and CI).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
              help="Worker processes [default: one per core for runs of 4,000 cassettes or more]. The output is "
                   "the same bytes whatever N.")
@click.option("--partial", "partial_out", type=click.Path(), metavar="FILE",
              help="Write the runs' sufficient statistics to FILE instead of scores (the map of a distributed "
                   "scoring; docs/scale.md).")
@click.option("--combine", is_flag=True,
              help="The arguments are --partial files: score them as if their runs were scored at once.")
@pooling
def score(runs: tuple[str, ...], as_json: bool, outputs: tuple[str, ...], samples_file: str | None,
          scenarios_path: tuple[str, ...], bfcl_compat: bool, gates: tuple[str, ...], fail_under: tuple[str, ...],
          plain: bool, jobs: int | None, partial_out: str | None, combine: bool, all_samples: bool,
          intersect: bool) -> None:
    """Score recorded runs offline: tool recall, argument accuracy, errors, speed and cost."""
    limits = [parse_gate(g) for g in gates] + [from_fail_under(f) for f in fail_under]
    opts = ScoreOptions()
    if bfcl_compat:
        from replaykit.score.bfcl_compat import BFCL_RULES

        opts = ScoreOptions(rules=BFCL_RULES, greedy=True, bfcl=True)
    if partial_out or combine:
        result = _map_or_reduce(runs, partial_out, combine, opts, scenarios_path, jobs,
                                samples_file or next((p for p in outputs if p.lower().endswith(".html")), None),
                                (all_samples, intersect))
        if result is None:
            return
        verdicts = evaluate(limits, result.data["providers"])
        _show(result, outputs, None, as_json, plain, verdicts)
        _check_gates(verdicts)
        return
    sink: IO[bytes] | None = open(samples_file, "wb") if samples_file else None  # noqa: SIM115
    on_sample = None
    if sink:
        def on_sample(s: SampleScore) -> None:
            sink.write(orjson.dumps(redact_shown(s.to_json()), option=orjson.OPT_SORT_KEYS) + b"\n")
    samples = None
    scenarios = list(scenarios_path) or None
    tally, each = sweep_scoring(list(runs), scenarios, on_sample)  # stress variants: `sweep` in the JSON
    try:
        if any(p.lower().endswith(".html") for p in outputs):  # the HTML drill-down needs per-sample data
            from replaykit.report.samples import collect

            result, samples = collect(list(runs), scenarios=scenarios, options=opts, on_sample=each, jobs=jobs,
                                      all_samples=all_samples, intersect=intersect)
        else:
            result = score_runs(list(runs), scenarios=scenarios, options=opts, on_sample=each, jobs=jobs,
                                all_samples=all_samples, intersect=intersect)
    finally:
        if sink:
            sink.close()
    attach(result, tally)
    verdicts = evaluate(limits, result.data["providers"])
    _show(result, outputs, samples, as_json, plain, verdicts)
    _check_gates(verdicts)


def _show(result: ScoreResult, outputs: tuple[str, ...], samples: Any, as_json: bool, plain: bool,
          verdicts: list[Verdict]) -> None:
    for warning in result.warnings:
        click.echo(f"warning: {printable(warning)}", err=True)
    for path in outputs:
        if path.lower().endswith(".xml"):  # the gates as JUnit XML
            with open(path, "w", encoding="utf-8") as out:
                out.write(junit_xml(verdicts))
        else:
            write_report(result.data, path, samples)
        click.echo(f"wrote {path}", err=True)
    if as_json:
        sys.stdout.buffer.write(to_json(result.data))
    elif not outputs or plain:
        from rich.console import Console  # not loaded for --json: scripts call it in loops

        from replaykit.report.terminal import render as render_terminal

        render_terminal(result.data, Console(width=100), plain=plain or not sys.stdout.isatty())


def _map_or_reduce(runs: tuple[str, ...], partial_out: str | None, combine: bool, opts: ScoreOptions,
                   scenarios_path: tuple[str, ...], jobs: int | None, per_sample: str | None,
                   pooling: tuple[bool, bool]) -> ScoreResult | None:
    """--partial writes the map's output and returns None; --combine returns the reduce's scores. A partial
    holds the comparable cells of its own runs (comparable.py)."""
    from replaykit.score.partial import combine as combine_partials
    from replaykit.score.partial import scored, write_partial

    if partial_out and combine:
        raise BadInputError("--partial writes a partial and --combine reads them: use one", field="--partial")
    if per_sample:
        raise BadInputError(f"{per_sample}: per-sample outputs need the cassettes; score the runs themselves",
                            field="--partial" if partial_out else "--combine")
    if combine:
        if scenarios_path:
            raise BadInputError("the scenarios were fixed when each partial was written", field="--scenarios")
        return combine_partials(runs)
    opened, tally, selection = scored(runs, all_samples=pooling[0], intersect=pooling[1],
                                      scenarios=list(scenarios_path) or None, options=opts, jobs=jobs)
    write_partial(opened, tally, selection, str(partial_out))
    click.echo(f"wrote {partial_out}: {tally.count} samples of {len(opened)} runs", err=True)
    return None


def _check_gates(verdicts: list[Verdict]) -> None:
    failed = [v for v in verdicts if not v.passed]
    for v in failed:
        click.echo(f"gate: {printable(v.message)}", err=True)
    if failed:
        sys.exit(1)
