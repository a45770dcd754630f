"""The files replaykit ships inside the package: the scenario library (`scenarios/`), the simulator's profiles and
the example provider files (`providers/`). They live in `replaykit/data/` and are read through
importlib.resources, so a plain `pip install replaykit` has them, editable or not.

Commands whose default is `scenarios` or `providers/...` use the folder of that name in the current directory
when there is one, else the packaged copy (`locate`); `export` copies a packaged folder out for editing.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path, PurePath

from replaykit.errors import BadInputError, ReplaykitError

KINDS = ("scenarios", "providers")


def data_root() -> Path:
    """The packaged data folder as a real path (replaykit is installed unzipped: the loaders and the simulator
    process need files on disk)."""
    root = files("replaykit") / "data"
    if not isinstance(root, Path) or not root.is_dir():
        raise ReplaykitError(f"replaykit's packaged data is missing or not on disk ({root}); reinstall replaykit")
    return root


@dataclass(frozen=True)
class Located:
    path: Path
    packaged: bool  # True: the copy shipped with replaykit, because the given path is not there


def locate(path: str | Path) -> Located:
    """`path` if it exists; else, for a relative path under `scenarios` or `providers`, the packaged file or
    folder of that name when replaykit ships one; else `path` (the loader then names it as missing)."""
    given = Path(path)
    if given.exists() or given.is_absolute():
        return Located(given, False)
    parts = PurePath(path).parts
    if parts and parts[0] in KINDS:
        candidate = data_root().joinpath(*parts)
        if candidate.exists():
            return Located(candidate, True)
    return Located(given, False)


def packaged(relative: str) -> Path:
    """One packaged file or folder, e.g. `providers/sim.toml`."""
    return data_root() / relative


def export(kind: str, dest: str | Path) -> list[Path]:
    """Copy the packaged `scenarios` or `providers` folder into `dest` (absent or empty), for editing."""
    target = Path(dest)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BadInputError("exists and is not an empty folder; choose a new one", source=str(target))
    shutil.copytree(packaged(kind), target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return sorted(p for p in target.rglob("*") if p.is_file())
