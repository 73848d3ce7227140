"""Introduction paths from a staff member to a person (DESIGN.md §5 "Introduction path").

The shortest path over social ties (`KNOWS`, undirected, at most 6 hops); among the shortest,
the one with the greatest total tie weight, then the smallest sequence of person ids. "Already
friends" and "not reachable" are ordinary answers. For a store-scoped caller, people of other
stores on a path are "someone from another store" hops and the ties that touch them carry no
details (graph.access).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from fission.errors import NotFound
from graph.access import Masker, masker
from graph.gateway import Gateway, Reader
from graph.queries import query
from graph.roles import role_of

INTRODUCTION = query("paths/introduction")

MAX_HOPS = 6

Status = Literal["already_friends", "path", "not_reachable", "same_person"]


class PathPerson(BaseModel):
    person_id: str = Field(description="Or 'someone from another store #n' (graph.access).")
    role: str = Field(
        description="Staff role (manager | clerk | guide), agent, member or prospect; "
        "other_store for someone from another store."
    )
    display_name: str | None = Field(description="Staff members' display name.")
    other_store: bool = Field(False, description="Someone from another store, not named.")


class Tie(BaseModel):
    """The KNOWS tie between two consecutive people (DESIGN.md §5 "Social ties"); its details
    are null when it touches someone from another store."""

    from_id: str
    to_id: str
    weight: int | None = Field(description="3 x friends + 2 x referral + visits.")
    friends: bool | None
    referral: bool | None
    visits: int | None


class IntroductionPath(BaseModel):
    staff_id: str
    target_id: str
    status: Status
    hops: int | None = Field(description="Ties on the path; 0 for the same person, None if none.")
    total_weight: int | None = Field(description="None without a path or with hidden ties.")
    people: list[PathPerson] = Field(description="From the staff member to the target.")
    ties: list[Tie] = Field(description="ties[i] joins people[i] and people[i + 1].")


def _person(node: dict[str, Any], mask: Masker) -> PathPerson:
    if mask.hides(node["id"]):
        return PathPerson(
            person_id=mask.id(node["id"]), role="other_store", display_name=None, other_store=True
        )
    role = role_of(staff=node["staff"], agent=node["agent"], member=node["member"])
    return PathPerson(
        person_id=node["id"],
        role=(node["role"] or role) if role == "staff" else role,
        display_name=node["display_name"] if node["staff"] else None,
    )


def _tie(a: PathPerson, b: PathPerson, tie: dict[str, Any]) -> Tie:
    if a.other_store or b.other_store:
        return Tie(
            from_id=a.person_id, to_id=b.person_id, weight=None, friends=None, referral=None,
            visits=None,
        )  # fmt: skip
    return Tie(from_id=a.person_id, to_id=b.person_id, **tie)


def _answer(staff_id: str, row: dict[str, Any], mask: Masker) -> IntroductionPath:
    target_id = row["target_id"]
    people = [_person(n, mask) for n in row["people"]]
    ties = [_tie(a, b, tie) for a, b, tie in zip(people[:-1], people[1:], row["ties"], strict=True)]
    if staff_id == target_id:
        status: Status = "same_person"
        people, ties = [_person(row["staff"], mask)], []
    elif not ties:
        status = "not_reachable"
    elif len(ties) == 1 and (row["friends"] or ties[0].friends):
        status = "already_friends"
    else:
        status = "path"
    hidden = any(t.weight is None for t in ties)
    return IntroductionPath(
        staff_id=staff_id,
        target_id=target_id,
        status=status,
        hops=len(ties) if people else None,
        total_weight=sum(t.weight or 0 for t in ties) if people and not hidden else None,
        people=people,
        ties=ties,
    )


def introduction_paths(
    gateway: Reader, staff_id: str, target_ids: list[str], scope: str | None = None
) -> list[IntroductionPath]:
    """Introduction paths from one staff member to several people, in one round trip, in the
    order of `target_ids`; with `scope` (a store key's store), people of other stores on them
    are hidden (graph.access). Unknown staff member or target -> NotFound."""
    if not target_ids:
        return []
    rows = gateway.read(INTRODUCTION, staff_id=staff_id, target_ids=target_ids)
    if not rows[0]["staff_found"]:
        raise NotFound(f"staff member {staff_id}")
    missing = [r["target_id"] for r in rows if not r["target_found"]]
    if missing:
        raise NotFound(f"person {missing[0]}")
    mask = masker(gateway, scope, [n["id"] for row in rows for n in row["people"]])
    return [_answer(staff_id, row, mask) for row in rows]


def introduction_path(
    gateway: Gateway, staff_id: str, target_id: str, scope: str | None = None
) -> IntroductionPath:
    """How staff member `staff_id` can be introduced to `target_id` (DESIGN.md §5).

    status: 'already_friends' (a direct friendship tie: one hop that says so), 'path' (the
    shortest KNOWS path, at most 6 hops, with the greatest total weight), 'not_reachable' or
    'same_person'. With `scope`, people of other stores are hidden. Unknown staff member or
    person -> NotFound.
    """
    return introduction_paths(gateway, staff_id, [target_id], scope)[0]
