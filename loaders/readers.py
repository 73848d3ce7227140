"""Reads input files in chunks, whatever their format, and recognises what they hold.

Format comes from the extension: `.csv` (optionally `.csv.gz`), `.jsonl`/`.ndjson`, `.parquet`.
The type comes from the file name (`shares.csv`, `visits-2026-05.jsonl`, `03_orders.parquet`:
the first word naming a type, singular or plural); failing that, from the columns.
Rows come out as dicts with their 1-based row number; a row that cannot even be decoded comes
out as a `RawReject` so that it is reported, not lost.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from fission.errors import InvalidInput
from loaders.models import MODEL_BY_KIND

FORMATS = {
    ".csv": "csv",
    ".gz": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_SINGULAR = {kind.removesuffix("s"): kind for kind in MODEL_BY_KIND} | {
    "member": "members",
    "friendship": "friendships",
    "friend": "friendships",
}
# Columns that only one type has, to recognise a file whose name says nothing.
_SIGNATURES = [
    ("visits", {"visitor_id"}),
    ("shares", {"sharer_id"}),
    ("friendships", {"a_id", "b_id"}),
    ("notes", {"staff_id"}),
    ("agents", {"invited_by"}),
    ("orders", {"amount"}),
    ("members", {"member_since"}),
    ("staff", {"role"}),
    ("content", {"content_id", "title"}),
    ("stores", {"store_id", "name"}),
]
_SURROGATE = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True)
class RawReject:
    row: int
    reason: str


Chunk = list[tuple[int, dict[str, Any] | RawReject]]


def file_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-2:] == [".csv", ".gz"]:
        return "csv"
    fmt = FORMATS.get(suffixes[-1] if suffixes else "")
    if fmt is None or (fmt == "csv" and suffixes[-1] == ".gz"):
        raise InvalidInput(f"{path}: unknown format; use .csv, .jsonl or .parquet")
    return fmt


def kind_from_name(path: Path) -> str | None:
    stem = path.name.split(".")[0].lower()
    for word in re.split(r"[^a-z]+", stem):
        if word in MODEL_BY_KIND:
            return word
        if word in _SINGULAR:
            return _SINGULAR[word]
    return None


def kind_from_columns(columns: set[str]) -> str | None:
    for kind, needed in _SIGNATURES:
        if needed <= columns:
            return kind
    return None


def columns_of(path: Path) -> set[str]:
    fmt = file_format(path)
    if fmt == "parquet":
        return set(pq.ParquetFile(path).schema_arrow.names)
    if fmt == "csv":
        return set(pd.read_csv(path, nrows=0).columns)
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.strip():
                first = json.loads(line)
                return set(first) if isinstance(first, dict) else set()
    return set()


def detect_kind(path: Path) -> str:
    kind = kind_from_name(path)
    if kind is None:
        try:
            kind = kind_from_columns(columns_of(path))
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"{path}: cannot read its columns ({exc})") from exc
    if kind is None:
        raise InvalidInput(
            f"{path}: cannot tell what it holds; name it after its type "
            f"({', '.join(MODEL_BY_KIND)}) or give it that type's columns"
        )
    return kind


def _undecodable(record: dict[Any, Any]) -> str | None:
    for column, value in record.items():
        if isinstance(value, str) and _SURROGATE.search(value):
            return f"{column}: bytes that are not valid UTF-8"
    return None


def _with_decode_check(row: int, record: dict[Any, Any]) -> tuple[int, dict[str, Any] | RawReject]:
    problem = _undecodable(record)
    return (row, RawReject(row, problem) if problem else record)


def read_chunks(path: Path, chunk_rows: int) -> Iterator[Chunk]:
    """Yields lists of (row number, record or RawReject), `chunk_rows` rows at a time."""
    fmt = file_format(path)
    if fmt == "csv":
        yield from _csv_chunks(path, chunk_rows)
    elif fmt == "jsonl":
        yield from _jsonl_chunks(path, chunk_rows)
    else:
        yield from _parquet_chunks(path, chunk_rows)


def _csv_chunks(path: Path, chunk_rows: int) -> Iterator[Chunk]:
    # Everything as text: types are the models' job. surrogateescape keeps bad bytes visible
    # per row instead of failing the whole file.
    reader = pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        chunksize=chunk_rows,
        encoding="utf-8",
        encoding_errors="surrogateescape",
    )
    row = 0
    with reader:
        for frame in reader:
            records = frame.to_dict("records")
            yield [_with_decode_check(row + i + 1, rec) for i, rec in enumerate(records)]
            row += len(records)


def _jsonl_chunks(path: Path, chunk_rows: int) -> Iterator[Chunk]:
    # Line by line, so one malformed line is one reject rather than a failed chunk.
    chunk: Chunk = []
    row = 0
    with path.open("rb") as handle:
        for raw in handle:
            if not raw.strip():
                continue
            row += 1
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                chunk.append((row, RawReject(row, "bytes that are not valid UTF-8")))
            except json.JSONDecodeError as exc:
                chunk.append((row, RawReject(row, f"not valid JSON: {exc.msg}")))
            else:
                if isinstance(record, dict):
                    chunk.append((row, record))
                else:
                    chunk.append((row, RawReject(row, "a line must hold one JSON object")))
            if len(chunk) >= chunk_rows:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def _parquet_chunks(path: Path, chunk_rows: int) -> Iterator[Chunk]:
    row = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows):
        records = batch.to_pandas().to_dict("records")
        yield [(row + i + 1, rec) for i, rec in enumerate(records)]
        row += len(records)
