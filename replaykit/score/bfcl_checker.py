"""BFCL's verdict on scenarios imported from BFCL (`--bfcl-compat`): its AST checker's rules, applied to BFCL's
own answer (`meta.bfcl_answer`) and the tools as sent (BFCL's conversion, whose types map back one to one).

The matchers of `expect` say what replaykit accepts; BFCL's checker accepts by other rules that depend on the
answer's own types (a value of the answer's type where another is declared is a "variable", compared exactly;
dict values compared with Python's `==`; array items type-checked one level deep). Rather than bend matchers
to every such rule, compat mode reads BFCL's answer as BFCL reads it:

- arguments are decoded as BFCL's OpenAI handler does (`json.loads`: empty text fails, a non-object fails);
- the category decides the shape: one call (simple), one call checked against the first answer (multiple),
  or as many calls as answers, each answer taking the first unused call that passes (parallel);
- per call: the function name exactly (dots as `_`), required parameters present, every given parameter known
  to both schema and answer, each value accepted, every answer parameter given unless `""` is listed.

Each answer is compiled once per scenario (normalized strings and lists precomputed), so a check is mostly set
and list lookups; the pairing stops at a call's first failure, and the full list of failures is computed only
for the pairs reported.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from replaykit.normalize.outcome import Call
from replaykit.scenarios.model import Scenario
from replaykit.score.bfcl_compat import standardize_string as _std
from replaykit.score.checker import CallVerdict, StepVerdict, fault_names, faults_of

PY_TYPES: dict[str, type] = {"string": str, "integer": int, "number": float, "boolean": bool, "array": list,
                             "object": dict}
_NAMES = {str: "string", int: "integer", float: "float", bool: "boolean", list: "array", dict: "dict"}


def _first_type(values: Any) -> type | None:
    """The type of the first value that is not '' (BFCL's marker of an optional parameter)."""
    for value in values:
        if value != "":
            return type(value)
    return None


def _std_list(value: Any) -> list[Any] | None:
    """A list with its string items normalized; a string as its normalized characters, as BFCL iterates it."""
    try:
        return [_std(x) if type(x) is str else x for x in value]
    except TypeError:  # not iterable: BFCL's list check would fail on it
        return None


@dataclass(slots=True)
class _Param:
    """One answer parameter, with everything a check needs precomputed."""

    values: list[Any]
    kind: type  # the declared type, as BFCL's Python type mapping gives it
    item: type | None  # the declared item type of an array
    optional: bool  # '' is listed: the parameter may be absent
    answer_type: type | None  # the type of the first answer that is not ''
    variable: bool  # that type is not the declared one: values compared exactly
    strings: frozenset[str]  # normalized string answers
    lists: list[Any]  # normalized list answers
    item_types: list[type | bool | None]  # per answer: its items' answer type, or True when it is not a list
    dicts: list[_Dict]  # dict answers, with normalized values per key
    list_dicts: list[list[_Dict | None] | None]  # per answer: its items as dict answers (None: not a dict)

    @classmethod
    def of(cls, values: Any, kind: type, item: type | None) -> _Param:
        values = values if isinstance(values, list) else []
        answer_type = _first_type(values)
        return cls(
            values, kind, item, "" in values, answer_type, answer_type is not None and answer_type is not kind,
            frozenset(_std(v) for v in values if type(v) is str),
            [s for s in (_std_list(v) for v in values if type(v) in (list, str)) if s is not None],
            [_first_type(v) if type(v) is list else True for v in values],
            [_dict_answer(v) for v in values if type(v) is dict],
            [[_dict_answer(w) if type(w) is dict else None for w in v] if type(v) in (list, str) else None
             for v in values],
        )


_Dict = tuple[dict[str, Any], dict[str, list[Any]]]


def _dict_answer(answer: dict[str, Any]) -> _Dict:
    """A dict answer {key: [values]} with its values normalized as BFCL's dict check does."""
    normalized = {k: [_std(x) if type(x) is str else x for x in vs] for k, vs in answer.items() if isinstance(vs, list)}
    return answer, normalized


@dataclass(slots=True)
class _Expected:
    """One expected call: the function's schema (as sent) and BFCL's answer for it."""

    name: str
    properties: frozenset[str]
    required: tuple[str, ...]
    params: dict[str, _Param]
    needed: frozenset[str] = frozenset()  # required, or in the answer without '' (BFCL's "not optional")
    known: dict[str, _Param] = field(default_factory=dict)  # parameters both in the schema and the answer


@dataclass(slots=True)
class BfclTruth:
    shape: str  # simple | multiple | parallel | irrelevance
    calls: list[_Expected]


_TRUTHS: dict[str, BfclTruth | None] = {}


def bfcl_truth(scenario: Scenario) -> BfclTruth | None:
    """`compile_truth`, once per scenario content (bounded: a scorer may see many scenario sets)."""
    key = scenario.hash
    if key not in _TRUTHS:
        if len(_TRUTHS) >= 100_000:
            _TRUTHS.clear()
        _TRUTHS[key] = compile_truth(scenario)
    return _TRUTHS[key]


def compile_truth(scenario: Scenario) -> BfclTruth | None:
    """BFCL's answer to the scenario, ready to check; None for a scenario not imported by this replaykit
    (no `meta.bfcl_answer`; an older import also sent other tools than BFCL's)."""
    category = str(scenario.meta.get("bfcl_category", ""))
    if "irrelevance" in category:
        return BfclTruth("irrelevance", [])
    answer = scenario.meta.get("bfcl_answer")
    if not category or not isinstance(answer, list):
        return None
    shape = "parallel" if "parallel" in category else "multiple" if "multiple" in category else "simple"
    calls = []
    for index, item in enumerate(answer):
        (bfcl_name, params), = item.items()
        # simple: BFCL checks against the first function offered; otherwise the answer's function by name
        name = scenario.tool_names[0] if shape == "simple" and index == 0 else str(bfcl_name).replace(".", "_")
        calls.append(_expected(name, scenario.tool_schema(name) or {}, params))
    return BfclTruth(shape, calls)


def _expected(name: str, schema: dict[str, Any], answer: dict[str, Any]) -> _Expected:
    props = schema.get("properties") or {}
    params = {}
    for param, values in answer.items():
        prop = props.get(param)
        if isinstance(prop, dict):
            kind = PY_TYPES.get(prop.get("type"), str)  # type: ignore[arg-type]
            items = prop.get("items")
            item = PY_TYPES.get(items.get("type"), str) if kind is list and isinstance(items, dict) else None  # type: ignore[arg-type]
            params[param] = _Param.of(values, kind, item)
        else:  # in the answer but not in the schema: BFCL rejects it given, and absent unless '' is listed
            params[param] = _Param.of(values, type(None), None)
    required = tuple(schema.get("required") or ())
    needed = frozenset(required) | {param for param, p in params.items() if not p.optional}
    known = {param: p for param, p in params.items() if param in props}
    return _Expected(name, frozenset(props), required, params, needed, known)


# ---------------------------------------------------------------- decoding, as BFCL's OpenAI handler does


def decode(call: Call) -> dict[str, Any] | str:
    """The call's arguments as BFCL reads them (`json.loads` of the text), or why BFCL fails the answer."""
    raw = call.raw_arguments
    if call.arguments is not None and raw and not raw.isspace():
        return call.arguments  # the same object json.loads gives
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        return "arguments are not JSON: BFCL fails the answer (ast_decoder:decoder_failed)"
    if type(value) is not dict:
        return "arguments are not a JSON object: BFCL fails the answer (decoder_wrong_output_format)"
    return value


# ---------------------------------------------------------------- one call against one expected call


def failures(exp: _Expected, args: dict[str, Any]) -> list[tuple[str, str]]:
    """Everything BFCL's checker would find wrong with these arguments, each with its reason, in BFCL's order
    (BFCL itself stops at the first)."""
    found: list[tuple[str, str]] = [(param, "missing (required)") for param in exp.required if param not in args]
    params = exp.params
    for param, value in args.items():
        p = params.get(param)
        if p is None or param not in exp.properties:
            found.append((param, "unexpected parameter"))
        elif not accepts(p, value):
            found.append((param, value_problem(p, value)))
    found += [(param, "missing") for param, p in params.items()
              if param not in args and not p.optional and param not in exp.required]
    return found


def passes(exp: _Expected, args: dict[str, Any]) -> bool:
    """Whether BFCL accepts these arguments: `failures` stopping at the first, without building reasons."""
    if not args.keys() >= exp.needed:
        return False
    known = exp.known
    for param, value in args.items():
        p = known.get(param)
        if p is None or not accepts(p, value):
            return False
    return True


def accepts(p: _Param, value: Any) -> bool:
    """Whether BFCL accepts the value for this answer parameter (its type check, then its value check)."""
    actual = type(value)
    if actual is int and p.kind is float:
        value = float(value)  # BFCL accepts an int for a float
        actual = float
    variable = p.variable
    if actual is p.kind:
        if p.item is not None and not _items_typed(p, value):
            return False
    elif actual is p.answer_type:
        variable = True  # the answer's own type: compared exactly
    else:
        return False
    if variable:
        return value in p.values
    if actual is str:
        return _std(value) in p.strings
    if actual is dict:
        return _dict_problem(value, p.dicts) is None
    if actual is list:
        if p.item is dict:
            return _list_of_dicts_problem(value, p) is None
        return _std_list(value) in p.lists
    return value in p.values


def value_problem(p: _Param, value: Any) -> str:
    """Why BFCL rejects a value `accepts` rejected."""
    actual = type(value)
    if actual is int and p.kind is float:
        actual = float
    if actual is p.kind and p.item is not None and not _items_typed(p, value):
        return f"an item of {_show(value)} is not {_NAMES.get(p.item, p.item.__name__)}"
    if actual is not p.kind and actual is not p.answer_type:
        return f"expected {_NAMES.get(p.kind, 'no value')}, got {_NAMES.get(actual, actual.__name__)} {_show(value)}"
    if actual is p.kind and not p.variable:
        if actual is dict:
            return _dict_problem(value, p.dicts) or "?"
        if actual is list and p.item is dict:
            return _list_of_dicts_problem(value, p) or "?"
    return f"{_show(value)} is none of {_show(p.values)}"


def _items_typed(p: _Param, value: list[Any]) -> bool:
    """BFCL's one-level item check: some answer lets every item through (its items' type, or not a list)."""
    for answer_items in p.item_types:
        if answer_items is True:
            return True
        if all(type(v) is p.item or type(v) is answer_items for v in value):
            return True
    return False


def _dict_problem(value: dict[str, Any], answers: list[_Dict]) -> str | None:
    """BFCL's dict check: some answer has every given key, each value among its values (Python `==`, strings
    normalized), and every key not given is optional."""
    problem = "no acceptable dict"
    for answer, normalized in answers:
        problem = _one_dict_problem(value, answer, normalized) or ""
        if not problem:
            return None
    return problem


def _one_dict_problem(value: dict[str, Any], answer: dict[str, Any], normalized: dict[str, list[Any]]) -> str | None:
    for key, item in value.items():
        if key not in answer:
            return f"unexpected key {key!r}"
        if (_std(item) if type(item) is str else item) not in normalized.get(key, ()):
            return f"key {key!r}: {_show(item)} is none of {_show(answer[key])}"
    for key, values in answer.items():
        if key not in value and "" not in values:
            return f"missing key {key!r}"
    return None


def _list_of_dicts_problem(value: list[Any], p: _Param) -> str | None:
    """BFCL's list-of-dicts check: some answer of the same length whose dicts accept the items in order."""
    problem = "no acceptable list of dicts"
    for answer in p.list_dicts:
        if answer is None or len(answer) != len(value):
            problem = "wrong number of dicts"
            continue
        for got, want in zip(value, answer, strict=True):
            problem = "an item is not an acceptable dict" if want is None or type(got) is not dict \
                else _one_dict_problem(got, *want) or ""
            if problem:
                break
        else:
            return None
    return problem


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


# ---------------------------------------------------------------- a whole answer


def check_bfcl(truth: BfclTruth, calls: Sequence[Call], offered: frozenset[str]) -> StepVerdict:
    """BFCL's verdict on the returned calls, with the pairing and failures it implies."""
    # decode() inlined for the common case: parsed arguments of non-blank text
    decoded = [c.arguments if c.arguments is not None and c.raw_arguments and not c.raw_arguments.isspace()
               else decode(c) for c in calls]
    broken = str in map(type, decoded)
    if truth.shape == "irrelevance":  # BFCL: right unless some call decodes (an undecodable one is no call)
        verdict = StepVerdict([], extra=[j for j, c in enumerate(calls) if c.name in offered],
                              unknown=[j for j, c in enumerate(calls) if c.name not in offered])
        verdict.faults = faults_of(verdict, "any")
        verdict.bfcl = not calls or broken
        if broken and calls:
            verdict.faults.append("bfcl_decoder_failed")
        return verdict
    pairs = _pairs(truth, calls, decoded)
    correct = not broken and len(calls) == len(truth.calls) == len(pairs) and -1 not in pairs
    return _verdict(truth, calls, decoded, pairs, offered, correct)


def _pairs(truth: BfclTruth, calls: Sequence[Call], decoded: list[dict[str, Any] | str]) -> dict[int, int]:
    """expected -> returned, BFCL's way: simple and multiple check the first call against the first answer;
    parallel lets each answer in turn take the first unused call that passes. A pair tried and failed is
    recorded as -1 - j under the expected index's negative key, so the verdict need not try it again."""
    expected = truth.calls
    pairs: dict[int, int] = {}
    if len(calls) != len(expected):
        return pairs
    if truth.shape != "parallel":
        args = decoded[0]
        if calls[0].name == expected[0].name and type(args) is dict:
            if passes(expected[0], args):
                pairs[0] = 0
            else:
                pairs[-1] = 0  # tried and failed
        return pairs
    free = list(range(len(calls)))
    for i, exp in enumerate(expected):
        for j in free:
            args = decoded[j]
            if calls[j].name == exp.name and type(args) is dict and passes(exp, args):
                pairs[i] = j
                free.remove(j)
                break
        else:
            return pairs  # BFCL stops at the first answer no call passes
    return pairs


class _Rejected(CallVerdict):
    """A pair BFCL rejects: known wrong at once; its failures, with reasons, computed when first read (only
    per-sample views read them)."""

    __slots__ = ("_args", "_exp", "_found")
    _args: dict[str, Any] | str
    _exp: _Expected
    _found: tuple[tuple[str, str], ...] | None

    def __init__(self, expected: int, returned: int, exp: _Expected, args: dict[str, Any] | str) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "expected", expected)
        setattr_(self, "returned", returned)
        setattr_(self, "_exp", exp)
        setattr_(self, "_args", args)
        setattr_(self, "_found", None)

    @property
    def failures(self) -> tuple[tuple[str, str], ...]:
        found = self._found
        if found is None:
            args = self._args
            found = (("", args),) if isinstance(args, str) else tuple(failures(self._exp, args))
            found = found or (("", "BFCL rejects the call"),)
            object.__setattr__(self, "_found", found)
        return found

    @property
    def correct(self) -> bool:
        return False


_PAIRS: dict[tuple[int, int | None], CallVerdict] = {}


def _pair(i: int, j: int | None) -> CallVerdict:
    """A pairing without failures; shared, as the verdicts are immutable and the same few recur."""
    found = _PAIRS.get((i, j))
    if found is None:
        found = _PAIRS[(i, j)] = CallVerdict(i, j)
    return found


def _verdict(truth: BfclTruth, calls: Sequence[Call], decoded: list[dict[str, Any] | str], pairs: dict[int, int],
             offered: frozenset[str], correct: bool) -> StepVerdict:
    expected = truth.calls
    if correct:
        verdict = StepVerdict([_pair(i, pairs[i]) for i in range(len(expected))])
        verdict.bfcl = True
        return verdict
    failed = pairs.pop(-1, None)  # the simple check's pair, known to fail
    free = [j for j in range(len(calls)) if j not in pairs.values()]
    verdicts: list[CallVerdict] = []
    missing = wrong = 0
    for i, exp in enumerate(expected):
        j = pairs.get(i)
        if j is not None:  # BFCL matched them
            verdicts.append(_pair(i, j))
            continue
        name = exp.name
        for j in free:  # the calls BFCL found no match for, paired by name to say why
            if calls[j].name == name:
                free.remove(j)
                args = decoded[j]
                if j != failed and type(args) is dict and passes(exp, args):
                    verdicts.append(_pair(i, j))
                else:
                    verdicts.append(_Rejected(i, j, exp, args))
                    wrong = 1
                break
        else:
            verdicts.append(_pair(i, None))
            missing += 1
    unknown = [j for j in free if calls[j].name not in offered] if free else []
    extra = [j for j in free if calls[j].name in offered] if free else []
    faults = fault_names(missing, len(extra), len(unknown), bool(wrong))
    if not faults:  # BFCL's own reason, when pairing by name shows none (a call in another order)
        faults.append("bfcl_order" if truth.shape == "parallel" else "wrong_args")
    if str in map(type, decoded):
        faults.append("bfcl_decoder_failed")
    return StepVerdict(verdicts, unknown, extra, faults, False)
