"""docs/cli.md is generated from the CLI; it must match the commands as they are."""

from pathlib import Path

from replaykit.cli import main
from replaykit.cli.docs import cli_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_cli_docs_are_current() -> None:
    assert DOC.read_text(encoding="utf-8") == cli_markdown(main), \
        "docs/cli.md is stale: run `python scripts/gen_cli_docs.py`"


def test_every_command_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in ("record", "score", "inspect", "diff", "fallback", "verify", "sim serve", "demo", "report",
                 "providers discover", "import bfcl", "scenarios validate"):
        assert f"replaykit {name}" in text, name
