"""A whole run: plan the samples, run them with per-provider concurrency, write cassettes and run.json."""

from __future__ import annotations

import asyncio
import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from replaykit import __version__
from replaykit.canonical import file_hash
from replaykit.cassettes.codec import encode
from replaykit.cassettes.model import Cassette
from replaykit.cassettes.run import Run, encode_manifest, load_run
from replaykit.errors import BadInputError, CassetteError, ProviderConfigError, RecordError
from replaykit.providers.config import Provider
from replaykit.recorder.diskspace import DiskFull, Reserve, disk_full, is_full
from replaykit.recorder.plan import PlannedSample, plan_digest, plan_samples, shard_of
from replaykit.recorder.redact import Redactor
from replaykit.recorder.retry import RetryPolicy
from replaykit.recorder.sample import RecordContext, record_sample
from replaykit.scenarios.model import Scenario

SampleDone = Callable[[PlannedSample, Cassette, list[str | None]], None]
MANIFEST_EVERY_S = 2.0


@dataclass
class RecordOptions:
    repeat: int = 1
    seed: int = 0
    concurrency: int | None = None  # per provider; None: each provider's max_concurrency
    max_retries: int = 3
    backoff_base: float = 0.5
    timeout: float | None = None
    stream: bool | None = None
    mode: str | None = None
    fallback: list[str] = field(default_factory=list)
    scenarios_path: list[str] = field(default_factory=list)
    providers_file: str = ""  # absolute, with its content hash: a resume finds the file by both
    providers_file_hash: str = ""
    filters: dict[str, Any] = field(default_factory=dict)
    shard: tuple[int, int] | None = None  # (index, count), 1-based: record only this share of the plan
    preflight: bool = True  # one GET {base_url}/models per provider before any sample
    # the simulator's time scale when recording against one (run.json params.time_scale): speeds measured at
    # another scale than 1 are not real-time figures, and are marked and rescaled by every report
    time_scale: float | None = None


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S") + f"-{os.getpid() % 10000:04d}"


def apply_overrides(providers: Sequence[Provider], opts: RecordOptions) -> list[Provider]:
    return [p.with_overrides(stream=opts.stream, mode=opts.mode, timeout=opts.timeout,
                             max_concurrency=opts.concurrency) for p in providers]


def check_keys(providers: Sequence[Provider]) -> None:
    for p in providers:
        if p.api_key_env and not os.environ.get(p.api_key_env):
            raise ProviderConfigError(f"environment variable {p.api_key_env} is not set (the API key)",
                                      source=p.source or None, item=p.name, field="api_key_env")


def chains_for(providers: Sequence[Provider], opts: RecordOptions) -> list[tuple[Provider, ...]]:
    if not opts.fallback:
        return [(p,) for p in providers]
    by_name = {p.name: p for p in providers}
    missing = [n for n in opts.fallback if n not in by_name]
    if missing:
        raise ProviderConfigError(f"--fallback names unknown provider {missing[0]!r} "
                                  f"(known: {', '.join(by_name)})")
    return [tuple(by_name[n] for n in opts.fallback)]


def prepare_run(out: Path, scenarios: Sequence[Scenario], providers: Sequence[Provider],
                opts: RecordOptions) -> Run:
    """Create the run folder and its first run.json; refuse to overwrite a run."""
    check_out(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise BadInputError(f"cannot write the run folder: {err.strerror or err}", source=str(out)) from None
    run = Run(out, {
        "run_id": out.name, "replaykit_version": __version__, "status": "running",
        "started_at": _now(), "ended_at": None,
        "providers": {p.name: p.sanitized() for p in providers},
        "scenarios": {s.id: s.hash for s in scenarios},
        "params": asdict(opts), "cassettes": {},
        **shard_block(scenarios, providers, opts),
    })
    try:
        run.write_scenarios([s.raw for s in scenarios])
        run.save()
    except OSError as err:
        raise BadInputError(f"cannot write the run folder: {err.strerror or err}", source=str(out)) from None
    return run


def check_out(out: Path) -> None:
    """Refuse, before anything is sent, a folder that holds a run or can't be made: the nearest existing
    ancestor must be a writable folder."""
    if (out / "run.json").exists():
        raise BadInputError(f"a run already exists here; finish it with `replaykit record --resume {out}`",
                            source=str(out))
    existing = next((p for p in (out, *out.absolute().parents) if p.exists()), None)
    if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise BadInputError(f"cannot write the run folder ({existing} is not a writable folder)", source=str(out))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def completed_samples(run: Run) -> set[tuple[str, str, int]]:
    """Samples whose cassette is on disk, whole and complete; their hashes go back into the manifest."""
    done = set()
    hashes = run.manifest.setdefault("cassettes", {})
    for path in run.cassette_files():
        try:
            data = path.read_bytes()
            cassette = run.read_cassette(path)
        except (OSError, CassetteError):
            continue
        if cassette.complete:
            done.add(cassette.sample.key)
            hashes[path.relative_to(run.root).as_posix()] = file_hash(data)
    return done


async def execute(run: Run, samples: list[PlannedSample], opts: RecordOptions,
                  on_done: SampleDone | None = None, stop: Callable[[], bool] | None = None) -> None:
    """Record the samples given, each provider (or chain) its own lane of workers. Cancellation keeps
    every cassette already written. When `stop()` turns true, workers finish their sample and end."""
    lanes: dict[str, deque[PlannedSample]] = {}
    for sample in samples:
        lanes.setdefault(sample.id.provider, deque()).append(sample)
    providers = {p.name: p for s in samples for p in s.chain}.values()
    redactor = Redactor([x for p in providers for x in p.secrets()], [h for p in providers for h in p.headers])
    policy = RetryPolicy(max_retries=opts.max_retries, backoff_base=opts.backoff_base)
    reserve = Reserve(run, len(samples))
    reserve.hold()  # before anything is sent: too little space even for run.json is said at once
    ctx = RecordContext(redactor, policy, opts.seed)
    last_save = time.monotonic()
    full: list[DiskFull] = []  # the first full-disk failure stops every worker

    async def worker(queue: deque[PlannedSample]) -> None:
        nonlocal last_save
        while queue and not full and not (stop and stop()):
            sample = queue.popleft()
            result = await record_sample(ctx, sample.scenario, sample.chain, sample.id)
            # Written on the event loop: a file costs ~0.1 ms, while handing it to a thread made every
            # request wait for the GIL (measured: 30% less throughput).
            try:
                run.write_cassette(result.cassette)
                if opts.time_scale is None:
                    _note_time_scale(run, opts, result.cassette)
                if on_done:
                    on_done(sample, result.cassette, result.error_classes)
                if time.monotonic() - last_save > MANIFEST_EVERY_S:
                    run.save()
                    last_save = time.monotonic()
            except OSError as err:
                if not is_full(err):
                    raise
                queue.appendleft(sample)  # not recorded: still to do
                size = len(encode(result.cassette))
                full.append(disk_full(run.path_of(sample.id), size, size * sum(map(len, lanes.values())), run))

    try:
        # a lane's width is its first provider's concurrency (`--concurrency` was applied to it already)
        await asyncio.gather(*(worker(queue) for queue in lanes.values()
                               for _ in range(queue[0].chain[0].max_concurrency)))
    finally:
        await ctx.aclose()
        reserve.release()  # its space is what lets run.json be written now, even on a full disk
        save(run)
    if full:
        raise full[0]


def _note_time_scale(run: Run, opts: RecordOptions, cassette: Cassette) -> None:
    """A simulator running at a time scale says so in a header: keep it in run.json (`params.time_scale`), so
    that its speeds are never read as real time."""
    for attempt in cassette.attempts:
        value = (attempt.response_headers or {}).get("x-sim-time-scale")
        if value:
            try:
                opts.time_scale = float(value[0] if isinstance(value, list) else value)
            except ValueError:
                return
            run.manifest.setdefault("params", {})["time_scale"] = opts.time_scale
            return


def finish(run: Run, status: str) -> None:
    run.manifest["status"] = status
    run.manifest["ended_at"] = _now()
    save(run)


def save(run: Run) -> None:
    """run.json, or one clear error when even its reserved space was not enough."""
    try:
        run.save()
    except OSError as err:
        if not is_full(err):
            raise
        raise disk_full(run.root / "run.json", len(encode_manifest(run.manifest)), 0, run) from None


def reopen(path: Path) -> Run:
    run = load_run(path)
    if run.manifest.get("missing_manifest"):
        raise RecordError(f"{path}: no run.json, so nothing to resume")
    return run


def sample_plan(scenarios: Sequence[Scenario], providers: Sequence[Provider],
                opts: RecordOptions) -> list[PlannedSample]:
    if opts.repeat < 1:
        raise BadInputError("--repeat must be at least 1")
    samples = plan_samples(list(scenarios), chains_for(providers, opts), opts.repeat)
    if opts.shard:
        index, count = opts.shard
        try:
            return shard_of(samples, int(index), int(count))
        except ValueError as err:
            raise BadInputError(str(err), field="--shard") from None
    return samples


def shard_block(scenarios: Sequence[Scenario], providers: Sequence[Provider], opts: RecordOptions) -> dict[str, Any]:
    """run.json's `shard`: which share this run is, of which plan (merge checks the shards add up)."""
    if not opts.shard:
        return {}
    plan = plan_samples(list(scenarios), chains_for(providers, opts), opts.repeat)
    index, count = opts.shard
    return {"shard": {"index": int(index), "count": int(count), "plan": plan_digest(plan),
                      "plan_samples": len(plan)}}
