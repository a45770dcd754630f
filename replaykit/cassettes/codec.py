"""Cassette ⇄ dict: replaykit's cassettes (vcrpy JSON + a `replaykit` key) and foreign vcrpy cassettes."""

from __future__ import annotations

from typing import Any

import orjson
import yaml

from replaykit.cassettes.checks import attempt_meta, interaction_parts, request_fields, sample_fields, shown
from replaykit.cassettes.encoding import body_text
from replaykit.cassettes.limits import MAX_YAML_BYTES, MAX_YAML_NODES, check_json_size, check_shape
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


def parse(data: bytes, source: str, *, walkers: bool = True) -> Any:
    """The file's data as Python values: JSON, or YAML through the safe loader, within limits.py's bounds.

    A large JSON text has its values counted before it is parsed, YAML its events (both could take
    gigabytes); YAML is then shape-checked by a walk (aliases multiply a small file into billions of nodes;
    dates, sets and 5,000-digit integers are no JSON). JSON's depth is checked by the same walk;
    `walkers=False` skips it for callers that never walk the data recursively (the scorer's hot path reads
    fixed fields, each checked by `decode_parsed`)."""
    if data.lstrip()[:1] == b"{":
        check_json_size(data, source)
        try:
            raw = orjson.loads(data)
        except orjson.JSONDecodeError as err:
            raise CassetteError(f"invalid JSON: {err}", source=source) from None
        if walkers:
            check_shape(raw, source)
        return raw
    raw = _parse_yaml(data, source)
    check_shape(raw, source, scalars=True)
    return raw


def _parse_yaml(data: bytes, source: str) -> Any:
    if len(data) > MAX_YAML_BYTES:
        raise CassetteError(f"a YAML file over the {MAX_YAML_BYTES}-byte limit", source=source)
    try:
        if len(data) > MAX_YAML_NODES:  # a value takes at least a byte: smaller files cannot hold too many
            for count, _event in enumerate(yaml.parse(data, Loader=_SafeLoader)):
                if count > MAX_YAML_NODES:
                    raise CassetteError(f"more than {MAX_YAML_NODES} YAML values", source=source)
        return yaml.load(data, Loader=_SafeLoader)
    except ValueError:  # Python refuses to convert integers of more than 4,300 digits
        raise CassetteError("invalid or unsafe YAML: an integer of thousands of digits", source=source) from None
    except (yaml.YAMLError, RecursionError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise CassetteError(f"invalid or unsafe YAML: {first[:200]}", source=source) from None


def _decode_own(raw: dict[str, Any], own: dict[str, Any], source: str) -> Cassette:
    version = own.get("format")
    if type(version) is not int or version < 1:
        raise CassetteError(f"unknown replaykit cassette format {shown(version)}", source=source,
                            field="replaykit.format")
    if version > FORMAT_VERSION:
        raise CassetteError(f"cassette format {version} is newer than this replaykit reads ({FORMAT_VERSION}); "
                            "upgrade replaykit", source=source, field="replaykit.format")
    sample = own.get("sample")
    attempts_raw = own.get("attempts")
    if not isinstance(sample, dict) or not isinstance(attempts_raw, list):
        raise CassetteError("missing sample or attempts", source=source, field="replaykit")
    complete = own.get("complete", False)
    if type(complete) is not bool:
        raise CassetteError("must be true or false", source=source, field="replaykit.complete")
    sid = SampleId(*sample_fields(sample, source))
    interactions = raw["interactions"]
    attempts = [_attempt(a, f"replaykit.attempts[{i}]", interactions, source) for i, a in enumerate(attempts_raw)]
    extra = {k: v for k, v in own.items() if k not in _OWN_KEYS}
    return Cassette(sid, attempts, complete, source, extra=extra)


def _attempt(meta: Any, where: str, interactions: list[Any], source: str) -> Attempt:
    index = attempt_meta(meta, where, len(interactions), source)
    attempt = (Attempt(request=request_fields(meta.get("request") or {}, f"{where}.request", source)) if index is None
               else _from_interaction(interactions[index], f"interactions[{index}]", source))
    # replaykit's per-attempt record; absent keys keep the defaults (one cassette per sample: this is hot)
    get = meta.get
    attempt.error = get("error")
    attempt.timing = get("timing", attempt.timing)
    attempt.step = get("step", 0)
    attempt.provider = get("provider", "")
    attempt.retry = get("retry", 0)
    attempt.wait_ms = get("wait_ms", 0.0)
    return attempt


def _from_interaction(inter: Any, where: str, source: str, **kwargs: Any) -> Attempt:
    request, status, reason, headers, raw_body = interaction_parts(inter, where, source)
    if raw_body is None and "parsed_body" in inter["response"]:  # pydantic-ai's cassettes store bodies parsed
        raw_body = _unparsed(inter["response"]["parsed_body"], f"{where}.response.parsed_body", source)
    text = raw_body if type(raw_body) is str else body_text(raw_body, headers)  # bytes: foreign, maybe gzip
    if isinstance(request.get("body"), bytes):
        request = {**request, "body": request["body"].decode("utf-8", "replace")}
    elif request.get("body") is None and "parsed_body" in request:
        request = {**request, "body": _unparsed(request["parsed_body"], f"{where}.request.parsed_body", source)}
    return Attempt(request, status, reason, headers, text, **kwargs)


def _unparsed(value: Any, where: str, source: str) -> str:
    """A body stored as YAML data, back to JSON text (a string stays as it is: an SSE body)."""
    if isinstance(value, str):
        return value
    try:  # the scorer does not walk the file: this is the one part of it that is walked (orjson stops at 255)
        check_shape(value, source)
    except CassetteError as err:
        raise CassetteError(err.message, source=source, field=where) from None
    return orjson.dumps(value).decode()


def _decode_foreign(raw: dict[str, Any], source: str) -> Cassette:
    attempts = [_from_interaction(inter, f"interactions[{i}]", source, step=i)
                for i, inter in enumerate(raw["interactions"])]
    name = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return Cassette(SampleId("foreign", name, 0), attempts, True, source, foreign=True)
