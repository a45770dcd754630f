"""Scoring: the checker (+ BFCL compatibility), metrics and statistics."""

from replaykit.score.engine import ScoreResult, iter_samples, score_runs
from replaykit.score.sample import SampleScore, ScoreOptions, score_cassette

__all__ = ["SampleScore", "ScoreOptions", "ScoreResult", "iter_samples", "score_cassette", "score_runs"]
