"""Recording: the one HTTP code path, the run scheduler (concurrency, retries, limiter, fallback),
redaction, the cassette writer, resume."""

from replaykit.recorder.api import record, resume
from replaykit.recorder.engine import RecordOptions

__all__ = ["RecordOptions", "record", "resume"]
