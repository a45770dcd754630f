"""Where export rows go: partitioned Parquet (pyarrow), or one CSV / JSON Lines file per table.

Every sink buffers at most `BATCH` rows per table (or per partition), so memory stays flat however many
attempts a set of runs holds.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import orjson

from replaykit.errors import BadInputError
from replaykit.export.columns import PARTITION, SCHEMA_VERSION, TABLES

BATCH = 50_000
FORMATS = ("parquet", "csv", "jsonl")


class Sink(Protocol):
    def add(self, table: str, rows: list[dict[str, Any]]) -> None: ...
    def close(self) -> list[str]: ...  # the files written, relative to the folder


def open_sink(fmt: str, folder: Path) -> Sink:
    if fmt == "parquet":
        return ParquetSink(folder)
    if fmt == "csv":
        return TextSink(folder, "csv")
    if fmt == "jsonl":
        return TextSink(folder, "jsonl")
    raise BadInputError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})", field="--format")


def partition_dir(run: str, provider: str) -> str:
    """Hive partition folders; names that aren't plain are percent-encoded, as Spark and DuckDB expect."""
    return f"run={quote(run, safe='+-._')}/provider={quote(provider, safe='+-._')}"


class ParquetSink:
    """`<table>.parquet/run=R/provider=P/part-0.parquet`, one file per partition, a row group per batch."""

    def __init__(self, folder: Path) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise BadInputError("Parquet needs pyarrow: pip install 'replaykit[parquet]' "
                                "(or use --format csv / jsonl)", field="--format") from None
        self.pa, self.pq, self.folder = pa, pq, folder
        self.schemas = {t: self._schema(t) for t in TABLES}
        self.buffers: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        self.writers: dict[tuple[str, str, str], Any] = {}

    def _schema(self, table: str) -> Any:
        pa = self.pa
        types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
                 "time": pa.timestamp("us", tz="UTC"), "list": pa.list_(pa.string())}
        fields = [pa.field(name, types[kind]) for name, kind, _ in TABLES[table] if name not in PARTITION]
        return pa.schema(fields, metadata={"replaykit.schema_version": str(SCHEMA_VERSION),
                                           "replaykit.table": table})

    def add(self, table: str, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            key = (table, row["run"], row["provider"])
            buffer = self.buffers.setdefault(key, [])
            buffer.append(row)
            if len(buffer) >= BATCH:
                self._flush(key)

    def _flush(self, key: tuple[str, str, str]) -> None:
        rows = self.buffers.pop(key, [])
        if not rows:
            return
        schema = self.schemas[key[0]]
        # column by column: from_pydict is ~3x faster than from_pylist on rows of dicts
        batch = self.pa.RecordBatch.from_pydict({name: [row[name] for row in rows] for name in schema.names},
                                                schema=schema)
        writer = self.writers.get(key)
        if writer is None:
            path = self.folder / f"{key[0]}.parquet" / partition_dir(key[1], key[2]) / "part-0.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = self.writers[key] = self.pq.ParquetWriter(path, schema, compression="zstd")
        writer.write_batch(batch)

    def close(self) -> list[str]:
        for key in sorted(self.buffers):
            self._flush(key)
        for writer in self.writers.values():
            writer.close()
        return sorted(f"{t}.parquet/{partition_dir(r, p)}/part-0.parquet" for t, r, p in self.writers)


class TextSink:
    """`<table>.csv` or `<table>.jsonl`, every column (lists as JSON text in CSV, times as ISO 8601 UTC)."""

    def __init__(self, folder: Path, fmt: str) -> None:
        self.folder, self.fmt = folder, fmt
        self.files: dict[str, io.BufferedWriter] = {}
        self.csv: dict[str, Any] = {}

    def _file(self, table: str) -> io.BufferedWriter:
        if table not in self.files:
            self.files[table] = open(self.folder / f"{table}.{self.fmt}", "wb")  # noqa: SIM115 (closed in close)
            if self.fmt == "csv":
                header = [name for name, _, _ in TABLES[table]]
                self.files[table].write(_csv_line(header))
        return self.files[table]

    def add(self, table: str, rows: list[dict[str, Any]]) -> None:
        out = self._file(table)
        names = [name for name, _, _ in TABLES[table]]
        if self.fmt == "jsonl":
            out.write(b"".join(orjson.dumps({n: row[n] for n in names}, option=orjson.OPT_UTC_Z) + b"\n"
                               for row in rows))
            return
        out.write(b"".join(_csv_line([_cell(row[n]) for n in names]) for row in rows))

    def close(self) -> list[str]:
        for table in TABLES:
            self._file(table)  # every table exists, empty ones with only a header
        for f in self.files.values():
            f.close()
        return sorted(f"{t}.{self.fmt}" for t in self.files)


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return orjson.dumps(value).decode()
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    return "" if value is None else value


def _csv_line(values: list[Any]) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow(values)
    return text.getvalue().encode()
