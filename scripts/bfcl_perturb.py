"""Perturbed answers to BFCL entries: many mistake kinds, a fixed seed (used by bfcl_agreement and bench_bfcl).

Each answer is a list of native tool calls, (name, arguments text), as a provider returns them. It starts from
an answer BFCL's data accepts (each parameter's first or a random acceptable value) and applies one mistake.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

Calls = list[tuple[str, dict[str, Any]]]
AST_CATEGORIES = ("simple_python", "multiple", "parallel", "parallel_multiple", "live_simple", "live_multiple",
                  "live_parallel", "live_parallel_multiple")


@dataclass(frozen=True)
class Case:
    bfcl_id: str
    category: str
    kind: str
    calls: list[tuple[str, str]]  # (name, arguments text)


@dataclass
class Ctx:
    rng: random.Random
    functions: dict[str, dict[str, Any]]  # by name as sent ('.' -> '_')
    answer: list[dict[str, Any]]

    def props(self, name: str) -> dict[str, Any]:
        fn = self.functions.get(name) or {}
        return (fn.get("parameters") or {}).get("properties") or {}

    def values(self, index: int, param: str) -> list[Any]:
        (params,) = self.answer[index].values()
        values = params.get(param)
        return values if isinstance(values, list) else []


def _pick(values: list[Any], rng: random.Random | None) -> Any:
    """An acceptable value ('' = leave out); a dict answer {key: [values]} becomes a dict of picks."""
    if not values:
        return ""
    value = values[0] if rng is None else rng.choice(values)
    if isinstance(value, dict):
        picked = {k: _pick(v, rng) for k, v in value.items() if isinstance(v, list)}
        return {k: v for k, v in picked.items() if v != ""}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [{k: p for k, vs in v.items() if (p := _pick(vs, rng)) != ""} for v in value]
    return value


def base_calls(answer: list[dict[str, Any]], rng: random.Random | None) -> Calls:
    calls = []
    for item in answer:
        ((name, params),) = item.items()
        args = {p: v for p, vs in params.items() if (v := _pick(vs, rng)) != ""}
        calls.append((name.replace(".", "_"), args))
    return calls


# ---------------------------------------------------------------- mistakes: (calls, ctx) -> calls or None

def _some_param(calls: Calls, ctx: Ctx, test: Callable[[Any, dict[str, Any]], bool]) -> tuple[int, str] | None:
    options = [(i, p) for i, (name, args) in enumerate(calls) for p, v in args.items()
               if test(v, ctx.props(name).get(p) or {})]
    return ctx.rng.choice(options) if options else None


def _with(calls: Calls, i: int, param: str, value: Any) -> Calls:
    out = copy.deepcopy(calls)
    out[i][1][param] = value
    return out


def _mutate_value(kind_test: Callable[[Any, dict[str, Any]], bool],
                  change: Callable[[Any, Ctx], Any]) -> Callable[[Calls, Ctx], Calls | None]:
    def mutate(calls: Calls, ctx: Ctx) -> Calls | None:
        found = _some_param(calls, ctx, kind_test)
        if found is None:
            return None
        i, p = found
        return _with(calls, i, p, change(calls[i][1][p], ctx))
    return mutate


def _is_str(v: Any, _s: dict[str, Any]) -> bool:
    return isinstance(v, str) and bool(v)


def _is_int(v: Any, _s: dict[str, Any]) -> bool:
    return type(v) is int


def _is_num(v: Any, _s: dict[str, Any]) -> bool:
    return type(v) in (int, float)


def _is_float(v: Any, _s: dict[str, Any]) -> bool:
    return type(v) is float


def _is_bool(v: Any, _s: dict[str, Any]) -> bool:
    return type(v) is bool


def _is_list(v: Any, _s: dict[str, Any]) -> bool:
    return type(v) is list and len(v) > 0


def _is_dict(v: Any, _s: dict[str, Any]) -> bool:
    return type(v) is dict and len(v) > 0


def _any(v: Any, _s: dict[str, Any]) -> bool:
    return True


def _float_array(v: Any, s: dict[str, Any]) -> bool:
    return type(v) is list and (s.get("items") or {}).get("type") == "float"


def _enum_str(v: Any, s: dict[str, Any]) -> bool:
    return isinstance(v, str) and isinstance(s.get("enum"), list)


def _case(v: str, ctx: Ctx) -> str:
    return ctx.rng.choice([v.upper(), v.lower(), v.title(), v.swapcase()])


def _punct(v: str, ctx: Ctx) -> str:
    return ctx.rng.choice([v.replace(" ", ""), v.replace(" ", "-"), v + ".", " " + v + " ", v.replace(",", ""),
                           v.replace(" ", "_"), v + "!", v.replace("'", '"'), v + "+"])


def _wrong_str(v: str, ctx: Ctx) -> str:
    return ctx.rng.choice([v + "x", v[:-1], "x" + v, v[::-1] if len(v) > 2 else v + "y", "wrong"])


def _dict_inner(calls: Calls, ctx: Ctx) -> Calls | None:
    """A value inside a dict argument: float for int, bool for 1/0, string for number, extra/missing key."""
    found = _some_param(calls, ctx, _is_dict)
    if found is None:
        return None
    i, p = found
    value = copy.deepcopy(calls[i][1][p])
    key = ctx.rng.choice(sorted(value))
    inner = value[key]
    choices: list[Any] = ["extra", "drop"]
    if type(inner) is int:
        choices += [float(inner), str(inner), bool(inner) if inner in (0, 1) else inner + 1]
    elif type(inner) is float:
        choices += [int(inner) if inner.is_integer() else inner + 0.5, str(inner)]
    elif type(inner) is bool:
        choices += [int(inner), float(inner), str(inner).lower()]
    elif type(inner) is str:
        choices += [_case(inner, ctx), _punct(inner, ctx), _wrong_str(inner, ctx) if inner else "x"]
    elif type(inner) is list:
        choices += [list(reversed(inner)), [str(x) for x in inner]]
    change = ctx.rng.choice(choices)
    if change == "extra":
        value["unexpected_key"] = 1
    elif change == "drop":
        del value[key]
    else:
        value[key] = change
    return _with(calls, i, p, value)


def _list_item(calls: Calls, ctx: Ctx) -> Calls | None:
    found = _some_param(calls, ctx, _is_list)
    if found is None:
        return None
    i, p = found
    value = copy.deepcopy(calls[i][1][p])
    j = ctx.rng.randrange(len(value))
    item = value[j]
    if type(item) is int:
        value[j] = ctx.rng.choice([float(item), str(item), item + 1])
    elif type(item) is float:
        value[j] = ctx.rng.choice([int(item) if item.is_integer() else round(item), str(item), item + 1])
    elif type(item) is str:
        value[j] = ctx.rng.choice([_case(item, ctx), _punct(item, ctx), _wrong_str(item, ctx) if item else "z", 1])
    elif type(item) is dict and item:
        key = ctx.rng.choice(sorted(item))
        item[key] = ctx.rng.choice(["changed", 0, None, [item[key]]])
    else:
        value[j] = str(item)
    return _with(calls, i, p, value)


def _float_array_ints(calls: Calls, ctx: Ctx) -> Calls | None:
    found = _some_param(calls, ctx, _float_array)
    if found is None:
        return None
    i, p = found
    value = [int(x) if type(x) is float and x.is_integer() else x for x in calls[i][1][p]]
    return _with(calls, i, p, value)


def _drop_param(required: bool | None) -> Callable[[Calls, Ctx], Calls | None]:
    def mutate(calls: Calls, ctx: Ctx) -> Calls | None:
        options = []
        for i, (name, args) in enumerate(calls):
            req = ((ctx.functions.get(name) or {}).get("parameters") or {}).get("required") or []
            options += [(i, p) for p in args if required is None or (p in req) == required]
        if not options:
            return None
        i, p = ctx.rng.choice(options)
        out = copy.deepcopy(calls)
        del out[i][1][p]
        return out
    return mutate


def _extra_param(known: bool) -> Callable[[Calls, Ctx], Calls | None]:
    def mutate(calls: Calls, ctx: Ctx) -> Calls | None:
        i = ctx.rng.randrange(len(calls))
        name, args = calls[i]
        if known:
            spare = [p for p in ctx.props(name) if p not in args]
            if not spare:
                return None
            p = ctx.rng.choice(spare)
            kind = (ctx.props(name)[p] or {}).get("type")
            value: Any = {"integer": 1, "float": 1.5, "boolean": True, "array": [], "dict": {}}.get(kind, "x")
            if ctx.rng.random() < 0.3:
                value = (ctx.props(name)[p] or {}).get("default", value)
        else:
            p, value = ctx.rng.choice([("unknown_param", "x"), ("verbose", True), ("limit", 10)])
        return _with(calls, i, p, value)
    return mutate


def _explicit_optional(calls: Calls, ctx: Ctx) -> Calls | None:
    """Give an answer parameter that was left out: as '' (an explicit empty), null, or a listed value."""
    options = []
    for i, item in enumerate(ctx.answer):
        (params,) = item.values()
        options += [(i, p) for p, vs in params.items() if isinstance(vs, list) and p not in calls[i][1]]
    if not options or len(calls) != len(ctx.answer):
        return None
    i, p = ctx.rng.choice(options)
    listed = [v for v in ctx.values(i, p) if v != ""]
    value = ctx.rng.choice(["", None, *listed[:2]] if listed else ["", None, [], 0])
    return _with(calls, i, p, value)


def _empty_string(calls: Calls, ctx: Ctx) -> Calls | None:
    found = _some_param(calls, ctx, lambda v, s: True)
    if found is None:
        return None
    return _with(calls, *found, ctx.rng.choice(["", None, "dontcare"]))


def _variable(calls: Calls, ctx: Ctx) -> Calls | None:
    """The answer's variable-like values (a string where another type is declared), with small changes."""
    options = []
    for i, (name, _args) in enumerate(calls):
        props = ctx.props(name)
        for p in props:
            kind = (props[p] or {}).get("type")
            strs = [v for v in ctx.values(i, p) if isinstance(v, str) and v != ""] if i < len(ctx.answer) else []
            if kind not in ("string", "any") and strs:
                options.append((i, p, strs))
    if not options:
        return None
    i, p, strs = ctx.rng.choice(options)
    value = ctx.rng.choice(strs)
    return _with(calls, i, p, ctx.rng.choice([value, value.upper(), value.replace("'", '"'), value + " ", value]))


def _type_swap(calls: Calls, ctx: Ctx) -> Calls | None:
    found = _some_param(calls, ctx, _any)
    if found is None:
        return None
    i, p = found
    v = calls[i][1][p]
    options: list[Any] = [[v], str(v), {"value": v}]
    if isinstance(v, list) and v:
        options += [v[0], tuple(v) and list(v) + list(v)]
    if isinstance(v, str) and v.isdigit():
        options.append(int(v))
    return _with(calls, i, p, ctx.rng.choice(options))


def _rename(calls: Calls, ctx: Ctx) -> Calls | None:
    i = ctx.rng.randrange(len(calls))
    name, args = calls[i]
    (original,) = ctx.answer[i].keys() if i < len(ctx.answer) else (name,)
    options = [name + "s", name.upper(), name.replace("_", "-"), "other_function"]
    if "." in original:
        options += [original] * 3
    others = [n for n in ctx.functions if n != name]
    options += others[:2]
    out = copy.deepcopy(calls)
    out[i] = (ctx.rng.choice(options), args)
    return out


def _reorder(calls: Calls, ctx: Ctx) -> Calls | None:
    if len(calls) < 2:
        return None
    out = copy.deepcopy(calls)
    while out == calls:
        ctx.rng.shuffle(out)
    return out


def _drop_call(calls: Calls, ctx: Ctx) -> Calls | None:
    out = copy.deepcopy(calls)
    del out[ctx.rng.randrange(len(out))]
    return out


def _dup_call(calls: Calls, ctx: Ctx) -> Calls | None:
    out = copy.deepcopy(calls)
    out.append(copy.deepcopy(out[ctx.rng.randrange(len(out))]))
    return out


def _swap_values(calls: Calls, ctx: Ctx) -> Calls | None:
    """Swap one parameter's values between two calls of the same function (parallel mix-ups)."""
    pairs = [(a, b) for a in range(len(calls)) for b in range(a + 1, len(calls)) if calls[a][0] == calls[b][0]]
    if not pairs:
        return None
    a, b = ctx.rng.choice(pairs)
    shared = sorted(set(calls[a][1]) & set(calls[b][1]))
    if not shared:
        return None
    p = ctx.rng.choice(shared)
    out = copy.deepcopy(calls)
    out[a][1][p], out[b][1][p] = calls[b][1][p], calls[a][1][p]
    return out


def _replace_call(calls: Calls, ctx: Ctx) -> Calls | None:
    """One call replaced by a copy of another: the right count, one answer served twice."""
    if len(calls) < 2:
        return None
    a, b = ctx.rng.sample(range(len(calls)), 2)
    out = copy.deepcopy(calls)
    out[a] = copy.deepcopy(calls[b])
    return out


def _null_item(calls: Calls, ctx: Ctx) -> Calls | None:
    found = _some_param(calls, ctx, _is_list)
    if found is None:
        return None
    i, p = found
    value = list(calls[i][1][p])
    value.insert(ctx.rng.randrange(len(value) + 1), ctx.rng.choice([None, "", [], value[0]]))
    return _with(calls, i, p, value)


def _nested(calls: Calls, ctx: Ctx) -> Calls | None:
    found = _some_param(calls, ctx, _any)
    if found is None:
        return None
    i, p = found
    v = calls[i][1][p]
    options: list[Any] = [[[v]], {}, [], None, True, 0, 0.0, [v, v]]
    if isinstance(v, dict):
        options += [[v], {k: [x] for k, x in v.items()}, {k: str(x) for k, x in v.items()}]
    if isinstance(v, list) and v and isinstance(v[0], dict):
        options += [v[0], v[:-1], [*v, v[0]], [{**v[0], "extra": 1}, *v[1:]]]
    return _with(calls, i, p, ctx.rng.choice(options))


def _alternative_value(calls: Calls, ctx: Ctx) -> Calls | None:
    """Another value the answer lists, for one parameter (or '' given as an explicit empty)."""
    options = [(i, p, vs) for i, item in enumerate(ctx.answer) if i < len(calls)
               for p, vs in next(iter(item.values())).items() if isinstance(vs, list) and len(vs) > 1]
    if not options:
        return None
    i, p, vs = ctx.rng.choice(options)
    value = _pick(vs, ctx.rng)
    out = copy.deepcopy(calls)
    if value == "" and ctx.rng.random() < 0.5:
        out[i][1].pop(p, None)
    else:
        out[i][1][p] = value
    return out


MUTATIONS: dict[str, Callable[[Calls, Ctx], Calls | None]] = {
    "wrong_string": _mutate_value(_is_str, _wrong_str),
    "string_case": _mutate_value(_is_str, _case),
    "string_punctuation": _mutate_value(_is_str, _punct),
    "wrong_number": _mutate_value(_is_num, lambda v, c: v + c.rng.choice([1, -1, 0.5])),
    "int_as_string": _mutate_value(_is_num, lambda v, c: str(v)),
    "float_for_int": _mutate_value(_is_int, lambda v, c: float(v)),
    "int_for_float": _mutate_value(_is_float, lambda v, c: int(v) if v.is_integer() else round(v)),
    "bool_number": _mutate_value(_is_bool, lambda v, c: c.rng.choice([int(v), str(v).lower(), not v])),
    "list_item": _list_item,
    "list_order": _mutate_value(lambda v, s: type(v) is list and len(v) > 1, lambda v, c: list(reversed(v))),
    "float_array_ints": _float_array_ints,
    "dict_value": _dict_inner,
    "missing_required": _drop_param(True),
    "missing_optional": _drop_param(False),
    "extra_unknown_param": _extra_param(False),
    "extra_known_param": _extra_param(True),
    "explicit_optional": _explicit_optional,
    "empty_or_null": _empty_string,
    "variable_value": _variable,
    "type_swap": _type_swap,
    "rename": _rename,
    "reorder_calls": _reorder,
    "drop_call": _drop_call,
    "duplicate_call": _dup_call,
    "swap_between_calls": _swap_values,
    "enum_empty": _mutate_value(_enum_str, lambda v, c: ""),
    "replace_call": _replace_call,
    "null_in_list": _null_item,
    "nested_or_empty": _nested,
    "alternative_value": _alternative_value,
    "string_true": _mutate_value(_is_bool, lambda v, c: c.rng.choice(["true", "True", "false", "yes"])),
}
REPEAT = {"dict_value": 4, "float_array_ints": 3, "variable_value": 4, "enum_empty": 2, "explicit_optional": 3,
          "list_item": 3, "nested_or_empty": 2, "alternative_value": 3, "type_swap": 2}
RAW = ("", "{}", "null", "[]", "{\"a\": ", " ", "\n", "\"text\"", "1")  # texts that are not the answer's object


def _json_text(args: dict[str, Any], rng: random.Random) -> str:
    """The right arguments written another way JSON allows (or one of Python's json extensions)."""
    text = json.dumps(args)
    choice = rng.randrange(6)
    if choice == 0:
        return json.dumps(args, indent=2)
    if choice == 1:
        return " " + json.dumps(args, separators=(",", ":")) + "\n"
    if choice == 2:
        return json.dumps(args, ensure_ascii=True).replace("a", "\\u0061", 1) if '"a' in text else text
    if args and choice == 3:  # a duplicate key: json keeps the last
        key = rng.choice(sorted(args))
        return "{" + json.dumps(key) + ": \"first\", " + text[1:]
    if args and choice == 4:
        key = rng.choice(sorted(args))
        return json.dumps({**args, key: rng.choice([float("nan"), float("inf"), 10**20, -0.0, 1e-300])})
    return text


def cases(questions: dict[str, list[dict[str, Any]]], answers: dict[str, dict[str, list[Any]]],
          seed: int = 20260101) -> Iterator[Case]:
    """Every entry of every category: right answers (first and random acceptable values), each mistake kind
    that applies, and broken argument texts."""
    rng = random.Random(seed)
    for category in sorted(questions):
        for question in questions[category]:
            answer = answers[category].get(question["id"])
            if answer is None:
                continue
            ctx = Ctx(rng, {f["name"].replace(".", "_"): f for f in question["function"]}, answer)
            first = base_calls(answer, None)
            yield _make_case(question["id"], category, "right_first", first)
            yield _make_case(question["id"], category, "right_random", base_calls(answer, rng))
            for kind, mutate in MUTATIONS.items():
                for _ in range(REPEAT.get(kind, 1)):
                    start = first if rng.random() < 0.5 else base_calls(answer, rng)
                    changed = mutate(start, ctx)
                    if changed is not None:
                        yield _make_case(question["id"], category, kind, changed)
            raw = [(n, json.dumps(a)) for n, a in first]
            i = rng.randrange(len(raw))
            raw[i] = (raw[i][0], rng.choice(RAW))
            yield Case(question["id"], category, "arguments_text", raw)
            yield Case(question["id"], category, "json_text", [(n, _json_text(a, rng)) for n, a in first])


def _make_case(bfcl_id: str, category: str, kind: str, calls: Calls) -> Case:
    return Case(bfcl_id, category, kind, [(n, json.dumps(a)) for n, a in calls])
