"""The exception hierarchy. Everything replaykit raises on purpose derives from `ReplaykitError`."""

from __future__ import annotations

import re

# Control characters (C0, DEL, C1), line and paragraph separators, and bidirectional overrides: a file name
# holding one could forge a line of output ("verify RUN: ok") or hide part of a message.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with every character that could break or forge a line of output escaped (`\\n`, `\\x1b`)."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text) if _UNPRINTABLE.search(text) else text


class ReplaykitError(Exception):
    """Root of every error replaykit raises on purpose."""


class BadInputError(ReplaykitError):
    """Input a user supplied is wrong: a scenario, a provider file, a cassette, a flag.

    The CLI prints `str(error)` as one line and exits 2. The message names the file, the item (scenario id,
    provider name) and the field path, whichever are known.
    """

    def __init__(self, message: str, *, source: str | None = None, item: str | None = None,
                 field: str | None = None) -> None:
        self.message = message
        self.source = source
        self.item = item
        self.field = field
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [p for p in (self.source, self.item, self.field) if p]
        return printable(": ".join([*parts, self.message]))  # one line, whatever names it quotes


class ScenarioError(BadInputError):
    """A scenario file or scenario is invalid."""


class ProviderConfigError(BadInputError):
    """A provider config (TOML) is invalid, or names something that does not exist."""


class ProfileError(BadInputError):
    """A simulator profile is invalid."""


class CassetteError(BadInputError):
    """A cassette or run folder cannot be read, or is not trustworthy."""


class RecordError(ReplaykitError):
    """Recording cannot go on (an unwritable output folder, a run that cannot be resumed)."""
