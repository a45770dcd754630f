"""Re-create `cassettes/example/`: a small run recorded from the simulator, at real-time speed, and the
expected score the test suite compares against (tests/fixtures/example-score.json).

    python scripts/make_example_run.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

from replaykit import RecordOptions, load_providers, load_scenarios, record, score_runs
from replaykit.packaged import packaged
from replaykit.report.files import to_json
from replaykit.sim import SimServer

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "cassettes" / "example"
EXPECTED = REPO / "tests" / "fixtures" / "example-score.json"
SCENARIOS = [
    "coding.read_file_basic", "coding.write_python_quotes_regex", "coding.write_js_unicode",
    "coding.parallel_read_three", "coding.pm_todo_and_bash", "everyday.weather_now_fahrenheit",
    "many_tools.t30_no_fit_ride", "no_call.chitchat_thanks", "multi_turn.coding_read_edit_typo",
    "schema.integer_offset", "sql.single_update_status", "math.parallel_conversions",
]


def main() -> None:
    library = load_scenarios(packaged("scenarios"))
    chosen = [s for s in library if s.id in SCENARIOS]
    providers = load_providers(packaged("providers/sim.toml"))
    if OUT.exists():
        shutil.rmtree(OUT)
    with SimServer(profiles=packaged("providers/sim-profiles.toml"), scenarios=library, seed=0,
                   time_scale=1.0) as sim:
        live = [p.with_overrides(base_url=sim.base_url) for p in providers]
        options = RecordOptions(repeat=2, seed=0, concurrency=8, max_retries=2, backoff_base=0.2,
                                scenarios_path=["scenarios"], providers_file="providers/sim.toml")
        run = record(chosen, live, OUT, options=options)
    EXPECTED.write_bytes(to_json(score_runs([run.root]).data))
    print(f"{len(chosen)} scenarios x {len(live)} providers x 2 -> {run.root}; expected score -> {EXPECTED}")


if __name__ == "__main__":
    main()
