"""Store membership: which store's network a person belongs to, the rule every store-scoped
answer follows (DESIGN.md §5 "Home store": a store's network is the people whose home is the
store; staff belong to the store they work at).

A store-scoped caller (a store key: `scope` is its store id; HQ has no scope):

- asking about a person outside its store gets the same NotFound as for an unknown person
  (`check_person`), so it cannot learn that the person exists;
- never sees people of other stores inside an answer either. Wherever one would appear — a hop
  of an introduction or recommendation path, a referrer, a cascade, a credited salesperson, a
  staff friend, the author of a note, a person on a map — `Masker` replaces them by
  "someone from another store #n" (numbered in order of appearance within one answer, so one
  person keeps one stand-in), with their name, role and store left out and the ties that touch
  them without weights. People with no home store yet count as outside every store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fission.errors import NotFound
from graph.gateway import Gateway, Reader
from graph.queries import query

PERSON_STORES = query("access/person_stores")
OTHER_STORE = "someone from another store"


@dataclass(frozen=True)
class Membership:
    home_store_id: str | None
    staff_store_id: str | None = None

    def belongs_to(self, store_id: str) -> bool:
        return store_id in (self.home_store_id, self.staff_store_id)


def memberships(gateway: Reader, person_ids: Iterable[str]) -> dict[str, Membership]:
    """Each known person's membership (unknown people are left out)."""
    rows = gateway.read(PERSON_STORES, person_ids=sorted(set(person_ids)))
    return {r["person_id"]: Membership(r["home_store_id"], r["staff_store_id"]) for r in rows}


def check_person(
    gateway: Gateway, person_id: str, store_id: str | None = None, *, staff: bool = False
) -> Membership:
    """The person's membership; NotFound when the person is unknown, is not staff although
    `staff` asks for a staff member, or (with `store_id`) belongs to another store. A staff
    member belongs to the store they work at, a customer to their home store."""
    membership = memberships(gateway, [person_id]).get(person_id)
    if membership is None or (staff and membership.staff_store_id is None):
        raise _missing(person_id, store_id, staff)
    inside = membership.staff_store_id if staff else membership.home_store_id
    if store_id is not None and inside != store_id:
        raise _missing(person_id, store_id, staff)
    return membership


def staff_store(gateway: Reader, staff_id: str, store_id: str | None = None) -> str:
    """The store staff member `staff_id` works at; NotFound as `check_person(staff=True)`
    (unknown, not staff, or with `store_id` working at another store)."""
    works_at = memberships(gateway, [staff_id]).get(staff_id, Membership(None)).staff_store_id
    if works_at is None or (store_id is not None and works_at != store_id):
        raise _missing(staff_id, store_id, staff=True)
    return works_at


def _missing(person_id: str, store_id: str | None, staff: bool) -> NotFound:
    where = f" at store {store_id}" if store_id is not None else ""
    return NotFound(f"No {'staff member' if staff else 'person'} {person_id}{where}.")


class Masker:
    """Hides the people outside one store within one answer (see the module docstring)."""

    def __init__(self, outside: set[str]) -> None:
        self.outside = outside
        self._stand_ins: dict[str, str] = {}

    def hides(self, person_id: str | None) -> bool:
        return person_id is not None and person_id in self.outside

    def id(self, person_id: str) -> str:
        """The person's id, or their stand-in when they are outside the store."""
        if person_id not in self.outside:
            return person_id
        number = self._stand_ins.setdefault(person_id, str(len(self._stand_ins) + 1))
        return f"{OTHER_STORE} #{number}"

    def optional_id(self, person_id: str | None) -> str | None:
        return None if person_id is None else self.id(person_id)


def masker(gateway: Reader, scope: str | None, person_ids: Iterable[str]) -> Masker:
    """A Masker hiding those of `person_ids` who do not belong to store `scope` (nobody when
    `scope` is None, i.e. for HQ)."""
    if scope is None:
        return Masker(set())
    ids = set(person_ids)
    known = memberships(gateway, ids)
    return Masker({pid for pid in ids if pid not in known or not known[pid].belongs_to(scope)})
