"""How often `replaykit score --bfcl-compat` gives BFCL's own verdict, on perturbed answers over BFCL's 8 AST
categories. BFCL's checker runs unmodified from a local checkout (see bfcl_oracle.py); without one this skips.

    BFCL_CHECKOUT=~/gorilla python scripts/bfcl_agreement.py [--data ../shared/data/bfcl] [--seed N] [--show 20]

Prints agreement per category and per mistake kind, then `RESULT agreement=<percent> cases=<n>`. Answers on
which BFCL's checker raises (its own crashes) are counted apart, not compared.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bfcl_oracle
from bfcl_perturb import AST_CATEGORIES, Case, cases

from replaykit.normalize.calls import make_call
from replaykit.scenarios import Scenario, load_scenarios
from replaykit.scenarios.bfcl import import_bfcl
from replaykit.score.bfcl_compat import BFCL_RULES
from replaykit.score.sample import ScoreOptions, step_verdict

DATA = Path(__file__).resolve().parents[1] / "../shared/data/bfcl"
COMPAT = ScoreOptions(rules=BFCL_RULES, greedy=True, bfcl=True)


def read_data(data: Path) -> tuple[dict[str, list[dict[str, Any]]], dict[str, dict[str, list[Any]]]]:
    def lines(path: Path) -> list[dict[str, Any]]:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = {c: lines(data / f"BFCL_v4_{c}.json") for c in AST_CATEGORIES}
    answers = {c: {a["id"]: a["ground_truth"] for a in lines(data / "possible_answer" / f"BFCL_v4_{c}.json")}
               for c in AST_CATEGORIES}
    return questions, answers


def load_imported(data: Path, out: Path) -> dict[str, Scenario]:
    import_bfcl(data, out, categories=list(AST_CATEGORIES))
    return {s.meta["bfcl_id"]: s for s in load_scenarios(out)}


def setup(checkout: str | None, data_dir: str) -> tuple[Any, dict[str, Any], dict[str, Any], dict[str, Any],
                                                       dict[str, Scenario]] | None:
    """BFCL's checker, its questions and answers, each question's functions and the imported scenarios; None
    (said why) without a checkout or data."""
    bfcl = bfcl_oracle.load(checkout)
    data = Path(data_dir)
    if bfcl is None or not data.is_dir():
        print(f"skipped: no BFCL checkout (--bfcl or ${bfcl_oracle.ENV}) or no data at {data}")
        return None
    questions, answers = read_data(data)
    functions = {q["id"]: q["function"] for qs in questions.values() for q in qs}
    with tempfile.TemporaryDirectory() as tmp:
        scenarios = load_imported(data, Path(tmp))
    return bfcl, questions, answers, functions, scenarios


def replaykit_verdict(scenario: Scenario, case: Case) -> bool:
    calls = [make_call(name, text) for name, text in case.calls]
    return step_verdict(scenario, scenario.expect, calls, COMPAT).correct


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bfcl", help=f"BFCL checkout (default: ${bfcl_oracle.ENV})")
    parser.add_argument("--data", default=str(DATA), help="BFCL data folder (question files, possible_answer/)")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--show", type=int, default=10, help="disagreements to print")
    args = parser.parse_args()
    loaded = setup(args.bfcl, args.data)
    if loaded is None:
        return 0
    bfcl, questions, answers, functions, scenarios = loaded
    total, agree, crashed = Counter(), Counter(), Counter()
    shown = []
    for case in cases(questions, answers, args.seed):
        try:
            expected = bfcl.check(functions[case.bfcl_id], case.calls, answers[case.category][case.bfcl_id],
                                  case.category)
        except Exception:  # BFCL's checker itself fails on this input: nothing to compare with
            crashed[case.kind] += 1
            continue
        got = replaykit_verdict(scenarios[case.bfcl_id], case)
        for key in (("all",), ("category", case.category), ("kind", case.kind)):
            total[key] += 1
            agree[key] += got == expected
        if got != expected and len(shown) < args.show:
            shown.append(f"  {case.bfcl_id} {case.kind}: BFCL {expected}, replaykit {got}: {case.calls}")
    _report(total, agree, crashed)
    if shown:
        print("disagreements:")
        print("\n".join(shown))
    rate = 100 * agree[("all",)] / max(total[("all",)], 1)
    print(f"RESULT agreement={rate:.3f} cases={total[('all',)]} disagreements={total[('all',)] - agree[('all',)]}")
    return 0


def _report(total: Counter[tuple[str, ...]], agree: Counter[tuple[str, ...]], crashed: Counter[str]) -> None:
    for group in ("category", "kind"):
        print(f"{group:<24} {'cases':>7} {'agree':>7} {'rate':>8}")
        for key in sorted(k for k in total if k[0] == group):
            print(f"{key[1]:<24} {total[key]:>7} {agree[key]:>7} {100 * agree[key] / total[key]:>7.2f}%")
        print()
    if crashed:
        print(f"BFCL's checker raised on {sum(crashed.values())} answers (not compared): {dict(crashed)}")


if __name__ == "__main__":
    sys.exit(main())
