"""`replaykit demo`: the simulator, a recording of the shipped scenarios, the score and a report, in one go."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from replaykit.cassettes.run import Run
from replaykit.errors import BadInputError
from replaykit.packaged import locate
from replaykit.providers import load_providers
from replaykit.recorder import RecordOptions, record
from replaykit.recorder.api import ProgressSink
from replaykit.scenarios import load_scenarios
from replaykit.score import ScoreResult, score_runs


@dataclass
class DemoResult:
    run: Run
    score: ScoreResult
    report: Path | None


def run_demo(out: Path, *, repeat: int = 1, seed: int = 0, time_scale: float = 0.5, concurrency: int = 8,
             scenarios: str | None = None, providers: str | None = None, profiles: str | None = None,
             progress: ProgressSink | None = None, report: Path | None = None) -> DemoResult:
    from replaykit.sim.process import SimProcess

    scenario_path = str(locate(scenarios or "scenarios").path)
    chosen = load_scenarios(scenario_path)
    if not len(chosen):
        raise BadInputError("no scenario there to record", source=scenario_path)
    provider_set = load_providers(locate(providers or "providers/sim.toml").path)
    # The request clock: downtime and bursts fall on the same requests in every run, so that a fixed seed
    # prints the same quality figures however loaded the machine is (docs/simulator.md).
    with SimProcess(locate(profiles or "providers/sim-profiles.toml").path, scenario_path, seed=seed,
                    time_scale=time_scale, request_clock=True) as sim:
        live = [p.with_overrides(base_url=sim.base_url) for p in provider_set]
        opts = RecordOptions(repeat=repeat, seed=seed, concurrency=concurrency, max_retries=2,
                             backoff_base=0.05, timeout=20.0, scenarios_path=[scenario_path],
                             providers_file=str(provider_set.source), time_scale=time_scale)
        run = record(list(chosen), live, out, options=opts, progress=progress)
    written = None
    if report is None:
        return DemoResult(run, score_runs([run.root]), None)
    from replaykit.report.files import write_report
    from replaykit.report.samples import collect

    result, samples = collect([run.root])  # scores and keeps the per-sample drill-down
    written = write_report(result.data, report, samples=samples)
    return DemoResult(run, result, written)
