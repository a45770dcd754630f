"""The HTML report in real headless Chromium (Debian's `chromium`; `.ci/run` installs it where it can).

Driven with the Chrome DevTools Protocol over a pipe: no console errors, every chart drawn with data marks,
filters change the visible rows, a row opens its drill-down, nothing is fetched from the network, and a
10,000-sample report loads in under 3 s and stays under 10 MB.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cdp_pipe import Browser, find_chromium
from report_helpers import EXAMPLE, grow_run

from replaykit.report.html import render
from replaykit.report.samples import ReportSamples, collect

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (`apt-get install chromium`; "
                                                          ".ci/run installs it where the machine allows)")
SCREENSHOT = Path("/tmp/replaykit-report.png")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    profile = tmp_path_factory.mktemp("chromium") / "profile"
    profile.mkdir()
    assert CHROMIUM is not None
    b = Browser(CHROMIUM, profile)
    try:
        yield b
    finally:
        b.close()


def _open(browser: Browser, path: Path) -> float:
    """Load the report; returns its ready time (ms after navigation start, as the page measured it)."""
    browser.events.clear()
    browser.navigate(path.as_uri())
    ready: float = browser.wait_for("window.__rkReady")
    return ready


def _count(browser: Browser) -> str:
    return str(browser.evaluate("document.getElementById('sample-count').textContent"))


def _visible_rows(browser: Browser) -> list[str]:
    return list(browser.evaluate("Array.from(document.querySelectorAll('#sample-list .vrow'))"
                                 ".map(r => r.textContent)"))


def test_example_report_in_chromium(browser: Browser, example: tuple[dict[str, Any], ReportSamples],
                                    tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render(*example))
    _open(browser, page)
    assert browser.problems() == []
    charts = browser.evaluate("Array.from(document.querySelectorAll('svg.chart')).map(s => "
                              "[s.id, s.querySelectorAll('.mark').length, s.hasAttribute('data-empty')])")
    assert len(charts) == 10
    for ident, marks, empty in charts:
        assert marks > 0 and not empty, ident
    assert browser.evaluate("document.querySelectorAll('#board tbody tr').length") == 7
    ticks = browser.evaluate("Array.from(document.querySelectorAll('#chart-cost .axis text')).map(t => t.textContent)")
    assert ticks and len(ticks) == len(set(ticks))  # no cost label repeated
    compare = browser.evaluate("document.getElementById('diff-count').textContent")
    assert " of 0 " not in compare  # the Compare panel opens on a pair that shares samples

    everything = _count(browser)
    assert everything == "showing 168 of 168 samples"
    before = _visible_rows(browser)
    for name in ("failures", "errors", "different"):
        browser.click(f'[data-filter="{name}"]')
        browser.wait_for(f"document.getElementById('sample-count').textContent !== {everything!r}")
        assert _visible_rows(browser) != before, name
        assert browser.evaluate(f"document.querySelector('[data-filter=\"{name}\"]').getAttribute('aria-pressed')")\
            == "true"
        browser.click('[data-filter="all"]')
        browser.wait_for(f"document.getElementById('sample-count').textContent === {everything!r}")

    browser.click('[data-filter="failures"]')
    browser.click("#sample-list .vrow")
    browser.wait_for("!!document.querySelector('#detail table.calls')")
    detail = browser.evaluate("document.getElementById('detail').innerText")
    assert "expected" in detail and "returned" in detail and "Attempts" in detail and "sha256" in detail
    assert browser.evaluate("document.querySelectorAll('#detail table.calls .miss, #detail table.calls .bad')"
                            ".length") > 0  # the difference is highlighted
    browser.click("#detail details.raw summary")
    browser.wait_for("!!document.querySelector('#detail pre.body')")
    assert "POST" in browser.evaluate("document.querySelector('#detail details.raw').innerText")

    browser.click("#diff-list .vrow")
    browser.wait_for("document.querySelectorAll('#diff-detail .card').length === 2")

    assert browser.problems() == []
    assert [u for u in browser.requests_seen(lambda u: not u.startswith(("file:", "data:", "blob:")))] == []
    browser.evaluate("window.scrollTo(0, 0)")
    shot = tmp_path / "report.png"
    browser.screenshot(shot)
    shutil.copyfile(shot, SCREENSHOT)
    assert shot.stat().st_size > 50_000


def test_report_without_samples_in_chromium(browser: Browser, example_data: dict[str, Any],
                                            tmp_path: Path) -> None:
    page = tmp_path / "aggregates.html"
    page.write_text(render(example_data))
    _open(browser, page)
    assert browser.problems() == []
    marks = browser.evaluate("Array.from(document.querySelectorAll('svg.chart')).map(s => "
                             "[s.id, s.querySelectorAll('.mark').length])")
    # failed attempts over time need each attempt's start: per-sample data
    assert all(n > 0 for ident, n in marks if ident != "chart-errors-time")
    assert "without per-sample data" in browser.evaluate("document.getElementById('samples').innerText")


def test_two_runs_side_by_side(browser: Browser, tmp_path: Path) -> None:
    again = grow_run(EXAMPLE, tmp_path / "again", 1, seed=3)
    result, samples = collect([EXAMPLE, again.root])
    page = tmp_path / "two.html"
    page.write_text(render(result.data, samples))
    _open(browser, page)
    assert browser.problems() == []
    assert _count(browser) == "showing 336 of 336 samples"
    sources = browser.evaluate("Array.from(document.querySelectorAll('#diff-a option')).map(o => o.value)")
    assert len(sources) == 14 and "again · sim-steady" in sources and "example · sim-steady" in sources
    browser.evaluate("const a = document.getElementById('diff-a'), b = document.getElementById('diff-b');"
                     "a.value = 'example · sim-textcalls'; b.value = 'again · sim-textcalls';"
                     "b.dispatchEvent(new Event('change'))")
    assert "0 of 24" in browser.evaluate("document.getElementById('diff-count').textContent")
    assert browser.problems() == []


@pytest.mark.slow
def test_a_10000_sample_report_is_small_and_fast(browser: Browser, tmp_path: Path) -> None:
    """A real recording of the shipped scenarios against every simulated provider, grown to 10,000+
    samples as repetitions (ids, timestamps and timing varied as in a real re-run)."""
    from replaykit.demo import run_demo

    base = run_demo(tmp_path / "base", repeat=1, time_scale=0.005).run.root
    big = grow_run(base, tmp_path / "big", 11)
    result, samples = collect([big.root])
    assert result.scored >= 10_000
    page = tmp_path / "big.html"
    page.write_text(render(result.data, samples))
    size = page.stat().st_size
    assert size < 10_000_000, size
    start = time.monotonic()
    ready = _open(browser, page)
    wall = time.monotonic() - start
    print(f"\n10k report: {result.scored} samples, {size / 1e6:.2f} MB, ready {ready:.0f} ms "
          f"after navigation start ({wall:.2f} s wall)")
    assert ready < 3000, ready
    assert browser.problems() == []
    assert _count(browser) == f"showing {result.scored} of {result.scored} samples"
    assert browser.evaluate("document.querySelectorAll('#sample-list .vrow').length") < 60  # virtualised
    browser.click('[data-filter="different"]')
    browser.click("#sample-list .vrow")
    browser.wait_for("!!document.querySelector('#detail table.calls')")
    assert browser.problems() == []
