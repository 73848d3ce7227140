"""Reads input files whole and validates them column by column: the bulk import's edge.

Verdicts and reasons are the online loader's own. A vectorised check (pyarrow compute) accepts
only values that `loaders.models` would accept unchanged: plain ASCII ids, exact enum values,
ISO 8601 timestamps with an offset, plain decimal amounts, text without surrounding spaces.
Every other row (a blank where a value is needed, an id with spaces, a timestamp in another
layout, any invalid row) goes through `loaders.pipeline.validate` itself, so it is normalised,
or refused with a reason, exactly as `fission load` does.

Files are read with pyarrow (CSV as text columns, Parquet as stored); when pyarrow cannot read a
CSV file (bytes that are not UTF-8, ragged rows), and for JSON Lines, rows come from
`loaders.readers.read_chunks`, the online loader's reader, so undecodable rows are reported
the same way.

The result per type is one `pa.Table` of valid rows in load order (files in `fission load`'s
order, rows in file order): the model's fields (text; amounts as float; timestamps as their
ISO text plus `<field>_us`, microseconds since the epoch, and `<field>_off`, the offset in
seconds) and `_file`, `_row` (where the row came from).
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fission.errors import InvalidInput
from loaders.models import (
    BEFORE_TRACKING,
    MODEL_BY_KIND,
    REFERENCE_KINDS,
    InputRow,
    NoteEvent,
    OrderEvent,
    ShareEvent,
    VisitEvent,
)
from loaders.pipeline import validate
from loaders.readers import RawReject, file_format, read_chunks

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CHUNK_ROWS = 200_000

# Accepted unchanged by the models (a subset of what they accept: the rest is checked by them).
ID = r"^[A-Za-z0-9_.:@-]{1,128}$"
TIMESTAMP = (
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?"
    r"(Z|[+-](0\d|1[0-7]):[0-5]\d)$"
)
AMOUNT = r"^\d{1,15}(\.\d{1,15})?$"
CURRENCY = r"^[A-Z]{3}$"
# First and last character are not whitespace to Python's str.strip nor to Rust's trim.
_EDGE = (
    r"[^\s\x0b\x1c-\x1f\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}"
    r"\x{205f}\x{3000}]"
)
TEXT = rf"^{_EDGE}((?s:.*){_EDGE})?$"


def _choices(model: type[InputRow], name: str) -> list[str]:
    return [str(v) for v in typing.get_args(model.model_fields[name].annotation)]


def _default(model: type[InputRow], name: str) -> str:
    return str(model.model_fields[name].default)


@dataclass(frozen=True)
class Check:
    """How one input column is checked: `kind` is id, choice, currency, timestamp, amount or
    text (up to `max_length`); a blank is `default` when there is one, else None when not
    `required` (a blank required value is left to the models, which call it missing)."""

    kind: str
    required: bool = True
    choices: tuple[str, ...] = ()
    default: str | None = None
    max_length: int = 0


def _id(required: bool = True) -> Check:
    return Check("id", required)


_TIME = Check("timestamp")
# Event types checked column by column; reference data (small) goes through the models row by
# row. Each entry names the file's columns (the models' aliases).
EVENT_FIELDS: dict[str, dict[str, Check]] = {
    "shares": {
        "event_id": _id(),
        "share_id": _id(),
        "sharer_id": _id(),
        "content_id": _id(),
        "channel": Check("choice", choices=tuple(_choices(ShareEvent, "channel"))),
        "at": _TIME,
        "parent_share_id": _id(required=False),
    },
    "visits": {
        "event_id": _id(),
        "share_id": _id(),
        "visitor_id": _id(),
        "at": _TIME,
        "action": Check(
            "choice",
            choices=tuple(_choices(VisitEvent, "action")),
            default=_default(VisitEvent, "action"),
        ),
    },
    "orders": {
        "event_id": _id(),
        "person_id": _id(),
        "store_id": _id(),
        "amount": Check("amount"),
        "currency": Check("currency", default=_default(OrderEvent, "currency")),
        "at": _TIME,
    },
    "friendships": {"event_id": _id(), "a_id": _id(), "b_id": _id(), "at": _TIME},
    "agents": {
        "event_id": _id(),
        "person_id": _id(),
        "store_id": _id(),
        "invited_by": _id(required=False),
        "at": _TIME,
    },
    "notes": {
        "event_id": _id(),
        "staff_id": _id(),
        "person_id": _id(),
        "at": _TIME,
        "kind": Check("choice", choices=tuple(_choices(NoteEvent, "kind_"))),
        "text": Check("text", required=False, max_length=500),
        "tag": Check("text", required=False, max_length=64),
    },
}
# Reference data: each model field, with how its normalised value is stored.
REFERENCE_FIELDS: dict[str, dict[str, str]] = {
    "stores": {
        "store_id": "text",
        "name": "text",
        "city": "text",
        "region": "text",
        "opened_on": "text",
    },
    "staff": {
        "person_id": "text",
        "store_id": "text",
        "role": "text",
        "display_name": "text",
        "since": "timestamp",
    },
    "content": {
        "content_id": "text",
        "kind": "text",
        "title": "text",
        "topics": "topics",
        "store_id": "text",
    },
    "members": {"person_id": "text", "store_id": "text", "member_since": "timestamp"},
}


def field_types(kind: str) -> dict[str, str]:
    """Each normalised field of a type and how it is stored (text, timestamp, amount, topics)."""
    if kind in REFERENCE_FIELDS:
        return REFERENCE_FIELDS[kind]
    return {
        name: ("text" if f.kind not in ("timestamp", "amount") else f.kind)
        for name, f in EVENT_FIELDS[kind].items()
    }


def schema(kind: str) -> pa.Schema:
    """The columns of a validated table of this type."""
    columns: list[pa.Field] = []
    for name, stored in field_types(kind).items():
        if stored == "timestamp":
            columns += [
                pa.field(name, pa.string()),
                pa.field(f"{name}_us", pa.int64()),
                pa.field(f"{name}_off", pa.int32()),
            ]
        elif stored == "amount":
            columns.append(pa.field(name, pa.float64()))
        elif stored == "topics":
            columns.append(pa.field(name, pa.list_(pa.string())))
        else:
            columns.append(pa.field(name, pa.string()))
    return pa.schema([*columns, pa.field("_file", pa.int32()), pa.field("_row", pa.int64())])


@dataclass
class Reject:
    """A row refused with its reason, as the reject file lists it."""

    source: str
    row: int
    kind: str
    key: str | None
    reason: str
    raw: dict[str, Any] | None


@dataclass
class Validated:
    """The valid rows of each type (load order) and the refused ones, with row counts."""

    tables: dict[str, pa.Table] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    read: dict[str, int] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    files: list[RawFile] = field(default_factory=list)

    def raw_records(self, file_index: int, rows: np.ndarray) -> list[dict[str, Any]]:
        """The rows of a file, by row number, as the online reader gives them."""
        raw = self.files[file_index]
        return raw.records(np.searchsorted(raw.rows, rows))


@dataclass
class RawFile:
    """One file as read: its columns (None when a column's values are not all of one plain
    type), 1-based row numbers, and a way to get rows back as the online reader's records."""

    columns: dict[str, pa.Array | None]
    rows: np.ndarray
    records: Callable[[np.ndarray], list[dict[str, Any]]]
    raw_rejects: list[RawReject]


def _combined(column: pa.ChunkedArray) -> pa.Array:
    return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)


def _read_parquet(path: Path) -> RawFile:
    table = pq.read_table(path)

    def records(positions: np.ndarray) -> list[dict[str, Any]]:
        # As the online reader does: through pandas (NaN, numpy arrays, Timestamps).
        return table.take(pa.array(positions)).to_pandas().to_dict("records")

    columns = {name: _combined(table.column(name)) for name in table.column_names}
    return RawFile(columns, np.arange(1, table.num_rows + 1), records, [])


def _read_csv(path: Path) -> RawFile:
    names = list(pd.read_csv(path, nrows=0, encoding="utf-8").columns)
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            null_values=[],
        ),
    )
    if table.column_names != names:
        raise ValueError("header names differ from pandas'")

    def records(positions: np.ndarray) -> list[dict[str, Any]]:
        return table.take(pa.array(positions)).to_pylist()

    columns = {name: _combined(table.column(name)) for name in table.column_names}
    return RawFile(columns, np.arange(1, table.num_rows + 1), records, [])


def _plain_column(values: list[Any]) -> pa.Array | None:
    present = [v for v in values if v is not None]
    if all(type(v) is str for v in present):
        return pa.array(values, type=pa.string())
    if all(type(v) in (int, float) for v in present):
        return pa.array([None if v is None else float(v) for v in values], type=pa.float64())
    return None


def _read_records(path: Path) -> RawFile:
    """Through the online loader's reader: JSON Lines, and CSV that pyarrow refuses."""
    rows: list[int] = []
    kept: list[dict[str, Any]] = []
    raw_rejects: list[RawReject] = []
    for chunk in read_chunks(path, CHUNK_ROWS):
        for row, record in chunk:
            if isinstance(record, RawReject):
                raw_rejects.append(record)
            else:
                rows.append(row)
                kept.append(record)
    names: dict[str, None] = {}
    for record in kept:
        names.update(dict.fromkeys(record))
    columns = {str(name): _plain_column([record.get(name) for record in kept]) for name in names}

    def records(positions: np.ndarray) -> list[dict[str, Any]]:
        return [kept[i] for i in positions]

    return RawFile(columns, np.array(rows, dtype=np.int64), records, raw_rejects)


def read_file(path: Path) -> RawFile:
    fmt = file_format(path)
    try:
        if fmt == "parquet":
            return _read_parquet(path)
        if fmt == "csv":
            try:
                return _read_csv(path)
            except (pa.ArrowInvalid, ValueError, UnicodeDecodeError):
                return _read_records(path)
        return _read_records(path)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise InvalidInput(f"{path}: cannot be read ({exc})") from exc


# ----------------------------------------------------------------------------- checks


def _mask(values: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _blank(column: pa.Array) -> pa.Array:
    return pc.or_kleene(pc.is_null(column), pc.equal(column, ""))


def _text_column(column: pa.Array | None, n: int) -> pa.Array | None:
    if column is None:
        return pa.nulls(n, pa.string())
    if pa.types.is_string(column.type) or pa.types.is_null(column.type):
        return column.cast(pa.string())
    if pa.types.is_large_string(column.type):
        return column.cast(pa.string())
    return None


def check_field(spec: Check, column: pa.Array | None, n: int) -> tuple[np.ndarray, pa.Array]:
    """Which rows the vectorised check accepts for this field, and their normalised values
    (meaningless where not accepted). Timestamps come back as a struct of text, us, off."""
    if spec.kind == "amount":
        return _check_amount(column, n)
    text = _text_column(column, n)
    if text is None:  # a column of other values: the models decide, row by row
        return np.zeros(n, dtype=bool), pa.nulls(n, pa.string())
    blank = _blank(text)
    if spec.kind == "timestamp":
        return _check_timestamp(text)
    if spec.kind == "id":
        ok = pc.match_substring_regex(text, ID)
    elif spec.kind == "choice":
        ok = pc.is_in(text, value_set=pa.array(spec.choices))
    elif spec.kind == "currency":
        ok = pc.match_substring_regex(text, CURRENCY)
    else:  # text
        ok = pc.and_(
            pc.match_substring_regex(text, TEXT),
            pc.less_equal(pc.utf8_length(text), spec.max_length),
        )
    if spec.default is not None:
        text = pc.if_else(blank, pa.scalar(spec.default), text)
        ok = pc.or_kleene(ok, blank)
    elif not spec.required:
        text = pc.if_else(blank, pa.scalar(None, pa.string()), text)
        ok = pc.or_kleene(ok, blank)
    return _mask(ok), text


def _check_amount(column: pa.Array | None, n: int) -> tuple[np.ndarray, pa.Array]:
    if column is None:
        return np.zeros(n, dtype=bool), pa.nulls(n, pa.float64())
    if pa.types.is_string(column.type):
        ok = _mask(pc.match_substring_regex(column, AMOUNT))
        values = pc.if_else(pa.array(ok), column, pa.scalar("0")).cast(pa.float64())
    elif pa.types.is_floating(column.type) or pa.types.is_integer(column.type):
        values = column.cast(pa.float64())
        finite = pc.and_(pc.is_finite(values), pc.greater_equal(values, 0.0))
        ok = _mask(finite)
        if pa.types.is_integer(column.type):
            ok &= _mask(pc.less_equal(pc.abs(column), 2**53))
    else:
        return np.zeros(n, dtype=bool), pa.nulls(n, pa.float64())
    # The models store round(amount, 2) (Python's rounding, not numpy's).
    rounded = [round(v, 2) if v is not None else None for v in values.to_pylist()]
    return ok, pa.array(rounded, type=pa.float64())


def _check_timestamp(text: pa.Array) -> tuple[np.ndarray, pa.Array]:
    ok = _mask(pc.match_substring_regex(text, TIMESTAMP))
    safe = pc.if_else(pa.array(ok), text, pa.scalar("1970-01-01T00:00:00Z"))
    try:
        instants = pc.cast(safe, pa.timestamp("us", "UTC")).cast(pa.int64())
    except pa.ArrowInvalid:  # an impossible date (Feb 30): find it row by row
        parsed = pd.to_datetime(
            pd.Series(safe.to_pylist()), format="ISO8601", utc=True, errors="coerce"
        )
        ok &= parsed.notna().to_numpy()
        naive = parsed.fillna(pd.Timestamp(0, tz="UTC")).dt.tz_convert(None)
        instants = pa.array(naive.to_numpy(dtype="datetime64[us]").astype(np.int64))
    zulu = pc.ends_with(safe, "Z")
    suffix = pc.if_else(zulu, pa.scalar("+00:00"), pc.utf8_slice_codeunits(safe, -6))
    sign = pc.if_else(pc.starts_with(suffix, "-"), -1, 1)
    hours = pc.utf8_slice_codeunits(suffix, 1, 3).cast(pa.int32())
    minutes = pc.utf8_slice_codeunits(suffix, 4, 6).cast(pa.int32())
    offset = pc.multiply(sign, pc.add(pc.multiply(hours, 3600), pc.multiply(minutes, 60)))
    struct = pa.StructArray.from_arrays(
        [safe, instants, offset.cast(pa.int32())], names=["text", "us", "off"]
    )
    return ok, struct


def _row_rules(kind: str, values: dict[str, pa.Array]) -> np.ndarray | None:
    """Rules across fields (the models' validators): rows breaking them go to the models."""
    if kind == "shares":
        return _mask(pc.not_equal(values["parent_share_id"], values["share_id"])) | _mask(
            pc.is_null(values["parent_share_id"])
        )
    if kind == "friendships":
        return _mask(pc.not_equal(values["a_id"], values["b_id"]))
    if kind == "notes":
        return ~_mask(pc.and_(pc.equal(values["kind"], "tag"), pc.is_null(values["tag"])))
    return None


# ----------------------------------------------------------------------------- normalising


def micros(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def offset_seconds(moment: datetime) -> int:
    offset = moment.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def model_values(kind: str, model: InputRow) -> dict[str, Any]:
    """A valid row's normalised values, as the online loader sends them to Neo4j."""
    params = model.params()
    out: dict[str, Any] = {}
    for name, stored in field_types(kind).items():
        attr = "kind_" if name == "kind" and kind in ("content", "notes") else name
        value = getattr(model, attr)
        if stored == "timestamp":
            if isinstance(value, date) and not isinstance(value, datetime):
                value = datetime.fromisoformat(params[name])
            value = value or BEFORE_TRACKING
            out[name] = params[name]
            out[f"{name}_us"] = micros(value)
            out[f"{name}_off"] = offset_seconds(value)
        else:
            out[name] = params[name]
    return out


def _table_from_values(kind: str, rows: list[dict[str, Any]]) -> pa.Table:
    target = schema(kind)
    return pa.table({name: [r[name] for r in rows] for name in target.names}, schema=target)


def _fast_table(kind: str, raw: RawFile, file_index: int) -> tuple[pa.Table, np.ndarray]:
    """The rows the vectorised check accepts, normalised, and the mask of those it does not."""
    n = len(raw.rows)
    fields = EVENT_FIELDS[kind]
    ok = np.ones(n, dtype=bool)
    values: dict[str, pa.Array] = {}
    for name, spec in fields.items():
        accepted, normalised = check_field(spec, raw.columns.get(name), n)
        ok &= accepted
        values[name] = normalised
    rules = _row_rules(kind, values)
    if rules is not None:
        ok &= rules
    columns: dict[str, pa.Array] = {}
    for name, spec in fields.items():
        if spec.kind == "timestamp":
            struct = values[name]
            columns[name] = struct.field("text")
            columns[f"{name}_us"] = struct.field("us")
            columns[f"{name}_off"] = struct.field("off")
        else:
            columns[name] = values[name]
    columns["_file"] = pa.array(np.full(n, file_index, dtype=np.int32))
    columns["_row"] = pa.array(raw.rows)
    table = pa.table(columns).cast(schema(kind)).filter(pa.array(ok))
    return table, ~ok


def validate_file(
    kind: str, path: Path, file_index: int, rejects: list[Reject]
) -> tuple[pa.Table, RawFile]:
    """The valid rows of one file (normalised, file order) and the file as read; refused rows
    are added to `rejects`."""
    raw = read_file(path)
    source = str(path)
    key = MODEL_BY_KIND[kind].key
    for bad in raw.raw_rejects:
        rejects.append(Reject(source, bad.row, kind, None, bad.reason, None))
    if kind in EVENT_FIELDS:
        fast, rest = _fast_table(kind, raw, file_index)
        positions = np.flatnonzero(rest)
    else:
        fast = schema(kind).empty_table()
        positions = np.arange(len(raw.rows))
    slow: list[dict[str, Any]] = []
    for position, record in zip(positions, raw.records(positions), strict=True):
        model = validate(kind, record)
        row = int(raw.rows[position])
        if isinstance(model, str):
            value = record.get(key)
            rejects.append(
                Reject(source, row, kind, None if value is None else str(value), model, record)
            )
        else:
            slow.append({**model_values(kind, model), "_file": file_index, "_row": row})
    table = fast
    if slow:
        table = pa.concat_tables([fast, _table_from_values(kind, slow)])
        table = table.take(pc.sort_indices(table, [("_row", "ascending")]))
    return table, raw


def validate_files(
    typed: Iterable[tuple[Path, str]], progress: Callable[[str], None] | None = None
) -> Validated:
    """Reads and validates every file (in `loaders.pipeline.expand_paths` order)."""
    result = Validated()
    parts: dict[str, list[pa.Table]] = {}
    for index, (path, kind) in enumerate(typed):
        result.sources.append(str(path))
        table, raw = validate_file(kind, path, index, result.rejects)
        result.files.append(raw)
        read = len(raw.rows) + len(raw.raw_rejects)
        parts.setdefault(kind, []).append(table)
        result.read[kind] = result.read.get(kind, 0) + read
        if progress:
            progress(f"read {path.name}: {read:,} {kind} rows")
    for kind in (*REFERENCE_KINDS, *EVENT_FIELDS):
        tables = parts.get(kind) or [schema(kind).empty_table()]
        result.tables[kind] = pa.concat_tables(tables).combine_chunks()
    return result
