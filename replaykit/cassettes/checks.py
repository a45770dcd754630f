"""The fields of a cassette that readers compute with, checked for type and range (limits.py) as it is decoded.

The scorer reads fixed fields only and does not walk the rest of the file, so these checks are what keeps a
status code of 1e308, a token count of 2^64, a step that is a list or an interaction index of -1 from
reaching its arithmetic. A field out of range refuses the cassette, naming the file and the field: the
scorer skips it with a warning, `verify` reports it, `inspect` exits 2. They are cheap (a few type tests an
attempt, min/max/fsum at C speed over the stream's event times): every cassette of a run passes here.
"""

from __future__ import annotations

import math
from typing import Any, NoReturn

from replaykit.cassettes.limits import (
    MAX_COUNT,
    MAX_EPOCH,
    MAX_MS,
    MAX_STATUS,
    MIN_STATUS,
    count_in,
    number_in,
    status_ok,
)
from replaykit.errors import CassetteError


def refuse(source: str, field: str, message: str) -> NoReturn:
    raise CassetteError(message, source=source, field=field)


def shown(value: Any) -> str:
    """A short rendering of a refused value (a 5,000-digit integer is not printed whole)."""
    if type(value) is int and value.bit_length() > 64:
        return f"an integer of {value.bit_length()} bits"
    if isinstance(value, dict | list):  # never repr'd: it may nest a thousand levels (the scorer does not walk)
        return f"{'an object' if isinstance(value, dict) else 'a list'} of {len(value)} items"
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def sample_fields(sample: dict[str, Any], source: str) -> tuple[str, str, int, str, str]:
    """replaykit.sample: (provider, scenario, repetition, scenario_hash, mode)."""
    values = []
    for key, default in (("provider", None), ("scenario", None), ("scenario_hash", ""), ("mode", "native")):
        value = sample.get(key, default)
        if type(value) is not str:
            refuse(source, f"replaykit.sample.{key}", f"must be a string, not {shown(value)}")
        values.append(value)
    repetition = sample.get("repetition")
    if not count_in(repetition):
        refuse(source, "replaykit.sample.repetition", f"must be a whole number 0–{MAX_COUNT}, not {shown(repetition)}")
    return values[0], values[1], repetition, values[2], values[3]


def attempt_meta(meta: Any, where: str, interactions: int, source: str) -> int | None:
    """One entry of replaykit.attempts; its interaction index (None: the attempt got no response)."""
    if type(meta) is not dict:
        refuse(source, where, "must be an object")
    index = meta.get("interaction")
    if index is not None and not (type(index) is int and 0 <= index < interactions):
        refuse(source, f"{where}.interaction",
               f"must be null or an index of `interactions` (0–{interactions - 1}), not {shown(index)}")
    if index is None and type(meta.get("request") or {}) is not dict:
        refuse(source, f"{where}.request", "must be an object")
    for key in ("step", "retry"):
        if key in meta and not count_in(meta[key]):
            refuse(source, f"{where}.{key}", f"must be a whole number 0–{MAX_COUNT}, not {shown(meta[key])}")
    wait = meta.get("wait_ms", 0.0)
    if not number_in(wait, 0, MAX_MS):
        refuse(source, f"{where}.wait_ms", f"must be a number of milliseconds 0–{MAX_MS:g}, not {shown(wait)}")
    if type(meta.get("provider", "")) is not str:
        refuse(source, f"{where}.provider", "must be a string")
    error = meta.get("error")
    if error is not None and not (type(error) is dict and all(type(v) is str or v is None for v in error.values())):
        refuse(source, f"{where}.error", "must be null or an object of strings")
    if "timing" in meta:
        _timing(meta["timing"], f"{where}.timing", source)
    return index


def _timing(timing: Any, where: str, source: str) -> None:
    if type(timing) is not dict:
        refuse(source, where, "must be an object")
    for key, value in timing.items():
        if key == "events_ms":
            _times(value, f"{where}.events_ms", source)
        elif value is not None and not number_in(value, 0, MAX_EPOCH if key == "started_at" else MAX_MS):
            high = MAX_EPOCH if key == "started_at" else MAX_MS
            refuse(source, f"{where}.{key}", f"must be null or a number 0–{high:g}, not {shown(value)}")


def _times(values: Any, where: str, source: str) -> None:
    """A list of event times: min, max and fsum at C speed instead of a test per event."""
    if type(values) is not list:
        refuse(source, where, "must be a list of numbers")
    if not values:
        return
    try:
        ok = (number_in(min(values), 0, MAX_MS) and number_in(max(values), 0, MAX_MS)
              and math.isfinite(math.fsum(values)))
    except (TypeError, ValueError, OverflowError):  # a string or null among numbers
        ok = False
    if not ok:
        refuse(source, where, f"must be a list of numbers 0–{MAX_MS:g}")


Parts = tuple[dict[str, Any], int, str, dict[str, list[str]], Any]


def interaction_parts(inter: Any, where: str, source: str) -> Parts:
    """One vcrpy interaction: (request, status, reason, response headers, raw body), shapes checked."""
    if type(inter) is not dict:
        refuse(source, where, "must be an object with `request` and `response`")
    for key in ("request", "response"):
        if key not in inter:
            refuse(source, where, f"malformed: missing key {key!r}")
        if type(inter[key]) is not dict:
            refuse(source, f"{where}.{key}", "must be an object")
    request, response = request_fields(inter["request"], f"{where}.request", source), inter["response"]
    status = response.get("status")
    code = status.get("code") if type(status) is dict else status
    if not status_ok(code):
        refuse(source, f"{where}.response.status.code",
               f"must be an HTTP status {MIN_STATUS}–{MAX_STATUS}, not {shown(code)}")
    message = status.get("message") if type(status) is dict else ""
    if type(message) is not str and not (message is None or type(message) in (int, float, bool)):
        refuse(source, f"{where}.response.status.message", f"must be a string, not {shown(message)}")
    body = response.get("body")
    raw_body = body.get("string") if type(body) is dict else body
    if raw_body is not None and type(raw_body) not in (str, bytes):
        refuse(source, f"{where}.response.body.string", "must be a string")
    headers = _headers(response.get("headers"), f"{where}.response.headers", source)
    return request, code, message if type(message) is str else str(message or ""), headers, raw_body


def request_fields(request: dict[str, Any], where: str, source: str) -> dict[str, Any]:
    """A recorded request: body, uri and method strings, headers as lists of strings (the reports redact and
    show them)."""
    if request.get("body") is not None and type(request["body"]) not in (str, bytes):
        refuse(source, f"{where}.body", "must be a string")
    for key in ("uri", "method"):
        if key in request and type(request[key]) is not str:
            refuse(source, f"{where}.{key}", "must be a string")
    if "headers" not in request:
        return request
    headers = _headers(request["headers"], f"{where}.headers", source)
    return request if headers is request["headers"] else {**request, "headers": headers}


def _headers(headers: Any, where: str, source: str) -> dict[str, list[str]]:
    """Header values as lists of strings (vcrpy writes lists; other tools may write one value, or numbers)."""
    if headers is None:
        return {}
    if type(headers) is not dict:
        refuse(source, where, "must be an object")
    for values in headers.values():
        if type(values) is not list or not all(type(v) is str for v in values):
            break
    else:
        return headers
    out = {}
    for key, values in headers.items():
        items = values if type(values) is list else [values]
        if not all(v is None or type(v) in (str, int, float, bool) for v in items):
            refuse(source, f"{where}.{key}", "must be a string or a list of strings")
        out[key] = [v if type(v) is str else str(v) for v in items if v is not None]
    return out
