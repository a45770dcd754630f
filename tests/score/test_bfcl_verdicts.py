"""`--bfcl-compat` gives BFCL's own verdict where BFCL's checker departs from replaykit's rules.

Each case is a real BFCL v4 entry (../shared/data/bfcl) with an answer and the verdict BFCL's checker gives it
(gorilla commit 6ea5797, bfcl_eval/eval_checker/ast_eval/ast_checker.py, run by scripts/bfcl_agreement.py),
written down here. The default rules keep replaykit's own verdict where it differs.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from replaykit.normalize.calls import make_call
from replaykit.scenarios import Scenario, load_scenarios
from replaykit.scenarios.bfcl import import_bfcl
from replaykit.score.bfcl_compat import BFCL_RULES
from replaykit.score.checker import StepVerdict
from replaykit.score.sample import ScoreOptions, step_verdict

DATA = Path(__file__).resolve().parents[2] / "../shared/data/bfcl"
CATEGORIES = ["simple_python", "multiple", "parallel_multiple", "irrelevance", "live_simple", "live_multiple"]
COMPAT = ScoreOptions(rules=BFCL_RULES, greedy=True, bfcl=True)

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="BFCL data (../shared/data/bfcl) not present")


@pytest.fixture(scope="module")
def bfcl(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Scenario]:
    out = tmp_path_factory.mktemp("bfcl")
    import_bfcl(DATA, out, categories=CATEGORIES)
    return {s.meta["bfcl_id"]: s for s in load_scenarios(out)}


def verdict(s: Scenario, calls: list[tuple[str, Any]], compat: bool = True) -> StepVerdict:
    made = [make_call(name, args if isinstance(args, str) else json.dumps(args)) for name, args in calls]
    return step_verdict(s, s.expect, made, COMPAT if compat else ScoreOptions())


# (BFCL id, calls, BFCL's verdict, replaykit's default verdict)
CASES = [
    # '' for an enum string whose answers list '': BFCL's string check ignores the enum
    ("live_multiple_12-4-4", [("HNA_WQA_search", {"keyword": "Ji Sung Park footballer", "language": "",
                                                  "max_results": 10})], True, False),
    # '' the only answer for an enum string: BFCL accepts absence and an explicit ''
    ("multiple_182", [("multiplayer_game_finder", {"platform": "Windows 10", "rating": 4.5, "genre": ""})],
     True, False),
    ("multiple_182", [("multiplayer_game_finder", {"platform": "Windows 10", "rating": 4.5})], True, True),
    # "variable" answers (another type than declared) are compared exactly: 'dontcare' for an integer...
    ("live_multiple_306-131-5", [("Hotels_4_SearchHotel", {"location": "Kuala Lumpur, Malaysia",
                                                           "number_of_rooms": "dontcare"})], True, True),
    ("live_multiple_306-131-5", [("Hotels_4_SearchHotel", {"location": "Kuala Lumpur, Malaysia",
                                                           "number_of_rooms": "DONTCARE"})], False, False),
    # ... answers ['', 'dontcare'] for an integer: '' is no integer, and not 'dontcare'
    ("live_multiple_343-133-7", [("Music_3_LookupMusic", {"artist": "Martin Garrix", "album":
                                  "The Martin Garrix Experience", "genre": "House", "year": "dontcare "})],
     False, False),
    # ... and "data['sales']" for an array
    ("parallel_multiple_21", [("data_loading", {"file_path": "dataset.csv"}),
                              ("linear_regression_fit", {"x": "data['sales']", "y": "data['future_sales']",
                                                         "return_residuals": True})], True, True),
    ("parallel_multiple_21", [("data_loading", {"file_path": "dataset.csv"}),
                              ("linear_regression_fit", {"x": "DATA['sales']", "y": "data['future_sales']",
                                                         "return_residuals": True})], False, False),
    # inside a dict BFCL compares with Python's ==: 24.0 passes for an integer 24, 1.0 for true...
    ("live_simple_40-17-0", [("ThinQ_Connect", {"body": {
        "airConJobMode": "AIR_CLEAN", "windStrength": "HIGH", "monitoringEnabled": True,
        "airCleanOperationMode": "POWER_ON", "coolTargetTemperature": 24.0, "targetTemperature": 22}})],
     True, True),
    ("live_multiple_996-227-0", [("add_service_config", {"service_name": "fdsa", "configurations": {
        "timeout": 30, "retry_count": 5, "endpoint": "https://api.fdsa-service.com", "auth_required": 1.0}})],
     True, False),
    # ... not at the top level: 10.0 for an integer fails
    ("simple_python_0", [("calculate_triangle_area", {"base": 10.0, "height": 5})], False, True),
    # ints inside a float array fail BFCL's item type check (its answer lists floats)
    ("live_simple_116-72-0", [("sum_numbers", {"numbers_list": [133, 34]})], False, True),
    ("live_simple_116-72-0", [("sum_numbers", {"numbers_list": [133.0, 34.0]})], True, True),
    ("simple_python_13", [("calculate_area_under_curve", {"function": "y=x**2", "interval": [1, 3.0]})],
     False, True),
    # arguments text '': BFCL's handler runs json.loads('') and fails the answer (decoder_failed)
    ("live_multiple_118-45-3", [("version_api_VersionApi_get_version", "")], False, True),
    ("live_multiple_118-45-3", [("version_api_VersionApi_get_version", "{}")], True, True),
    # irrelevance: a call whose arguments do not decode is no call for BFCL
    ("irrelevance_0", [("determine_body_mass_index", "")], True, False),
    ("irrelevance_0", [("determine_body_mass_index", {"weight": 70, "height": 1.75})], False, False),
]


@pytest.mark.parametrize(("bfcl_id", "calls", "bfcl_verdict", "default_verdict"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_bfcl_verdicts(bfcl: dict[str, Scenario], bfcl_id: str, calls: list[tuple[str, Any]], bfcl_verdict: bool,
                       default_verdict: bool) -> None:
    s = bfcl[bfcl_id]
    assert verdict(s, calls).correct is bfcl_verdict
    assert verdict(s, calls, compat=False).correct is default_verdict


def test_rejected_pairs_give_every_reason(bfcl: dict[str, Scenario]) -> None:
    s = bfcl["simple_python_0"]
    v = verdict(s, [("calculate_triangle_area", {"base": 10.0, "height": "5", "color": "red"})])
    assert v.faults == ["wrong_args"]
    assert v.verdicts[0].returned == 0
    assert v.verdicts[0].failures == (
        ("base", "expected integer, got float 10.0"), ("height", "expected integer, got string '5'"),
        ("color", "unexpected parameter"))
    empty = verdict(bfcl["live_multiple_118-45-3"], [("version_api_VersionApi_get_version", "")])
    assert "bfcl_decoder_failed" in empty.faults
    assert empty.verdicts[0].failures[0][1].startswith("arguments are not JSON")


def test_greedy_order_quirk_is_bfcls(bfcl: dict[str, Scenario]) -> None:
    """parallel_multiple_21 with its calls reversed still passes: each answer finds its own call by name."""
    s = bfcl["parallel_multiple_21"]
    calls = [("linear_regression_fit", {"x": "data['sales']", "y": "data['future_sales']",
                                        "return_residuals": True}), ("data_loading", {"file_path": "dataset.csv"})]
    assert verdict(s, calls).correct


@pytest.mark.parametrize("bfcl_id", ["live_simple_106-63-0", "live_simple_112-68-0", "live_multiple_862-181-3",
                                     "live_multiple_964-207-0"])
def test_unanswerable_entries_always_fail(bfcl: dict[str, Scenario], bfcl_id: str) -> None:
    """BFCL's checker accepts no answer to these: they are scenarios that fail, so category totals match."""
    s = bfcl[bfcl_id]
    assert s.meta["bfcl_unanswerable"]
    (item,) = s.meta["bfcl_answer"]
    ((name, params),) = item.items()
    first = {p: v[0] for p, v in params.items() if v and v[0] != ""}
    for compat in (True, False):
        v = verdict(s, [(name.replace(".", "_"), first)], compat)
        assert not v.correct
        assert "no_right_answer" in v.faults


def test_float_array_with_an_optional_answer_takes_ints(tmp_path: Path) -> None:
    """BFCL's item type check passes any items when '' (not a list) is among the answers."""
    question = {"id": "simple_python_9000", "question": [[{"role": "user", "content": "sum 1 and 2"}]],
                "function": [{"name": "sum_numbers", "description": "Sum.", "parameters": {
                    "type": "dict", "properties": {"numbers": {"type": "array", "items": {"type": "float"},
                                                               "description": "Numbers."}}, "required": []}}]}
    answer = {"id": "simple_python_9000", "ground_truth": [{"sum_numbers": {"numbers": ["", [1.0, 2.0]]}}]}
    (tmp_path / "possible_answer").mkdir()
    (tmp_path / "BFCL_v4_simple_python.json").write_text(json.dumps(question) + "\n")
    (tmp_path / "possible_answer" / "BFCL_v4_simple_python.json").write_text(json.dumps(answer) + "\n")
    import_bfcl(tmp_path, tmp_path / "out")
    (s,) = load_scenarios(tmp_path / "out")
    assert verdict(s, [("sum_numbers", {"numbers": [1, 2]})]).correct  # BFCL: True
    assert not verdict(s, [("sum_numbers", {"numbers": [1, 3]})]).correct


@pytest.mark.skipif(not os.environ.get("BFCL_CHECKOUT"), reason="no BFCL checkout (BFCL_CHECKOUT) to compare with")
def test_tools_are_byte_equal_to_bfcls_conversion(tmp_path: Path) -> None:
    """What replaykit sends is what BFCL sends, in every category: BFCL's own `convert_to_tool` on its
    language-hinted functions, run from the checkout."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    import bfcl_oracle

    oracle = bfcl_oracle.load()
    assert oracle is not None, "BFCL_CHECKOUT does not hold bfcl_eval"
    report = import_bfcl(DATA, tmp_path)
    imported = {s.meta["bfcl_id"]: s for s in load_scenarios(tmp_path)}
    compared = 0
    for category in report:
        for line in (DATA / f"BFCL_v4_{category}.json").read_text(encoding="utf-8").splitlines():
            question = json.loads(line)
            want = json.dumps(bfcl_oracle.bfcl_tools(oracle, question["function"], category))
            assert json.dumps(list(imported[question["id"]].tools)) == want, question["id"]
            compared += 1
    assert compared == sum(report.values()) == 3475
