"""Store membership: which store's network a person belongs to, the rule every store-scoped
answer follows (DESIGN.md §5 "Home store": a store's network is the people whose home is the
store; staff belong to the store they work at).

A store-scoped caller asking about a person outside its store gets the same NotFound as for an
unknown person, so it cannot learn that the person exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from fission.errors import NotFound
from graph.gateway import Gateway
from graph.queries import query

PERSON_STORES = query("access/person_stores")


@dataclass(frozen=True)
class Membership:
    home_store_id: str | None
    staff_store_id: str | None = None

    def belongs_to(self, store_id: str) -> bool:
        return store_id in (self.home_store_id, self.staff_store_id)


def check_person(
    gateway: Gateway, person_id: str, store_id: str | None = None, *, staff: bool = False
) -> Membership:
    """The person's membership; NotFound when the person is unknown, is not staff although
    `staff` asks for a staff member, or (with `store_id`) belongs to another store. A staff
    member belongs to the store they work at, a customer to their home store."""
    rows = gateway.read(PERSON_STORES, person_id=person_id)
    where = f" at store {store_id}" if store_id is not None else ""
    missing = NotFound(f"No {'staff member' if staff else 'person'} {person_id}{where}.")
    if not rows or (staff and rows[0]["staff_store_id"] is None):
        raise missing
    membership = Membership(rows[0]["home_store_id"], rows[0]["staff_store_id"])
    inside = membership.staff_store_id if staff else membership.home_store_id
    if store_id is not None and inside != store_id:
        raise missing
    return membership
