"""Recording: the one HTTP code path, the run scheduler (concurrency, retries, limiter, fallback),
redaction, the cassette writer, resume."""

from replaykit.record.api import record, resume
from replaykit.record.recorder import RecordOptions

__all__ = ["RecordOptions", "record", "resume"]
