"""Hostile inputs for the bounds tests and the fuzz harness (scripts/fuzz_hostile.py): a small recorded run,
edits that plant a hostile cassette and keep run.json's hashes in step (so only the content is wrong), seeded
mutations of cassettes and packs, and a runner that puts an input through every reading command in this
process and says how each ended.

A command "holds" when it exits 0, 1 or 2 with no exception and no traceback, within the time allowed."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import random
import shutil
import tarfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml
from click.testing import CliRunner
from share_helpers import fixture_scenarios, record_run, resign_run

from replaykit.cli import main

WEATHER = "cassettes/alpha/fx.weather--r0.json"


def small_run(out: Path) -> Path:
    """A run of three scenarios, one repetition, no injected faults: fast to put through every command."""
    chosen = fixture_scenarios().select(pattern="fx.[wjp]*")
    return record_run(out, repeat=1, scenarios=chosen, effects={})


def plant(run: Path, rel: str, data: bytes) -> Path:
    """Write `data` as the run's file `rel` and re-sign run.json, as a publisher who planted it would."""
    path = run / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    resign_run(run)
    return path


def edited(run: Path, change: Callable[[dict[str, Any]], None], rel: str = WEATHER) -> Path:
    raw = orjson.loads((run / rel).read_bytes())
    change(raw)
    return plant(run, rel, orjson.dumps(raw, option=orjson.OPT_INDENT_2))


def sse(arguments: str, usage: dict[str, Any] | None = None) -> str:
    """A stream body answering with one get_weather call whose argument text is `arguments`."""
    chunk = {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "c1", "type": "function",
                                                               "function": {"name": "get_weather",
                                                                            "arguments": arguments}}]},
                          "finish_reason": "tool_calls"}],
             "usage": usage or {"prompt_tokens": 1, "completion_tokens": 2}}
    return "data: " + json.dumps(chunk, separators=(",", ":")) + "\n\ndata: [DONE]\n\n"  # any integer


def set_body(raw: dict[str, Any], body: str) -> None:
    raw["interactions"][0]["response"]["body"]["string"] = body


def nested(depth: int) -> str:
    return '{"city":' + "[" * depth + "]" * depth + "}"


# ------------------------------------------------------------------------------------------ running


@dataclass
class Outcome:
    command: str
    exit_code: int
    seconds: float
    crash: str | None  # the exception that escaped, or a traceback in the output
    output: str = ""

    @property
    def held(self) -> bool:
        return self.crash is None and self.exit_code in (0, 1, 2)


def invoke(*args: str) -> Outcome:
    """One CLI command in this process; an exception that escapes click is a crash."""
    start = time.perf_counter()
    result = CliRunner().invoke(main, list(args), catch_exceptions=True)
    crash = None
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        where = traceback.extract_tb(result.exc_info[2])[-1] if result.exc_info else None
        at = f" at {Path(where.filename).name}:{where.lineno}" if where else ""
        crash = f"{type(result.exception).__name__}: {str(result.exception)[:200]}{at}"
    elif "Traceback (most recent call last)" in result.output:
        crash = "a traceback in the output"
    return Outcome(" ".join(args[:1]), result.exit_code, time.perf_counter() - start, crash, result.output)


def readers(run: Path, scratch: Path) -> Iterator[Outcome]:
    """The run through every command that reads a shared run: verify, score, report, inspect (each
    cassette), merge and pack."""
    yield invoke("verify", str(run))
    yield invoke("score", str(run), "--json", "--samples", str(scratch / "samples.jsonl"))
    yield invoke("report", str(run), "-o", str(scratch / "report.html"), "-o", str(scratch / "report.md"))
    for file in sorted((run / "cassettes").rglob("*.json")):
        yield invoke("inspect", str(file))
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(scratch / "merged")
    yield invoke("merge", str(run), "-o", str(scratch / "merged"))
    yield invoke("pack", str(run), "-o", str(scratch / "run.tar.gz"))


# ------------------------------------------------------------------------------------------ mutations

HOSTILE_VALUES: list[Any] = [1e308, -1e308, 2**64 - 1, -(2**63), -1, 0, 10**18, 1.5, "", "x" * 5000, "\n",
                             "verify x: ok\n", None, True, False, [], {}, [[[]]], {"a": {"b": {}}},
                             "\u202e", "../../etc/passwd", 600, 99, 1e-300]
YAML_ONLY = [".inf", "-.inf", ".nan", "9" * 5000, "123456789012345678901234567890", "2024-01-01",
             "!!set {a, b}", "!!binary aGVsbG8=", "&a [*a]"]


def _nodes(value: Any, where: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield where
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _nodes(child, (*where, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _nodes(child, (*where, i))


def _set(root: Any, where: tuple[Any, ...], value: Any) -> Any:
    if not where:
        return value
    parent = root
    for key in where[:-1]:
        parent = parent[key]
    parent[where[-1]] = value
    return root


def mutate_cassette(data: bytes, rng: random.Random) -> bytes:
    """One seeded mutation of a cassette's bytes: a field replaced by a hostile value (in the file or inside
    the body's JSON events), a deep nesting, bytes flipped, cut or repeated, or the file as YAML with a value
    only YAML can hold."""
    kind = rng.randrange(6)
    if kind == 0:
        raw = orjson.loads(data)
        where = rng.choice(list(_nodes(raw)))
        return orjson.dumps(_set(raw, where, rng.choice(HOSTILE_VALUES)))
    if kind == 1:
        raw = orjson.loads(data)
        set_body(raw, _mutated_body(raw["interactions"][0]["response"]["body"]["string"], rng))
        return orjson.dumps(raw)
    if kind == 2:
        raw = orjson.loads(data)
        where = rng.choice(list(_nodes(raw)))
        depth = rng.choice([65, 300, 1000])
        return orjson.dumps(_set(raw, where, None)).replace(b"null", b"[" * depth + b"]" * depth, 1)
    if kind == 3:
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    if kind == 4:
        cut = rng.randrange(len(data))
        return data[:cut] if rng.random() < 0.5 else data[:cut] + data[rng.randrange(len(data)):]
    raw = orjson.loads(data)
    where = rng.choice([w for w in _nodes(raw) if w])
    text = yaml.safe_dump(_set(raw, where, "@@HOSTILE@@"), width=10**6)
    return text.replace("'@@HOSTILE@@'", rng.choice(YAML_ONLY), 1).encode()


def _mutated_body(body: str, rng: random.Random) -> str:
    choice = rng.randrange(4)
    if choice == 0:
        return sse(nested(rng.choice([65, 300, 1000])))
    if choice == 1:
        value = rng.choice([1e308, 2**64 - 1, -5, "12", None, [], 10**30])
        return sse('{"city":"Paris","days":3}', {"prompt_tokens": value, "completion_tokens": value, "cost": value})
    if choice == 2:
        events = body.split("\n\n")
        i = rng.randrange(len(events))
        events[i] = events[i][: rng.randrange(len(events[i]) + 1)]
        return "\n\n".join(events)
    return body.replace('"index":0', f'"index":{rng.choice(["-1", "1e308", "[]", "null", "99999999999"])}')


def mutate_pack(data: bytes, rng: random.Random) -> bytes:
    """A pack's bytes with a few flipped, cut, or its tar rebuilt with hostile headers."""
    kind = rng.randrange(3)
    if kind == 0:
        out = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    if kind == 1:
        return data[: rng.randrange(len(data))]
    return hostile_tar(rng)


_PAX = [{"GNU.sparse.map": "a,b"}, {"GNU.sparse.size": "x"}, {"GNU.sparse.major": "1", "GNU.sparse.minor": "0"},
        {"GNU.sparse.realsize": "-1"}, {"size": "99999999999999999999"}, {"mtime": "1e999"}, {"uid": "x"},
        {"path": "../x"}, {"linkpath": "/etc/passwd"}, {"GNU.sparse.map": "1,2,3"}, {"size": "-5"}]


def hostile_tar(rng: random.Random) -> bytes:
    """A gzip'd tar whose first member carries hostile pax records."""
    return tar_with_pax(rng.choice(["MANIFEST.json", "run.json", "cassettes/a/b--r0.json"]), dict(rng.choice(_PAX)))


def tar_with_pax(name: str, pax: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        body = b'{"kind": "replaykit-pack", "format": 1, "members": []}'
        info = tarfile.TarInfo(name)
        info.size = len(body)
        info.pax_headers = pax
        tar.addfile(info, io.BytesIO(body))
    return gzip.compress(buf.getvalue(), mtime=0)


def change_scenario(run: Path, sid: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Edit scenario `sid` in the run's snapshot and carry its new hash everywhere the run names it (run.json,
    the samples' cassettes), as a publisher of a hostile scenario would."""
    from replaykit.canonical import file_hash
    from replaykit.cassettes.run import load_run
    from replaykit.scenarios.loader import scenarios_from_snapshot

    snapshot = orjson.loads((run / "scenarios.json").read_bytes())
    for raw in snapshot:
        if raw["id"] == sid:
            change(raw)
    data = orjson.dumps(snapshot, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    (run / "scenarios.json").write_bytes(data)
    new_hash = next(s.hash for s in scenarios_from_snapshot(snapshot, "<test>") if s.id == sid)
    for file in sorted((run / "cassettes").rglob(f"{sid}--r*.json")):
        raw = orjson.loads(file.read_bytes())
        raw["replaykit"]["sample"]["scenario_hash"] = new_hash
        file.write_bytes(orjson.dumps(raw, option=orjson.OPT_INDENT_2))
    handle = load_run(run)
    handle.manifest["scenarios"][sid] = new_hash
    handle.manifest["scenarios_file"] = file_hash(data)
    handle.save()
    resign_run(run)


# ------------------------------------------------------------------------------------------ fuzzing


@dataclass
class FuzzTally:
    inputs: int = 0
    commands: int = 0
    slowest: float = 0.0
    failures: list[str] = field(default_factory=list)

    def add(self, label: str, outcome: Outcome) -> None:
        self.commands += 1
        self.slowest = max(self.slowest, outcome.seconds)
        if not outcome.held:
            self.failures.append(f"{label}: {outcome.command} -> {outcome.crash or outcome.exit_code}")


def fuzz_runs(base: Path, work: Path, count: int, seed: int, *, full_every: int = 10) -> FuzzTally:
    """`count` seeded mutations of one cassette of `base`, each through verify, score, inspect and report
    (every `full_every`-th through every reading command, merge and pack included)."""
    tally = FuzzTally()
    run = work / "run"
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(base, run)
    files = sorted(p.relative_to(run).as_posix() for p in (run / "cassettes").rglob("*.json"))
    originals = {rel: (run / rel).read_bytes() for rel in files}
    for i in range(count):
        rng = random.Random(seed * 1_000_003 + i)
        rel = rng.choice(files)
        plant(run, rel, mutate_cassette(originals[rel], rng))
        label = f"run mutation {seed}:{i} ({rel})"
        tally.inputs += 1
        if i % full_every == 0:
            outcomes = list(readers(run, work))
        else:
            outcomes = [invoke("verify", str(run)), invoke("score", str(run), "--json"),
                        invoke("inspect", str(run / rel)), invoke("report", str(run), "-o", str(work / "r.md"))]
        for outcome in outcomes:
            tally.add(label, outcome)
        plant(run, rel, originals[rel])
    return tally


def fuzz_packs(pack: bytes, work: Path, count: int, seed: int) -> FuzzTally:
    """`count` seeded mutations of a pack, each unpacked (and, when it unpacks, verified)."""
    tally = FuzzTally()
    for i in range(count):
        rng = random.Random(seed * 1_000_003 + i)
        path = work / "p.tar.gz"
        path.write_bytes(mutate_pack(pack, rng))
        out = work / "unpacked"
        shutil.rmtree(out, ignore_errors=True)
        tally.inputs += 1
        outcome = invoke("unpack", str(path), "-o", str(out))
        tally.add(f"pack mutation {seed}:{i}", outcome)
        tally.add(f"pack mutation {seed}:{i}", invoke("score", str(path)))  # score reads a pack directly
        if outcome.exit_code == 0:
            tally.add(f"pack mutation {seed}:{i}", invoke("verify", str(out)))
    return tally


# ------------------------------------------------------------------------------------------ sweeps

SHAPES = ("list", "object")
ORJSON_DEPTH = 1024  # the deepest nesting orjson parses (its recursion limit)


def deepest(text: bytes, shape: str) -> bytes:
    """`text` (JSON holding the string "@@DEEP@@" once) with that string replaced by the deepest list or object
    nesting that orjson still parses there: past Python's recursion limit, where `str()`, `repr()` and every
    recursive reader give up."""
    for depth in range(ORJSON_DEPTH, 0, -1):
        nest = b"[" * depth + b"]" * depth if shape == "list" else b'{"a":' * depth + b"1" + b"}" * depth
        data = text.replace(b'"@@DEEP@@"', nest, 1)
        try:
            orjson.loads(data)
        except orjson.JSONDecodeError:
            continue
        return data
    raise ValueError("no @@DEEP@@ in the text")


def deep_everywhere(data: bytes, shape: str) -> Iterator[tuple[tuple[Any, ...], bytes]]:
    """(field path, the cassette with that field nested as deep as orjson reads) for every field of the file."""
    for where in list(_nodes(orjson.loads(data)))[1:]:
        yield where, deepest(orjson.dumps(_set(orjson.loads(data), where, "@@DEEP@@")), shape)


def deep_in_events(data: bytes, shape: str) -> Iterator[tuple[str, bytes]]:
    """(event line and field path, the cassette) for every field of every `data:` event of the first response's
    stream body, that field nested as deep as orjson reads (the body is a string: the file itself parses)."""
    raw = orjson.loads(data)
    lines = raw["interactions"][0]["response"]["body"]["string"].split("\n")
    for n, line in enumerate(lines):
        if not line.startswith("data: {"):
            continue
        for where in list(_nodes(orjson.loads(line[6:])))[1:]:
            event = deepest(orjson.dumps(_set(orjson.loads(line[6:]), where, "@@DEEP@@")), shape)
            set_body(raw, "\n".join("data: " + event.decode() if i == n else other for i, other in enumerate(lines)))
            yield f"line {n}: {where}", orjson.dumps(raw)


def foreign(data: bytes) -> bytes:
    """The cassette as another tool's vcrpy cassette (no `replaykit` record) that stores its bodies parsed, as
    pydantic-ai's do: a run may hold one, and the scorer reads it without walking it."""
    raw = orjson.loads(data)
    for inter in raw["interactions"]:
        inter["request"]["parsed_body"] = orjson.loads(inter["request"].pop("body"))
        inter["response"]["parsed_body"] = {"choices": [{"message": {"content": "hi"}}], "usage": {"total_tokens": 3}}
        del inter["response"]["body"]
    del raw["replaykit"]
    return orjson.dumps(raw)
