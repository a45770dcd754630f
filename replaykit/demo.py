"""`replaykit demo`: the simulator, a recording of the shipped scenarios, the score and a report, in one go.

`replaykit demo --agent` records, instead, what breaks inside a coding agent: the shipped agent scenarios and a
stress sweep of single-call questions (longer agent preambles, more tools: `replaykit scenarios stress`) against
a provider that is fine on short prompts and breaks under load, a steady one and one that always leaks calls into
the text, so that its output and report show the load sweep. (Inside the full demo such a slice added a fifth
to a third to its time: the demo's time grows with the bytes it records, and stress variants are large.)
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from replaykit.cassettes.run import Run
from replaykit.errors import BadInputError
from replaykit.packaged import locate
from replaykit.providers import load_providers
from replaykit.recorder import RecordOptions, record
from replaykit.recorder.api import ProgressSink
from replaykit.scenarios import ScenarioSet, load_scenarios
from replaykit.score import ScoreResult, score_runs

# The agent demo's sweep: sim-agent-fragile leaks calls past 20 tools and breaks arguments past 4,000 tokens
# (providers/sim-profiles.toml), so each axis has two levels below its threshold and one above.
AGENT_PROVIDERS = ("sim-agent-fragile", "sim-steady", "sim-textcalls")
STRESS_BASES = 8
STRESS_CONTEXT = (1000, 3000, 6000)
STRESS_TOOLS = (8, 16, 32)


@dataclass
class DemoResult:
    run: Run
    score: ScoreResult
    report: Path | None


def shipped(path: str) -> Path:
    """The scenarios or provider file the demo uses: the one here, else the copy shipped with replaykit."""
    return locate(path).path


def stress_slice(chosen: ScenarioSet, folder: Path, seed: int) -> ScenarioSet | None:
    """Variants of the first few single-call scenarios at every (context, tools) level, written to `folder`
    (the simulator reads them from there); None when the scenarios have no single-call one."""
    from replaykit.scenarios.stress import write_sweep

    bases = [s for s in chosen if s.category == "single" and not s.meta.get("stress")][:STRESS_BASES]
    if not bases:
        return None
    write_sweep(bases, list(STRESS_CONTEXT), list(STRESS_TOOLS), folder, seed=seed)
    return load_scenarios(folder)


def run_demo(out: Path, *, repeat: int = 1, seed: int = 0, time_scale: float = 0.5, concurrency: int = 8,
             scenarios: str | None = None, providers: str | None = None, profiles: str | None = None,
             progress: ProgressSink | None = None, report: Path | None = None, agent: bool = False) -> DemoResult:
    """Record and score the demo into `out`; `agent`: the agent demo (module docstring)."""
    from replaykit.sim.process import SimProcess

    scenario_path = str(shipped(scenarios or "scenarios"))
    chosen = load_scenarios(scenario_path)
    if not len(chosen):
        raise BadInputError("no scenario there to record", source=scenario_path)
    provider_set = load_providers(shipped(providers or "providers/sim.toml"))
    providers_used = list(provider_set)
    with tempfile.TemporaryDirectory(prefix="replaykit-demo-") as tmp:
        recorded: list[Any] = list(chosen)
        served: list[Any] = [scenario_path]
        if agent:
            stressed = stress_slice(chosen, Path(tmp) / "stress", seed)
            recorded = [s for s in chosen if "agent" in s.tags] + list(stressed or [])
            served += [str(Path(tmp) / "stress")] if stressed else []
            providers_used = [p for p in provider_set if p.name in AGENT_PROVIDERS] or providers_used
        # The request clock: downtime and bursts fall on the same requests in every run, so that a fixed seed
        # prints the same quality figures however loaded the machine is (docs/simulator.md).
        with SimProcess(shipped(profiles or "providers/sim-profiles.toml"), served, seed=seed,
                        time_scale=time_scale, request_clock=True) as sim:
            live = [p.with_overrides(base_url=sim.base_url) for p in providers_used]
            opts = RecordOptions(repeat=repeat, seed=seed, concurrency=concurrency, max_retries=2,
                                 backoff_base=0.05, timeout=20.0, scenarios_path=[scenario_path],
                                 providers_file=str(provider_set.source), time_scale=time_scale)
            run = record(recorded, live, out, options=opts, progress=progress)
    return DemoResult(run, *_score(run, report))


def _score(run: Run, report: Path | None) -> tuple[ScoreResult, Path | None]:
    """The score (with the load sweep of the stress slice), and the report when one is asked for."""
    from replaykit.report.sweep import attach, sweep_scoring

    tally, on_sample = sweep_scoring([run.root])
    if report is None:
        return attach(score_runs([run.root], on_sample=on_sample), tally), None
    from replaykit.report.files import write_report
    from replaykit.report.samples import collect

    result, samples = collect([run.root], on_sample=on_sample)  # scores and keeps the per-sample drill-down
    attach(result, tally)
    return result, write_report(result.data, report, samples=samples)
