"""Regenerate docs/cli.md from the commands' own help texts."""

from pathlib import Path

from replaykit.cli import main
from replaykit.cli.docs import cli_markdown

TARGET = Path(__file__).resolve().parents[1] / "docs" / "cli.md"

if __name__ == "__main__":
    TARGET.write_text(cli_markdown(main), encoding="utf-8")
    print(f"wrote {TARGET}")
