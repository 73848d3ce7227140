"""Request-scoped dependencies: the process's one Gateway and its settings, and store-scope
checks on people (the rule itself is graph.access)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.auth import Principal
from fission.errors import NotFound
from fission.settings import Settings
from graph import access
from graph.gateway import Gateway


def get_gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


GatewayDep = Annotated[Gateway, Depends(get_gateway)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def check_person(gateway: Gateway, caller: Principal, person_id: str, staff: bool = False) -> None:
    """404 for an unknown person, and for one outside a store key's store (same answer, so a
    store app cannot learn that a person of another store exists). With `staff`, the person
    must be a staff member (of the caller's store, for a store key; the key's own staff
    member, for a staff key)."""
    if staff and caller.staff_id is not None and person_id != caller.staff_id:
        raise NotFound(f"No staff member {person_id} at store {caller.scope}.")
    access.check_person(gateway, person_id, caller.scope, staff=staff)
