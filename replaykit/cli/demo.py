"""`replaykit demo`: everything on the embedded simulator, no key needed."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
from rich.console import Console

from replaykit.demo import run_demo
from replaykit.recorder.progress import Progress
from replaykit.report.terminal import render


@click.command()
@click.option("--out", default="replaykit-demo", show_default=True, type=click.Path(),
              help="Folder for the demo's run and report (replaced if it holds an earlier demo).")
@click.option("--repeat", default=1, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=0, show_default=True, type=int,
              help="The same seed prints the same quality figures on every run.")
@click.option("--time-scale", default=0.5, show_default=True, type=click.FloatRange(0.01),
              help="Multiplies the simulated latencies (1 = realistic, slow). Speeds are reported rescaled to "
                   "the profiles' time and marked ~; below about 0.2 the client's own overhead, scaled up with "
                   "them, can reorder providers.")
@click.option("--plain", is_flag=True, help="Plain output (for logs and CI).")
def demo(out: str, repeat: int, seed: int, time_scale: float, plain: bool) -> None:
    """Start the simulator, record the shipped scenarios against every simulated provider, score the run,
    print the leaderboard and write a report."""
    root = Path(out)
    run_dir = root / "run"
    if (run_dir / "run.json").exists():
        shutil.rmtree(run_dir)
    result = run_demo(run_dir, repeat=repeat, seed=seed, time_scale=time_scale,
                      progress=Progress(plain=plain or None), report=root / _report_name())
    console = Console(width=100)
    render(result.score.data, console, plain=plain)
    if time_scale != 1.0:
        click.echo(f"(the simulator ran at {time_scale:g}x real time; speeds marked ~ are rescaled to the "
                   "profiles' time)")
    click.echo(f"\nrun: {result.run.root}   report: {result.report}")
    click.echo(f"rescore any time, offline: replaykit score {result.run.root}")


def _report_name() -> str:
    try:
        import replaykit.report.html  # noqa: F401
    except ImportError:
        return "report.md"
    return "report.html"
