"""`Pattern.matches`, the scorer's boolean fast path, says what `search` says, on any text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from replaykit.scenarios.linear_regex import _BoundedRe, compile_linear

PATTERNS = [r"^(san francisco|sf)(, ?ca)?$", r"\d{4}-\d{2}-\d{2}", r"^$", r"", r"é+", r"(?i)straße", r"^[A-Z]{3}$",
            r"(a|aa)+b", r"^(?!.*recieve).*receive", r"\bcat\b", r"x*", r"[^\x00-\x7f]"]
TEXT = st.text(st.sampled_from("aAbB sfSF,ca0123-éEß\u00a0\u4e2dxrecivX\n"), max_size=30)


@pytest.mark.parametrize("ignore_case", [False, True])
@pytest.mark.parametrize("pattern", PATTERNS)
@settings(max_examples=80, deadline=None)
@given(text=TEXT)
def test_matches_is_search_found(pattern: str, ignore_case: bool, text: str) -> None:
    compiled = compile_linear(pattern, ignore_case=ignore_case)
    assert compiled.matches(text) == (compiled.search(text) is not None)
    if not ignore_case:
        assert _BoundedRe.search(pattern, text) == (compiled.search(text) is not None)


def test_both_engines_are_covered() -> None:
    assert compile_linear(PATTERNS[0])._linear is not None
    assert compile_linear(r"^(?!.*recieve).*receive")._linear is None  # lookahead: the backtracking engine
