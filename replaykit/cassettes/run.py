"""A run folder: `run.json` (the manifest) and one cassette per sample under `cassettes/PROVIDER/`."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from replaykit.canonical import file_hash
from replaykit.cassettes.codec import decode, encode
from replaykit.cassettes.limits import MAX_MANIFEST_BYTES, check_shape
from replaykit.cassettes.listing import cassette_listing
from replaykit.cassettes.model import FORMAT_VERSION, Cassette, SampleId
from replaykit.cassettes.persist import read_bounded, write_atomic
from replaykit.errors import CassetteError

RUN_FILE = "run.json"
SCENARIOS_FILE = "scenarios.json"  # the scenarios the run used, so that anyone can re-score it
CASSETTE_DIR = "cassettes"

# run.json's digest of itself: sha256 of the file as written without this key. run.json holds the hashes of
# every other file, so with it a change to any byte of the run is seen; see docs/cassette-format.md.
MANIFEST_DIGEST = "manifest_digest"


def encode_manifest(manifest: dict[str, Any]) -> bytes:
    """run.json's bytes: the one serialization, so that a re-encoding of a parsed run.json is byte-equal."""
    return orjson.dumps(manifest, option=orjson.OPT_INDENT_2)


def manifest_digest(manifest: dict[str, Any]) -> str:
    return file_hash(encode_manifest({k: v for k, v in manifest.items() if k != MANIFEST_DIGEST}))


def cassette_relpath(sample: SampleId) -> str:
    return f"{CASSETTE_DIR}/{sample.provider}/{sample.scenario}--r{sample.repetition}.json"


@dataclass
class Run:
    root: Path
    manifest: dict[str, Any] = field(default_factory=dict)
    # The recorder writes cassettes from worker threads while the event loop saves run.json.
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    streamed = False  # a pack's run (score/packed.py): its cassettes are streamed, not read from files

    @property
    def id(self) -> str:
        return str(self.manifest.get("run_id") or self.root.name)

    def path_of(self, sample: SampleId) -> Path:
        return self.root / cassette_relpath(sample)

    def cassette_files(self) -> list[Path]:
        """Every cassette file on disk, sorted by path (the order never depends on the file system)."""
        return [Path(name) for name in self.cassette_names()]

    def cassette_names(self) -> list[str]:
        """`cassette_files` as strings: listing 50,000 files through pathlib costs 4x as much."""
        found = []
        for folder, _dirs, files in os.walk(self.root / CASSETTE_DIR):
            found += [os.path.join(folder, name) for name in files
                      if name.endswith(".json") and not name.startswith(".")]
        return sorted(found)

    def cassette_listing(self) -> Sequence[str]:
        """`cassette_names`, held compactly (listing.py): for the scorer, which keeps them while it scores."""
        return cassette_listing(str(self.root / CASSETTE_DIR))

    def write_cassette(self, cassette: Cassette) -> str:
        """Write atomically; remember its hash in the manifest (saved by `save`). Safe from worker threads:
        each call writes its own file, and one dict assignment is atomic."""
        rel = cassette_relpath(cassette.sample)
        self.write_file(rel, encode(cassette))
        return rel

    def write_file(self, rel: str, data: bytes) -> None:
        """Write one encoded cassette; nothing here but the hash and syscalls, so that a worker thread
        running it barely holds the GIL (the recorder's event loop keeps its pace)."""
        write_atomic(self.root / rel, data)
        digest = file_hash(data)
        with self._lock:
            self.manifest.setdefault("cassettes", {})[rel] = digest

    def read_cassette(self, path: str | Path, *, walkers: bool = True) -> Cassette:
        return decode(read_bounded(path), str(path), walkers=walkers)

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
        check_shape(data, str(path))
        return data

    def save(self) -> None:
        self.manifest["format"] = FORMAT_VERSION
        self.manifest["cassettes"] = dict(sorted(self.manifest.get("cassettes", {}).items()))
        self.manifest.pop(MANIFEST_DIGEST, None)  # re-added last, so the digest covers every other key
        self.manifest[MANIFEST_DIGEST] = manifest_digest(self.manifest)
        write_atomic(self.root / RUN_FILE, encode_manifest(self.manifest))


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
    check_shape(manifest, str(manifest_path))
    version = manifest.get("format", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise CassetteError(f"unknown run format {version!r}", source=str(manifest_path), field="format")
    if version > FORMAT_VERSION:
        raise CassetteError(f"run format {version} is newer than this replaykit reads ({FORMAT_VERSION}); "
                            "upgrade replaykit", source=str(manifest_path), field="format")
    return Run(root, manifest)
