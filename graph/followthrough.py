"""Follow-through of recommended contacts (DESIGN.md §5 "Recommended contacts": "notes recorded
afterwards close the loop, and the store view reports how many recommendations were acted on
and what converted").

Recommendations are computed on demand, so the API records the lists it serves:
`record_recommendations` writes `(:Staff)-[:RECOMMENDED {day, at, rank, topic}]->(:Person)`, at
most once per staff member, person and day (UTC), keeping the first serving of the day: the app
may ask as often as it likes, and a repeated GET writes nothing. The API writes that record after
its answer is sent (`serve_recommendations(defer=...)`), so staff do not wait on the write.
`follow_through(store, start, end)` then reports, for the store's staff:

- recommended: the (staff member, person) pairs with a recommendation in [start, end);
- noted: of those, the pairs where that same staff member noted the person as contacted or
  visited at or after the pair's first recommendation in the period, and before `end`;
- ordered: of those, the pairs whose person placed an order after that first note (at any
  time, not only before `end`: a conversion may follow the period).

The totals count distinct people (a person recommended to two staff members counts once, as
noted or ordered if either pair was); `per_staff` counts pairs. Beside it, the same funnel for
the store's current key nodes (DESIGN.md §5 "Key node", as `key_nodes` computes them at call
time), noted by any staff member of the store in [start, end), which also works for periods
before recommendations were recorded.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from fission.errors import FissionError, InvalidInput, NotFound
from graph import Defer
from graph.access import masker
from graph.clock import as_of, aware
from graph.gateway import Gateway
from graph.keynodes import key_nodes
from graph.queries import query
from graph.recommend import Recommendation, recommended_contacts

log = logging.getLogger("fission.followthrough")

RECORD = query("followthrough/record_recommendations")
UNRECORDED = query("followthrough/unrecorded")
RECOMMENDED = query("followthrough/recommended")
NOTED_PEOPLE = query("followthrough/noted_people")


class Funnel(BaseModel):
    people: int = Field(description="Recommended people or key nodes (per staff: pairs).")
    noted: int = Field(description="... then noted as contacted or visited in the period.")
    ordered: int = Field(description="... and who placed an order after that note.")
    ordered_amount: float = Field(description="Order amount after the note.")


class StaffFollowThrough(Funnel):
    staff_id: str


class FollowedPerson(BaseModel):
    staff_id: str | None = Field(description="Who got the recommendation; null for key nodes.")
    person_id: str
    recommended_at: datetime | None
    noted_at: datetime | None
    ordered_at: datetime | None


class FollowThrough(BaseModel):
    store_id: str
    start: datetime
    end: datetime = Field(description="Exclusive.")
    recommendations: Funnel = Field(description="Recorded recommendations, distinct people.")
    per_staff: list[StaffFollowThrough] = Field(description="Recorded recommendations, pairs.")
    key_nodes: Funnel = Field(description="The store's key nodes at call time.")
    people: list[FollowedPerson] = Field(description="Every pair behind the two funnels.")


def serve_recommendations(
    gateway: Gateway,
    staff_id: str,
    topic: str | None = None,
    limit: int = 10,
    now: datetime | None = None,
    scope: str | None = None,
    defer: Defer | None = None,
) -> list[Recommendation]:
    """`recommended_contacts` for a staff member (people of other stores hidden from a
    `scope`d caller), recorded as served at `now` (default: the current time), so that
    follow-through can tell which were acted on. Every list a person is shown (the API, the
    staff member's "today" page) is served through this.

    With `defer` (e.g. FastAPI's `BackgroundTasks.add_task`), the record is handed to it to be
    written once the answer is out; a record that then fails is logged, not raised: the list
    was served, and the next serving that day records it."""
    now = as_of(now)
    items = recommended_contacts(gateway, staff_id, topic=topic, limit=limit, now=now, scope=scope)
    if items:
        ids = [r.person_id for r in items]
        if defer is None:
            record_recommendations(gateway, staff_id, ids, now, topic)
        else:
            defer(_record_quietly, gateway, staff_id, ids, now, topic)
    return items


def _record_quietly(
    gateway: Gateway, staff_id: str, person_ids: list[str], at: datetime, topic: str | None
) -> None:
    try:
        record_recommendations(gateway, staff_id, person_ids, at, topic)
    except FissionError:
        log.warning("recommendations served to %s were not recorded", staff_id, exc_info=True)


def record_recommendations(
    gateway: Gateway,
    staff_id: str,
    person_ids: Sequence[str],
    at: datetime,
    topic: str | None = None,
) -> int:
    """Records that `person_ids` (in ranked order) were recommended to `staff_id` at `at`.

    Call it whenever recommended contacts are served. Each (staff member, person) pair is
    recorded once per UTC day: returns how many pairs were new that day (unknown person ids are
    skipped); when none are, nothing is written. Unknown staff member -> NotFound.
    """
    day = aware(at, "at").astimezone(UTC).date()
    ranks: dict[str, int] = {}
    for rank, pid in enumerate(person_ids, 1):
        ranks.setdefault(pid, rank)
    check = gateway.read(UNRECORDED, staff_id=staff_id, person_ids=list(ranks), day=day)[0]
    if not check["staff_found"]:
        raise NotFound(f"staff member {staff_id}")
    fresh = check["person_ids"]
    if fresh:
        rows = [{"person_id": pid, "rank": ranks[pid]} for pid in fresh]
        gateway.write(RECORD, staff_id=staff_id, rows=rows, day=day, at=at, topic=topic)
    return len(fresh)


def _funnels(rows: list[dict[str, Any]], *key: str) -> dict[tuple[str, ...], Funnel]:
    """One funnel of 1 per distinct `key` (e.g. person); its best outcome over its rows."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(row[k] for k in key)].append(row)
    return {
        name: Funnel(
            people=1,
            noted=int(any(r["noted_at"] is not None for r in group)),
            ordered=int(any(r["ordered_at"] is not None for r in group)),
            ordered_amount=max(float(r["ordered_amount"]) for r in group),
        )
        for name, group in sorted(groups.items())
    }


def _total(parts: Sequence[Funnel]) -> Funnel:
    return Funnel(
        people=sum(p.people for p in parts),
        noted=sum(p.noted for p in parts),
        ordered=sum(p.ordered for p in parts),
        ordered_amount=sum(p.ordered_amount for p in parts),
    )


def follow_through(
    gateway: Gateway, store_id: str, start: datetime, end: datetime, scope: str | None = None
) -> FollowThrough:
    """How many of the store's recommended contacts (and key nodes) were noted as contacted or
    visited in [start, end), and how many of those then ordered (definitions in the module
    docstring). With `scope` (a store key's store), people who have since moved to another
    store are hidden (graph.access). Unknown store -> NotFound.
    """
    aware(start, "start")
    aware(end, "end")
    if start >= end:
        raise InvalidInput("start must be before end")
    keys = [k.person_id for k in key_nodes(gateway, store_id)]
    recs = gateway.read(RECOMMENDED, store_id=store_id, start=start, end=end)
    noted = gateway.read(NOTED_PEOPLE, store_id=store_id, ids=keys, start=start, end=end)
    mask = masker(gateway, scope, [r["person_id"] for r in (*recs, *noted)])
    per_staff: dict[str, list[Funnel]] = defaultdict(list)
    for (staff_id, _), funnel in _funnels(recs, "staff_id", "person_id").items():
        per_staff[staff_id].append(funnel)
    return FollowThrough(
        store_id=store_id,
        start=start,
        end=end,
        recommendations=_total(list(_funnels(recs, "person_id").values())),
        per_staff=[
            StaffFollowThrough(staff_id=staff_id, **_total(funnels).model_dump())
            for staff_id, funnels in sorted(per_staff.items())
        ],
        key_nodes=_total(list(_funnels(noted, "person_id").values())),
        people=[
            FollowedPerson(
                staff_id=r["staff_id"],
                person_id=mask.id(r["person_id"]),
                recommended_at=r["recommended_at"],
                noted_at=r["noted_at"],
                ordered_at=r["ordered_at"],
            )
            for r in recs
        ]
        + [
            FollowedPerson(
                staff_id=None,
                person_id=mask.id(r["person_id"]),
                recommended_at=None,
                noted_at=r["noted_at"],
                ordered_at=r["ordered_at"],
            )
            for r in noted
        ],
    )
