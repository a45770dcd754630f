"""The README's set-up block and CI run the same test command, so what CI proves is what a user runs."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    setup = re.search(r"```sh\n(.*?)```", readme, re.S)
    assert setup is not None
    (pytest_command,) = [part.strip() for line in setup.group(1).splitlines() for part in line.split("&&")
                         if "pytest" in part]
    assert "-n auto" in pytest_command  # the suite runs in parallel (issue 14 §4)
    ci = [line.split("#")[0].strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    assert pytest_command in ci


def test_user_docs_stand_on_their_own() -> None:
    # a user's clone has neither the project's SPEC nor the ../shared data folder
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for outside in ("SPEC §", "SPEC.md", "../shared", "NOTES.md"):
            assert outside not in text, f"{doc.name} refers to {outside}"
