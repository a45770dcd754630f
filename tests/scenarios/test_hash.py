"""The content hash: blind to YAML formatting, sensitive to every change of meaning."""

from __future__ import annotations

import copy
from pathlib import Path

import orjson
import pytest
from scenario_helpers import EDIT_FILE_TOOL, base_scenario, multi_turn_scenario, write_yaml

from replaykit.canonical import content_hash
from replaykit.scenarios import load_file, load_scenarios, scenarios_from_snapshot

BLOCK = """\
id: coding.read_file
category: single
tags: [coding]
tools:
  - type: function
    function:
      name: read_file
      description: Read a text file
      parameters:
        type: object
        properties:
          path: {type: string}
          encoding: {type: string}
        required: [path]
messages:
  - {role: system, content: You are a coding agent.}
  - {role: user, content: Show me src/app.py}
expect:
  calls:
    - name: read_file
      args:
        path: src/app.py
        encoding: {one_of: [utf-8, utf8], optional: true}
"""

# Same meaning: other key order, block vs flow style, quoting, comments, indentation, document markers.
REWRITTEN = """\
%YAML 1.1
---
# a comment before everything
expect:   # the right answer
    calls:
    -   args:
            encoding:
                optional: yes
                one_of:
                - 'utf-8'
                - "utf8"
            path: "src/app.py"   # quoted this time
        name: 'read_file'
messages: [{content: "You are a coding agent.", role: system},
           {content: 'Show me src/app.py', role: "user"}]
tools: [{function: {description: "Read a text file", name: read_file, parameters: {required: [path],
        properties: {encoding: {type: string}, path: {type: "string"}}, type: object}}, type: function}]
tags:
- coding
category: "single"
id: coding.read_file
...
"""

ANCHORED = """\
id: coding.read_file
category: single
tags: [coding]
tools:
  - type: function
    function:
      name: read_file
      description: Read a text file
      parameters:
        type: object
        properties:
          path: &string {type: string}
          encoding: *string
        required: [path]
messages:
  - {role: system, content: &sys You are a coding agent.}
  - {role: user, content: Show me src/app.py}
expect:
  calls:
    - name: read_file
      args:
        path: src/app.py
        encoding: &enc {one_of: [utf-8, utf8], optional: true}
"""

LITERAL_BLOCK = BLOCK.replace(
    "  - {role: user, content: Show me src/app.py}\n",
    "  - role: user\n    content: >-\n      Show me\n      src/app.py\n",
)


def hash_of(tmp_path: Path, text: str, name: str = "s.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    (scenario,) = load_file(path)
    return scenario.hash


@pytest.fixture
def reference(tmp_path: Path) -> str:
    return hash_of(tmp_path, BLOCK, "reference.yaml")


def test_hash_is_sha256_of_the_canonical_json(tmp_path, reference):
    assert reference == content_hash(base_scenario())
    assert reference.startswith("sha256:") and len(reference) == 7 + 64


@pytest.mark.parametrize("text", [REWRITTEN, ANCHORED, LITERAL_BLOCK], ids=["rewritten", "anchors", "folded"])
def test_formatting_does_not_change_the_hash(tmp_path, reference, text):
    assert hash_of(tmp_path, text) == reference


def test_dumped_with_sorted_keys_or_other_width(tmp_path, reference):
    import yaml

    raw = base_scenario()
    for i, options in enumerate([{"sort_keys": True}, {"default_flow_style": True, "width": 40},
                                 {"indent": 4, "default_style": '"'}]):
        text = yaml.safe_dump(raw, **options)
        assert hash_of(tmp_path, text, f"v{i}.yaml") == reference, options


def test_reversed_key_order_everywhere(tmp_path, reference):
    def reverse(value):
        if isinstance(value, dict):
            return {k: reverse(v) for k, v in reversed(list(value.items()))}
        if isinstance(value, list):
            return [reverse(v) for v in value]
        return value

    path = write_yaml(tmp_path / "rev.yaml", reverse(base_scenario()))
    assert load_file(path)[0].hash == reference


def two_calls(order: list[str]) -> dict:
    calls = {"a.py": {"name": "read_file", "args": {"path": "a.py"}},
             "b.py": {"name": "read_file", "args": {"path": "b.py"}}}
    return base_scenario(category="parallel", expect={"calls": [calls[k] for k in order]})


def _message(raw):
    raw["messages"][1]["content"] = "Show me src/app.py please"


def _role(raw):
    raw["messages"][0]["role"] = "developer"


def _description(raw):
    raw["tools"][0]["function"]["description"] = "Read a UTF-8 text file"


def _schema(raw):
    raw["tools"][0]["function"]["parameters"]["required"] = ["path", "encoding"]
    raw["expect"]["calls"][0]["args"]["encoding"] = "utf-8"


def _matcher_value(raw):
    raw["expect"]["calls"][0]["args"]["path"] = "src/App.py"


def _matcher_kind(raw):
    raw["expect"]["calls"][0]["args"]["encoding"]["optional"] = False


def _one_of_order(raw):
    raw["expect"]["calls"][0]["args"]["encoding"]["one_of"] = ["utf8", "utf-8"]


def _literal_type(raw):
    raw["expect"]["calls"][0]["args"]["path"] = {"equals": "src/app.py", "ignore_case": True}


def _tag(raw):
    raw["tags"] = ["coding", "fs"]


def _no_tags(raw):
    del raw["tags"]


def _order(raw):
    raw["expect"]["order"] = "strict"


def _tool_choice(raw):
    raw["tool_choice"] = "required"


@pytest.mark.parametrize("change", [
    _message, _role, _description, _schema, _matcher_value, _matcher_kind, _one_of_order, _literal_type, _tag,
    _no_tags, _order, _tool_choice,
])
def test_every_change_of_meaning_changes_the_hash(tmp_path, reference, change):
    raw = base_scenario()
    change(raw)
    path = write_yaml(tmp_path / "changed.yaml", raw)
    assert load_file(path)[0].hash != reference


def test_order_of_expected_calls_changes_the_hash(tmp_path):
    ab = load_file(write_yaml(tmp_path / "ab.yaml", two_calls(["a.py", "b.py"])))[0]
    ba = load_file(write_yaml(tmp_path / "ba.yaml", two_calls(["b.py", "a.py"])))[0]
    assert ab.hash != ba.hash


def test_quoted_number_is_a_different_value(tmp_path, reference):
    tool = {"type": "function", "function": {"name": "head", "parameters": {
        "type": "object", "properties": {"n": {"type": ["integer", "string"]}}}}}
    raw = base_scenario("x.head", tools=[tool], expect={"calls": [{"name": "head", "args": {"n": 10}}]})
    text = write_yaml(tmp_path / "n.yaml", raw).read_text()
    assert "n: 10" in text
    as_int = hash_of(tmp_path, text, "int.yaml")
    as_str = hash_of(tmp_path, text.replace("n: 10", "n: '10'"), "str.yaml")
    assert as_int != as_str


def test_list_file_and_separate_files_give_the_same_hashes(tmp_path):
    scenarios = [base_scenario(), multi_turn_scenario(),
                 base_scenario("coding.edit", tools=[copy.deepcopy(EDIT_FILE_TOOL)],
                               expect={"calls": [{"name": "edit_file", "args": {"path": "a", "old": "b",
                                                                                "new": "c"}}]})]
    listed = load_scenarios(write_yaml(tmp_path / "list" / "all.yaml", scenarios))
    for i, raw in enumerate(scenarios):
        write_yaml(tmp_path / "single" / f"{i}.yaml", raw)
    separate = load_scenarios(tmp_path / "single")
    by_id = {s.id: s.hash for s in separate}
    assert {s.id: s.hash for s in listed} == by_id
    assert len(set(by_id.values())) == 3


def test_hash_survives_the_run_snapshot(tmp_path):
    path = write_yaml(tmp_path / "a.yaml", [base_scenario(), multi_turn_scenario()])
    loaded = load_scenarios(path)
    snapshot = orjson.loads(orjson.dumps([s.raw for s in loaded]))
    again = scenarios_from_snapshot(snapshot, "run/scenarios.json")
    assert [s.hash for s in again] == [s.hash for s in loaded]


def test_date_like_values_hash_like_their_string(tmp_path):
    # A YAML 1.1 timestamp is kept as text, so quoting it changes neither the meaning nor the hash.
    user = "{role: user, content: Show me src/app.py}"
    plain = hash_of(tmp_path, BLOCK.replace(user, "{role: user, content: 2024-05-01}"), "plain.yaml")
    quoted = hash_of(tmp_path, BLOCK.replace(user, "{role: user, content: '2024-05-01'}"), "quoted.yaml")
    assert plain == quoted
    scenario = load_file(tmp_path / "plain.yaml")[0]
    assert scenario.messages[1]["content"] == "2024-05-01"
