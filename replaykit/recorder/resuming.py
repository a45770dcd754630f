"""Resuming a run without trusting it.

A run folder may come from someone else, and the machine that resumes it holds API keys. So everything that
decides where a request goes and what it carries (endpoint, headers, key variable, routing) comes from a
provider file on this machine: the one given with `--providers`, or the file the run was recorded with, found
at its absolute path with the same content hash. run.json's copies of the configs are only compared with it;
any difference refuses the resume and is shown. The scenarios come from the run's own `scenarios.json`
snapshot (checked against run.json's hashes), so a resume works from any folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from replaykit.canonical import file_hash
from replaykit.cassettes.persist import read_bounded
from replaykit.cassettes.run import SCENARIOS_FILE, Run
from replaykit.errors import BadInputError, CassetteError, ScenarioError
from replaykit.providers.config import MODES, Provider
from replaykit.providers.loader import load_providers
from replaykit.recorder.engine import RecordOptions
from replaykit.recorder.redact import PLACEHOLDER
from replaykit.scenarios.loader import load_scenarios, scenarios_from_snapshot
from replaykit.scenarios.model import Scenario

# The fields that shape a request: they must agree between the user's file and run.json. Price, timeout,
# concurrency and the descriptive fields may change between sessions without changing what is sent.
SENT_FIELDS = ("base_url", "model", "api_key_env", "headers", "routing", "extra_body", "mode", "stream",
               "temperature", "max_tokens", "usage_accounting", "prompt_format", "stream_format")
REDACTED = PLACEHOLDER  # how run.json stores header values and URL credentials
MAX_PROVIDER_FILE_BYTES = 1024 * 1024


def provider_file_identity(path: str | Path) -> tuple[str, str]:
    """(absolute path, content hash) of a provider file, as run.json records them for a later resume."""
    absolute = Path(path).resolve()
    try:
        return str(absolute), file_hash(read_bounded(absolute, MAX_PROVIDER_FILE_BYTES))
    except CassetteError:
        return str(absolute), ""


def trusted_providers(run: Run, params: dict[str, Any], given: str | None,
                      overrides: Any) -> tuple[str, list[Provider]]:
    """The provider file used and the run's providers as it defines them (with the run's overrides applied);
    refuses when they differ from run.json's copies in anything that is sent."""
    path = given or _recorded_file(run, params)
    loaded = load_providers(path)
    stored = run.manifest.get("providers")
    if not isinstance(stored, dict) or not stored:
        raise BadInputError("lists no providers; nothing to resume", source=str(run.root / "run.json"))
    known = set(loaded.names())
    missing = [name for name in stored if name not in known]
    if missing:
        raise BadInputError(f"provider {missing[0]!r} of this run is not in this file (it has: "
                            f"{', '.join(loaded.names())}); resume with the file the run was recorded with",
                            source=str(path))
    chosen: list[Provider] = overrides([loaded.get(name) for name in stored])
    diffs = [d for p in chosen for d in differences(p, stored[p.name])]
    if diffs:
        shown = "; ".join(diffs[:6]) + (f"; and {len(diffs) - 6} more" if len(diffs) > 6 else "")
        raise BadInputError(f"run.json's provider settings differ from {path}, so nothing was sent "
                            f"(a resume sends only what your provider file says, with --base-url if the run was "
                            f"recorded with it): {shown}",
                            source=str(run.root / "run.json"))
    return str(path), chosen


def _recorded_file(run: Run, params: dict[str, Any]) -> str:
    """The provider file the run was recorded with, if it is on this machine, unchanged, and not part of the
    run (a file shipped inside a shared run is the sharer's, whatever path and hash run.json gives)."""
    stored, digest = params.get("providers_file"), params.get("providers_file_hash")
    hint = "pass --providers FILE (your provider file; run.json's copies are never used to send)"
    if not isinstance(stored, str) or not stored or not isinstance(digest, str) or not digest:
        raise BadInputError(f"this run does not identify its provider file by path and hash: {hint}")
    path = Path(stored)
    if not path.is_absolute() or not path.is_file():  # is_file: a FIFO or device never gets opened
        raise BadInputError(f"the provider file this run was recorded with ({stored!r}) is not on this "
                            f"machine: {hint}")
    if path.resolve().is_relative_to(run.root.resolve()):
        raise BadInputError(f"the provider file run.json names ({stored!r}) is inside the run folder: {hint}")
    try:
        actual = file_hash(read_bounded(path, MAX_PROVIDER_FILE_BYTES))
    except CassetteError as err:
        raise BadInputError(f"cannot read the provider file this run was recorded with ({err}): {hint}") from None
    if actual != digest:
        raise BadInputError(f"the provider file {stored!r} changed since the run was recorded: {hint}")
    return stored


def differences(mine: Provider, stored: Any) -> list[str]:
    """What run.json says differently from the user's provider, field by field. Header and extra_body
    values are not shown (they may be secrets); URL credentials are masked."""
    where = f"providers.{mine.name}"
    if not isinstance(stored, dict):
        return [f"{where}: not a table in run.json"]
    ours = mine.sanitized()
    out = []
    for key in SENT_FIELDS:
        theirs, own = stored.get(key), ours.get(key)
        if key in ("headers", "extra_body"):
            out += [f"{where}.{key}.{name}: {how}" for name, how in _key_diffs(theirs, own)]
        elif not _same(theirs, own):
            out.append(f"{where}.{key}: run.json has {_show(theirs)}, your file has {_show(own)}")
    return out


def _key_diffs(theirs: Any, own: Any) -> list[tuple[str, str]]:
    theirs = theirs if isinstance(theirs, dict) else ({} if theirs is None else {"<value>": theirs})
    own = own or {}
    out = []
    for name in sorted(set(theirs) | set(own), key=str):
        if name not in own:
            out.append((str(name), "only in run.json"))
        elif name not in theirs:
            out.append((str(name), "only in your file"))
        elif not _same(theirs[name], own[name]):
            out.append((str(name), "values differ"))
    return out


def _same(theirs: Any, own: Any) -> bool:
    """Equal, where a `<redacted>` in run.json's value stands for whatever the user's value has there."""
    if isinstance(theirs, str) and isinstance(own, str) and REDACTED in theirs:
        return _glob_match(theirs.split(REDACTED), own)
    if isinstance(theirs, dict) and isinstance(own, dict):
        return theirs.keys() == own.keys() and all(_same(theirs[k], own[k]) for k in theirs)
    if isinstance(theirs, list) and isinstance(own, list):
        return len(theirs) == len(own) and all(_same(a, b) for a, b in zip(theirs, own))
    return type(theirs) is type(own) and bool(theirs == own)


def _glob_match(parts: list[str], text: str) -> bool:
    """Whether `text` is parts[0] + anything + parts[1] + ... + parts[-1]. Greedy, left to right: linear in
    the text whatever run.json holds (a regex of many `.*` could take exponential time)."""
    first, *middle, last = parts
    if not text.startswith(first) or len(text) < len(first) + len(last) or not text.endswith(last):
        return False
    at, end = len(first), len(text) - len(last)
    for part in middle:
        found = text.find(part, at, end)
        if found < 0:
            return False
        at = found + len(part)
    return True


def _show(value: Any) -> str:
    if isinstance(value, str) and "://" in value:
        parts = urlsplit(value)
        if parts.password:
            value = value.replace(f":{parts.password}@", f":{REDACTED}@", 1)
    text = repr(value)
    return text if len(text) <= 120 else text[:119] + "…"


def run_scenarios(run: Run, given: Sequence[str]) -> list[Scenario]:
    """The run's scenarios, in run.json's order: from `--scenarios` when given (each must be unchanged), else
    from the run's own snapshot."""
    wanted = run.manifest.get("scenarios")
    if not isinstance(wanted, dict) or not wanted:
        raise BadInputError("lists no scenarios; nothing to resume", source=str(run.root / "run.json"))
    if given:
        loaded, where = load_scenarios(list(given)), ", ".join(given)
    else:
        snapshot = run.read_scenarios()
        where = str(run.root / SCENARIOS_FILE)
        if snapshot is None:
            raise BadInputError(f"no {SCENARIOS_FILE} in the run: pass --scenarios PATH (the scenarios it was "
                                "recorded with)", source=str(run.root))
        loaded = scenarios_from_snapshot(snapshot, where)
    out = []
    for sid, digest in wanted.items():
        scenario = loaded.get(sid)
        if scenario is None:
            raise ScenarioError(f"scenario {sid} of this run is not there; resuming would change the run's "
                                "scenario set", source=where)
        if scenario.hash != digest:
            raise ScenarioError(f"scenario {sid} changed since the run started; resuming would mix two "
                                "versions (score it as it is, or start a new run)", source=where)
        out.append(scenario)
    return out


# params a resume reads back, with the type each must have (run.json is untrusted input)
_PARAM_TYPES: dict[str, tuple[type, ...]] = {
    "repeat": (int,), "seed": (int,), "concurrency": (int, type(None)), "max_retries": (int,),
    "backoff_base": (int, float), "timeout": (int, float, type(None)), "stream": (bool, type(None)),
    "mode": (str, type(None)), "fallback": (list,), "shard": (list, type(None)),
}


def options_from_params(run: Run) -> RecordOptions:
    """The record options run.json's `params` hold, each checked: a wrong one is one clear error."""
    params = run.manifest.get("params")
    source = str(run.root / "run.json")
    if not isinstance(params, dict):
        raise BadInputError("must be an object", source=source, field="params")
    values: dict[str, Any] = {}
    for key, types in _PARAM_TYPES.items():
        if key not in params:
            continue
        value = params[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise BadInputError(f"wrong type {type(value).__name__}", source=source, field=f"params.{key}")
        values[key] = value
    _check_ranges(values, source)
    if values.get("shard") is not None:
        values["shard"] = _shard(values["shard"], source)
    return RecordOptions(**values)


def _shard(value: list[Any], source: str) -> tuple[int, int]:
    if not (len(value) == 2 and all(type(v) is int for v in value) and 1 <= value[0] <= value[1]):
        raise BadInputError("must be [index, count] with 1 <= index <= count", source=source, field="params.shard")
    return value[0], value[1]


def _check_ranges(values: dict[str, Any], source: str) -> None:
    lowest = {"repeat": 1, "concurrency": 1, "max_retries": 0, "backoff_base": 0, "timeout": 0}
    for key, low in lowest.items():
        value = values.get(key)
        if value is not None and (value < low or value != value or value == float("inf")):
            raise BadInputError(f"out of range: {value!r}", source=source, field=f"params.{key}")
    if values.get("mode") not in (None, *MODES):
        raise BadInputError("must be native or prompt", source=source, field="params.mode")
    if not all(isinstance(name, str) for name in values.get("fallback", [])):
        raise BadInputError("must be a list of provider names", source=source, field="params.fallback")
