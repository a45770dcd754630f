"""The run and cassette format: read, write, versions, stock-vcrpy replay, foreign cassettes."""

from replaykit.cassettes.codec import decode, encode
from replaykit.cassettes.model import FORMAT_VERSION, Attempt, Cassette, SampleId
from replaykit.cassettes.run import RUN_FILE, Run, cassette_relpath, load_run

__all__ = ["FORMAT_VERSION", "RUN_FILE", "Attempt", "Cassette", "Run", "SampleId", "cassette_relpath",
           "decode", "encode", "load_run"]
