"""Attempt → outcome: JSON and SSE bodies, calls written as text, error classes."""

from replaykit.normalize.body import body_text
from replaykit.normalize.normalizer import error_class_of, normalize
from replaykit.normalize.outcome import ANSWER_FAULTS, ERROR_CLASSES, Call, Outcome
from replaykit.normalize.sse import SSEBody, parse_sse
from replaykit.normalize.textcalls import extract_text_calls

__all__ = ["ANSWER_FAULTS", "ERROR_CLASSES", "Call", "Outcome", "SSEBody", "body_text", "error_class_of",
           "extract_text_calls", "normalize", "parse_sse"]
