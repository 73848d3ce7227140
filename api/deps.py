"""Request-scoped dependencies: the process's one Gateway and its settings, the ids a request
names (bounded in length; person ids pseudonymised like every input, loaders.pseudonyms), and
store-scope checks on people (the rule itself is graph.access)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request

from api.auth import Principal
from fission.errors import NotFound
from fission.settings import Settings
from graph import access
from graph.followthrough import ServedLog
from graph.gateway import Gateway
from graph.stores import SORTS
from loaders.models import MAX_ID_LENGTH
from loaders.pseudonyms import pseudonym


async def get_gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_served(request: Request) -> ServedLog:
    served: ServedLog = request.app.state.served
    return served


GatewayDep = Annotated[Gateway, Depends(get_gateway)]
ServedDep = Annotated[ServedLog, Depends(get_served)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def person_ref(settings: Settings, person_id: str) -> str:
    """The id Fission stores for a person named in a request (its pseudonym, when the brand
    pseudonymises ids)."""
    return pseudonym(person_id, settings.pseudonym_secret)


async def _person_id(
    settings: SettingsDep,
    person_id: Annotated[
        str, Path(max_length=MAX_ID_LENGTH, description="The person's pseudonymous id.")
    ],
) -> str:
    return person_ref(settings, person_id)


async def _staff_id(
    settings: SettingsDep,
    staff_id: Annotated[
        str, Path(max_length=MAX_ID_LENGTH, description="The staff member's person id.")
    ],
) -> str:
    return person_ref(settings, staff_id)


PersonId = Annotated[str, Depends(_person_id)]
StaffId = Annotated[str, Depends(_staff_id)]
StoreId = Annotated[str, Path(max_length=MAX_ID_LENGTH, description="The store's id.")]
SortQuery = Annotated[str, Query(max_length=64, description=f"One of: {', '.join(SORTS)}.")]
DescQuery = Annotated[bool, Query(description="Largest first.")]


def check_person(gateway: Gateway, caller: Principal, person_id: str, staff: bool = False) -> None:
    """404 for an unknown person, and for one outside a store key's store (same answer, so a
    store app cannot learn that a person of another store exists). With `staff`, the person
    must be a staff member (of the caller's store, for a store key; the key's own staff
    member, for a staff key)."""
    if staff:
        check_own_staff(caller, person_id)
    access.check_person(gateway, person_id, caller.scope, staff=staff)


def check_own_staff(caller: Principal, staff_id: str) -> None:
    """404 when a staff key asks about a staff member other than its own (the part of
    `check_person(staff=True)` that needs no query, for answers that check the rest inside
    their own read)."""
    if caller.staff_id is not None and staff_id != caller.staff_id:
        raise NotFound(f"No staff member {staff_id} at store {caller.scope}.")
