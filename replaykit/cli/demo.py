"""`replaykit demo`: everything on the embedded simulator, no key needed."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
from rich.console import Console

from replaykit.cli.options import shipped_or_given
from replaykit.demo import AGENT_PROVIDERS, run_demo
from replaykit.errors import BadInputError
from replaykit.recorder.progress import Progress
from replaykit.report.sweep import summary_lines
from replaykit.report.terminal import render

_DEMO_ENTRIES = {"run", "report.html", "report.md"}  # all a demo folder holds


@click.command()
@click.option("--out", default="replaykit-demo", show_default=True, type=click.Path(),
              help="Folder for the demo's run and report: absent, empty, or an earlier demo's (replaced).")
@click.option("--repeat", default=1, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=0, show_default=True, type=int,
              help="The same seed prints the same quality figures on every run.")
@click.option("--time-scale", default=0.5, show_default=True, type=click.FloatRange(0.01),
              help="Multiplies the simulated latencies (1 = realistic, slow). Speeds are reported rescaled to "
                   "the profiles' time and marked ~; below about 0.2 the client's own overhead, scaled up with "
                   "them, can reorder providers.")
@click.option("--plain", is_flag=True, help="Plain output (for logs and CI).")
@click.option("--agent", is_flag=True,
              help="The agent demo instead: the shipped agent scenarios and a load sweep (longer contexts, more "
                   "tools) against a provider that breaks under load, a steady one and a leaky one; prints where "
                   "each breaks, and the report charts it.")
def demo(out: str, repeat: int, seed: int, time_scale: float, plain: bool, agent: bool) -> None:
    """Start the simulator, record the shipped scenarios against every simulated provider, score the run,
    print the leaderboard and write a report (--agent: what breaks inside a coding agent)."""
    root = Path(out)
    _clear_earlier_demo(root)
    result = run_demo(root / "run", repeat=repeat, seed=seed, time_scale=time_scale,
                      scenarios=shipped_or_given("scenarios"), providers=shipped_or_given("providers/sim.toml"),
                      profiles=shipped_or_given("providers/sim-profiles.toml"),
                      progress=Progress(plain=plain or None), report=root / _report_name(), agent=agent)
    console = Console(width=100)
    render(result.score.data, console, plain=plain)
    _sweep(result.score.data)
    if time_scale != 1.0:
        click.echo(f"(the simulator ran at {time_scale:g}x real time; speeds marked ~ are rescaled to the "
                   "profiles' time)")
    click.echo(f"\nrun: {result.run.root}")
    click.echo(f"rescore any time, offline: replaykit score {result.run.root}")
    if result.report is not None:
        click.echo(f"open the report: {result.report.resolve()}")


def _sweep(data: dict[str, object]) -> None:
    """The stress slice's curve: the provider that breaks inside an agent against a steady one."""
    sweep = data.get("sweep")
    if not isinstance(sweep, dict):
        return
    shown = [p for p in AGENT_PROVIDERS if p in sweep.get("tools", {})] or None
    click.echo("\nwhere each provider breaks: success % (95% interval, clustered by question) by context length "
               "and tools")
    for line in summary_lines(sweep, "success", shown):
        click.echo(line)


def _clear_earlier_demo(root: Path) -> None:
    """Replace an earlier demo's run, and refuse any other folder that holds something (a recorded run, a
    scenario folder): the demo must never write into them."""
    if not root.exists():
        return
    if not root.is_dir():
        raise BadInputError("exists and is not a folder; choose another --out", source=str(root))
    names = {p.name for p in root.iterdir()}
    run_dir = root / "run"
    if not names <= _DEMO_ENTRIES or (run_dir.exists() and not (run_dir / "run.json").is_file()):
        raise BadInputError("holds files that are not an earlier demo's; choose another --out (absent or empty)",
                            source=str(root))
    if run_dir.exists():
        shutil.rmtree(run_dir)


def _report_name() -> str:
    try:
        import replaykit.report.html  # noqa: F401
    except ImportError:
        return "report.md"
    return "report.html"
