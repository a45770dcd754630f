"""Every matcher of docs/scenarios.md, accepting and rejecting; matcher parse errors; `example()` values."""

from __future__ import annotations

import math

import pytest

from replaykit.scenarios.matcher_parse import parse_args, parse_matcher
from replaykit.scenarios.matchers import ArrayOf, Compound, Literal, MatcherSpecError, ObjectOf


def accepts(spec, value) -> bool:
    return parse_matcher(spec).check(value) is None


def reason(spec, value) -> str:
    why = parse_matcher(spec).check(value)
    assert why is not None, f"{spec!r} should reject {value!r}"
    return why


# --- literal ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [10, 10.0])
def test_integer_literal_accepts_equal_numbers(value):
    assert accepts(10, value)


@pytest.mark.parametrize("value", ["10", True, 11, 10.5, None, [10], {"v": 10}])
def test_integer_literal_rejects_other_json_types_and_values(value):
    reason(10, value)


def test_integer_literal_reason_names_both_types():
    assert reason(10, "10") == "expected integer 10, got string '10'"


def test_float_literal_accepts_int_of_same_value():
    assert accepts(2.5, 2.5)
    assert accepts(3.0, 3)
    reason(2.5, "2.5")


@pytest.mark.parametrize("value", [1, 1.0, "true", "True", False])
def test_boolean_literal_rejects_numbers_and_strings(value):
    reason(True, value)


def test_boolean_literal_accepts_itself():
    assert accepts(True, True)
    assert accepts(False, False)


def test_string_literal_is_exact():
    assert accepts("src/app.py", "src/app.py")
    reason("src/app.py", "src/App.py")
    reason("src/app.py", "src/app.py ")
    reason("10", 10)


def test_null_literal():
    assert accepts(None, None)
    reason(None, "null")
    reason(None, 0)
    reason(None, False)


# --- equals ----------------------------------------------------------------------------------------------


def test_equals_takes_an_object_with_keyword_keys_literally():
    spec = {"equals": {"any": 1, "regex": "x"}}
    assert accepts(spec, {"any": 1, "regex": "x"})
    reason(spec, {"any": 1})
    reason(spec, {"any": 1, "regex": "x", "more": 2})
    reason(spec, {"any": "1", "regex": "x"})


def test_equals_is_json_type_strict_inside_containers():
    assert accepts({"equals": [1, 2]}, [1, 2])
    assert accepts({"equals": [1, 2]}, [1.0, 2])
    reason({"equals": [1, 2]}, [True, 2])
    reason({"equals": [1, 2]}, [2, 1])
    reason({"equals": {"a": 1}}, {"a": True})
    reason({"equals": {"a": [0]}}, {"a": [False]})
    reason({"equals": {"a": "1"}}, {"a": 1})


def test_equals_scalar():
    assert accepts({"equals": "open"}, "open")
    reason({"equals": "open"}, "closed")


# --- one_of ----------------------------------------------------------------------------------------------


def test_one_of_accepts_any_listed_value():
    spec = {"one_of": ["utf-8", "utf8"]}
    assert accepts(spec, "utf-8")
    assert accepts(spec, "utf8")
    assert "none of" in reason(spec, "latin-1")
    reason(spec, "UTF-8")


def test_one_of_entries_are_matchers():
    spec = {"one_of": [{"range": [0, 10]}, {"equals": "all"}]}
    assert accepts(spec, 5)
    assert accepts(spec, "all")
    reason(spec, 11)
    reason(spec, "some")


def test_one_of_keeps_json_types():
    reason({"one_of": [1, 2]}, True)
    reason({"one_of": [1, 2]}, "1")
    assert accepts({"one_of": [1, 2]}, 2.0)


# --- optional --------------------------------------------------------------------------------------------


def test_optional_parameter_may_be_absent_but_is_checked_when_present():
    args = parse_args({"path": "a.py", "encoding": {"one_of": ["utf-8", "utf8"], "optional": True}})
    assert args.check({"path": "a.py"}) is None
    assert args.check({"path": "a.py", "encoding": "utf8"}) is None
    assert args.check({"path": "a.py", "encoding": "ascii"}) is not None
    assert args.check({"encoding": "utf8"}) == "path: missing"


def test_non_optional_parameter_must_be_present():
    args = parse_args({"path": "a.py", "encoding": {"one_of": ["utf-8"]}})
    assert args.check({"path": "a.py"}) == "encoding: missing"


def test_optional_any_means_anything_or_absent():
    args = parse_args({"limit": {"any": True, "optional": True}})
    assert args.check({}) is None
    assert args.check({"limit": None}) is None
    assert args.check({"limit": [1, 2]}) is None
    assert args.check({"other": 1}) == "other: unexpected parameter"


# --- regex -----------------------------------------------------------------------------------------------


def test_regex_searches_the_string():
    spec = {"regex": r"^src/.*\.py$", "example": "src/a.py"}
    assert accepts(spec, "src/pkg/mod.py")
    assert "does not match" in reason(spec, "lib/mod.py")
    reason(spec, "src/mod.pyc")


def test_unanchored_regex_finds_the_pattern_anywhere():
    spec = {"regex": "TODO", "example": "a TODO"}
    assert accepts(spec, "fix the TODO here")
    reason(spec, "fix the todo here")


def test_regex_rejects_non_strings():
    spec = {"regex": "^1$", "example": "1"}
    assert reason(spec, 1).startswith("expected string")


# --- ignore_case -----------------------------------------------------------------------------------------


def test_ignore_case_with_equals():
    spec = {"equals": "Paris", "ignore_case": True}
    assert accepts(spec, "paris")
    assert accepts(spec, "PARIS")
    reason(spec, "Pariss")
    reason({"equals": "Paris"}, "paris")


def test_ignore_case_with_one_of():
    spec = {"one_of": ["Paris", "Lyon"], "ignore_case": True}
    assert accepts(spec, "LYON")
    reason(spec, "Nice")


def test_ignore_case_with_regex():
    spec = {"regex": "^readme\\.md$", "ignore_case": True, "example": "README.md"}
    assert accepts(spec, "ReadMe.MD")
    reason(spec, "README.txt")
    reason({"regex": "^readme\\.md$", "example": "readme.md"}, "README.md")


# --- range -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 50, 100, 99.5, 0.0])
def test_range_inclusive_bounds(value):
    assert accepts({"range": [0, 100]}, value)


@pytest.mark.parametrize("value", [-1, 100.01, 101])
def test_range_outside(value):
    assert "outside" in reason({"range": [0, 100]}, value)


@pytest.mark.parametrize("value", ["50", True, None])
def test_range_rejects_non_numbers(value):
    assert reason({"range": [0, 100]}, value).startswith("expected number")


def test_range_open_ends():
    assert accepts({"range": [None, 10]}, -1e9)
    reason({"range": [None, 10]}, 10.5)
    assert accepts({"range": [5, None]}, 1e12)
    reason({"range": [5, None]}, 4)
    assert accepts({"range": [None, None]}, -3)
    reason({"range": [None, None]}, "3")


def test_range_with_type_integer():
    spec = {"range": [1, 10], "type": "integer"}
    assert accepts(spec, 3)
    assert reason(spec, 3.5).startswith("expected integer")


# --- approx ----------------------------------------------------------------------------------------------


def test_approx_absolute_tolerance():
    spec = {"approx": 3.14159, "tolerance": 0.001}
    assert accepts(spec, 3.1416)
    assert accepts(spec, 3.1406)
    assert "not within" in reason(spec, 3.143)
    reason(spec, "3.14159")


def test_approx_default_tolerance_is_tight():
    assert accepts({"approx": 0.1}, 0.1 + 1e-9)
    reason({"approx": 0.1}, 0.1001)


def test_approx_relative_tolerance():
    spec = {"approx": 1000, "rel": 0.01}
    assert accepts(spec, 1009)
    assert accepts(spec, 991)
    reason(spec, 1011)
    reason(spec, 989)


def test_approx_rejects_non_finite_and_booleans():
    spec = {"approx": 1.0, "tolerance": 1.0}
    reason(spec, math.nan)
    reason(spec, math.inf)
    reason(spec, True)


# --- contains --------------------------------------------------------------------------------------------


def test_contains_substring():
    assert accepts({"contains": "TODO"}, "fix TODO now")
    assert "does not contain" in reason({"contains": "TODO"}, "fix todo now")
    assert accepts({"contains": "TODO", "ignore_case": True}, "fix todo now")


def test_contains_every_substring():
    spec = {"contains": ["select", "from users"]}
    assert accepts(spec, "select id from users")
    reason(spec, "select id from orders")


def test_contains_array_items():
    spec = {"contains": ["a", "b"]}
    assert accepts(spec, ["c", "b", "a"])
    assert "array does not contain" in reason(spec, ["a", "c"])


def test_contains_array_items_keep_json_types():
    assert accepts({"contains": [1]}, [3, 1.0])
    reason({"contains": [1]}, [True])
    reason({"contains": [1]}, ["1"])


def test_contains_rejects_other_types():
    assert reason({"contains": "a"}, 1).startswith("expected string or array")
    reason({"contains": "a"}, {"a": 1})


# --- any / type ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, 0, "", [], {}, False, "x"])
def test_any_accepts_every_present_value(value):
    assert accepts({"any": True}, value)


def test_any_still_requires_presence():
    assert parse_args({"x": {"any": True}}).check({}) == "x: missing"


@pytest.mark.parametrize(("type_", "good", "bad"), [
    ("string", "s", 1),
    ("integer", 3, 3.5),
    ("integer", 3.0, "3"),
    ("number", 3.5, "3.5"),
    ("number", 3, True),
    ("boolean", False, 0),
    ("array", [], {}),
    ("object", {}, []),
    ("null", None, "null"),
])
def test_type(type_, good, bad):
    assert accepts({"type": type_}, good)
    assert reason({"type": type_}, bad).startswith(f"expected {type_}")


def test_type_combines_with_other_matchers():
    spec = {"type": "string", "contains": "x"}
    assert accepts(spec, "xyz")
    reason(spec, "abc")
    reason(spec, ["x"])


# --- unordered -------------------------------------------------------------------------------------------


def test_unordered_accepts_any_order():
    spec = {"unordered": ["a", "b", "c"]}
    assert accepts(spec, ["c", "a", "b"])
    assert accepts(spec, ["a", "b", "c"])


def test_unordered_needs_exactly_these_items():
    spec = {"unordered": ["a", "b"]}
    reason(spec, ["a", "a"])
    assert reason(spec, ["a", "b", "c"]) == "expected 2 items, got 3"
    reason(spec, ["a"])
    reason(spec, "ab")


def test_unordered_ambiguous_overlap_needs_the_bipartite_search():
    # Greedy would give "a" (the first value) to the `any` item and leave nothing for the literal "a".
    spec = {"unordered": [{"any": True}, "a"]}
    assert accepts(spec, ["a", "b"])
    assert accepts(spec, ["b", "a"])
    reason(spec, ["b", "c"])


def test_unordered_overlapping_one_of_sets():
    spec = {"unordered": [{"one_of": [1, 2]}, {"one_of": [1]}, {"one_of": [2, 3]}]}
    assert accepts(spec, [1, 2, 3])
    assert accepts(spec, [2, 3, 1])
    assert accepts(spec, [2, 1, 2])
    assert accepts(spec, [1, 1, 3])
    reason(spec, [3, 3, 1])  # both 1-or-2 and 1 need the single 1
    reason(spec, [2, 2, 3])  # nothing left for the item that needs 1


def test_unordered_items_are_matchers():
    spec = {"unordered": [{"range": [0, 1]}, {"regex": "^x", "example": "x"}]}
    assert accepts(spec, ["xy", 0.5])
    reason(spec, ["yx", 0.5])


# --- nested objects and arrays ---------------------------------------------------------------------------


def test_nested_object_exact_keys():
    args = parse_args({"filter": {"status": "open", "limit": 5}})
    assert args.check({"filter": {"limit": 5, "status": "open"}}) is None
    assert args.check({"filter": {"status": "open"}}) == "filter: limit: missing"
    extra = {"filter": {"status": "open", "limit": 5, "extra": 1}}
    assert args.check(extra) == "filter: extra: unexpected parameter"
    wrong_type = {"filter": {"status": "open", "limit": "5"}}
    assert args.check(wrong_type).startswith("filter: limit: expected integer")
    assert args.check({"filter": "status=open"}).startswith("filter: expected object")


def test_nested_object_optional_key():
    args = parse_args({"filter": {"status": "open", "page": {"type": "integer", "optional": True}}})
    assert args.check({"filter": {"status": "open"}}) is None
    assert args.check({"filter": {"status": "open", "page": 2}}) is None
    assert args.check({"filter": {"status": "open", "page": "2"}}) is not None


def test_top_level_args_reject_extra_and_missing():
    args = parse_args({"a": 1})
    assert args.check({"a": 1, "b": 2}) == "b: unexpected parameter"
    assert args.check({}) == "a: missing"
    assert args.check_fields({"b": 2}) == [("a", "missing"), ("b", "unexpected parameter")]


def test_array_item_by_item():
    spec = [1, "two", {"any": True}]
    assert accepts(spec, [1, "two", None])
    assert accepts(spec, [1.0, "two", {"x": 1}])
    assert reason(spec, ["two", 1, None]).startswith("[0]:")
    assert reason(spec, [1, "two"]) == "expected 3 items, got 2"
    assert reason(spec, [1, "two", 3, 4]) == "expected 3 items, got 4"
    assert reason(spec, [1, "three", 3]).startswith("[1]:")
    reason(spec, {"0": 1})


def test_empty_array_and_object_literals():
    assert accepts([], [])
    reason([], [1])
    args = parse_args({"opts": {"equals": {}}})
    assert args.check({"opts": {}}) is None
    assert args.check({"opts": {"a": 1}}) is not None


def test_parse_builds_the_documented_shapes():
    assert isinstance(parse_matcher("x"), Literal)
    assert isinstance(parse_matcher([1]), ArrayOf)
    assert isinstance(parse_matcher({"a": 1}), ObjectOf)
    assert isinstance(parse_matcher({"one_of": [1]}), Compound)
    # A mapping mixing keywords and other keys is a nested object.
    mixed = parse_matcher({"type": "x", "name": "y"})
    assert isinstance(mixed, ObjectOf)
    assert mixed.check({"type": "x", "name": "y"}) is None


# --- parse errors ----------------------------------------------------------------------------------------


def spec_error(raw) -> MatcherSpecError:
    with pytest.raises(MatcherSpecError) as info:
        parse_args(raw)
    return info.value


@pytest.mark.parametrize(("raw", "path", "words"), [
    ({"p": {"regex": "(", "example": "("}}, ".p.regex", "invalid regular expression"),
    ({"p": {"range": [10, 1]}}, ".p.range", "above max"),
    ({"p": {"range": [1]}}, ".p.range", "[min, max]"),
    ({"p": {"range": ["a", 2]}}, ".p.range[0]", "must be a number"),
    ({"p": {"tolerance": 0.1, "type": "number"}}, ".p.tolerance", "goes with `approx`"),
    ({"p": {"rel": 0.1, "type": "number"}}, ".p.rel", "goes with `approx`"),
    ({"p": {"approx": 1, "tolerance": -1}}, ".p.tolerance", "negative"),
    ({"p": {"approx": "1"}}, ".p.approx", "must be a number"),
    ({"p": {"regex": "^a"}}, ".p.example", "needs an `example`"),
    ({"p": {"regex": "^a", "example": "b"}}, ".p.example", "does not satisfy"),
    ({"p": {"one_of": [1, 2], "example": 3}}, ".p.example", "does not satisfy"),
    ({"p": {"range": [0, 1], "example": 2}}, ".p.example", "does not satisfy"),
    ({"p": {"one_of": []}}, ".p.one_of", "non-empty"),
    ({"p": {"one_of": "a"}}, ".p.one_of", "non-empty"),
    ({"p": {"type": "float"}}, ".p.type", "unknown type"),
    ({"p": {"any": False}}, ".p.any", "only be true"),
    ({"p": {"optional": "yes", "any": True}}, ".p.optional", "true or false"),
    ({"p": {"optional": True}}, "", "needs a constraint"),
    ({"p": {"unordered": "ab"}}, ".p.unordered", "list"),
])
def test_bad_matcher_names_the_relative_field(raw, path, words):
    err = spec_error(raw)
    assert words in str(err)
    if path:
        assert err.path == path
    else:
        assert err.path in ("", ".p")


def test_error_path_reaches_into_nested_objects_arrays_and_one_of():
    assert spec_error({"f": {"g": [1, {"range": [3, 2]}]}}).path == ".f.g[1].range"
    assert spec_error({"f": {"one_of": [1, {"regex": "(", "example": "x"}]}}).path == ".f.one_of[1].regex"
    assert spec_error({"f": {"unordered": [{"one_of": []}]}}).path == ".f.unordered[0].one_of"


def test_args_must_be_a_mapping():
    with pytest.raises(MatcherSpecError, match="mapping"):
        parse_args(["a"])
    assert parse_args(None).check({}) is None


# --- example() -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("spec", "schema", "expected"), [
    ("src/app.py", None, "src/app.py"),
    (10, None, 10),
    ({"equals": {"any": 1}}, None, {"any": 1}),
    ({"one_of": ["utf-8", "utf8"]}, None, "utf-8"),
    ({"one_of": [{"range": [2, 4]}, 9]}, None, 3),
    ({"regex": "^src/", "example": "src/a.py"}, None, "src/a.py"),
    ({"one_of": [1, 2], "example": 2}, None, 2),
    ({"approx": 3.14159, "tolerance": 0.001}, None, 3.14159),
    ({"range": [0, 100]}, None, 50),
    ({"range": [0, 1]}, None, 0.5),
    ({"range": [None, 10]}, None, 10),
    ({"range": [5, None]}, None, 5),
    ({"range": [1, 4]}, {"type": "integer"}, 2),
    ({"range": [1, 4], "type": "integer"}, None, 2),
    ({"contains": ["a", "b"]}, None, "a b"),
    ({"contains": ["a", "b"], "type": "array"}, None, ["a", "b"]),
    ({"type": "integer"}, None, 1),
    ({"type": "boolean"}, None, True),
    ({"any": True}, {"type": "string", "enum": ["x", "y"]}, "x"),
    ({"any": True}, {"type": "number"}, 1.5),
    ({"unordered": ["b", "a"]}, None, ["b", "a"]),
    ([1, {"one_of": ["x"]}], None, [1, "x"]),
    ({"status": "open", "limit": {"range": [1, 9]}}, None, {"status": "open", "limit": 5}),
])
def test_example_values(spec, schema, expected):
    example = parse_matcher(spec).example(schema)
    assert example == expected
    assert type(example) is type(expected)


def test_examples_satisfy_their_matchers():
    specs = [
        {"range": [None, None]}, {"range": [-3, None]}, {"range": [0.1, 0.2]}, {"contains": "x"},
        {"approx": 2, "rel": 0.1}, {"unordered": [{"any": True}, "a"]}, {"type": "null"},
    ]
    for spec in specs:
        matcher = parse_matcher(spec)
        assert matcher.check(matcher.example()) is None, spec


def test_open_range_example_is_a_number():
    example = parse_matcher({"range": [None, None]}).example({"type": "number"})
    assert isinstance(example, (int, float)) and not isinstance(example, bool)


def test_contains_example_follows_an_array_schema():
    matcher = parse_matcher({"contains": ["a", "b"]})
    example = matcher.example({"type": "array", "items": {"type": "string"}})
    assert example == ["a", "b"]
    assert matcher.check(example) is None


def test_object_example_omits_optional_any_but_keeps_other_optionals():
    args = parse_args({
        "path": "a.py",
        "encoding": {"one_of": ["utf-8"], "optional": True},
        "extra": {"any": True, "optional": True},
        "mode": {"any": True, "optional": True, "example": "r"},
    })
    schema = {"type": "object", "properties": {"path": {"type": "string"}}}
    assert args.example(schema) == {"path": "a.py", "encoding": "utf-8", "mode": "r"}


def test_object_example_uses_property_schemas():
    args = parse_args({"n": {"any": True}, "flag": {"any": True}, "items": {"contains": ["x"]}})
    schema = {"type": "object", "properties": {
        "n": {"type": "integer"}, "flag": {"type": "boolean"}, "items": {"type": "array"}}}
    assert args.example(schema) == {"n": 1, "flag": True, "items": ["x"]}
