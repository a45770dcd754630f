"""`replaykit redact RUN`: scrub a run written by an older replaykit or another tool.

Every cassette, `scenarios.json` and `run.json` goes through the recorder's `Redactor` (secret headers,
key-like query parameters, passwords in URLs, known secret values) and through the secret patterns of the
scan (share/secrets.py): each match becomes the placeholder. The hashes in run.json follow the rewritten
files.

Redacting twice changes nothing the second time: a file is written only when its content changed, and no
pattern matches the placeholder. A run whose files no longer match run.json is refused: re-hashing it would
make a tampered run look clean.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from replaykit.canonical import file_hash
from replaykit.cassettes.codec import parse
from replaykit.cassettes.persist import read_bounded, write_atomic
from replaykit.cassettes.run import (
    MANIFEST_DIGEST,
    MAX_MANIFEST_BYTES,
    RUN_FILE,
    SCENARIOS_FILE,
    Run,
    encode_manifest,
    load_run,
    manifest_digest,
)
from replaykit.errors import BadInputError, CassetteError
from replaykit.recorder.redact import PLACEHOLDER, Redactor, secret_name
from replaykit.scenarios.loader import scenarios_from_snapshot
from replaykit.share.secrets import Finding, credential_field, redact_body, scan_url

# A change is reported like a finding of the secret scan: file, field, and what was done there.
Change = Finding


@dataclass
class RedactReport:
    run: str
    changes: list[Change] = field(default_factory=list)
    rewritten: list[str] = field(default_factory=list)


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


class Scrubber:
    """Rewrites JSON-like values, collecting (field path, what) for everything it replaced."""

    def __init__(self, redactor: Redactor | None = None) -> None:
        self.redactor = redactor or Redactor()
        self.found: list[tuple[str, str]] = []

    def text(self, value: str, path: str) -> str:
        known = self.redactor.body(value)
        if known != value:
            self.found.append((path, "known secret value"))
        value, kinds = redact_body(known)
        self.found += [(path, kind) for kind in dict.fromkeys(kinds)]
        return value

    def value(self, value: Any, path: str) -> Any:
        """Every string inside `value` (keys included), scrubbed (a new structure; the input is left alone)."""
        if isinstance(value, str):
            return self.text(value, path)
        if isinstance(value, dict):
            return {self.text(k, f"{path or '(root)'} (a key)") if isinstance(k, str) else k: self._field(k, v, path)
                    for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return value

    def _field(self, key: Any, value: Any, path: str) -> Any:
        where = _join(path, key)
        if credential_field(key, value):
            self.found.append((where, f"credential in a field named {str(key)!r}"))
            return PLACEHOLDER
        return self.value(value, where)

    def headers(self, headers: Any, path: str) -> Any:
        if not isinstance(headers, dict):
            return headers
        out = {}
        for name, values in headers.items():
            if secret_name(name) and not _all_placeholders(values):
                self.found.append((_join(path, name), f"{str(name).lower()} header"))
                values = [PLACEHOLDER] * len(values) if isinstance(values, list) else PLACEHOLDER
            out[name] = values
        return out

    def url(self, url: Any, path: str) -> Any:
        problems = list(scan_url(url, path))
        if not problems:  # leave clean URLs byte for byte (Redactor.url re-encodes the query)
            return url
        self.found += problems
        return self.redactor.url(url)

    def request(self, request: Any, path: str) -> Any:
        if not isinstance(request, dict):
            return request
        out = dict(request)
        if "headers" in out:
            out["headers"] = self.headers(out["headers"], f"{path}.headers")
        if "uri" in out:
            out["uri"] = self.url(out["uri"], f"{path}.uri")
        return out

    def cassette(self, raw: dict[str, Any]) -> dict[str, Any]:
        """A vcrpy cassette (replaykit's layout or any other): headers, URLs, then every string."""
        out = dict(raw)
        interactions = out.get("interactions")
        if isinstance(interactions, list):
            out["interactions"] = [self._interaction(inter, f"interactions[{i}]")
                                   for i, inter in enumerate(interactions)]
        own = out.get("replaykit")
        if isinstance(own, dict) and isinstance(own.get("attempts"), list):
            attempts = [self._interaction(a, f"replaykit.attempts[{i}]") for i, a in enumerate(own["attempts"])]
            out["replaykit"] = {**own, "attempts": attempts}
        return dict(self.value(out, ""))

    def _interaction(self, inter: Any, path: str) -> Any:
        if not isinstance(inter, dict):
            return inter
        out = dict(inter)
        if "request" in out:
            out["request"] = self.request(out["request"], f"{path}.request")
        response = out.get("response")
        if isinstance(response, dict) and "headers" in response:
            headers = self.headers(response["headers"], f"{path}.response.headers")
            out["response"] = {**response, "headers": headers}
        return out

    def take(self, file: str) -> list[Change]:
        """The changes found since the last call, named by file; one line per (field, kind)."""
        changes = [Change(file, where or "(root)", what) for where, what in dict.fromkeys(self.found)]
        self.found = []
        return changes


def _all_placeholders(values: Any) -> bool:
    items = values if isinstance(values, list) else [values]
    return all(str(v) == PLACEHOLDER for v in items)


def encode_cassette(raw: dict[str, Any]) -> bytes:
    """A cassette's bytes as replaykit writes them (codec.encode's layout, key order kept)."""
    return orjson.dumps(raw, option=orjson.OPT_INDENT_2)


def redact_run(path: str | Path, *, secrets: Iterable[str] = ()) -> RedactReport:
    """Scrub the run in place; the report lists every replaced field, by file."""
    run = load_run(path)
    _refuse_modified(run)
    scrubber = Scrubber(Redactor(secrets))
    report = RedactReport(str(run.root))
    rehash = _redact_scenarios(run, scrubber, report)
    for file in run.cassette_files():
        _redact_cassette(run, file, scrubber, rehash, report)
    _redact_manifest(run, scrubber, report)
    return report


def _refuse_modified(run: Run) -> None:
    """A run must still match its run.json before redaction (see the module doc)."""
    bad = [str(f) for f in sorted(run.root.rglob("*")) if f.is_symlink()]
    if bad:
        raise BadInputError(f"symbolic links in a run folder are not allowed: {', '.join(bad)}")
    listed = dict(run.manifest.get("cassettes") or {})
    if run.manifest.get("scenarios_file"):
        listed[SCENARIOS_FILE] = run.manifest["scenarios_file"]
    changed = [rel for rel, digest in sorted(listed.items())
               if (run.root / rel).is_file() and file_hash(read_bounded(run.root / rel)) != digest]
    stored = run.manifest.get(MANIFEST_DIGEST)
    if stored is not None and stored != manifest_digest(run.manifest):
        changed.append(RUN_FILE)
    if changed:
        raise BadInputError(f"changed since recording (sha256 differs from {RUN_FILE}): "
                            f"{', '.join(changed)}; redact would re-sign them. Check the run with "
                            "`replaykit verify`",
                            source=str(run.root))


def _redact_scenarios(run: Run, scrubber: Scrubber, report: RedactReport) -> dict[str, str]:
    """Scrub scenarios.json; returns old scenario hash → new one, for the cassettes that name them."""
    path = run.root / SCENARIOS_FILE
    raw = run.read_scenarios() if path.is_file() else None
    if raw is None:
        return {}
    clean = scrubber.value(raw, "")
    changes = scrubber.take(str(path))
    if not changes:
        return {}
    old = {s.id: s.hash for s in scenarios_from_snapshot(raw, str(path))}
    new = {s.id: s.hash for s in scenarios_from_snapshot(clean, str(path))}
    listed = run.manifest.get("scenarios_file")
    run.write_scenarios(clean)
    if not listed:
        run.manifest.pop("scenarios_file", None)  # redaction does not vouch for a file nobody hashed
    hashes = run.manifest.setdefault("scenarios", {})
    for sid, digest in new.items():
        if hashes.get(sid) == old.get(sid):
            hashes[sid] = digest
    report.changes += changes
    report.rewritten.append(str(path))
    return {old[sid]: new[sid] for sid in new if old.get(sid) != new[sid]}


def _redact_cassette(run: Run, file: Path, scrubber: Scrubber, rehash: dict[str, str],
                     report: RedactReport) -> None:
    data = read_bounded(file)
    raw = parse(data, str(file))
    if not isinstance(raw, dict):
        raise CassetteError("not a vcrpy cassette (not a mapping)", source=str(file))
    clean = scrubber.cassette(raw)
    changes = scrubber.take(str(file))
    sample = (clean.get("replaykit") or {}).get("sample")
    if isinstance(sample, dict) and sample.get("scenario_hash") in rehash:
        sample["scenario_hash"] = rehash[sample["scenario_hash"]]
        changes.append(Change(str(file), "replaykit.sample.scenario_hash", "follows the redacted scenario"))
    if not changes:
        return
    out = encode_cassette(clean)
    write_atomic(file, out)
    rel = file.relative_to(run.root).as_posix()
    listed = run.manifest.get("cassettes")
    if isinstance(listed, dict) and rel in listed:
        listed[rel] = file_hash(out)
    report.changes += changes
    report.rewritten.append(str(file))


def _redact_manifest(run: Run, scrubber: Scrubber, report: RedactReport) -> None:
    if run.manifest.get("missing_manifest"):
        return
    path = run.root / RUN_FILE
    clean = scrubber.value(run.manifest, "")
    changes = scrubber.take(str(path))
    run.manifest = clean
    before = read_bounded(path, MAX_MANIFEST_BYTES)
    if not changes and not report.rewritten and MANIFEST_DIGEST in clean and encode_manifest(clean) == before:
        return
    run.save()
    old = orjson.loads(before)
    if MANIFEST_DIGEST not in old:
        changes.append(Change(str(path), MANIFEST_DIGEST, "added (run.json's digest of itself)"))
    elif encode_manifest(old) != before:
        changes.append(Change(str(path), "(file)", "rewritten in replaykit's own layout"))
    report.changes += changes
    report.rewritten.append(str(path))
