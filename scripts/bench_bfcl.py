"""`--bfcl-compat` checking speed against BFCL's own checker, side by side in one process on the same answers.

    BFCL_CHECKOUT=~/gorilla python scripts/bench_bfcl.py [--bfcl PATH] [--data ../shared/data/bfcl] [--rounds 5]

Inputs: the perturbed answers of bfcl_perturb.py (fixed seed) over BFCL's 8 AST categories, as native tool calls
(name, arguments text). Both sides do the whole check of an answer: BFCL decodes with its OpenAI handler's
`json.loads` and runs `ast_checker`; replaykit parses the calls as its normalizer does and runs the verdict the
scorer uses in compat mode (`step_verdict`, keeping every failure of the calls it pairs, with reasons).
Mixes: "mixed" is every perturbed answer (most fail), "passing" those BFCL accepts. Each side runs every mix
`--rounds` times, interleaved; the best round counts. replaykit compiles each scenario's answer once per
scoring; that is done before timing (as it is by the time a scorer reaches a scenario's second sample), and
the first, cold pass is reported too. BFCL's checker is not part of replaykit: without a checkout this skips.

Last line: `RESULT checker_vs_bfcl_mixed=<ratio> checker_vs_bfcl_passing=<ratio>` (checks/s of replaykit over
BFCL's; above 1 is faster).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bfcl_oracle
from bfcl_agreement import COMPAT, DATA, setup
from bfcl_perturb import cases

from replaykit.normalize.calls import make_call
from replaykit.score import bfcl_checker
from replaykit.score.sample import step_verdict

Job = tuple[Any, ...]


def _timed(fn: Callable[[list[Job]], int], jobs: list[Job]) -> float:
    start = time.process_time()
    fn(jobs)
    return len(jobs) / (time.process_time() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bfcl", help=f"BFCL checkout (default: ${bfcl_oracle.ENV})")
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    loaded = setup(args.bfcl, args.data)
    if loaded is None:
        return 0
    bfcl, questions, answers, functions, scenarios = loaded
    mixed, passing = [], []
    for case in cases(questions, answers):
        answer = answers[case.category][case.bfcl_id]
        job = (functions[case.bfcl_id], case.calls, answer, case.category, scenarios[case.bfcl_id])
        mixed.append(job)
        try:
            if bfcl.check(*job[:4]):
                passing.append(job)
        except Exception:  # BFCL's checker fails on it: leave it out of both sides
            mixed.pop()

    def run_bfcl(jobs: list[Job]) -> int:
        return sum(bfcl.check(fns, calls, answer, category) for fns, calls, answer, category, _ in jobs)

    def run_replaykit(jobs: list[Job]) -> int:
        right = 0
        for _, raw_calls, _, _, scenario in jobs:
            calls = [make_call(name, text) for name, text in raw_calls]
            right += step_verdict(scenario, scenario.expect, calls, COMPAT).correct
        return right

    bfcl_checker._TRUTHS.clear()
    cold = _timed(run_replaykit, mixed)
    assert run_replaykit(passing) == len(passing), "replaykit rejects an answer BFCL accepts"
    ratios = {}
    for name, jobs in (("mixed", mixed), ("passing", passing)):
        best_bfcl = best_rk = 0.0
        for _ in range(args.rounds):
            best_bfcl = max(best_bfcl, _timed(run_bfcl, jobs))
            best_rk = max(best_rk, _timed(run_replaykit, jobs))
        ratios[name] = best_rk / best_bfcl
        failing = len(jobs) - run_bfcl(jobs)
        print(f"{name:<8} {len(jobs):>6} answers ({failing} failing): BFCL {best_bfcl:>9,.0f} checks/s, "
              f"replaykit {best_rk:>9,.0f} checks/s, ratio {ratios[name]:.2f}")
    print(f"replaykit, first pass over the mixed set (compiling each scenario's answer): {cold:,.0f} checks/s")
    print(f"RESULT checker_vs_bfcl_mixed={ratios['mixed']:.2f} checker_vs_bfcl_passing={ratios['passing']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
