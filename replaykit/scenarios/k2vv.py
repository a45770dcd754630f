"""`replaykit import k2vv`: K2-Vendor-Verifier's request sets (JSON Lines, one chat-completion request body
per line) as replay scenarios whose reference is still to be recorded.

Such a scenario has no right answer of its own (`meta.reference.pending`): record it against the reference
provider (the official API), turn that run into reference scenarios with `replaykit scenarios from-run`, and
score every vendor against those. The scorer never judges calls against a pending reference.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import orjson
import yaml

from replaykit.errors import BadInputError
from replaykit.scenarios.reference import pending_scenario
from replaykit.share.paths import staged_folder

MAX_BYTES = 512 * 1024 * 1024
PER_FILE = 500


def import_k2vv(path: str | Path, out: str | Path, *, sample: int | None = None, seed: int = 0) -> int:
    """Write the requests of `path` as scenarios into the new folder `out`; returns how many."""
    items = list(_read(Path(path)))
    if not items:
        raise BadInputError("no request in the file", source=str(path))
    if sample is not None and sample < len(items):
        keep = sorted(random.Random(seed).sample(range(len(items)), sample))
        items = [items[i] for i in keep]
    with staged_folder(Path(out), "k2vv") as staging:
        for start in range(0, len(items), PER_FILE):
            chunk = items[start:start + PER_FILE]
            text = yaml.safe_dump(chunk, sort_keys=False, allow_unicode=True, width=120)
            (staging / f"k2vv-{start // PER_FILE:04d}.yaml").write_text(text, encoding="utf-8")
    return len(items)


def _read(path: Path) -> Any:
    source = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise BadInputError(f"larger than {MAX_BYTES} bytes", source=source)
        lines = path.read_bytes().splitlines()
    except OSError as err:
        raise BadInputError(f"cannot read: {err.strerror or err}", source=source) from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            body = orjson.loads(line)
        except orjson.JSONDecodeError as err:
            raise BadInputError(f"not JSON: {err}", source=f"{source}:{number}") from None
        if not isinstance(body, dict):
            raise BadInputError("must be a chat-completion request body (an object)", source=f"{source}:{number}")
        yield pending_scenario(f"k2vv.{number:05d}", body, f"{source}:{number}", "k2vv")
