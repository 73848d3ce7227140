"""People: profile, reach, cascade tree, and erasure on request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.auth import HQ, Reader
from api.bodies import JSONRoute
from api.deps import GatewayDep, PersonId, check_person
from api.errors import ERROR_RESPONSES
from graph.erasure import ErasureReport, erase_person
from graph.people import PersonProfile, person_profile
from graph.reach import CascadeTree, cascade_tree, reach

router = APIRouter(
    prefix="/people", tags=["people"], responses=ERROR_RESPONSES, route_class=JSONRoute
)


@router.get("/{person_id}", summary="Everything known about a person, in one answer")
def profile(person_id: PersonId, gateway: GatewayDep, caller: Reader) -> PersonProfile:
    """People of other stores in it (referrer, note authors, staff friends) are shown to a
    store key as "someone from another store"."""
    return person_profile(gateway, person_id, store_id=caller.scope)


class Reach(BaseModel):
    person_id: str
    k: int
    reach: int


@router.get("/{person_id}/reach", summary="People referred within k generations")
def person_reach(
    person_id: PersonId,
    gateway: GatewayDep,
    caller: Reader,
    k: Annotated[int, Query(ge=1, le=6, description="Generations (1 = direct referrals).")] = 3,
) -> Reach:
    check_person(gateway, caller, person_id)
    return Reach(person_id=person_id, k=k, reach=reach(gateway, person_id, k))


@router.get("/{person_id}/cascade", summary="The referral tree below a person (bounded)")
def person_cascade(
    person_id: PersonId,
    gateway: GatewayDep,
    caller: Reader,
    max_depth: Annotated[int, Query(ge=1, le=10)] = 4,
    max_nodes: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> CascadeTree:
    """People of other stores in the tree are shown to a store key as "someone from another
    store"."""
    check_person(gateway, caller, person_id)
    return cascade_tree(
        gateway, person_id, max_depth=max_depth, max_nodes=max_nodes, scope=caller.scope
    )


@router.delete("/{person_id}", summary="Erase a person on request (HQ only)")
def erase(person_id: PersonId, gateway: GatewayDep, caller: HQ) -> ErasureReport:
    """Deletes the person and their personal data; orders and shares stay anonymised so
    store figures are unchanged; the people they referred become roots. See README
    "Erasure" for exactly what is kept."""
    return erase_person(gateway, person_id)
