"""What a store app asks for a staff member: introduction paths, recommended contacts, and
the notes it records (contacted, visited, tag) — reflected in recommendations at once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, status
from pydantic import AwareDatetime, BaseModel, Field

from api.auth import Reader
from api.deps import GatewayDep, check_person
from api.errors import ERROR_RESPONSES
from fission.errors import InvalidInput
from fission.settings import Settings
from graph.followthrough import record_recommendations
from graph.paths import IntroductionPath, introduction_path
from graph.recommend import Recommendation, recommended_contacts
from loaders.pipeline import apply_batch, validate

router = APIRouter(prefix="/staff", tags=["staff"], responses=ERROR_RESPONSES)
StaffId = Annotated[str, Path(description="The staff member's person id.")]


@router.get("/{staff_id}/introduction-path", summary="Whom to ask for an introduction")
def path(
    staff_id: StaffId,
    gateway: GatewayDep,
    caller: Reader,
    to: Annotated[str, Query(description="The person to be introduced to.")],
) -> IntroductionPath:
    """Shortest chain of acquaintances (at most 6 hops), strongest ties among the shortest.
    `already_friends` and `not_reachable` are normal answers."""
    check_person(gateway, caller, staff_id, staff=True)
    check_person(gateway, caller, to)
    return introduction_path(gateway, staff_id, to)


class Recommendations(BaseModel):
    staff_id: str
    topic: str | None
    items: list[Recommendation]


@router.get("/{staff_id}/recommendations", summary="Whom to contact today, and through whom")
def recommendations(
    staff_id: StaffId,
    request: Request,
    gateway: GatewayDep,
    caller: Reader,
    topic: Annotated[str | None, Query(description="A campaign topic, e.g. coffee.")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Recommendations:
    check_person(gateway, caller, staff_id, staff=True)
    settings: Settings = request.app.state.settings
    items = recommended_contacts(
        gateway,
        staff_id,
        topic=topic,
        limit=limit,
        top_share=settings.key_node_top_share,
        min_reach3=settings.key_node_min_reach3,
    )
    if items:  # remembered, so follow-through can tell which were acted on
        record_recommendations(
            gateway, staff_id, [r.person_id for r in items], at=datetime.now(UTC), topic=topic
        )
    return Recommendations(staff_id=staff_id, topic=topic, items=items)


class NoteIn(BaseModel):
    person_id: str
    kind: Literal["contacted", "visited", "tag"]
    text: str | None = Field(None, max_length=500)
    tag: str | None = Field(None, max_length=64, description="Required when kind is tag.")
    at: AwareDatetime | None = Field(None, description="When; default now.")
    event_id: str | None = Field(None, description="Client id, so a retry is not a second note.")


class NoteOut(BaseModel):
    event_id: str
    status: Literal["recorded", "duplicate"]


@router.post(
    "/{staff_id}/notes",
    status_code=status.HTTP_201_CREATED,
    summary="Record that a staff member contacted, visited or tagged a person",
)
def add_note(staff_id: StaffId, note: NoteIn, gateway: GatewayDep, caller: Reader) -> NoteOut:
    check_person(gateway, caller, staff_id, staff=True)
    check_person(gateway, caller, note.person_id)
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
    if verdict.status == "rejected":
        raise InvalidInput(verdict.reason or "note rejected")
    return NoteOut(
        event_id=event_id, status="recorded" if verdict.status == "loaded" else "duplicate"
    )
