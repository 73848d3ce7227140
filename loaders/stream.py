"""Streaming ingestion: a batch of events as JSON (the mini program backend's path).

Each event is validated on its own (DESIGN.md §3) and answered with a status: `accepted`,
`duplicate` (its event_id was applied before), `pending` (it names something not known yet —
a share, content, person, staff member or store: it is held in the graph as a :HeldEvent,
exactly as a file row would be, and applied when that arrives; see loaders.held) or `rejected`
with the reason. Accepted events go through exactly the same checks and writes as file loads
(loaders.pipeline.apply_batch), so the graph is the same whichever way events arrive. A call
retries only the held events waiting for what it brought.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from fission.errors import InvalidInput
from graph.derive import derive_stale
from graph.gateway import Gateway
from loaders import held
from loaders.held import HeldRow, held_id
from loaders.models import EVENT_KINDS, MAX_ID_LENGTH, Id, InputRow, Timestamp
from loaders.pipeline import KIND_ORDER, Status, apply_batch, arrivals, release_held, validate

EVENT_TYPES = {kind.removesuffix("s"): kind for kind in EVENT_KINDS}  # "visit" -> "visits"
TYPE_REASON = f"type must be one of {', '.join(EVENT_TYPES)}"


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


def ingest(gateway: Gateway, events: list[Any]) -> IngestResult:
    """Validates, applies and answers a batch of events; holds those naming something not known
    yet; then applies the held events waiting for what this batch brought."""
    statuses: list[EventStatus | None] = [None] * len(events)
    by_kind: dict[str, list[tuple[int, InputRow]]] = {}
    for index, raw in enumerate(events):
        kind_or_reason = _kind(raw)
        if kind_or_reason not in EVENT_KINDS:
            statuses[index] = _rejected(index, raw, kind_or_reason)
            continue
        kind = kind_or_reason
        model = validate(
            kind,
            {k: v for k, v in raw.items() if k != "type"},
            gateway.settings.pseudonym_secret,
        )
        if isinstance(model, str):
            statuses[index] = _rejected(index, raw, model)
        else:
            by_kind.setdefault(kind, []).append((index, model))

    to_hold: list[HeldRow] = []
    held_at: list[int] = []  # the index of each event in to_hold
    arrived: set[str] = set()
    for kind in KIND_ORDER:
        items = by_kind.get(kind, [])
        if not items:
            continue
        verdicts = apply_batch(gateway, kind, [model for _, model in items])
        for (index, model), verdict in zip(items, verdicts, strict=True):
            statuses[index] = EventStatus(
                index=index,
                event_id=model.identity(),
                type=kind.removesuffix("s"),
                status=verdict.status,
                reason=verdict.reason,
            )
            if verdict.status == "pending":
                to_hold.append(
                    HeldRow(kind, model, verdict.reason or "", verdict.waits_for or "", "api")
                )
                held_at.append(index)
            elif verdict.status == "accepted":
                arrived.update(arrivals(kind, model.params()))
    held.hold(gateway, to_hold)
    # What an event waits for may have arrived from a concurrent call after the event was
    # judged and before it was held (that call's release did not see it): look again once.
    released = release_held(
        gateway, arrived | held.known_now(gateway, (r.waits_for for r in to_hold))
    )
    own = {held_id(row.kind, row.model): index for row, index in zip(to_hold, held_at, strict=True)}
    from_earlier = 0
    for waiting, verdict in released:
        if waiting.id not in own:
            from_earlier += verdict.status != "pending"
        elif verdict.status != "pending":  # this call's own event, applied on the second look
            index = own[waiting.id]
            statuses[index] = EventStatus(
                index=index,
                event_id=waiting.model.identity(),
                type=waiting.kind.removesuffix("s"),
                status=verdict.status,
                reason=verdict.reason,
            )
    derive_stale(gateway)
    done = [s for s in statuses if s is not None]
    return IngestResult(
        accepted=sum(s.status == "accepted" for s in done),
        duplicates=sum(s.status == "duplicate" for s in done),
        pending=sum(s.status == "pending" for s in done),
        rejected=sum(s.status == "rejected" for s in done),
        released_from_hold=from_earlier,
        events=done,
    )


def _kind(raw: Any) -> str:
    """The load type an event's `type` names, or the reason it names none."""
    if not isinstance(raw, dict):
        return "an event must be a JSON object"
    type_ = raw.get("type")
    if not isinstance(type_, str) or type_ not in EVENT_TYPES:
        return TYPE_REASON
    return EVENT_TYPES[type_]


def _echo(value: Any) -> str | None:
    """A field of an event as its status may repeat it: a string of an id's length, else None
    (the index says which event it was)."""
    return value if isinstance(value, str) and len(value) <= MAX_ID_LENGTH else None


def _rejected(index: int, raw: Any, reason: str) -> EventStatus:
    fields = raw if isinstance(raw, dict) else {}
    return EventStatus(
        index=index,
        event_id=_echo(fields.get("event_id")),
        type=_echo(fields.get("type")),
        status="rejected",
        reason=reason,
    )


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
