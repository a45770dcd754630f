"""Scenario mistakes are refused with one message naming file, scenario id and field path; the CLI on top."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from scenario_helpers import EDIT_FILE_TOOL, READ_FILE_TOOL, base_scenario, multi_turn_scenario, write_yaml

from replaykit.canonical import content_hash
from replaykit.cli import main
from replaykit.errors import ScenarioError
from replaykit.scenarios import load_file, load_scenarios, validate_paths


def refused(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenarios(path)
    err = info.value
    assert "\n" not in str(err)
    count, errors = validate_paths([path])
    assert count == 0
    assert [str(e) for e in errors] == [str(err)], "validate must report the same single message"
    return err


def assert_names(err: ScenarioError, path: Path, sid: str | None, field: str | None, words: str) -> None:
    prefix = ": ".join(p for p in (str(path), sid, field) if p)
    assert str(err).startswith(prefix + ": "), str(err)
    assert (err.source, err.item or None, err.field) == (str(path), sid, field)
    assert words in err.message, err.message


# --- the valid baseline ----------------------------------------------------------------------------------


def test_baseline_scenarios_load(tmp_path):
    path = write_yaml(tmp_path / "a.yaml", [base_scenario(), multi_turn_scenario()])
    loaded = load_scenarios(path)
    assert [s.id for s in loaded] == ["coding.read_file", "coding.fix_typo_chain"]
    single = loaded.get("coding.read_file")
    assert single.category == "single" and single.tags == ("coding",) and single.source == str(path)
    assert single.expect.calls[0].name == "read_file"
    assert single.expect.calls[0].args.check({"path": "src/app.py"}) is None
    chain = loaded.get("coding.fix_typo_chain")
    assert len(chain.steps) == 3 and chain.steps[2].calls == ()
    assert chain.result_for("read_file", {"path": "README.md"}) == "# Demo\nThis is teh demo.\n"
    assert chain.result_for("read_file", {"path": "other.md"}) == {"error": "no such file or result"}
    assert chain.result_for("delete_file", {}) == {"error": "unknown tool delete_file"}
    assert chain.result_for("edit_file", {"path": "x"}) == {"ok": True}


def test_every_category_shape_that_fits_loads(tmp_path):
    two_tools = [copy.deepcopy(READ_FILE_TOOL), copy.deepcopy(EDIT_FILE_TOOL)]
    read = {"name": "read_file", "args": {"path": {"any": True}}}
    edit = {"name": "edit_file", "args": {"path": "a", "old": "b", "new": "c"}}
    scenarios = [
        base_scenario("s.multiple", category="multiple", tools=two_tools, expect={"calls": [read]}),
        base_scenario("s.parallel", category="parallel", expect={"calls": [read, read]}),
        base_scenario("s.parallel_multiple", category="parallel_multiple", tools=two_tools,
                      expect={"calls": [read, edit], "order": "strict"}),
        base_scenario("s.no_call", category="no_call", expect={"calls": []}),
    ]
    loaded = load_scenarios(write_yaml(tmp_path / "shapes.yaml", scenarios))
    assert [s.category for s in loaded] == ["multiple", "parallel", "parallel_multiple", "no_call"]
    assert loaded.get("s.parallel_multiple").expect.order == "strict"
    assert loaded.get("s.no_call").expect.calls == ()


def test_a_date_like_literal_stays_a_string(tmp_path):
    tool = {"type": "function", "function": {"name": "book", "parameters": {
        "type": "object", "properties": {"date": {"type": "string"}}, "required": ["date"]}}}
    call = {"name": "book", "args": {"date": None}}
    raw = base_scenario("cal.book", tools=[tool], expect={"calls": [call]})
    text = write_yaml(tmp_path / "d.yaml", raw).read_text().replace("date: null", "date: 2024-05-01")
    (tmp_path / "d.yaml").write_text(text)
    scenario = load_file(tmp_path / "d.yaml")[0]
    assert scenario.expect.calls[0].args.check({"date": "2024-05-01"}) is None
    assert scenario.expect.calls[0].args.check({"date": "2024-05-02"}) is not None
    quoted = load_file(write_yaml(tmp_path / "q" / "d.yaml", {**raw, "expect": {"calls": [
        {"name": "book", "args": {"date": "2024-05-01"}}]}}))[0]
    assert quoted.hash == scenario.hash


# --- one mistake, one message ----------------------------------------------------------------------------


def test_malformed_yaml_names_line_and_column(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: a.b\ncategory: single\ntools:\n  - type: function\n   function: {}\n")
    err = refused(path)
    assert_names(err, path, None, None, "invalid YAML: line 5, column 4")


def test_unterminated_flow_mapping(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: a.b\nmessages: [ {role: user\n")
    assert_names(refused(path), path, None, None, "invalid YAML: line 3, column 1")


def test_unknown_top_level_key(tmp_path):
    raw = base_scenario()
    raw["expected"] = raw.pop("expect")
    path = write_yaml(tmp_path / "a.yaml", raw)
    assert_names(refused(path), path, "coding.read_file", "expected", "unknown key")


def test_unknown_key_inside_expect(tmp_path):
    raw = base_scenario()
    raw["expect"]["ordr"] = "strict"
    path = write_yaml(tmp_path / "a.yaml", raw)
    assert_names(refused(path), path, "coding.read_file", "expect.ordr", "unknown key")


def test_unknown_key_inside_a_call(tmp_path):
    raw = base_scenario()
    call = raw["expect"]["calls"][0]
    call["arguments"] = call.pop("args")
    path = write_yaml(tmp_path / "a.yaml", raw)
    assert_names(refused(path), path, "coding.read_file", "expect.calls[0].arguments", "unknown key")


def test_bad_order(tmp_path):
    raw = base_scenario()
    raw["expect"]["order"] = "sorted"
    path = write_yaml(tmp_path / "a.yaml", raw)
    assert_names(refused(path), path, "coding.read_file", "expect.order", "any or strict")


def test_duplicate_ids_across_two_files_name_both(tmp_path):
    first = write_yaml(tmp_path / "a" / "one.yaml", base_scenario())
    second = write_yaml(tmp_path / "b" / "two.yaml", base_scenario())
    with pytest.raises(ScenarioError) as info:
        load_scenarios(tmp_path)
    err = info.value
    assert_names(err, second, "coding.read_file", "id", "duplicate id")
    assert str(first) in str(err)
    count, errors = validate_paths([tmp_path])
    assert count == 1
    assert [str(e) for e in errors] == [str(err)]


def test_duplicate_ids_in_one_list_file(tmp_path):
    path = write_yaml(tmp_path / "a.yaml", [base_scenario(), base_scenario()])
    with pytest.raises(ScenarioError, match="duplicate id"):
        load_scenarios(path)


def test_expected_call_of_a_tool_not_offered(tmp_path):
    raw = base_scenario()
    raw["expect"]["calls"][0]["name"] = "open_file"
    path = write_yaml(tmp_path / "a.yaml", raw)
    err = refused(path)
    assert_names(err, path, "coding.read_file", "expect.calls[0].name", "'open_file' is not an offered tool")
    assert "read_file" in err.message


def test_matcher_on_an_unknown_parameter(tmp_path):
    raw = base_scenario()
    raw["expect"]["calls"][0]["args"]["pth"] = "src/app.py"
    path = write_yaml(tmp_path / "a.yaml", raw)
    err = refused(path)
    assert_names(err, path, "coding.read_file", "expect.calls[0].args.pth", "unknown parameter")
    assert "path, encoding" in err.message


def test_bad_matcher_names_the_full_field_path(tmp_path):
    raw = base_scenario()
    raw["expect"]["calls"][0]["args"]["path"] = {"regex": "^src/"}
    path = write_yaml(tmp_path / "a.yaml", raw)
    field = "expect.calls[0].args.path.example"
    assert_names(refused(path), path, "coding.read_file", field, "needs an `example`")


@pytest.mark.parametrize("bad_id", ["Coding.Read", "coding read", "coding/read", ""])
def test_bad_id(tmp_path, bad_id):
    path = write_yaml(tmp_path / "a.yaml", base_scenario(bad_id))
    assert_names(refused(path), path, bad_id or None, "id", "[a-z0-9_.-]+")


def test_missing_id_in_a_list_names_the_position(tmp_path):
    path = write_yaml(tmp_path / "a.yaml", [base_scenario("ok.one"), base_scenario(id=None)])
    assert_names(refused(path), path, "[1]", "id", "must be a string")


def test_bad_category(tmp_path):
    path = write_yaml(tmp_path / "a.yaml", base_scenario(category="singel"))
    err = refused(path)
    assert_names(err, path, "coding.read_file", "category", "must be one of")
    assert "'singel'" in err.message


def test_single_with_two_tools_is_a_shape_mismatch(tmp_path):
    raw = base_scenario(tools=[copy.deepcopy(READ_FILE_TOOL), copy.deepcopy(EDIT_FILE_TOOL)])
    path = write_yaml(tmp_path / "a.yaml", raw)
    assert_names(refused(path), path, "coding.read_file", "category", "offers exactly one tool")


@pytest.mark.parametrize(("category", "calls", "rule"), [
    ("parallel", 1, "two or more calls of one tool"),
    ("no_call", 1, "expects no call"),
    ("single", 0, "exactly one tool and expects one call"),
])
def test_other_shape_mismatches(tmp_path, category, calls, rule):
    read = {"name": "read_file", "args": {"path": "a"}}
    raw = base_scenario(category=category, expect={"calls": [read] * calls})
    path = write_yaml(tmp_path / "a.yaml", raw)
    assert_names(refused(path), path, "coding.read_file", "category", rule)


def test_invalid_json_schema_in_a_tool(tmp_path):
    raw = base_scenario()
    raw["tools"][0]["function"]["parameters"]["properties"]["path"]["type"] = "strin"
    path = write_yaml(tmp_path / "a.yaml", raw)
    err = refused(path)
    assert_names(err, path, "coding.read_file", "tools[0].function.parameters.properties.path.type",
                 "invalid JSON Schema")


def test_tool_parameters_must_be_an_object_schema(tmp_path):
    raw = base_scenario()
    raw["tools"][0]["function"]["parameters"] = {"type": "array"}
    path = write_yaml(tmp_path / "a.yaml", raw)
    assert_names(refused(path), path, "coding.read_file", "tools[0].function.parameters", "type: object")


def test_duplicate_tool_names(tmp_path):
    tools = [copy.deepcopy(READ_FILE_TOOL), copy.deepcopy(READ_FILE_TOOL)]
    raw = base_scenario(category="multiple", tools=tools)
    path = write_yaml(tmp_path / "a.yaml", raw)
    assert_names(refused(path), path, "coding.read_file", "tools[1].function.name", "duplicate tool name")


def test_messages_without_a_user_message(tmp_path):
    raw = base_scenario(messages=[{"role": "system", "content": "You are a coding agent."}])
    path = write_yaml(tmp_path / "a.yaml", raw)
    assert_names(refused(path), path, "coding.read_file", "messages", "needs at least one user message")


def test_message_with_a_bad_role(tmp_path):
    raw = base_scenario(messages=[{"role": "human", "content": "hi"}])
    path = write_yaml(tmp_path / "a.yaml", raw)
    assert_names(refused(path), path, "coding.read_file", "messages[0].role", "must be one of")


def test_steps_on_a_scenario_that_is_not_multi_turn(tmp_path):
    raw = base_scenario(steps=[{"calls": []}])
    path = write_yaml(tmp_path / "a.yaml", raw)
    assert_names(refused(path), path, "coding.read_file", "steps", "only multi_turn")


def test_multi_turn_with_expect(tmp_path):
    raw = multi_turn_scenario()
    raw["expect"] = {"calls": []}
    path = write_yaml(tmp_path / "a.yaml", raw)
    assert_names(refused(path), path, "coding.fix_typo_chain", "expect", "use `steps`")


def test_tool_results_naming_an_unknown_tool(tmp_path):
    raw = multi_turn_scenario()
    raw["tool_results"][1]["name"] = "write_file"
    path = write_yaml(tmp_path / "a.yaml", raw)
    assert_names(refused(path), path, "coding.fix_typo_chain", "tool_results[1].name", "not an offered tool")


def test_tool_results_outside_multi_turn(tmp_path):
    raw = base_scenario(tool_results=[{"name": "read_file", "content": "x"}])
    path = write_yaml(tmp_path / "a.yaml", raw)
    assert_names(refused(path), path, "coding.read_file", "tool_results", "only multi_turn")


def test_a_step_calling_an_unknown_tool(tmp_path):
    raw = multi_turn_scenario()
    raw["steps"][1]["calls"][0]["name"] = "patch_file"
    path = write_yaml(tmp_path / "a.yaml", raw)
    field = "steps[1].calls[0].name"
    assert_names(refused(path), path, "coding.fix_typo_chain", field, "not an offered tool")


def test_expected_value_that_does_not_fit_the_schema(tmp_path):
    raw = base_scenario()
    raw["expect"]["calls"][0]["args"]["path"] = 5
    path = write_yaml(tmp_path / "a.yaml", raw)
    err = refused(path)
    assert_names(err, path, "coding.read_file", "expect.calls[0].args.path", "does not fit the tool's schema")
    assert "not of type 'string'" in err.message


def test_missing_required_parameter_does_not_fit_the_schema(tmp_path):
    raw = base_scenario()
    del raw["expect"]["calls"][0]["args"]["path"]
    path = write_yaml(tmp_path / "a.yaml", raw)
    err = refused(path)
    assert_names(err, path, "coding.read_file", "expect.calls[0].args", "does not fit the tool's schema")
    assert "'path' is a required property" in err.message


def test_tool_choice_naming_a_tool_not_offered(tmp_path):
    raw = base_scenario(tool_choice={"type": "function", "function": {"name": "edit_file"}})
    path = write_yaml(tmp_path / "a.yaml", raw)
    assert_names(refused(path), path, "coding.read_file", "tool_choice.function.name", "not an offered tool")


def test_bad_tag(tmp_path):
    path = write_yaml(tmp_path / "a.yaml", base_scenario(tags=["coding", "Has Space"]))
    assert_names(refused(path), path, "coding.read_file", "tags[1]", "must match")


def test_unreadable_file(tmp_path):
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe id: x\n")
    assert_names(refused(path), path, None, None, "cannot read")


def test_missing_path(tmp_path):
    path = tmp_path / "nowhere"
    with pytest.raises(ScenarioError) as info:
        load_scenarios(path)
    assert str(info.value) == f"{path}: no such file or folder"
    with pytest.raises(ScenarioError, match="no such file or folder"):
        validate_paths([path])


def test_non_mapping_document(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("just a sentence\n")
    assert_names(refused(path), path, None, None, "a scenario must be a mapping, got str")


def test_non_mapping_item_in_a_list(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("- 42\n")
    assert_names(refused(path), path, None, "[0]", "a scenario must be a mapping, got int")


def test_empty_file_holds_no_scenarios(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing here yet\n")
    assert len(load_scenarios(path)) == 0


def test_validate_reports_one_error_per_bad_file_and_counts_the_good(tmp_path):
    write_yaml(tmp_path / "good.yaml", [base_scenario("a.one"), base_scenario("a.two")])
    write_yaml(tmp_path / "bad_category.yaml", base_scenario("b.one", category="nope"))
    (tmp_path / "bad_yaml.yaml").write_text("id: [\n")
    bad_tool = base_scenario("c.one", expect={"calls": [{"name": "x"}]})
    write_yaml(tmp_path / "nested" / "bad_tool.yml", bad_tool)
    (tmp_path / "notes.txt").write_text("not a scenario: [")
    count, errors = validate_paths([tmp_path])
    assert count == 2
    names = sorted(Path(e.source).name for e in errors)
    assert names == ["bad_category.yaml", "bad_tool.yml", "bad_yaml.yaml"]


# --- the command line ------------------------------------------------------------------------------------


@pytest.fixture
def bad_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "bad"
    write_yaml(folder / "good.yaml", base_scenario("ok.read"))
    write_yaml(folder / "unknown_key.yaml", base_scenario("bad.key", expected={"calls": []}))
    (folder / "broken.yaml").write_text("id: x\n  category: single\n")
    write_yaml(folder / "sub" / "no_user.yaml",
               base_scenario("bad.user", messages=[{"role": "system", "content": "x"}]))
    return folder


def test_cli_validate_lists_each_bad_file_and_exits_2(bad_folder):
    result = CliRunner().invoke(main, ["scenarios", "validate", str(bad_folder)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 3
    assert all(line.startswith("error: ") for line in lines)
    assert any(f"{bad_folder / 'unknown_key.yaml'}: bad.key: expected: unknown key" in line for line in lines)
    assert any(f"{bad_folder / 'broken.yaml'}: invalid YAML: line 2" in line for line in lines)
    assert any(f"{bad_folder / 'sub' / 'no_user.yaml'}: bad.user: messages:" in line for line in lines)
    assert result.stdout.strip() == "1 valid scenarios, 3 errors"


def test_cli_validate_in_a_real_process_has_no_traceback(bad_folder):
    proc = subprocess.run([sys.executable, "-m", "replaykit", "scenarios", "validate", str(bad_folder)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert len(proc.stderr.splitlines()) == 3


def test_cli_validate_a_good_folder_exits_0(tmp_path):
    write_yaml(tmp_path / "a.yaml", [base_scenario("a.one"), multi_turn_scenario("a.two")])
    result = CliRunner().invoke(main, ["scenarios", "validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2 valid scenarios, 0 errors"


def test_cli_validate_a_missing_path_exits_2_with_one_line(tmp_path):
    command = [sys.executable, "-m", "replaykit", "scenarios", "validate", str(tmp_path / "nope")]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: {tmp_path / 'nope'}: no such file or folder"
    assert "Traceback" not in proc.stderr


@pytest.fixture
def library(tmp_path: Path) -> Path:
    two_tools = [copy.deepcopy(READ_FILE_TOOL), copy.deepcopy(EDIT_FILE_TOOL)]
    read = {"name": "read_file", "args": {"path": {"any": True}}}
    write_yaml(tmp_path / "lib" / "coding.yaml", [
        base_scenario("coding.read_file", tags=["coding", "fs"]),
        base_scenario("coding.pick_tool", category="multiple", tools=two_tools, expect={"calls": [read]},
                      tags=["coding"]),
    ])
    write_yaml(tmp_path / "lib" / "chat" / "smalltalk.yaml",
               base_scenario("chat.smalltalk", category="no_call", expect={"calls": []}, tags=["chat"]))
    write_yaml(tmp_path / "lib" / "chain.yaml", multi_turn_scenario("coding.fix_typo_chain"))
    return tmp_path / "lib"


def listed(library: Path, *args: str) -> list[str]:
    result = CliRunner().invoke(main, ["scenarios", "list", str(library), *args])
    assert result.exit_code == 0, result.output
    return [line.split()[0] for line in result.stdout.splitlines()]


def test_cli_list_everything(library):
    ids = listed(library)
    assert sorted(ids) == ["chat.smalltalk", "coding.fix_typo_chain", "coding.pick_tool", "coding.read_file"]


def test_cli_list_filter_glob(library):
    assert sorted(listed(library, "--filter", "coding.*")) == [
        "coding.fix_typo_chain", "coding.pick_tool", "coding.read_file"]
    assert listed(library, "--filter", "*small*") == ["chat.smalltalk"]
    assert listed(library, "--filter", "nothing*") == []


def test_cli_list_category(library):
    assert listed(library, "--category", "multiple") == ["coding.pick_tool"]
    assert listed(library, "--category", "multi_turn") == ["coding.fix_typo_chain"]
    result = CliRunner().invoke(main, ["scenarios", "list", str(library), "--category", "bogus"])
    assert result.exit_code == 2


def test_cli_list_tags_all_required(library):
    assert sorted(listed(library, "--tag", "coding")) == ["coding.pick_tool", "coding.read_file"]
    assert listed(library, "--tag", "coding", "--tag", "fs") == ["coding.read_file"]
    assert listed(library, "--tag", "chat", "--category", "single") == []


def test_cli_list_line_shows_category_tools_and_calls(library):
    args = ["scenarios", "list", str(library), "--filter", "coding.fix_typo_chain"]
    result = CliRunner().invoke(main, args)
    line = result.stdout.strip()
    assert "multi_turn" in line and "tools=2" in line and "calls=2" in line


def test_cli_show_prints_the_hash(library):
    scenario = load_scenarios(library).get("coding.read_file")
    result = CliRunner().invoke(main, ["scenarios", "show", "coding.read_file", "--scenarios", str(library)])
    assert result.exit_code == 0, result.output
    data = orjson.loads(result.stdout)
    assert data["hash"] == scenario.hash == content_hash(scenario.raw)
    assert data["hash"].startswith("sha256:") and len(data["hash"]) == len("sha256:") + 64
    assert data["id"] == "coding.read_file"
    assert data["source"] == str(library / "coding.yaml")
    assert data["expected_calls"] == [["read_file"]]


def test_cli_show_unknown_id_exits_2(library):
    proc = subprocess.run([sys.executable, "-m", "replaykit", "scenarios", "show", "no.such", "--scenarios",
                           str(library)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: {library}: no scenario with id 'no.such'"


def test_a_snapshot_is_built_once_per_content_and_never_stale() -> None:
    """`score` asks for a run's scenarios from its sweep and from its chunks: one build, keyed by content."""
    from replaykit.scenarios.loader import scenarios_from_snapshot

    snapshot = [base_scenario()]
    first = scenarios_from_snapshot(snapshot, "run/scenarios.json")
    assert scenarios_from_snapshot(copy.deepcopy(snapshot), "run/scenarios.json") is first
    changed = copy.deepcopy(snapshot)
    changed[0]["description"] = "another text"
    other = scenarios_from_snapshot(changed, "run/scenarios.json")
    assert other is not first and other.scenarios[0].hash != first.scenarios[0].hash
    with pytest.raises(ScenarioError, match=r"scenarios\.json"):
        bad = copy.deepcopy(snapshot)
        bad[0]["tools"][0]["function"]["parameters"]["type"] = "strin"
        scenarios_from_snapshot(bad, "run/scenarios.json")
