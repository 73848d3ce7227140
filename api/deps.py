"""Request-scoped dependencies: the process's one Gateway, and store-scope checks on people."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.auth import Principal
from fission.errors import NotFound
from graph.gateway import Gateway


def get_gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]


def check_person(gateway: Gateway, caller: Principal, person_id: str, staff: bool = False) -> None:
    """404 for an unknown person, and for one outside a store key's store (same answer, so a
    store app cannot learn that a person of another store exists). With `staff`, the person
    must be a staff member (of the caller's store, for a store key)."""
    rows = gateway.read("access/person_stores", person_id=person_id)
    what = "staff member" if staff else "person"
    if not rows or (staff and rows[0]["staff_store_id"] is None):
        raise NotFound(f"No {what} {person_id}.")
    if caller.role == "hq":
        return
    stores = {rows[0]["staff_store_id"]} if staff else {rows[0]["home_store_id"]}
    if caller.store_id not in stores:
        raise NotFound(f"No {what} {person_id}.")
