"""Live progress: a rich table per provider on a terminal, plain lines otherwise; a summary at the end."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO

from rich.console import Console
from rich.live import Live
from rich.table import Table

from replaykit.cassettes.model import Cassette
from replaykit.cassettes.run import Run
from replaykit.recorder.plan import PlannedSample

PLAIN_EVERY_S = 5.0


@dataclass
class _Lane:
    total: int = 0
    done: int = 0
    attempts: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    resumed: int = 0  # done before this session: not part of its rate


class Progress:
    """Per provider: done/total, attempts, errors by class, samples per second, ETA."""

    def __init__(self, stream: IO[str] | None = None, plain: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.plain = plain if plain is not None else not self.stream.isatty()
        self.console = Console(file=self.stream, width=100)
        self.lanes: dict[str, _Lane] = {}
        self.t0 = time.monotonic()
        self._live: Live | None = None
        self._last_line = 0.0
        self._last_text = ""
        self.warnings: Counter[str] = Counter()

    def start(self, run: Run, samples: list[PlannedSample], done: Sequence[PlannedSample] = ()) -> None:
        """`samples`: those to record now; `done`: those a resumed run already has (counted as done)."""
        for sample in samples:
            self.lanes.setdefault(sample.id.provider, _Lane()).total += 1
        for sample in done:
            lane = self.lanes.setdefault(sample.id.provider, _Lane())
            lane.total += 1
            lane.done += 1
            lane.resumed += 1
        self.t0 = time.monotonic()
        if not self.plain:
            self._live = Live(self.table(), console=self.console, refresh_per_second=4, transient=False)
            self._live.start()

    def sample_done(self, sample: PlannedSample, cassette: Cassette, classes: list[str | None]) -> None:
        self._surface_warnings(sample, cassette)
        lane = self.lanes[sample.id.provider]
        lane.done += 1
        lane.attempts += len(classes)
        lane.errors.update(c for c in classes if c)
        if self._live:
            self._live.update(self.table())
        elif time.monotonic() - self._last_line > PLAIN_EVERY_S:
            self._last_line = time.monotonic()
            self._print_lines()

    def _surface_warnings(self, sample: PlannedSample, cassette: Cassette) -> None:
        """A server's warning (the simulator's: it doesn't know the scenario) goes on stderr, once per message,
        with how many samples got it at the end."""
        for attempt in cassette.attempts:
            warning = attempt.server_warning
            if warning:
                if warning not in self.warnings:
                    self.console.print(f"warning: {sample.id.provider} {sample.id.scenario}: {warning}",
                                       markup=False, highlight=False, soft_wrap=True)
                self.warnings[warning] += 1
                return

    def stop(self) -> None:
        if self._live:
            self._live.update(self.table())
            self._live.stop()
            self._live = None
        else:
            self._print_lines()
        for warning, count in self.warnings.items():
            self.console.print(f"warning: {count} samples: {warning}", markup=False, highlight=False, soft_wrap=True)

    def _print_lines(self) -> None:
        lines = []
        for name, lane in self.lanes.items():
            errors = " ".join(f"{k}={v}" for k, v in sorted(lane.errors.items())) or "no errors"
            lines.append(f"record {name}: {lane.done}/{lane.total} samples, {lane.attempts} attempts, {errors}\n")
        text = "".join(lines)
        if text != self._last_text:  # the closing lines are not repeated when nothing changed since
            self._last_text = text
            self.stream.write(text)
            self.stream.flush()

    def table(self) -> Table:
        elapsed = max(time.monotonic() - self.t0, 1e-6)
        table = Table(title="recording", title_justify="left", expand=False)
        for col in ("provider", "done", "attempts", "errors by class", "rate/s", "ETA"):
            table.add_column(col, overflow="fold")
        for name, lane in self.lanes.items():
            rate = (lane.done - lane.resumed) / elapsed
            eta = (lane.total - lane.done) / rate if rate > 0 else float("inf")
            errors = ", ".join(f"{k} {v}" for k, v in lane.errors.most_common(3)) or "-"
            table.add_row(name, f"{lane.done}/{lane.total}", str(lane.attempts), errors, f"{rate:.1f}",
                          "-" if eta == float("inf") else f"{eta:.0f}s")
        return table
