"""Fixtures of the report tests: the example run scored once, with its per-sample payload."""

from __future__ import annotations

from typing import Any

import pytest
from report_helpers import EXAMPLE

from replaykit.report.samples import ReportSamples, collect


@pytest.fixture(scope="session")
def example() -> tuple[dict[str, Any], ReportSamples]:
    if not (EXAMPLE / "run.json").exists():
        pytest.skip("cassettes/example is missing")
    result, samples = collect([EXAMPLE])
    return result.data, samples


@pytest.fixture(scope="session")
def example_data(example: tuple[dict[str, Any], ReportSamples]) -> dict[str, Any]:
    return example[0]
