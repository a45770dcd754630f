"""`replaykit import vcr CASSETTE... --scenarios PATH -o RUN`: foreign vcrpy cassettes become a run.

Each interaction is matched to a scenario by its request, the way the simulator recognises one (the first user
message and the names of the tools offered, in native or prompt mode), or by `--map CASSETTE=SCENARIO`.
Consecutive interactions of one conversation (the same scenario, a longer message history) are the steps of
one sample; the same messages again after a failed attempt are a retry of the same step (other fields, such
as a seed, may change between tries); anything else starts a new sample. The run that comes out is an
ordinary one (run.json, scenarios.json, one cassette per sample), redacted like a recording, so `score`,
`diff`, `verify` and stock vcrpy read it.

Cassettes are untrusted: YAML goes through the safe loader only (a `!!python` tag is refused), sizes and
nesting are bounded, and names taken from them are checked before they become paths.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from replaykit import __version__
from replaykit.canonical import canonical_json, file_hash
from replaykit.cassettes.codec import decode_parsed, encode, parse
from replaykit.cassettes.model import Attempt, Cassette, SampleId
from replaykit.cassettes.persist import read_bounded
from replaykit.cassettes.run import Run
from replaykit.errors import BadInputError, CassetteError
from replaykit.normalize import normalize
from replaykit.normalize.dialects import api_of
from replaykit.scenarios import Scenario, ScenarioSet, load_scenarios
from replaykit.share.paths import check_new_folder, inside, safe_component, sample_relpath, staged_folder
from replaykit.share.redact import Change, Scrubber, encode_cassette
from replaykit.sim.answers import ScenarioIndex
from replaykit.sim.dialects import wire_dialect

_DROP_WITH_DECODED_BODY = ("content-encoding", "content-length")


@dataclass
class ImportReport:
    path: str
    samples: list[str] = field(default_factory=list)
    redacted: list[Change] = field(default_factory=list)


@dataclass
class _Conversation:
    scenario: Scenario
    mode: str
    provider: str
    attempts: list[Attempt]
    interactions: list[int]
    last_messages: bytes = b""
    last_len: int = 0


def import_vcr(cassettes: Sequence[str | Path], scenarios: str | Sequence[str], out: str | Path, *,
               provider: str | None = None, mapping: dict[str, str] | None = None,
               run_id: str | None = None) -> ImportReport:
    target = Path(out)
    check_new_folder(target)
    if provider is not None and not safe_component(provider):
        raise BadInputError(f"--provider {provider!r} is not a plain name ([A-Za-z0-9_.@+=-])")
    chosen = load_scenarios(scenarios)
    index = ScenarioIndex(chosen)
    maps = _mapping(mapping or {}, chosen, cassettes)
    samples: list[tuple[Cassette, dict[str, Any]]] = []
    sources: list[dict[str, Any]] = []
    for path in map(Path, cassettes):
        data = read_bounded(path)
        digest = file_hash(data)
        sources.append({"file": path.name, "sha256": digest})
        for convo in _conversations(path, data, (chosen, index), maps.get(str(path)), provider):
            samples.append((_cassette(convo, samples), {"source": "vcr", "file": path.name, "sha256": digest,
                                                         "interactions": convo.interactions}))
    if not samples:
        raise BadInputError("no interactions to import", source=", ".join(map(str, cassettes)))
    return _write(target, run_id or target.name, chosen, samples, sources)


def _mapping(mapping: dict[str, str], scenarios: ScenarioSet, cassettes: Sequence[str | Path]) -> dict[str, Scenario]:
    """--map CASSETTE=SCENARIO, by the cassette path as given (or its file name)."""
    out: dict[str, Scenario] = {}
    for key, sid in mapping.items():
        scenario = scenarios.get(sid)
        if scenario is None:
            raise BadInputError(f"--map {key}={sid}: no scenario {sid!r} in --scenarios")
        hits = [str(c) for c in cassettes if str(c) == key or Path(c).name == key]
        if not hits:
            raise BadInputError(f"--map {key}={sid}: {key!r} is not one of the cassettes given")
        out.update(dict.fromkeys(hits, scenario))
    return out


def _conversations(path: Path, data: bytes, scenarios: tuple[ScenarioSet, ScenarioIndex],
                   mapped: Scenario | None, provider: str | None) -> list[_Conversation]:
    source = str(path)
    raw = parse(data, source)
    cassette = decode_parsed(raw, source)
    if not cassette.foreign:
        raise CassetteError("is a replaykit cassette already; merge its run instead", source=source)
    convos: list[_Conversation] = []
    current: _Conversation | None = None
    for i, attempt in enumerate(cassette.attempts):
        attempt = _plain_attempt(attempt, raw["interactions"][i])
        body = _request_json(attempt)
        scenario, mode = _scenario_of(body, scenarios, mapped, source, i)
        history = body.get("messages")
        messages: list[Any] = history if isinstance(history, list) else []
        history_key = canonical_json(messages)
        place = _continuation(current, scenario, history_key, len(messages), mode)
        if current is None or place is None:
            current = _Conversation(scenario, mode, "", [], [])
            convos.append(current)
            place = (0, 0)
        _extend(current, replace(attempt, step=place[0], retry=place[1]), i, history_key, len(messages))
    for convo in convos:
        convo.provider = provider or _provider_of(convo.attempts, source)
        # an attempt whose response names no provider went to the sample's own
        convo.attempts = [a if a.provider else replace(a, provider=convo.provider) for a in convo.attempts]
    return convos


def _continuation(current: _Conversation | None, scenario: Scenario, history_key: bytes, length: int,
                  mode: str) -> tuple[int, int] | None:
    """(step, retry) when the attempt goes on with the current conversation; None when it starts another."""
    if current is None or current.scenario.id != scenario.id:
        return None
    previous = current.attempts[-1]
    if history_key == current.last_messages and not normalize(previous, mode=mode).ok:
        return previous.step, previous.retry + 1  # the same turn asked again after a failure
    if length > current.last_len:
        return previous.step + 1, 0  # the history grew: the next turn
    return None


def _extend(convo: _Conversation, attempt: Attempt, index: int, history_key: bytes, length: int) -> None:
    convo.attempts.append(replace(attempt, provider=_attempt_provider(attempt) or ""))
    convo.interactions.append(index)
    convo.last_messages = history_key
    convo.last_len = length


def _request_json(attempt: Attempt) -> dict[str, Any]:
    """The request as a chat-completions body (another dialect's request is read back as the chat request it
    stands for, as the simulator does), so that scenarios and turns are recognised alike."""
    body = attempt.request.get("body")
    try:
        parsed = orjson.loads(body) if isinstance(body, str) and body.lstrip().startswith("{") else None
    except orjson.JSONDecodeError:
        parsed = None
    api = api_of(attempt.request)
    if api != "openai-chat" and isinstance(parsed, dict):
        parsed = wire_dialect(api).to_chat(parsed, None, None)
    return parsed if isinstance(parsed, dict) else {}


def _scenario_of(body: dict[str, Any], scenarios: tuple[ScenarioSet, ScenarioIndex], mapped: Scenario | None,
                 source: str, i: int) -> tuple[Scenario, str]:
    mode = "native" if body.get("tools") else "prompt"
    if mapped is not None:
        return mapped, mode
    chosen, index = scenarios
    intended = index.intended(body)  # the simulator's recognition: first user message + tool names
    found = chosen.get(intended.scenario) if intended.scenario else None
    if found is None:
        raise CassetteError("matches no scenario (by its first user message and tool names); "
                            "add one, or name it with --map CASSETTE=SCENARIO", source=source,
                            field=f"interactions[{i}]")
    return found, intended.mode if intended.mode in ("native", "prompt") else mode


def _plain_attempt(attempt: Attempt, raw: Any) -> Attempt:
    """The attempt with JSON-only values and, when its body was stored compressed and has been decoded,
    without the headers that describe the compressed form (vcrpy would replay them with the text)."""
    request = attempt.request
    plain_request = {"method": str(request.get("method") or "POST"), "uri": str(request.get("uri") or ""),
                     "body": _text(request.get("body")), "headers": _headers(request.get("headers"))}
    headers = _headers(attempt.response_headers)
    stored = ((raw.get("response") or {}).get("body") or {}) if isinstance(raw, dict) else {}
    if isinstance(stored, dict) and isinstance(stored.get("string"), bytes):
        headers = {k: v for k, v in headers.items() if k.lower() not in _DROP_WITH_DECODED_BODY}
    return replace(attempt, request=plain_request, response_headers=headers, timing={}, error=None)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return orjson.dumps(value).decode() if isinstance(value, (dict, list)) else str(value)


def _headers(headers: Any) -> dict[str, list[str]]:
    if not isinstance(headers, dict):
        return {}
    return {str(k): [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in headers.items()}


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_.-]+", "-", name.lower()).strip("-.")


def _attempt_provider(attempt: Attempt) -> str | None:
    """The provider the response names (OpenRouter's `provider` field), as a plain name."""
    named = normalize(attempt).provider if attempt.status is not None else None
    slug = _slug(named) if isinstance(named, str) else ""
    return slug if safe_component(slug) else None


def _provider_of(attempts: list[Attempt], source: str) -> str:
    """The sample's provider: the first one a response names, else the host (api.openai.com → openai)."""
    for attempt in attempts:
        if attempt.provider:
            return attempt.provider
    host = urlsplit(str(attempts[0].request.get("uri") or "")).hostname or ""
    labels = [x for x in host.split(".") if x not in ("api", "www")]
    name = _slug(labels[-2] if len(labels) >= 2 else (labels[0] if labels else ""))
    if not safe_component(name):
        raise CassetteError(f"cannot name a provider after host {host!r}; pass --provider", source=source)
    return name


def _cassette(convo: _Conversation, done: list[tuple[Cassette, dict[str, Any]]]) -> Cassette:
    repetition = sum(1 for c, _ in done if (c.sample.provider, c.sample.scenario)
                     == (convo.provider, convo.scenario.id))
    sample = SampleId(convo.provider, convo.scenario.id, repetition, convo.scenario.hash, convo.mode)
    return Cassette(sample, convo.attempts, True)


def _started(cassettes: list[Cassette]) -> tuple[str, str]:
    """The run's times from the responses' Date headers (none recorded: empty), so an import is reproducible."""
    times = []
    for cassette in cassettes:
        for attempt in cassette.attempts:
            date = attempt.header.get("date")
            try:
                when = email.utils.parsedate_to_datetime(date) if date else None
            except (TypeError, ValueError):
                when = None
            if when is not None and when.tzinfo is not None:
                times.append(when.astimezone(UTC).isoformat(timespec="milliseconds"))
    return (min(times), max(times)) if times else ("", "")


def _providers(cassettes: list[Cassette]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for cassette in cassettes:
        first = cassette.attempts[0].request
        body = _request_json(cassette.attempts[0])
        parts = urlsplit(str(first.get("uri") or ""))
        entry = out.setdefault(cassette.sample.provider, {
            "name": cassette.sample.provider, "base_url": f"{parts.scheme}://{parts.netloc}",
            "models": [], "mode": cassette.sample.mode, "stream": bool(body.get("stream")),
            "imported": "vcr"})
        model = body.get("model")
        if isinstance(model, str) and model not in entry["models"]:
            entry["models"] = sorted([*entry["models"], model])
    for entry in out.values():
        if len(entry["models"]) == 1:
            entry["model"] = entry["models"][0]
    return out


def _write(target: Path, run_id: str, scenarios: ScenarioSet, samples: list[tuple[Cassette, dict[str, Any]]],
           sources: list[dict[str, Any]]) -> ImportReport:
    """Into a temporary folder beside the target, renamed into place when complete."""
    report = ImportReport(str(target))
    cassettes = [c for c, _ in samples]
    used = [s for s in scenarios if any(c.sample.scenario == s.id for c in cassettes)]
    started, ended = _started(cassettes)
    with staged_folder(target, "import") as staging:
        run = Run(staging, {
            "run_id": run_id, "replaykit_version": __version__, "status": "complete",
            "started_at": started, "ended_at": ended, "providers": _providers(cassettes),
            "scenarios": {s.id: s.hash for s in used}, "params": {"imported": "vcr", "sources": sources},
            "cassettes": {}})
        run.write_scenarios([s.raw for s in used])
        scrubber = Scrubber()
        for cassette, provenance in samples:
            rel = sample_relpath(cassette.sample, provenance["file"])
            raw = parse(encode(cassette), rel)
            raw["replaykit"]["provenance"] = [provenance]
            clean = scrubber.cassette(raw)
            report.redacted += scrubber.take(rel)
            data = encode_cassette(clean)
            inside(staging, rel)  # refuses a path that would leave the folder
            run.write_file(rel, data)
            report.samples.append(f"{provenance['file']} {provenance['interactions']} -> {rel}")
        run.save()
    return report
