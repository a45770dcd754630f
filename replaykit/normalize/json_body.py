"""A non-streaming body (`chat.completion` JSON) → the outcome's answer, or the reason it is none."""

from __future__ import annotations

import contextlib
from typing import Any

import orjson

from replaykit.normalize.calls import Malformed, args_text, entry_parts, make_call
from replaykit.normalize.classify import code_class, error_info, is_error
from replaykit.normalize.fields import read_meta, reason, text_of
from replaykit.normalize.outcome import Call, Outcome


def read_json(text: str, out: Outcome) -> bool:
    """Fill `out` from the body; set `error_class` when the body is an error or no answer at all. True when
    the body is a whole answer (a JSON document that parsed is complete by construction)."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        _malformed(out, "the body is not valid JSON")
        return False
    if not isinstance(data, dict):
        _malformed(out, "the body is JSON but not an object")
        return False
    read_meta(data, out)
    if is_error(data.get("error")):  # OpenRouter: an error envelope under HTTP 200
        _provider_error(out, data["error"])
        return False
    try:
        _read_choice(_first_choice(data.get("choices")), out)
    except Malformed as err:
        _malformed(out, str(err))
    return out.error_class is None


def _first_choice(choices: object) -> dict[str, Any]:
    if not isinstance(choices, list) or not choices:
        raise Malformed("no `choices` list with an answer")
    for choice in choices:
        if not isinstance(choice, dict):
            raise Malformed("a choice is not an object")
        if choice.get("index") in (None, 0):
            return choice
    return choices[0]  # all dicts, checked above


def _read_choice(choice: dict[str, Any], out: Outcome) -> None:
    out.finish_reason = reason(choice.get("finish_reason"))
    out.native_finish_reason = reason(choice.get("native_finish_reason"))
    if is_error(choice.get("error")) or out.finish_reason == "error":  # OpenRouter: the provider failed
        _provider_error(out, choice.get("error"))
        with contextlib.suppress(Malformed):
            _read_message(choice, out)  # whatever came before the failure, for `inspect`
        return
    _read_message(choice, out)


def _read_message(choice: dict[str, Any], out: Outcome) -> None:
    message = choice.get("message")
    if message is None and isinstance(choice.get("text"), str):  # a legacy completions-style choice
        out.text = choice["text"]
    elif isinstance(message, dict):
        out.text = text_of(message.get("content"))
        out.calls = _calls(message)
        reasoning = message.get("reasoning_content")
        if isinstance(reasoning, str) and reasoning:
            out.native_turn = reasoning_turn(reasoning)
    else:
        raise Malformed("choices[0].message is not an object")


def reasoning_turn(reasoning: str) -> dict[str, Any]:
    """What a chat answer's turn must carry back: its `reasoning_content` (DeepSeek's thinking mode refuses a
    tool-call turn sent back without it)."""
    return {"reasoning_content": reasoning}


def _calls(message: dict[str, Any]) -> list[Call]:
    entries = message.get("tool_calls")
    if entries is not None and not isinstance(entries, list):
        raise Malformed("message.tool_calls is not a list")
    calls = []
    for entry in entries or ():
        entry, fn = entry_parts(entry)
        call_id = entry.get("id")
        calls.append(_call(fn, call_id if isinstance(call_id, str) and call_id else None))
    legacy = message.get("function_call")  # the deprecated `functions` API: one call, no id
    if legacy is not None:
        calls.append(_call(entry_parts({"function": legacy})[1], None))
    return calls


def _call(fn: dict[str, Any], call_id: str | None) -> Call:
    name = fn.get("name")
    return make_call(name if isinstance(name, str) else "", args_text(fn.get("arguments")), call_id)


def _provider_error(out: Outcome, error: object) -> None:
    info = error_info(error)
    out.error_class = code_class(info.code)
    out.error_message = info.message or "the provider reported an error in a 200 body"
    out.provider = out.provider or info.provider


def _malformed(out: Outcome, why: str) -> None:
    out.error_class = "malformed_body"
    out.error_message = why
