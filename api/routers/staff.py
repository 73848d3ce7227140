"""What a store app asks for a staff member: introduction paths, recommended contacts, and
the notes it records (contacted, visited, tag) — reflected in recommendations at once. A staff
key may use these for its own staff member only (others answer 404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from api.auth import StaffReader
from api.bodies import JSONRoute
from api.deps import (
    GatewayDep,
    ServedDep,
    SettingsDep,
    StaffId,
    check_own_staff,
    check_person,
    person_ref,
)
from api.errors import BODY_RESPONSES, ERROR_RESPONSES
from graph.attribution import StaffFigures, staff_figures
from graph.followthrough import serve_recommendations
from graph.paths import IntroductionPath, introduction_path
from graph.recommend import Recommendation
from loaders.models import MAX_ID_LENGTH, Timestamp
from loaders.stream import EventStatus, NoteIn, record_note

router = APIRouter(
    prefix="/staff", tags=["staff"], responses=ERROR_RESPONSES, route_class=JSONRoute
)


@router.get("/{staff_id}/introduction-path", summary="Whom to ask for an introduction")
def path(
    staff_id: StaffId,
    gateway: GatewayDep,
    settings: SettingsDep,
    caller: StaffReader,
    to: Annotated[
        str, Query(max_length=MAX_ID_LENGTH, description="The person to be introduced to.")
    ],
) -> IntroductionPath:
    """Shortest chain of acquaintances (at most 6 hops), strongest ties among the shortest.
    `already_friends` and `not_reachable` are normal answers. A store key sees people of other
    stores on the path as "someone from another store", without tie details."""
    target = person_ref(settings, to)
    check_person(gateway, caller, staff_id, staff=True)
    check_person(gateway, caller, target)
    return introduction_path(gateway, staff_id, target, scope=caller.scope)


class Recommendations(BaseModel):
    staff_id: str
    topic: str | None
    items: list[Recommendation]


@router.get("/{staff_id}/recommendations", summary="Whom to contact today, and through whom")
def recommendations(
    staff_id: StaffId,
    gateway: GatewayDep,
    caller: StaffReader,
    served: ServedDep,
    topic: Annotated[
        str | None, Query(max_length=64, description="A campaign topic, e.g. coffee.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Recommendations:
    """The people served are remembered for follow-through once per staff member, person and
    day (UTC), written within a second of the answer, with the other lists served meanwhile:
    asking again the same day writes nothing.
    A store key sees people of other stores on the paths as "someone from another store"."""
    check_own_staff(caller, staff_id)  # the rest of the staff check runs in the answer's read
    items = serve_recommendations(
        gateway,
        staff_id,
        topic=topic,
        limit=limit,
        scope=caller.scope,
        served=served,
    )
    return Recommendations(staff_id=staff_id, topic=topic, items=items)


@router.get("/{staff_id}/figures", summary="A staff member's own figures for a period")
def figures(
    staff_id: StaffId,
    gateway: GatewayDep,
    caller: StaffReader,
    start: Annotated[
        Timestamp | None, Query(description="Period start (default: 7 days before end).")
    ] = None,
    end: Annotated[Timestamp | None, Query(description="Period end (default: now).")] = None,
) -> StaffFigures:
    """People brought, members brought, sales credited and people contacted in [start, end),
    by the rules of the store's sales attribution (see graph.attribution)."""
    check_person(gateway, caller, staff_id, staff=True)
    return staff_figures(gateway, staff_id, start, end)


@router.post(
    "/{staff_id}/notes",
    status_code=status.HTTP_201_CREATED,
    summary="Record that a staff member contacted, visited or tagged a person",
    responses=BODY_RESPONSES,
)
def add_note(
    staff_id: StaffId, note: NoteIn, gateway: GatewayDep, settings: SettingsDep, caller: StaffReader
) -> EventStatus:
    """`accepted`, or `duplicate` when a note with that `event_id` was recorded before (a
    retry). An invalid note answers 422 with the reason."""
    note = note.model_copy(update={"person_id": person_ref(settings, note.person_id)})
    check_person(gateway, caller, staff_id, staff=True)
    check_person(gateway, caller, note.person_id)
    return record_note(gateway, staff_id, note)
