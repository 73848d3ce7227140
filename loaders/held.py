"""Held events: one store for rows and events that name something not known yet.

A row from a file and an event from `POST /events` that name a share, person, content, staff
member or store the graph does not have yet are kept alike as `:HeldEvent` nodes, with the
validated row, the reason, and `waits_for`, the reference they wait for ('share:SH1',
'person:P1', 'content:K1', 'staff:P2', 'store:S1'). When something arrives, only the events
waiting for it are retried (loaders.pipeline.release_held), through an index. Held events older
than `held_max_age_days` are expired into a CSV report, never dropped silently.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from graph.gateway import Gateway
from graph.queries import query
from loaders.models import MODEL_BY_KIND, InputRow

HOLD = query("ingest/hold")
WAITING = query("ingest/waiting")
RELEASE = query("ingest/release")
EXPIRED = query("ingest/expired")
SUMMARY = query("ingest/summary")
COUNT = query("ingest/count")
KNOWN = query("ingest/known")

# The people each type of row names (as actor, subject, inviter ...): rows naming someone erased
# on request are refused, and erasure finds held rows through them.
PEOPLE_FIELDS: dict[str, tuple[str, ...]] = {
    "staff": ("person_id",),
    "members": ("person_id",),
    "shares": ("sharer_id",),
    "visits": ("visitor_id",),
    "orders": ("person_id",),
    "friendships": ("a_id", "b_id"),
    "agents": ("person_id", "invited_by"),
    "notes": ("staff_id", "person_id"),
}
REPORT_COLUMNS = ("at", "outcome", "id", "kind", "event_id", "reason", "waits_for", "source",
                  "received_at", "attempts", "payload")  # fmt: skip


def held_id(kind: str, model: InputRow) -> str:
    """A held row's id: its type and identity (event_id for events, the key of reference rows)."""
    return f"{kind}:{model.identity()}"


def people_named(kind: str, params: dict[str, Any]) -> list[str]:
    return [params[f] for f in PEOPLE_FIELDS.get(kind, ()) if params.get(f)]


@dataclass
class HeldRow:
    """A valid row that waits for `waits_for`, with where it came from."""

    kind: str
    model: InputRow
    reason: str
    waits_for: str
    source: str

    def params(self) -> dict[str, Any]:
        return {
            "id": held_id(self.kind, self.model),
            "event_id": self.model.identity(),
            "kind": self.kind,
            "payload": json.dumps(self.model.model_dump(mode="json", by_alias=True)),
            "reason": self.reason,
            "waits_for": self.waits_for,
            "people": people_named(self.kind, self.model.params()),
            "source": self.source,
        }


def hold(gateway: Gateway, rows: list[HeldRow]) -> int:
    """Stores (or updates) held rows; returns how many."""
    if rows:
        gateway.write_batches(HOLD, [r.params() for r in rows], now=datetime.now(UTC))
    return len(rows)


@dataclass
class Waiting:
    """A held event taken out to be retried."""

    id: str
    kind: str
    model: InputRow
    source: str


def waiting_for(gateway: Gateway, keys: list[str]) -> list[Waiting]:
    """The held events waiting for any of these references, oldest first."""
    found: list[Waiting] = []
    if not keys or not gateway.read(COUNT)[0]["held"]:
        return found
    for start in range(0, len(keys), 10_000):
        for row in gateway.read(WAITING, keys=keys[start : start + 10_000]):
            if row["kind"] is None:  # released by a concurrent call while this one read it
                continue
            model = MODEL_BY_KIND[row["kind"]].model_validate(json.loads(row["payload"]))
            found.append(Waiting(row["id"], row["kind"], model, row["source"]))
    return found


def drop(gateway: Gateway, ids: list[str]) -> None:
    """Removes held events that left hold."""
    for start in range(0, len(ids), 10_000):
        gateway.write(RELEASE, ids=ids[start : start + 10_000])


@dataclass
class HeldSummary:
    held: int = 0
    oldest: datetime | None = None
    by_reference: dict[str, int] = field(default_factory=dict)


def summary(gateway: Gateway) -> HeldSummary:
    """How many events are held, the oldest, and how many wait for each kind of reference."""
    rows = gateway.read(SUMMARY)
    oldest = [r["oldest"] for r in rows if r["oldest"] is not None]
    return HeldSummary(
        held=sum(r["held"] for r in rows),
        oldest=min(oldest) if oldest else None,
        by_reference={r["waiting_for"]: r["held"] for r in rows},
    )


@dataclass
class ExpiryReport:
    expired: int = 0
    report: Path | None = None


def expire(gateway: Gateway, report_dir: Path, max_age: timedelta | None = None) -> ExpiryReport:
    """Moves held events older than `max_age` (default: the `held_max_age_days` setting) out of
    hold into `report_dir/expired-held-<date>.csv` (appended), then deletes them."""
    age = max_age if max_age is not None else timedelta(days=gateway.settings.held_max_age_days)
    now = datetime.now(UTC)
    rows = gateway.read(EXPIRED, cutoff=now - age)
    if not rows:
        return ExpiryReport()
    path = append_report(report_dir, "expired", [{**r, "outcome": "expired"} for r in rows])
    drop(gateway, [r["id"] for r in rows])
    return ExpiryReport(expired=len(rows), report=path)


def append_report(report_dir: Path, name: str, rows: list[dict[str, Any]]) -> Path:
    """Appends held events that left hold other than by being applied (`outcome`: expired, or
    rejected when retried) to `report_dir/<name>-held-<date>.csv`."""
    now = datetime.now(UTC)
    report_dir.mkdir(parents=True, exist_ok=True)
    path = report_dir / f"{name}-held-{now:%Y-%m-%d}.csv"
    new_file = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=REPORT_COLUMNS, extrasaction="ignore")
        if new_file:
            writer.writeheader()
        for row in rows:
            writer.writerow({"at": now.isoformat(timespec="seconds"), **row})
    return path


def known_now(gateway: Gateway, refs: Iterable[str]) -> set[str]:
    """Which of these references (`waits_for` values) the graph knows now."""
    rows = [{"ref": r, "kind": r.split(":", 1)[0], "id": r.split(":", 1)[1]} for r in set(refs)]
    return {r["ref"] for r in gateway.read(KNOWN, refs=rows)} if rows else set()
