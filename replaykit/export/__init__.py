"""`replaykit export`: runs as columnar tables (attempts, samples, calls) for DuckDB, Polars, pandas, Spark."""

from replaykit.export.api import ExportReport, export_runs
from replaykit.export.columns import SCHEMA_VERSION, TABLES

__all__ = ["SCHEMA_VERSION", "TABLES", "ExportReport", "export_runs"]
