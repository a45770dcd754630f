"""BFCL import and the BFCL-compatible checking rules, on the real BFCL v4 data in ../shared/data/bfcl."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from replaykit.cli import main
from replaykit.errors import ScenarioError
from replaykit.normalize.outcome import Call
from replaykit.scenarios import Scenario, ScenarioSet, load_scenarios
from replaykit.scenarios.bfcl import BfclImport, import_bfcl
from replaykit.score.bfcl_compat import BFCL_RULES, bfcl_literal_equal, standardize_string
from replaykit.score.checker import StepVerdict, check_step

DATA = Path(__file__).resolve().parents[1] / "../shared/data/bfcl"
ALL = ("simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance", "live_simple",
       "live_multiple", "live_parallel", "live_parallel_multiple", "live_irrelevance")
WITH_ANSWERS = ("simple_python", "multiple", "parallel", "parallel_multiple", "live_simple", "live_multiple")
# Entries BFCL's own checker could never accept: scenarios that always fail, as BFCL counts them.
UNANSWERABLE = {"live_simple_106-63-0", "live_simple_112-68-0", "live_multiple_862-181-3",
               "live_multiple_964-207-0"}

NO_DATA = f"BFCL v4 data files not provided ({DATA.resolve()}): BFCL's data/ folder, kept outside the repository"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=NO_DATA)


# ---------------------------------------------------------------- the data, read as BFCL means it


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@cache
def questions(category: str) -> list[dict[str, Any]]:
    return _lines(DATA / f"BFCL_v4_{category}.json")


@cache
def answers(category: str) -> dict[str, list[dict[str, Any]]]:
    return {a["id"]: a["ground_truth"] for a in _lines(DATA / "possible_answer" / f"BFCL_v4_{category}.json")}


def _first(answer: Any) -> Any:
    """A BFCL dict answer {key: [values]} with each key's first value ('' first: key left out)."""
    return {k: v[0] for k, v in answer.items() if v and v[0] != ""} if isinstance(answer, dict) else answer


def first_calls(question: dict[str, Any], truth: list[dict[str, Any]]) -> list[Call]:
    """The calls made of each parameter's first acceptable value (parameters whose first value is '' left
    out); BFCL's dict answers {key: [values]} take each key's first value the same way."""
    functions = {f["name"]: f for f in question["function"]}
    calls = []
    for item in truth:
        (name, params), = item.items()
        props = functions[name]["parameters"].get("properties", {})
        args = {}
        for param, values in params.items():
            if not values or values[0] == "":
                continue
            value, kind = values[0], props.get(param, {}).get("type")
            item_kind = props.get(param, {}).get("items", {}).get("type")
            if kind == "dict" and isinstance(value, dict):
                value = _first(value)
            elif kind in ("array", "tuple") and item_kind == "dict" and isinstance(value, list):
                value = [_first(v) for v in value]
            args[param] = value
        calls.append(Call(name.replace(".", "_"), json.dumps(args), args))
    return calls


def call(name: str, **args: Any) -> Call:
    return Call(name, json.dumps(args), args)


RULE_SETS = pytest.mark.parametrize("bfcl", [False, True], ids=["default", "bfcl"])


def _check(s: Scenario, calls: list[Call], bfcl: bool) -> StepVerdict:
    """The default checker (optimal matching), or `--bfcl-compat` (BFCL's rules, greedy matching)."""
    if bfcl:
        return check_step(s.expect, calls, s.tool_names, rules=BFCL_RULES, greedy=True)
    return check_step(s.expect, calls, s.tool_names)


# ---------------------------------------------------------------- fixtures: one import, loaded per category


@pytest.fixture(scope="session")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[BfclImport, Path]:
    if not DATA.is_dir():
        pytest.skip(NO_DATA)
    out = tmp_path_factory.mktemp("bfcl")
    return import_bfcl(DATA, out), out


@pytest.fixture(scope="session")
def scenarios_of(imported: tuple[BfclImport, Path]) -> Callable[[str], ScenarioSet]:
    out = imported[1]
    return cache(lambda category: load_scenarios(out / f"bfcl_{category}.yaml"))


def scenario(scenarios_of: Callable[[str], ScenarioSet], category: str, bfcl_id: str) -> Scenario:
    found = scenarios_of(category).get(f"bfcl.{bfcl_id}")
    assert found is not None, bfcl_id
    return found


# ---------------------------------------------------------------- import: every category, valid


@needs_data
def test_all_categories_import_and_validate(imported: tuple[BfclImport, Path],
                                            scenarios_of: Callable[[str], ScenarioSet]) -> None:
    report, out = imported
    assert set(report) == set(ALL)
    assert sorted(p.name for p in out.iterdir()) == sorted(f"bfcl_{c}.yaml" for c in ALL)
    assert report.skipped == []
    assert {s.bfcl_id for s in report.unanswerable} == UNANSWERABLE, report.unanswerable
    ids: set[str] = set()
    for category in ALL:
        loaded = scenarios_of(category)  # the validator, on every scenario of the file
        assert report[category] == len(loaded) == len(questions(category)), category
        for s in loaded:
            assert s.meta["bfcl_category"] == category
            assert s.tags == ("bfcl", category)
            assert s.id == "bfcl." + s.meta["bfcl_id"].lower()
            assert (s.category == "no_call") == category.endswith("irrelevance")
        ids |= {s.id for s in loaded}
    assert len(ids) == sum(report.values())


@needs_data
@pytest.mark.parametrize(("category", "kinds"), [
    ("simple_python", {"single"}), ("multiple", {"multiple"}), ("parallel", {"parallel"}),
    # a few parallel_multiple entries call one function several times: `parallel` by shape
    ("parallel_multiple", {"parallel_multiple", "parallel"}), ("irrelevance", {"no_call"}),
])
def test_categories_follow_the_answer_shape(category: str, kinds: set[str],
                                            scenarios_of: Callable[[str], ScenarioSet]) -> None:
    loaded = scenarios_of(category)
    assert {s.category for s in loaded} == kinds
    truth = answers(category) if category != "irrelevance" else {}
    for s in loaded:
        names = [next(iter(item)) for item in truth.get(s.meta["bfcl_id"], [])]
        assert len(s.expect.calls) == len(names)
        if s.category == "parallel":
            assert len(set(names)) == 1
        if s.category == "parallel_multiple":
            assert len(set(names)) > 1


@needs_data
def test_tools_are_bfcls_native_conversion(scenarios_of: Callable[[str], ScenarioSet]) -> None:
    s = scenario(scenarios_of, "simple_python", "simple_python_1")  # math.factorial
    assert s.tool_names == ("math_factorial",)
    assert s.meta["original_names"] == {"math_factorial": "math.factorial"}
    assert s.expect.calls[0].name == "math_factorial"
    # BFCL's own JSON, byte for byte: the Python hint, type mapping, key order kept
    assert json.dumps(list(scenario(scenarios_of, "simple_python", "simple_python_0").tools)) == (
        '[{"type": "function", "function": {"name": "calculate_triangle_area", "description": "Calculate the area '
        'of a triangle given its base and height. Note that the provided function is in Python 3 syntax.", '
        '"parameters": {"type": "object", "properties": {"base": {"type": "integer", "description": "The base of '
        'the triangle."}, "height": {"type": "integer", "description": "The height of the triangle."}, "unit": '
        '{"type": "string", "description": "The unit of measure (defaults to \'units\' if not specified)"}}, '
        '"required": ["base", "height"]}}}]')
    kinds = {}
    for s in scenarios_of("simple_python"):
        for tool in s.tools:
            assert tool["function"]["parameters"]["type"] == "object"
            for prop in tool["function"]["parameters"]["properties"].values():
                kinds[prop["type"]] = prop
    # dict, float, tuple, any, integer, string, boolean, array
    assert set(kinds) == {"string", "integer", "number", "boolean", "array", "object"}
    assert kinds["number"]["format"] == "float"
    assert kinds["number"]["description"].endswith("This is a float type value.")
    # multiple_0: BFCL sends its `optional: true` as it is
    get_area = scenario(scenarios_of, "multiple", "multiple_0").tool_schema("triangle_properties_get")
    assert get_area is not None
    assert get_area["properties"]["get_area"] == {
        "type": "boolean", "description": "A flag to determine whether to calculate the area of triangle. "
        "Default is true.", "default": True, "optional": True}
    # live_multiple_146-58-0: BFCL writes an array's item enum on the array itself, and sends it so; the
    # scoring schema has it on the items, where JSON Schema reads it as meant
    sensors = scenario(scenarios_of, "live_multiple", "live_multiple_146-58-0")
    metrics = (sensors.tool_schema("get_sensor_readings_latest") or {})["properties"]["metrics"]
    assert metrics["enum"][:3] == ["temperature", "humidity", "co2"]
    scored = (sensors.score_schema("get_sensor_readings_latest") or {})["properties"]["metrics"]
    assert "enum" not in scored
    assert scored["items"]["enum"][:3] == ["temperature", "humidity", "co2"]


def _enums(schema: Any, path: str = "") -> Iterator[tuple[str, list[Any]]]:
    if isinstance(schema, dict):
        if isinstance(schema.get("enum"), list):
            yield path, schema["enum"]
        for key, value in schema.items():
            if key != "enum":
                yield from _enums(value, f"{path}.{key}")


@needs_data
@pytest.mark.parametrize("category", ALL)
def test_sent_enums_are_bfcls(category: str, scenarios_of: Callable[[str], ScenarioSet]) -> None:
    """Widening an enum with an answer value would tell the model the answer: the tools sent carry exactly
    BFCL's enums (a widened one lives in score_schemas)."""
    loaded = scenarios_of(category)
    for question in questions(category):
        s = loaded.get("bfcl." + question["id"].lower())
        assert s is not None
        for fn, tool in zip(question["function"], s.tools, strict=True):
            assert list(_enums(tool["function"]["parameters"])) == list(_enums(fn["parameters"])), s.id


@needs_data
def test_widened_enums_stay_on_the_scoring_side(scenarios_of: Callable[[str], ScenarioSet]) -> None:
    # live_simple_..., set_countdown.duration: BFCL accepts "5 minutes", which its enum does not list
    widened = [(s, n) for c in ("live_simple", "live_multiple") for s in scenarios_of(c)
               for n in s.meta.get("bfcl_scoring_widened", []) if ": enum also " in n]
    assert len(widened) > 60
    s, note = next((s, n) for s, n in widened if n.startswith("set_countdown.duration"))
    assert note == 'set_countdown.duration: enum also "5 minutes"'
    assert "5 minutes" not in (s.tool_schema("set_countdown") or {})["properties"]["duration"]["enum"]
    assert "5 minutes" in (s.score_schema("set_countdown") or {})["properties"]["duration"]["enum"]


@needs_data
def test_answers_become_matchers(imported: tuple[BfclImport, Path]) -> None:
    raw = yaml.safe_load((imported[1] / "bfcl_simple_python.yaml").read_text(encoding="utf-8"))
    by_id = {s["meta"]["bfcl_id"]: s for s in raw}
    # {"base": [10], "height": [5], "unit": ["units", ""]}: '' reads as "may be omitted", and for a string
    # BFCL also takes an explicit empty string.
    assert by_id["simple_python_0"]["expect"]["calls"][0]["args"] == {
        "base": {"one_of": [10]}, "height": {"one_of": [5]},
        "unit": {"one_of": ["units", ""], "optional": True}}
    # {"x": [4], "y": [5], "z": ["", 0]}: an integer has no empty value.
    assert by_id["simple_python_2"]["expect"]["calls"][0]["args"]["z"] == {"one_of": [0], "optional": True}


@needs_data
@RULE_SETS
def test_only_empty_answer_means_absent(bfcl: bool, scenarios_of: Callable[[str], ScenarioSet]) -> None:
    # live_multiple_406-140-2: "number_of_seats": [""] - BFCL rejects any value, even the default 1.
    s = scenario(scenarios_of, "live_multiple", "live_multiple_406-140-2")
    (expected,) = s.expect.calls
    assert "number_of_seats" not in expected.args.fields
    args = {k: m.example() for k, m in expected.args.fields.items() if not m.optional}
    assert _check(s, [call(expected.name, **args)], bfcl).correct
    verdict = _check(s, [call(expected.name, **args, number_of_seats=1)], bfcl)
    assert verdict.verdicts[0].failures == (("number_of_seats", "unexpected parameter"),)
    # multiple_178: "deck": [""] for an array - BFCL reads '' as [] there, so only [] or no deck passes.
    m = scenario(scenarios_of, "multiple", "multiple_178")
    card = {"rank": "Queen", "suit": "Hearts"}
    assert _check(m, [call("find_card_in_deck", **card)], bfcl).correct
    assert _check(m, [call("find_card_in_deck", **card, deck=[])], bfcl).correct
    assert not _check(m, [call("find_card_in_deck", **card, deck=[card])], bfcl).correct


@needs_data
def test_float_answers_and_dict_answers(scenarios_of: Callable[[str], ScenarioSet]) -> None:
    # live_multiple_121-46-0: float params given as ints in BFCL's answer; dict params as {key: [values]}.
    s = scenario(scenarios_of, "live_multiple", "live_multiple_121-46-0")
    question = next(q for q in questions("live_multiple") if q["id"] == "live_multiple_121-46-0")
    calls = first_calls(question, answers("live_multiple")["live_multiple_121-46-0"])
    assert check_step(s.expect, calls, s.tool_names, rules=BFCL_RULES, greedy=True).correct
    assert check_step(s.expect, calls, s.tool_names).correct
    args = dict(calls[0].arguments or {})
    args["ego_info"] = {**args["ego_info"], "extra": 1}
    verdict = check_step(s.expect, [call(calls[0].name, **args)], s.tool_names, rules=BFCL_RULES)
    assert verdict.verdicts[0].failures[0][0] == "ego_info"


@needs_data
def test_nulls_widen_the_scoring_schema_only(scenarios_of: Callable[[str], ScenarioSet]) -> None:
    # live_multiple_23-5-0: "brand": ["", null] for a string parameter; BFCL accepts null (its default).
    s = scenario(scenarios_of, "live_multiple", "live_multiple_23-5-0")
    sent = s.tool_schema("search_products")["properties"]["brand"]  # type: ignore[index]
    assert sent["type"] == "string"  # the question is BFCL's
    scored = s.score_schema("search_products")["properties"]["brand"]  # type: ignore[index]
    assert scored["type"] == ["string", "null"]
    assert any("brand" in note for note in s.meta["bfcl_scoring_widened"])
    assert s.expect.calls[0].args.fields["brand"].optional


# ---------------------------------------------------------------- acceptance of BFCL's first answers


def _acceptance(category: str, scenarios: ScenarioSet, check: Callable[[Scenario, list[Call]], StepVerdict],
                reverse: bool) -> tuple[int, list[str]]:
    failures = []
    for question in questions(category):
        s = scenarios.get("bfcl." + question["id"].lower())
        if s is None:
            failures.append(f"{question['id']}: not imported")
            continue
        calls = first_calls(question, answers(category)[question["id"]])
        verdict = check(s, list(reversed(calls)) if reverse else calls)
        if not verdict.correct:
            reasons = [f"{k}: {r}" for v in verdict.verdicts for k, r in v.failures]
            failures.append(f"{question['id']}: {verdict.faults} {reasons}")
    return len(questions(category)), failures


@needs_data
@pytest.mark.parametrize("category", WITH_ANSWERS)
def test_first_answers_accepted_by_default_checker(category: str,
                                                   scenarios_of: Callable[[str], ScenarioSet]) -> None:
    total, failures = _acceptance(category, scenarios_of(category),
                                  lambda s, calls: _check(s, calls, bfcl=False), reverse=True)
    assert len(failures) <= total // 100, "\n".join(failures)


@needs_data
@pytest.mark.parametrize("category", WITH_ANSWERS)
def test_first_answers_accepted_by_bfcl_rules(category: str,
                                              scenarios_of: Callable[[str], ScenarioSet]) -> None:
    total, failures = _acceptance(category, scenarios_of(category),
                                  lambda s, calls: _check(s, calls, bfcl=True), reverse=False)
    assert len(failures) <= total // 100, "\n".join(failures)


@needs_data
def test_bfcl_inconsistencies_fail_as_in_bfcl(scenarios_of: Callable[[str], ScenarioSet]) -> None:
    # simple_python_200: "fuel_efficiency": ["", 25.0] but the schema requires it; BFCL rejects its omission.
    s = scenario(scenarios_of, "simple_python", "simple_python_200")
    question = next(q for q in questions("simple_python") if q["id"] == "simple_python_200")
    calls = first_calls(question, answers("simple_python")["simple_python_200"])
    verdict = check_step(s.expect, calls, s.tool_names, rules=BFCL_RULES, greedy=True)
    assert verdict.verdicts[0].failures == (("fuel_efficiency", "missing"),)


# ---------------------------------------------------------------- perturbations fail, with the right reason

TRIANGLE = {"base": 10, "height": 5}  # simple_python_0: calculate_triangle_area


@needs_data
@RULE_SETS
def test_perturbed_arguments_fail(bfcl: bool, scenarios_of: Callable[[str], ScenarioSet]) -> None:
    s = scenario(scenarios_of, "simple_python", "simple_python_0")
    assert _check(s, [call("calculate_triangle_area", **TRIANGLE)], bfcl).correct
    cases = {
        "wrong type": ({**TRIANGLE, "base": "10"}, "base", "expected integer 10, got string '10'"),
        "bool for int": ({**TRIANGLE, "height": True}, "height", "expected integer 5, got boolean True"),
        "missing required": ({"base": 10}, "height", "missing"),
        "extra parameter": ({**TRIANGLE, "color": "red"}, "color", "unexpected parameter"),
        "wrong value": ({**TRIANGLE, "base": 11}, "base", "expected 10, got 11"),
        "wrong optional value": ({**TRIANGLE, "unit": "cm"}, "unit", "'cm' is none of [\"'units'\", \"''\"]"),
    }
    if bfcl:  # BFCL does not take 10.0 for an int; the default rules compare JSON numbers
        cases["float for int"] = ({**TRIANGLE, "base": 10.0}, "base", "expected 10, got 10.0")
    else:
        assert _check(s, [call("calculate_triangle_area", base=10.0, height=5)], bfcl).correct
    for label, (args, param, reason) in cases.items():
        verdict = _check(s, [call("calculate_triangle_area", **args)], bfcl)
        assert not verdict.correct, label
        assert verdict.faults == ["wrong_args"], label
        assert verdict.verdicts[0].failures == ((param, reason),), label


@needs_data
@RULE_SETS
def test_wrong_function_fails(bfcl: bool, scenarios_of: Callable[[str], ScenarioSet]) -> None:
    s = scenario(scenarios_of, "simple_python", "simple_python_0")
    verdict = _check(s, [call("calculate_triangle_areas", **TRIANGLE)], bfcl)
    assert not verdict.correct
    assert verdict.faults == ["unknown_tool", "wrong_tool"]
    m = scenario(scenarios_of, "multiple", "multiple_178")  # find_card_in_deck among four tools
    other = next(n for n in m.tool_names if n != "find_card_in_deck")
    verdict = _check(m, [call(other, rank="Queen", suit="Hearts")], bfcl)
    assert verdict.faults == ["wrong_tool"]
    assert verdict.extra == [0]


@needs_data
@RULE_SETS
def test_parallel_count_must_match(bfcl: bool, scenarios_of: Callable[[str], ScenarioSet]) -> None:
    s = scenario(scenarios_of, "parallel", "parallel_178")
    question = next(q for q in questions("parallel") if q["id"] == "parallel_178")
    calls = first_calls(question, answers("parallel")["parallel_178"])
    assert _check(s, calls, bfcl).correct
    assert _check(s, calls[:-1], bfcl).faults == ["missing_call"]
    assert _check(s, [*calls, calls[0]], bfcl).faults == ["extra_call"]
    assert _check(s, [], bfcl).faults == ["missing_call"]


@needs_data
@RULE_SETS
def test_irrelevance_wants_no_call(bfcl: bool, scenarios_of: Callable[[str], ScenarioSet]) -> None:
    s = scenario(scenarios_of, "irrelevance", "irrelevance_0")
    assert _check(s, [], bfcl).correct
    verdict = _check(s, [call(s.tool_names[0])], bfcl)
    assert not verdict.correct
    assert verdict.faults == ["extra_call"]


@needs_data
def test_bfcl_rules_forgive_what_bfcl_forgives(scenarios_of: Callable[[str], ScenarioSet]) -> None:
    s = scenario(scenarios_of, "simple_python", "simple_python_0")
    # strings normalized: case, spaces and ,./-_*^ do not count
    forgiven = call("calculate_triangle_area", base=10, height=5, unit="U-N_I.T S")
    assert _check(s, [forgiven], bfcl=True).correct
    assert not _check(s, [forgiven], bfcl=False).correct
    # an explicit empty string where '' is listed
    assert _check(s, [call("calculate_triangle_area", base=10, height=5, unit="")], bfcl=True).correct
    # an int where a float is expected (simple_python_200's fuel_efficiency: [25.0])
    f = scenario(scenarios_of, "simple_python", "simple_python_200")
    fields = f.expect.calls[0].args.fields
    assert fields["fuel_efficiency"].check(25, BFCL_RULES) is None
    assert fields["fuel_efficiency"].check(True, BFCL_RULES) is not None


# ---------------------------------------------------------------- greedy (BFCL) against optimal matching


@needs_data
def test_greedy_rejects_a_correct_answer_in_another_order(scenarios_of: Callable[[str], ScenarioSet]) -> None:
    # parallel_178: BFCL's first expected call accepts Microsoft or Apple on 2022-01-01, so when Apple's call
    # comes first, greedy matching gives it away and the expected Apple call finds nothing left.
    s = scenario(scenarios_of, "parallel", "parallel_178")
    calls = [call("get_stock_price", company_name=c, date=d, exchange="NASDAQ")
             for c, d in (("Apple", "2022-01-01"), ("Microsoft", "2022-01-01"), ("Microsoft", "2022-02-01"),
                          ("Apple", "2022-02-01"))]
    greedy = check_step(s.expect, calls, s.tool_names, rules=BFCL_RULES, greedy=True)
    assert not greedy.correct
    assert greedy.faults == ["wrong_args"]
    assert check_step(s.expect, calls, s.tool_names, rules=BFCL_RULES).correct
    assert check_step(s.expect, calls, s.tool_names).correct
    assert check_step(s.expect, calls[1:2] + calls[:1] + calls[2:], s.tool_names, rules=BFCL_RULES,
                      greedy=True).correct


# ---------------------------------------------------------------- bad input, and the CLI


@needs_data
def test_cli_imports_one_category(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["import", "bfcl", str(DATA / "BFCL_v4_live_simple.json"),
                                       "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "live_simple                258 scenarios" in result.output
    assert "2 scenarios always fail, as in BFCL (no answer can pass):" in result.output
    assert "live_simple_106-63-0 (live_simple): " in result.output
    assert "skipped" not in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["bfcl_live_simple.yaml"]
    assert len(load_scenarios(tmp_path)) == 258


@needs_data
def test_cli_category_option(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["import", "bfcl", str(DATA), "--out", str(tmp_path),
                                       "--category", "parallel", "--category", "irrelevance"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bfcl_irrelevance.yaml", "bfcl_parallel.yaml"]
    assert "440 scenarios written" in result.output


def test_cli_missing_path_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    result = CliRunner().invoke(main, ["import", "bfcl", str(missing), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [f"error: {missing}: no such file or folder"]
    assert "Traceback" not in result.output


@needs_data
def test_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    lines = (DATA / "BFCL_v4_simple_python.json").read_text(encoding="utf-8").splitlines()[:3]
    answer_lines = (DATA / "possible_answer" / "BFCL_v4_simple_python.json").read_text().splitlines()[:3]
    (tmp_path / "possible_answer").mkdir()
    (tmp_path / "possible_answer" / "BFCL_v4_simple_python.json").write_text("\n".join(answer_lines) + "\n")
    bad = tmp_path / "BFCL_v4_simple_python.json"
    bad.write_text("\n".join([*lines[:2], lines[2][:-10]]) + "\n")
    with pytest.raises(ScenarioError) as err:
        import_bfcl(bad, tmp_path / "out")
    assert str(err.value).startswith(f"{bad}: line 3: invalid JSON")
    result = CliRunner().invoke(main, ["import", "bfcl", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


@needs_data
def test_missing_answers_and_unsupported_files(tmp_path: Path) -> None:
    lonely = tmp_path / "BFCL_v4_parallel.json"
    lonely.write_text((DATA / "BFCL_v4_parallel.json").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="no possible answers for category parallel"):
        import_bfcl(lonely, tmp_path / "out")
    java = tmp_path / "BFCL_v4_java.json"
    java.write_text("{}\n")
    with pytest.raises(ScenarioError, match="not a BFCL question file of a supported category"):
        import_bfcl(java, tmp_path / "out")
    with pytest.raises(ScenarioError, match="category 'java' not found"):
        import_bfcl(DATA, tmp_path / "out", categories=["java"])


# ---------------------------------------------------------------- the rules themselves


def test_standardize_string() -> None:
    assert standardize_string("April 1, 2024") == standardize_string("april 1 2024") == "april12024"
    assert standardize_string("New-York_City.") == "newyorkcity"
    assert standardize_string("a*b^c/d") == "abcd"
    assert standardize_string("it's") == 'it"s'
    assert standardize_string("Ünïcode") == "ünïcode"
    assert standardize_string("a+b") == "a+b"  # only ,./-_*^ and spaces go


@pytest.mark.parametrize(("expected", "actual", "accepted"), [
    ("New York", "new york", True), ("New York", "new-york", True),
    ("San Francisco, CA", "San Francisco CA", True),
    ("It's", 'it"s', True), ("Paris", "Pari", False), ("10", 10, False),
    (2.5, 2.5, True), (25.0, 25, True), (10, 10, True), (10, 10.0, False), (10, 11, False),
    (True, True, True), (True, 1, False), (1, True, False), (1.0, True, False), (False, 0.0, False),
    (None, None, True), (None, "None", False), ("", None, False),
    (["New York", "LA"], ["new york", "l.a."], True), ([1.0, 2.0], [1, 2], True), ([1, 2], [1.0, 2], False),
    ([1, 2], [2, 1], False), ([1], [1, 1], False), ([True], [1], False),
    ({"city": "Paris", "n": 2}, {"n": 2, "city": "PARIS"}, True), ({"a": 1}, {"a": 1, "b": 2}, False),
    ({"a": [1.0]}, {"a": [1]}, True), ({"a": 1}, [("a", 1)], False),
])
def test_bfcl_literal_equal(expected: Any, actual: Any, accepted: bool) -> None:
    assert bfcl_literal_equal(expected, actual, False) is accepted
    assert BFCL_RULES.literal_equal(expected, actual, True) is accepted
