"""Reading a TOML config file, with the one-line errors every config loader gives."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from replaykit.errors import BadInputError


def read_toml(path: str | Path, error: type[BadInputError]) -> dict[str, Any]:
    """The file's tables; an unreadable file or invalid TOML raises `error` naming the file."""
    source = str(path)
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise error(f"cannot read: {err.strerror or err}", source=source) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise error(f"invalid TOML: {err}", source=source) from None
