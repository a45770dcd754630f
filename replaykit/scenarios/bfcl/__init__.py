"""Imports BFCL v4 question + possible_answer files as replaykit scenarios.

One scenario per BFCL entry, one YAML file per category. Tools are converted the way BFCL converts them for
OpenAI-style native tool calling (BFCL types to JSON Schema, `.` to `_` in names: `schemas`); each parameter's
list of acceptable values becomes a `one_of` matcher, read as BFCL's AST checker reads it (`answers`). Where
BFCL accepts a value its own schema does not admit (null, an off-enum string), the schema is widened and the
widening noted in `meta.bfcl_schema_widened`; entries BFCL's checker could never accept are skipped and
reported (`importer`).
"""

from replaykit.scenarios.bfcl.importer import CATEGORIES, BfclImport, SkippedEntry, import_bfcl

__all__ = ["CATEGORIES", "BfclImport", "SkippedEntry", "import_bfcl"]
