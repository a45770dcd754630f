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
from dataclasses import dataclass
from typing import Any

from replaykit.normalize.outcome import Call
from replaykit.scenarios.model import Scenario
from replaykit.score.bfcl_compat import standardize_string as _std
from replaykit.score.checker import CallVerdict, StepVerdict, faults_of

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
    return _Expected(name, frozenset(props), tuple(schema.get("required") or ()), params)


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


def failures(exp: _Expected, args: dict[str, Any], first: bool = False) -> list[tuple[str, str]]:
    """What BFCL finds wrong with these arguments, in BFCL's order; `first`: stop at the first (a verdict)."""
    found: list[tuple[str, str]] = []
    for param in exp.required:
        if param not in args:
            found.append((param, "missing (required)"))
            if first:
                return found
    params = exp.params
    for param, value in args.items():
        p = params.get(param)
        if p is None or param not in exp.properties:
            found.append((param, "unexpected parameter"))
        else:
            problem = value_problem(p, value)
            if problem is None:
                continue
            found.append((param, problem))
        if first:
            return found
    for param, p in params.items():
        if param not in args and not p.optional and param not in exp.required:
            found.append((param, "missing"))
            if first:
                return found
    return found


def value_problem(p: _Param, value: Any) -> str | None:
    """None when BFCL accepts the value for this answer parameter, else why not."""
    if p.kind is float and type(value) is int:
        value = float(value)  # BFCL accepts an int for a float
    actual = type(value)
    variable = p.variable
    if actual is p.kind:
        if p.item is not None and not _items_typed(p, value):
            return f"an item of {_show(value)} is not {_NAMES.get(p.item, p.item.__name__)}"
    elif p.answer_type is not None and actual is p.answer_type:
        variable = True  # the answer's own type: compared exactly
    else:
        return f"expected {_NAMES.get(p.kind, 'no value')}, got {_NAMES.get(actual, actual.__name__)} {_show(value)}"
    if variable:
        accepted = value in p.values
    elif p.kind is str:
        accepted = _std(value) in p.strings
    elif p.kind is dict:
        return _dict_problem(value, p.dicts)
    elif p.kind is list and p.item is dict:
        return _list_of_dicts_problem(value, p)
    elif p.kind is list:
        accepted = _std_list(value) in p.lists
    else:
        accepted = value in p.values
    return None if accepted else f"{_show(value)} is none of {_show(p.values)}"


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
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


# ---------------------------------------------------------------- a whole answer


def check_bfcl(truth: BfclTruth, calls: Sequence[Call], offered: frozenset[str]) -> StepVerdict:
    """BFCL's verdict on the returned calls, with the pairing and failures it implies."""
    decoded = [decode(c) for c in calls]
    broken = [d for d in decoded if isinstance(d, str)]
    if truth.shape == "irrelevance":  # BFCL: right unless some call decodes (an undecodable one is no call)
        verdict = StepVerdict([], extra=[j for j, c in enumerate(calls) if c.name in offered],
                              unknown=[j for j, c in enumerate(calls) if c.name not in offered])
        verdict.faults = faults_of(verdict, "any")
        verdict.bfcl = not calls or bool(broken)
        if broken and calls:
            verdict.faults.append("bfcl_decoder_failed")
        return verdict
    pairs = _pairs(truth, calls, decoded)
    correct = not broken and len(calls) == len(truth.calls) and len(pairs) == len(truth.calls)
    return _verdict(truth, calls, decoded, pairs, offered, correct)


def _pairs(truth: BfclTruth, calls: Sequence[Call], decoded: list[dict[str, Any] | str]) -> dict[int, int]:
    """expected -> returned, BFCL's way: simple and multiple check the first call against the first answer;
    parallel lets each answer in turn take the first unused call that passes."""
    if len(calls) != len(truth.calls):
        return {}
    passes = _passes(truth, calls, decoded)
    if truth.shape != "parallel":
        return {0: 0} if passes(0, 0) else {}
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for i in range(len(truth.calls)):
        for j in range(len(calls)):
            if j not in taken and passes(i, j):
                pairs[i] = j
                taken.add(j)
                break
        else:
            return pairs  # BFCL stops at the first answer no call passes
    return pairs


def _passes(truth: BfclTruth, calls: Sequence[Call], decoded: list[dict[str, Any] | str]) -> Any:
    def passes(i: int, j: int) -> bool:
        args = decoded[j]
        exp = truth.calls[i]
        return calls[j].name == exp.name and not isinstance(args, str) and not failures(exp, args, first=True)
    return passes


def _verdict(truth: BfclTruth, calls: Sequence[Call], decoded: list[dict[str, Any] | str], pairs: dict[int, int],
             offered: frozenset[str], correct: bool) -> StepVerdict:
    if correct:
        verdict = StepVerdict([CallVerdict(i, pairs[i]) for i in range(len(truth.calls))])
        verdict.bfcl = True
        return verdict
    taken = set(pairs.values())
    for i, exp in enumerate(truth.calls):  # the calls BFCL found no match for, paired by name to say why
        if i not in pairs:
            j = next((j for j, c in enumerate(calls) if j not in taken and c.name == exp.name), None)
            if j is not None:
                pairs[i] = j
                taken.add(j)
    verdicts = []
    for i, exp in enumerate(truth.calls):
        j = pairs.get(i)
        if j is None:
            verdicts.append(CallVerdict(i, None))
            continue
        args = decoded[j]
        found = [("", args)] if isinstance(args, str) else failures(exp, args)
        verdicts.append(CallVerdict(i, j, tuple(found)))
    left = [j for j in range(len(calls)) if j not in taken]
    verdict = StepVerdict(verdicts, unknown=[j for j in left if calls[j].name not in offered],
                          extra=[j for j in left if calls[j].name in offered])
    verdict.faults = faults_of(verdict, "any")
    if not verdict.faults:  # BFCL's own reason, when pairing by name shows none (a call in another order)
        verdict.faults.append("bfcl_order" if truth.shape == "parallel" else "wrong_args")
    if any(isinstance(d, str) for d in decoded):
        verdict.faults.append("bfcl_decoder_failed")
    verdict.bfcl = False
    return verdict
