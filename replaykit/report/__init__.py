"""Reports: terminal, Markdown, CSV, HTML."""
