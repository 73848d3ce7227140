"""What a store app asks for a staff member: introduction paths, recommended contacts, and
the notes it records (contacted, visited, tag) — reflected in recommendations at once. A staff
key may use these for its own staff member only (others answer 404)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel

from api.auth import StaffReader
from api.deps import GatewayDep, check_person
from api.errors import ERROR_RESPONSES
from graph.attribution import StaffFigures, staff_figures
from graph.followthrough import serve_recommendations
from graph.paths import IntroductionPath, introduction_path
from graph.recommend import Recommendation
from loaders.stream import EventStatus, NoteIn, record_note

router = APIRouter(prefix="/staff", tags=["staff"], responses=ERROR_RESPONSES)
StaffId = Annotated[str, Path(description="The staff member's person id.")]


@router.get("/{staff_id}/introduction-path", summary="Whom to ask for an introduction")
def path(
    staff_id: StaffId,
    gateway: GatewayDep,
    caller: StaffReader,
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
    gateway: GatewayDep,
    caller: StaffReader,
    topic: Annotated[str | None, Query(description="A campaign topic, e.g. coffee.")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Recommendations:
    """Served lists are recorded, so follow-through can tell which were acted on."""
    check_person(gateway, caller, staff_id, staff=True)
    items = serve_recommendations(gateway, staff_id, topic=topic, limit=limit)
    return Recommendations(staff_id=staff_id, topic=topic, items=items)


@router.get("/{staff_id}/figures", summary="A staff member's own figures for a period")
def figures(
    staff_id: StaffId,
    gateway: GatewayDep,
    caller: StaffReader,
    start: Annotated[
        datetime | None, Query(description="Period start (default: 7 days before end).")
    ] = None,
    end: Annotated[datetime | None, Query(description="Period end (default: now).")] = None,
) -> StaffFigures:
    """People brought, members brought, sales credited and people contacted in [start, end),
    by the rules of the store's sales attribution (see graph.attribution)."""
    check_person(gateway, caller, staff_id, staff=True)
    return staff_figures(gateway, staff_id, start, end)


@router.post(
    "/{staff_id}/notes",
    status_code=status.HTTP_201_CREATED,
    summary="Record that a staff member contacted, visited or tagged a person",
)
def add_note(
    staff_id: StaffId, note: NoteIn, gateway: GatewayDep, caller: StaffReader
) -> EventStatus:
    """`accepted`, or `duplicate` when a note with that `event_id` was recorded before (a
    retry). An invalid note answers 422 with the reason."""
    check_person(gateway, caller, staff_id, staff=True)
    check_person(gateway, caller, note.person_id)
    return record_note(gateway, staff_id, note)
