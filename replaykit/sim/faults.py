"""Deterministic fault decisions and the perturbations that turn an intended answer into a profile's answer.

Every random decision comes from a PRNG seeded by sha256(seed, profile, canonical request body, ordinal)
(the engine passes ordinal 0 for bodies with a `seed` field), split into independent named streams, so
adding an effect or a draw in one place never shifts another, and concurrent requests get the same answers
whatever order they arrive in.
"""

from __future__ import annotations

import copy
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from replaykit.promptformats import prompt_format, qwen3_coder
from replaykit.promptmode import format_call
from replaykit.scenarios.matchers import schema_example
from replaykit.sim.answers import Intended
from replaykit.sim.profiles import ARG_FAULTS, HTTP_FAULTS, SIGNATURE_FAULT, TEXT_FAULTS, Profile
from replaykit.sim.signatures import KINDS, thinking_text

Rates = Callable[[str], float]
_HALLUCINATED = ("search", "run_python", "get_info", "execute_command", "lookup", "fetch_url", "call_api",
                 "query_database", "open_file", "web_search")


class Draws:
    """Named, independent random streams for one request."""

    def __init__(self, seed: int, profile: str, body: bytes, ordinal: int) -> None:
        head = f"{seed}\x00{profile}\x00{ordinal}\x00".encode()
        self._base = hashlib.sha256(head + body).digest()

    def rng(self, purpose: str) -> random.Random:
        digest = hashlib.sha256(self._base + purpose.encode()).digest()
        return random.Random(int.from_bytes(digest[:16], "big"))


def http_fault(profile: Profile, u: float) -> str | None:
    """One uniform draw cut into disjoint intervals: each fault's probability is exactly its rate."""
    edge = 0.0
    for name in HTTP_FAULTS:
        edge += profile.rate(name)
        if u < edge:
            return name
    return None


@dataclass
class OutCall:
    name: str
    arguments: str          # the JSON text as sent (invalid on purpose under invalid_json_args)
    id: str = ""


@dataclass
class Answer:
    content: str | None
    calls: list[OutCall] | None     # None: no tool_calls field; []: an empty list (the fault)
    finish_reason: str
    faults: list[str] = field(default_factory=list)
    thinking: str | None = None     # reasoning shown before the answer (a thinking profile), signed
    signature: str = "ok"           # ok, or how a reasoning_signature fault breaks it (signatures.KINDS)

    def output_text(self) -> str:
        """What the model 'generated', for token counts."""
        calls = "".join(c.name + c.arguments for c in self.calls or [])
        return (self.content or "") + calls


def build_answer(intended: Intended, profile: Profile, draws: Draws, perturb: bool = True,
                 load: tuple[int, int] = (0, 0)) -> Answer:
    """The profile's answer: the intended one, perturbed by the answer faults drawn for this request.

    `perturb=False` gives the intended answer as is (the body that an HTTP-level fault then breaks). `load`:
    (tools offered, prompt tokens), for effects gated on them.
    """

    def gated(effect: str) -> float:
        return profile.rate_for(effect, *load)

    rates = (gated if profile.gates else profile.rate) if perturb else _no_rates
    rng = draws.rng("answer")
    # Always draw every uniform in a fixed order, so one effect's rate never shifts another's draw.
    u_text, u_empty = rng.random(), rng.random()
    u_args = {name: rng.random() for name in ARG_FAULTS}
    choice = draws.rng("choice")
    answer = _perturbed(intended, rates, u_text, u_empty, u_args, choice)
    ids = draws.rng("ids")
    for call in answer.calls or []:
        call.id = f"call_{ids.getrandbits(96):024x}"
    if profile.thinks and perturb and intended.mode == "native":
        _think(answer, intended, rates, draws.rng("signature"))
    return answer


def _think(answer: Answer, intended: Intended, rates: Rates, rng: random.Random) -> None:
    """Reasoning before the answer, its signature broken at the reasoning_signature rate on answers with calls
    (own draws: adding it shifts no other effect)."""
    answer.thinking = thinking_text(intended.calls)
    u, kind = rng.random(), rng.choice(KINDS)
    if u < rates(SIGNATURE_FAULT) and answer.calls:  # a signature matters when the calls' turn goes back
        answer.signature = kind
        answer.faults.append(SIGNATURE_FAULT)


def _no_rates(effect: str) -> float:
    return 0.0


def _perturbed(intended: Intended, rates: Rates, u_text: float, u_empty: float,
               u_args: dict[str, float], choice: random.Random) -> Answer:
    if not intended.calls:
        return Answer(intended.text or "", None, "stop")
    native = intended.mode == "native"
    text_fault = _text_fault(rates, u_text) if native else None
    if text_fault:
        return Answer(_as_text(text_fault, intended.calls), None, "stop", [text_fault])
    if native and u_empty < rates("empty_tool_calls"):
        return Answer(None, [], "tool_calls", ["empty_tool_calls"])
    calls, faults = _arg_faults(intended, rates, u_args, choice)
    if native:
        return Answer(None, calls, "tool_calls", faults)
    text = prompt_format(intended.prompt_format).calls_text([(c.name, c.arguments) for c in calls])
    return Answer(text, None, "stop", faults)


def _text_fault(rates: Rates, u: float) -> str | None:
    edge = 0.0
    for name in TEXT_FAULTS:
        edge += rates(name)
        if u < edge:
            return name
    return None


def _as_text(fault: str, calls: tuple[tuple[str, Any], ...]) -> str:
    if fault == "text_tool_call_hermes":
        return "\n".join(format_call(name, args) for name, args in calls)
    # Qwen3-Coder's native call syntax, as vLLM/SGLang leave it in `content` without the right parser
    return "\n".join(qwen3_coder.format_call(name, args) for name, args in calls)


def _arg_faults(intended: Intended, rates: Rates, u: dict[str, float],
                choice: random.Random) -> tuple[list[OutCall], list[str]]:
    """Apply missing_call first, then the per-argument faults on the calls left, then extra_call.

    Each fault is recorded only when applied: its precondition (a call left, an optional parameter, a
    number or boolean argument) is checked on the calls it would touch.
    """
    work: list[tuple[str, dict[str, Any]]] = [(n, copy.deepcopy(a) if isinstance(a, dict) else {})
                                              for n, a in intended.calls]
    faults: list[str] = []
    hit = {name: u[name] < rates(name) for name in ARG_FAULTS}
    if hit["missing_call"]:
        work.pop(choice.randrange(len(work)))
        faults.append("missing_call")
    names = [n for n, _ in work]
    raws: dict[int, str] = {}
    if work and hit["drop_optional"] and _drop_optional(work, intended):
        faults.append("drop_optional")
    typed = _wrong_type(work, choice) if work and hit["wrong_type"] else None
    if typed is not None:
        faults.append("wrong_type")
    if work and hit["unknown_tool"]:
        i = choice.randrange(len(work))
        names[i] = choice.choice([h for h in _HALLUCINATED if h not in intended.tool_names])
        faults.append("unknown_tool")
    if work and hit["invalid_json_args"]:
        # Prefer a call whose wrong type stays visible.
        pool = [i for i in range(len(work)) if i != typed] or list(range(len(work)))
        i = choice.choice(pool)
        raws[i] = _break_json(orjson.dumps(work[i][1]).decode(), choice)
        faults.append("invalid_json_args")
    calls = [OutCall(names[i], raws.get(i) or orjson.dumps(args).decode())
             for i, (_, args) in enumerate(work)]
    if hit["extra_call"] and intended.tools:
        calls.append(_extra_call(intended, choice))
        faults.append("extra_call")
    return calls, faults


def _drop_optional(work: list[tuple[str, dict[str, Any]]], intended: Intended) -> bool:
    dropped = False
    for name, args in work:
        required = set(intended.schema(name).get("required") or [])
        for key in [k for k in args if k not in required]:
            del args[key]
            dropped = True
    return dropped


def _wrong_type(work: list[tuple[str, dict[str, Any]]], choice: random.Random) -> int | None:
    """One number or boolean argument sent as a string ("130" for 130); the call's index, or None."""
    spots = [(i, k) for i, (_, args) in enumerate(work) for k, v in args.items()
             if isinstance(v, (int, float, bool))]
    if not spots:
        return None
    i, key = choice.choice(spots)
    value = work[i][1][key]
    work[i][1][key] = orjson.dumps(value).decode()  # JSON spelling: true, 130, 2.5
    return i


def _break_json(raw: str, choice: random.Random) -> str:
    """Invalid JSON as seen in the wild: truncated, a lost closing brace, Python-style quotes."""
    kind = choice.choice(("truncated", "lost_brace", "python_quotes"))
    if kind == "truncated" and len(raw) > 2:
        broken = raw[:choice.randrange(1, len(raw) - 1)]
    elif kind == "python_quotes":
        broken = raw.replace('"', "'")
    else:
        broken = raw[:-1]
    try:
        orjson.loads(broken)
    except orjson.JSONDecodeError:
        return broken
    return raw[:-1]  # e.g. "{}" survives the quote swap; a lost brace never parses


def _extra_call(intended: Intended, choice: random.Random) -> OutCall:
    tool = choice.choice(intended.tools)
    params = tool.get("parameters")
    schema: dict[str, Any] = params if isinstance(params, dict) else {}
    props = schema.get("properties") or {}
    args = {k: schema_example(props.get(k)) for k in schema.get("required") or []}
    return OutCall(str(tool.get("name", "")), orjson.dumps(args).decode())
