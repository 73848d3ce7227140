"""Streaming ingestion: a batch of events as JSON (the mini program backend's path).

Each event is validated on its own (DESIGN.md §3) and answered with a status: `accepted`,
`duplicate` (its event_id was applied before), `pending` (it names something not known yet —
a share, content, person, staff member or store: it is held in the graph as a :HeldEvent and
applied when that arrives, never dropped) or `rejected` with the reason. Accepted events go
through exactly the same checks and writes as file loads (loaders.pipeline.apply_batch), so
the graph is the same whichever way events arrive.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from fission.errors import InvalidInput
from graph.derive import derive_stale
from graph.gateway import Gateway
from graph.queries import query
from loaders.models import EVENT_KINDS, MAX_ID_LENGTH, MODEL_BY_KIND, Id, InputRow, Timestamp
from loaders.pipeline import KIND_ORDER, Status, apply_batch, validate

EVENT_TYPES = {kind.removesuffix("s"): kind for kind in EVENT_KINDS}  # "visit" -> "visits"
RETRY_LIMIT = 10_000
HOLD = query("ingest/hold")
HELD_EVENTS = query("ingest/held_events")
RELEASE = query("ingest/release")


class EventStatus(BaseModel):
    index: int
    event_id: str | None
    type: str | None
    status: Status
    reason: str | None = None


class NoteIn(BaseModel):
    """A note a store app records (POST /staff/{id}/notes): the note event without its staff
    member, time and id, which default to the caller's staff member, now and a new id."""

    person_id: Id
    kind: Literal["contacted", "visited", "tag"]
    text: str | None = Field(None, max_length=500)
    tag: str | None = Field(None, max_length=64, description="Required when kind is tag.")
    at: Timestamp | None = Field(None, description="When; default now.")
    event_id: Id | None = Field(None, description="Client id, so a retry is not a second note.")


class IngestResult(BaseModel):
    accepted: int
    duplicates: int
    pending: int
    rejected: int
    released_from_hold: int
    events: list[EventStatus]


def ingest(gateway: Gateway, events: list[dict[str, Any]]) -> IngestResult:
    """Validates, applies and answers a batch of events; then retries held ones."""
    statuses: list[EventStatus | None] = [None] * len(events)
    by_kind: dict[str, list[tuple[int, InputRow]]] = {}
    for index, raw in enumerate(events):
        event_id = _echo(raw.get("event_id"))
        kind = EVENT_TYPES.get(str(raw.get("type", "")))
        if kind is None:
            statuses[index] = EventStatus(
                index=index,
                event_id=event_id,
                type=_echo(raw.get("type")),
                status="rejected",
                reason=f"type must be one of {', '.join(EVENT_TYPES)}",
            )
            continue
        model = validate(
            kind,
            {k: v for k, v in raw.items() if k != "type"},
            gateway.settings.pseudonym_secret,
        )
        if isinstance(model, str):
            statuses[index] = EventStatus(
                index=index, event_id=event_id, type=raw["type"], status="rejected", reason=model
            )
        else:
            by_kind.setdefault(kind, []).append((index, model))

    to_hold: list[dict[str, Any]] = []
    for kind in KIND_ORDER:
        items = by_kind.get(kind, [])
        if not items:
            continue
        verdicts = apply_batch(gateway, kind, [model for _, model in items])
        for (index, model), verdict in zip(items, verdicts, strict=True):
            status = verdict.status
            statuses[index] = EventStatus(
                index=index,
                event_id=model.identity(),
                type=kind.removesuffix("s"),
                status=status,
                reason=verdict.reason,
            )
            if status == "pending":
                to_hold.append(_held(kind, model, verdict.reason))
    now = datetime.now(UTC)
    if to_hold:
        gateway.write(HOLD, rows=to_hold, now=now)
    released = retry_held(gateway)
    derive_stale(gateway)
    done = [s for s in statuses if s is not None]
    return IngestResult(
        accepted=sum(s.status == "accepted" for s in done),
        duplicates=sum(s.status == "duplicate" for s in done),
        pending=sum(s.status == "pending" for s in done),
        rejected=sum(s.status == "rejected" for s in done),
        released_from_hold=released,
        events=done,
    )


def _echo(value: Any) -> str | None:
    """A field of an event as its status may repeat it: a string of an id's length, else None
    (the index says which event it was)."""
    return value if isinstance(value, str) and len(value) <= MAX_ID_LENGTH else None


def _held(kind: str, model: InputRow, reason: str | None) -> dict[str, Any]:
    return {
        "event_id": model.identity(),
        "kind": kind,
        "payload": json.dumps(model.model_dump(mode="json", by_alias=True)),
        "reason": reason,
    }


def retry_held(gateway: Gateway) -> int:
    """Applies held events whose missing reference has arrived; returns how many left hold."""
    held = gateway.read(HELD_EVENTS, limit=RETRY_LIMIT)
    released: list[str] = []
    still: list[dict[str, Any]] = []
    by_kind: dict[str, list[tuple[dict[str, Any], InputRow]]] = {}
    for row in held:
        if row["kind"] is None:  # released by a concurrent call while this one read it
            continue
        model = MODEL_BY_KIND[row["kind"]].model_validate(json.loads(row["payload"]))
        by_kind.setdefault(row["kind"], []).append((row, model))
    for kind in KIND_ORDER:  # in load order, so a held share can release held visits
        items = by_kind.get(kind, [])
        if not items:
            continue
        verdicts = apply_batch(gateway, kind, [model for _, model in items])
        for (row, model), verdict in zip(items, verdicts, strict=True):
            if verdict.status == "pending":
                still.append(_held(kind, model, verdict.reason))
            else:
                released.append(row["event_id"])
    if released:
        gateway.write(RELEASE, event_ids=released)
    if still:
        gateway.write(HOLD, rows=still, now=datetime.now(UTC))
    return len(released)


def record_note(gateway: Gateway, staff_id: str, note: NoteIn) -> EventStatus:
    """Records a staff member's note through the same checks and write as every note event:
    `accepted`, or `duplicate` for a retry with the same `event_id`. Invalid -> InvalidInput
    with the reason."""
    event_id = note.event_id or f"note-{uuid.uuid4()}"
    raw = {
        **note.model_dump(exclude={"at", "event_id"}),
        "staff_id": staff_id,
        "event_id": event_id,
        "at": (note.at or datetime.now(UTC)).isoformat(),
    }
    model = validate("notes", raw)
    if isinstance(model, str):
        raise InvalidInput(model)
    verdict = apply_batch(gateway, "notes", [model])[0]
    if verdict.status in ("rejected", "pending"):
        raise InvalidInput(verdict.reason or f"note {verdict.status}")
    return EventStatus(
        index=0, event_id=event_id, type="note", status=verdict.status, reason=verdict.reason
    )
