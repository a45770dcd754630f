"""Recording: the one HTTP code path, the run scheduler (concurrency, retries, limiter, fallback),
redaction, the cassette writer, resume.

The entry points load on first use: readers import `replaykit.recorder.redact` (what a secret looks like, in
every form) without paying for httpx and the scheduler.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from replaykit.recorder.api import record, resume
    from replaykit.recorder.engine import RecordOptions

__all__ = ["RecordOptions", "record", "resume"]
_WHERE = {"record": "replaykit.recorder.api", "resume": "replaykit.recorder.api",
          "RecordOptions": "replaykit.recorder.engine"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
