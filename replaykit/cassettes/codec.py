"""Cassette ⇄ dict: replaykit's cassettes (vcrpy JSON + a `replaykit` key) and foreign vcrpy cassettes."""

from __future__ import annotations

from typing import Any

import orjson
import yaml

from replaykit.cassettes.encoding import body_text
from replaykit.cassettes.limits import check_shape
from replaykit.cassettes.model import FORMAT_VERSION, VCR_VERSION, Attempt, Cassette, SampleId
from replaykit.errors import CassetteError

_ATTEMPT_KEYS = ("error", "timing", "step", "provider", "retry", "wait_ms")
_OWN_KEYS = ("format", "sample", "complete", "attempts")
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def encode(cassette: Cassette) -> bytes:
    """The file bytes: interactions for vcrpy, then replaykit's per-attempt record."""
    interactions: list[dict[str, Any]] = []
    attempts = []
    for attempt in cassette.attempts:
        meta: dict[str, Any] = {k: getattr(attempt, k) for k in _ATTEMPT_KEYS}
        if attempt.status is not None:
            meta["interaction"] = len(interactions)
            interactions.append({"request": attempt.request, "response": _response(attempt)})
        else:
            meta["interaction"] = None
            meta["request"] = attempt.request
        attempts.append(meta)
    sample = cassette.sample
    data = {
        "version": VCR_VERSION,
        "interactions": interactions,
        "replaykit": {
            "format": FORMAT_VERSION,
            "sample": {"provider": sample.provider, "scenario": sample.scenario,
                       "repetition": sample.repetition, "scenario_hash": sample.scenario_hash,
                       "mode": sample.mode},
            "complete": cassette.complete,
            "attempts": attempts,
            **cassette.extra,
        },
    }
    return orjson.dumps(data, option=orjson.OPT_INDENT_2)


def _response(attempt: Attempt) -> dict[str, Any]:
    return {"status": {"code": attempt.status, "message": attempt.reason},
            "headers": attempt.response_headers, "body": {"string": attempt.body or ""}}


def decode(data: bytes, source: str, *, walkers: bool = True) -> Cassette:
    """Parse a cassette file: replaykit's own, or any vcrpy cassette (JSON or YAML, safe loader only)."""
    return decode_parsed(parse(data, source, walkers=walkers), source)


def decode_parsed(raw: Any, source: str) -> Cassette:
    """A cassette from data `parse` already returned (for callers that also walk the raw data)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("interactions"), list):
        raise CassetteError("not a vcrpy cassette (no `interactions` list)", source=source)
    own = raw.get("replaykit")
    if isinstance(own, dict):
        return _decode_own(raw, own, source)
    return _decode_foreign(raw, source)


JSON_MAX_DEPTH = 254  # orjson's own encoding limit


def parse(data: bytes, source: str, *, walkers: bool = True) -> Any:
    """The file's data as Python values: JSON, or YAML through the safe loader.

    YAML is shape-checked by a walk (aliases can multiply a small file into billions of nodes). JSON has
    no aliases, so its node count is bounded by the file size; its depth is checked at C speed by
    re-encoding, which orjson refuses past 254 levels; `walkers=False` skips that for callers that never
    walk the data recursively (the scorer's hot path)."""
    if data.lstrip()[:1] == b"{":
        raw = _parse(data, source)
        if not walkers:  # the scorer reads fixed paths only: nothing of it recurses into the data
            return raw
        try:
            orjson.dumps(raw)
        except orjson.JSONEncodeError:
            raise CassetteError(f"nested deeper than {JSON_MAX_DEPTH} levels", source=source) from None
        return raw
    raw = _parse(data, source)
    check_shape(raw, source)
    return raw


def _parse(data: bytes, source: str) -> Any:
    stripped = data.lstrip()
    if stripped[:1] == b"{":
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as err:
            raise CassetteError(f"invalid JSON: {err}", source=source) from None
    try:
        return yaml.load(data, Loader=_SafeLoader)
    except (yaml.YAMLError, RecursionError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise CassetteError(f"invalid or unsafe YAML: {first}", source=source) from None


def _decode_own(raw: dict[str, Any], own: dict[str, Any], source: str) -> Cassette:
    version = own.get("format")
    if not isinstance(version, int) or version < 1:
        raise CassetteError(f"unknown replaykit cassette format {version!r}", source=source, field="replaykit.format")
    if version > FORMAT_VERSION:
        raise CassetteError(f"cassette format {version} is newer than this replaykit reads ({FORMAT_VERSION}); "
                            "upgrade replaykit", source=source, field="replaykit.format")
    sample = own.get("sample")
    attempts_raw = own.get("attempts")
    if not isinstance(sample, dict) or not isinstance(attempts_raw, list):
        raise CassetteError("missing sample or attempts", source=source, field="replaykit")
    try:
        sid = SampleId(str(sample["provider"]), str(sample["scenario"]), int(sample["repetition"]),
                       str(sample.get("scenario_hash", "")), str(sample.get("mode", "native")))
        attempts = [_attempt(a, raw["interactions"]) for a in attempts_raw]
    except (KeyError, TypeError, ValueError, IndexError) as err:
        raise CassetteError(f"malformed replaykit data ({type(err).__name__}: {err})", source=source,
                            field="replaykit") from None
    extra = {k: v for k, v in own.items() if k not in _OWN_KEYS}
    return Cassette(sid, attempts, bool(own.get("complete", False)), source, extra=extra)


def _attempt(meta: dict[str, Any], interactions: list[Any]) -> Attempt:
    index = meta.get("interaction")
    attempt = Attempt(request=meta.get("request") or {}) if index is None else _from_interaction(interactions[index])
    # replaykit's per-attempt record; absent keys keep the defaults (one cassette per sample: this is hot)
    get = meta.get
    attempt.error = get("error")
    attempt.timing = get("timing", attempt.timing)
    attempt.step = get("step", 0)
    attempt.provider = get("provider", "")
    attempt.retry = get("retry", 0)
    attempt.wait_ms = get("wait_ms", 0.0)
    return attempt


def _from_interaction(inter: Any, **kwargs: Any) -> Attempt:
    request = inter["request"]
    response = inter["response"]
    status = response.get("status") or {}
    body = response.get("body") or {}
    headers = response.get("headers") or {}
    for value in headers.values():
        if type(value) is not list:  # vcrpy writes lists; other tools may not
            headers = {str(k): v if isinstance(v, list) else [v] for k, v in headers.items()}
            break
    raw_body = body.get("string") if isinstance(body, dict) else body
    if raw_body is None and "parsed_body" in response:  # pydantic-ai's cassettes store bodies parsed
        raw_body = _unparsed(response["parsed_body"])
    text = raw_body if type(raw_body) is str else body_text(raw_body, headers)  # bytes: foreign, maybe gzip
    if isinstance(request.get("body"), bytes):
        request = {**request, "body": request["body"].decode("utf-8", "replace")}
    elif request.get("body") is None and "parsed_body" in request:
        request = {**request, "body": _unparsed(request["parsed_body"])}
    return Attempt(request, int(status.get("code", 0)), str(status.get("message") or ""), headers, text, **kwargs)


def _unparsed(value: Any) -> str:
    """A body stored as YAML data, back to JSON text (a string stays as it is: an SSE body)."""
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def _decode_foreign(raw: dict[str, Any], source: str) -> Cassette:
    attempts = []
    for i, inter in enumerate(raw["interactions"]):
        try:
            attempts.append(_from_interaction(inter, step=i))
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise CassetteError(f"malformed interaction ({type(err).__name__}: {err})", source=source,
                                field=f"interactions[{i}]") from None
    name = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return Cassette(SampleId("foreign", name, 0), attempts, True, source, foreign=True)
