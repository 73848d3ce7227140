"""The bulk import's column-wise validation gives every row the verdict, reason and normalised
values of the online loader's row-by-row validation (loaders.pipeline.validate), for awkward
values of every field, in every file format."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from loaders.bulk.validate import EVENT_FIELDS, Reject, model_values, validate_file
from loaders.pipeline import validate
from loaders.readers import RawReject, read_chunks
from tests.helpers import write_rows

VALID: dict[str, dict[str, Any]] = {
    "shares": {
        "event_id": "E1", "share_id": "S1", "sharer_id": "P1", "content_id": "C1",
        "channel": "group", "at": "2026-05-01T10:00:00+08:00", "parent_share_id": "S0",
    },
    "visits": {
        "event_id": "E1", "share_id": "S1", "visitor_id": "P1",
        "at": "2026-05-01T10:00:00Z", "action": "claim_coupon",
    },
    "orders": {
        "event_id": "E1", "person_id": "P1", "store_id": "S1", "amount": "10.5",
        "currency": "USD", "at": "2026-05-01T10:00:00-05:00",
    },
    "friendships": {"event_id": "E1", "a_id": "P1", "b_id": "P2", "at": "2026-05-01T10:00:00Z"},
    "agents": {
        "event_id": "E1", "person_id": "P1", "store_id": "S1", "invited_by": "P2",
        "at": "2026-05-01T10:00:00Z",
    },
    "notes": {
        "event_id": "E1", "staff_id": "P1", "person_id": "P2", "at": "2026-05-01T10:00:00Z",
        "kind": "tag", "text": "Likes tea", "tag": "tea",
    },
}  # fmt: skip
IDS = ["P1", " P1", "P1 ", "", "  ", "P 1", "人1", "a" * 128, "a" * 129, "x;y", "é", "a.b:c@d-e_"]
TIMES = [
    "2026-05-01T10:00:00Z", "2026-05-01T10:00:00+00:00", "2026-05-01T10:00:00.5+08:00",
    "2026-05-01T10:00:00.123456-05:30", "2026-02-30T00:00:00Z", "2026-05-01T24:00:00Z",
    "2026-05-01T10:00:00+18:00", "2026-05-01T10:00:00+17:59", "2026-05-01T10:00:00.1234567Z",
    "2026-05-01T10:00:00", "2026-05-01 10:00:00Z", "2026-05-01t10:00:00z", "1700000000",
    "0999-01-01T00:00:00Z", "2024-02-29T23:59:59+14:00", "",
]  # fmt: skip
AMOUNTS = ["1", "1.005", "2.675", "-0", "-1", "1e3", " 2", "inf", "nan", "0.000001", "00012.5", ""]
TEXTS = ["a", " a", "a\n", "中文", "a" * 500, "a" * 501, "tab\tin", "x\u3000", "\u3000x", "", " "]
CHOICES = ["view", "moments", "contacted", "tag", "View", " view", "", "CNY", "cny", "EURO"]


def _variants(kind: str) -> list[dict[str, Any]]:
    """The valid row, then one field at a time replaced by each awkward value."""
    rows = [dict(VALID[kind])]
    for name, check in EVENT_FIELDS[kind].items():
        values = {
            "id": IDS, "timestamp": TIMES, "amount": AMOUNTS, "text": TEXTS,
            "choice": CHOICES, "currency": CHOICES,
        }[check.kind]  # fmt: skip
        rows += [{**VALID[kind], name: value} for value in values]
    if kind == "shares":
        rows.append({**VALID[kind], "parent_share_id": "S1"})
    if kind == "friendships":
        rows.append({**VALID[kind], "b_id": "P1"})
    return rows


def _online(kind: str, path: Path) -> tuple[dict[int, str], dict[int, dict[str, Any]]]:
    rejected: dict[int, str] = {}
    accepted: dict[int, dict[str, Any]] = {}
    for chunk in read_chunks(path, 1000):
        for row, record in chunk:
            if isinstance(record, RawReject):
                rejected[row] = record.reason
                continue
            model = validate(kind, record)
            if isinstance(model, str):
                rejected[row] = model
            else:
                accepted[row] = model_values(kind, model)
    return rejected, accepted


def _same_times(rows: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Timestamp text as the value it stands for (`.5Z` and `.500000+00:00` are one instant
    with one offset, which is all Neo4j's datetime() keeps)."""
    return {
        row: {k: (_moment(v) if k == "at" else v) for k, v in values.items()}
        for row, values in rows.items()
    }


def _moment(text: str) -> tuple[datetime, object]:
    moment = datetime.fromisoformat(text)
    return moment, moment.utcoffset()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("kind", list(VALID))
def test_column_checks_agree_with_the_models(kind: str, fmt: str, tmp_path: Path) -> None:
    rows = _variants(kind)
    if fmt == "jsonl" and kind == "orders":  # numbers as JSON numbers, as exports send them
        rows += [{**VALID[kind], "amount": value} for value in (3, 2.5, -1, 10**20, None)]
    if fmt == "parquet" and kind == "orders":
        frame = pd.DataFrame(rows)
        path = tmp_path / "orders.parquet"
        frame.assign(amount=pd.to_numeric(frame["amount"], errors="coerce")).to_parquet(path)
    else:
        path = write_rows(tmp_path, kind, rows, fmt)
    expected_rejected, expected_accepted = _online(kind, path)
    rejects: list[Reject] = []
    table, _ = validate_file(kind, path, 0, rejects)
    assert {r.row: r.reason for r in rejects} == expected_rejected
    got = {row.pop("_row"): row for row in table.to_pylist()}
    for row in got.values():
        del row["_file"]
    assert _same_times(got) == _same_times(expected_accepted)
    assert len(expected_accepted) > 5 and len(expected_rejected) > 5
