"""`replaykit merge RUN... -o RUN`: one run from the runs of several contributors.

A sample is identified by its content (the sample's provider, scenario and mode with every recorded exchange
and attempt record), not by its file: the same sample reached through two contributors is kept once. Each kept
cassette says where it came from (`replaykit.provenance`), and repetitions are renumbered per (provider,
scenario) so that two contributors' `r0` both survive. Inputs must verify, and their scenario snapshots must
agree: merging is no way to launder a modified run or to score against two versions of one scenario.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from replaykit import __version__
from replaykit.canonical import content_hash
from replaykit.cassettes.codec import decode_parsed, parse
from replaykit.cassettes.model import SampleId
from replaykit.cassettes.persist import read_bounded
from replaykit.cassettes.run import MANIFEST_DIGEST, RUN_FILE, Run, load_run
from replaykit.errors import BadInputError
from replaykit.scenarios.loader import scenarios_from_snapshot
from replaykit.share.paths import check_new_folder, inside, sample_relpath, staged_folder
from replaykit.share.redact import encode_cassette
from replaykit.share.verify import verify_run

_MUST_AGREE = ("model", "mode")  # a provider name meaning another model would corrupt its scores


@dataclass
class _Sample:
    run_index: int
    rel: str
    raw: dict[str, Any]
    provenance: list[dict[str, Any]]

    @property
    def sample(self) -> dict[str, Any]:
        sample: dict[str, Any] = self.raw["replaykit"]["sample"]
        return sample


@dataclass
class MergeReport:
    path: str
    kept: int = 0
    duplicates: list[str] = field(default_factory=list)  # "dropped == kept"
    renumbered: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def merge_runs(paths: Sequence[str | Path], out: str | Path, *, run_id: str | None = None) -> MergeReport:
    runs = sorted((load_run(p) for p in paths), key=lambda r: (r.id, str(r.root)))
    target = Path(out)
    _check_inputs(runs, target)
    report = MergeReport(str(target))
    scenarios, hashes = _merge_scenarios(runs)
    providers = _merge_providers(runs, report)
    samples = _dedupe(runs, report)
    manifest = _manifest(runs, run_id or target.name, providers, hashes, samples)
    manifest.update(_shards(runs, report))
    _write(target, manifest, scenarios, samples, report)
    report.kept = len(samples)
    return report


def _check_inputs(runs: list[Run], target: Path) -> None:
    check_new_folder(target)
    for run in runs:
        if run.manifest.get("missing_manifest"):
            raise BadInputError(f"no {RUN_FILE}: only whole runs can be merged", source=str(run.root))
        report = verify_run(run.root)
        if not report.ok:
            findings = report.problems + report.secrets
            raise BadInputError(f"does not verify ({len(findings)} findings, first: {findings[0]}); "
                                "run `replaykit verify` on it", source=str(run.root))


def _merge_scenarios(runs: list[Run]) -> tuple[list[Any], dict[str, str]]:
    """The union of the snapshots; one id with two contents is an error naming the scenario."""
    raw_items: list[Any] = []
    hashes: dict[str, str] = {}
    origin: dict[str, str] = {}
    for run in runs:
        snapshot = run.read_scenarios() or []
        source = str(run.root / "scenarios.json")
        for item, scenario in zip(snapshot, scenarios_from_snapshot(snapshot, source), strict=True):
            if scenario.id not in hashes:
                hashes[scenario.id], origin[scenario.id] = scenario.hash, str(run.root)
                raw_items.append(item)
            elif hashes[scenario.id] != scenario.hash:
                raise BadInputError(f"differs from the scenario of the same id in {origin[scenario.id]}; "
                                    "runs recorded with different scenarios cannot be merged",
                                    source=str(run.root), item=f"scenario {scenario.id}")
    return raw_items, hashes


def _merge_providers(runs: list[Run], report: MergeReport) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for run in runs:
        for name, config in (run.manifest.get("providers") or {}).items():
            if name not in merged:
                merged[name] = config
                continue
            first = merged[name] if isinstance(merged[name], dict) else {}
            other = config if isinstance(config, dict) else {}
            differ = sorted(k for k in set(first) | set(other) if first.get(k) != other.get(k))
            if any(k in _MUST_AGREE for k in differ):
                keys = ", ".join(k for k in differ if k in _MUST_AGREE)
                raise BadInputError(f"{keys} differs between the runs: not the same provider",
                                    source=str(run.root), item=f"provider {name}")
            if differ:
                report.warnings.append(f"provider {name}: {', '.join(differ)} differ between runs; "
                                       f"{RUN_FILE} keeps the first run's")
    return merged


def _content_key(raw: dict[str, Any]) -> str:
    """What makes two cassettes the same sample: everything recorded, not where it was filed."""
    own = raw.get("replaykit") or {}
    sample = {k: v for k, v in (own.get("sample") or {}).items() if k != "repetition"}
    return content_hash({"sample": sample, "interactions": raw.get("interactions"),
                         "attempts": own.get("attempts"), "complete": own.get("complete")})


def _dedupe(runs: list[Run], report: MergeReport) -> list[_Sample]:
    kept: dict[str, _Sample] = {}
    for index, run in enumerate(runs):
        for file in run.cassette_files():
            rel = file.relative_to(run.root).as_posix()
            data = read_bounded(file)
            raw = parse(data, str(file))
            decode_parsed(raw, str(file))  # structure checked (verify did, but this is the copy we read)
            key = _content_key(raw)
            source = _provenance(run, rel, raw)
            if key in kept:
                kept[key].provenance += [p for p in source if p not in kept[key].provenance]
                report.duplicates.append(f"{file} == {runs[kept[key].run_index].root / kept[key].rel}")
                continue
            kept[key] = _Sample(index, rel, raw, source)
    return _renumber(list(kept.values()), runs, report)


def _provenance(run: Run, rel: str, raw: dict[str, Any]) -> list[dict[str, Any]]:
    """A merged cassette keeps the origin it already names; a recorded one gets its run as origin."""
    existing = raw["replaykit"].get("provenance")
    if isinstance(existing, list) and existing:
        return list(existing)
    return [{"run_id": run.id, "contributor": run.manifest.get("contributor"), "path": rel,
             "repetition": raw["replaykit"]["sample"].get("repetition"),
             "run_digest": run.manifest.get(MANIFEST_DIGEST)}]


def _renumber(samples: list[_Sample], runs: list[Run], report: MergeReport) -> list[_Sample]:
    """Repetitions 0..n-1 per (provider, scenario), in run order then original repetition — only in groups
    where two runs hold the same repetition: disjoint ones (shards of one run) keep their numbers."""
    samples.sort(key=lambda s: (s.sample["provider"], s.sample["scenario"], s.run_index,
                                int(s.sample["repetition"]), s.rel))
    seen: dict[tuple[str, str], set[int]] = {}
    clash: set[tuple[str, str]] = set()
    for s in samples:
        group = (s.sample["provider"], s.sample["scenario"])
        reps = seen.setdefault(group, set())
        if int(s.sample["repetition"]) in reps:
            clash.add(group)
        reps.add(int(s.sample["repetition"]))
    counters: dict[tuple[str, str], int] = {}
    for s in samples:
        group = (s.sample["provider"], s.sample["scenario"])
        s.raw["replaykit"]["provenance"] = s.provenance
        if group not in clash:
            continue
        number = counters.get(group, 0)
        counters[group] = number + 1
        if number != s.sample["repetition"]:
            report.renumbered.append(f"{runs[s.run_index].root / s.rel} -> r{number}")
        s.raw["replaykit"]["sample"]["repetition"] = number
    return samples


def _manifest(runs: list[Run], run_id: str, providers: dict[str, Any], hashes: dict[str, str],
              samples: list[_Sample]) -> dict[str, Any]:
    counts = [sum(1 for s in samples if s.run_index == i) for i in range(len(runs))]
    statuses = {r.manifest.get("status") for r in runs}
    return {
        "run_id": run_id, "replaykit_version": __version__,
        "status": "complete" if statuses == {"complete"} else "interrupted",
        "started_at": min(str(r.manifest.get("started_at") or "") for r in runs),
        "ended_at": max(str(r.manifest.get("ended_at") or "") for r in runs),
        "providers": providers, "scenarios": hashes, "params": {"merged": True},
        "merged_from": [{"run_id": r.id, "contributor": r.manifest.get("contributor"),
                         "replaykit_version": r.manifest.get("replaykit_version"),
                         "started_at": r.manifest.get("started_at"), "ended_at": r.manifest.get("ended_at"),
                         "run_digest": r.manifest.get(MANIFEST_DIGEST), "params": r.manifest.get("params"),
                         "samples_kept": n} for r, n in zip(runs, counts, strict=True)],
        "cassettes": {},
    }


def _shards(runs: list[Run], report: MergeReport) -> dict[str, Any]:
    """Shards of one plan (`record --shard I/N`) merge back into that run: same plan and count, every index
    present, or the merge is marked partial and says which shard is missing."""
    blocks = [(run, run.manifest.get("shard")) for run in runs]
    shards = [(run, b) for run, b in blocks if isinstance(b, dict)]
    if not shards:
        return {}
    for run, block in shards:
        index, count = block.get("index"), block.get("count")
        if not (type(index) is int and type(count) is int and 1 <= index <= count):
            raise BadInputError("must be {index, count} with 1 <= index <= count", source=str(run.root),
                                field="shard")
    if len(shards) != len(blocks) or len({(b.get("plan"), b["count"]) for _, b in shards}) != 1:
        raise BadInputError("mixes shards of different plans (or shards with whole runs): record every shard "
                            "with the same providers, scenarios, --repeat and --seed", source=str(runs[0].root))
    first = shards[0][1]
    present = sorted({b["index"] for _, b in shards})
    missing = [i for i in range(1, first["count"] + 1) if i not in present]
    report.warnings += [f"shard {i}/{first['count']} is missing: the merged run is partial" for i in missing]
    params = {k: v for k, v in (runs[0].manifest.get("params") or {}).items() if k != "shard"}
    out: dict[str, Any] = {"shard": {"plan": first.get("plan"), "count": first["count"], "merged": present},
                           "params": {**params, "merged": True}}
    if missing:
        out["status"] = "interrupted"
    return out


def _write(target: Path, manifest: dict[str, Any], scenarios: list[Any], samples: list[_Sample],
           report: MergeReport) -> None:
    with staged_folder(target, "merge") as staging:
        run = Run(staging, manifest)
        run.write_scenarios(scenarios)
        for s in samples:
            sid = SampleId(str(s.sample["provider"]), str(s.sample["scenario"]), int(s.sample["repetition"]))
            rel = sample_relpath(sid, s.rel)
            data = encode_cassette(s.raw)
            inside(staging, rel)  # refuses a path that would leave the folder
            run.write_file(rel, data)
        run.save()
