"""A run folder: `run.json` (the manifest) and one cassette per sample under `cassettes/PROVIDER/`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from replaykit.canonical import file_hash
from replaykit.cassettes.codec import decode, encode
from replaykit.cassettes.model import FORMAT_VERSION, Cassette, SampleId
from replaykit.cassettes.persist import read_bounded, write_atomic
from replaykit.errors import CassetteError

RUN_FILE = "run.json"
SCENARIOS_FILE = "scenarios.json"  # the scenarios the run used, so that anyone can re-score it
CASSETTE_DIR = "cassettes"
MAX_MANIFEST_BYTES = 32 * 1024 * 1024


def cassette_relpath(sample: SampleId) -> str:
    return f"{CASSETTE_DIR}/{sample.provider}/{sample.scenario}--r{sample.repetition}.json"


@dataclass
class Run:
    root: Path
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.manifest.get("run_id") or self.root.name)

    def path_of(self, sample: SampleId) -> Path:
        return self.root / cassette_relpath(sample)

    def cassette_files(self) -> list[Path]:
        """Every cassette file on disk, sorted by path (the order never depends on the file system)."""
        base = self.root / CASSETTE_DIR
        return sorted((p for p in base.rglob("*.json") if not p.name.startswith(".")), key=lambda p: p.as_posix())

    def write_cassette(self, cassette: Cassette) -> str:
        """Write atomically; remember its hash in the manifest (saved by `save`). Safe from worker threads:
        each call writes its own file, and one dict assignment is atomic."""
        rel = cassette_relpath(cassette.sample)
        data = encode(cassette)
        write_atomic(self.root / rel, data)
        self.manifest.setdefault("cassettes", {})[rel] = file_hash(data)
        return rel

    def read_cassette(self, path: Path) -> Cassette:
        return decode(read_bounded(path), str(path))

    def iter_cassettes(self) -> Iterator[Cassette | CassetteError]:
        """Each cassette in path order; an unreadable one yields its error instead of stopping the rest."""
        for path in self.cassette_files():
            try:
                yield self.read_cassette(path)
            except CassetteError as err:
                yield err

    def write_scenarios(self, raw: list[dict[str, Any]]) -> None:
        data = orjson.dumps(raw, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
        write_atomic(self.root / SCENARIOS_FILE, data)
        self.manifest["scenarios_file"] = file_hash(data)

    def read_scenarios(self) -> list[Any] | None:
        path = self.root / SCENARIOS_FILE
        if not path.exists():
            return None
        try:
            data: list[Any] = orjson.loads(read_bounded(path, MAX_MANIFEST_BYTES))
        except orjson.JSONDecodeError as err:
            raise CassetteError(f"invalid JSON: {err}", source=str(path)) from None
        return data

    def save(self) -> None:
        self.manifest["format"] = FORMAT_VERSION
        self.manifest["cassettes"] = dict(sorted(self.manifest.get("cassettes", {}).items()))
        write_atomic(self.root / RUN_FILE, orjson.dumps(self.manifest, option=orjson.OPT_INDENT_2))


def load_run(path: str | Path) -> Run:
    """Open a run folder. A folder without run.json is still readable (its cassettes), marked `partial`."""
    root = Path(path)
    if not root.is_dir():
        raise CassetteError("not a run folder (no such directory)", source=str(root))
    manifest_path = root / RUN_FILE
    if not manifest_path.exists():
        return Run(root, {"run_id": root.name, "missing_manifest": True})
    try:
        manifest = orjson.loads(read_bounded(manifest_path, MAX_MANIFEST_BYTES))
    except orjson.JSONDecodeError as err:
        raise CassetteError(f"invalid JSON: {err}", source=str(manifest_path)) from None
    if not isinstance(manifest, dict):
        raise CassetteError("run.json must be a JSON object", source=str(manifest_path))
    version = manifest.get("format", 1)
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise CassetteError(f"run format {version} is newer than this replaykit reads ({FORMAT_VERSION}); "
                            "upgrade replaykit", source=str(manifest_path), field="format")
    return Run(root, manifest)
