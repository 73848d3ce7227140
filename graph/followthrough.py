"""Follow-through of recommended contacts (DESIGN.md §5 "Recommended contacts": "notes recorded
afterwards close the loop, and the store view reports how many recommendations were acted on
and what converted").

Recommendations are computed on demand, so the API records the lists it serves:
`record_recommendations` writes
`(:Staff)-[:RECOMMENDED {staff_id, day, at, rank, topic}]->(:Person)`, at most once per staff
member, person and day (UTC), keeping the first serving of the day: the app may ask as often as
it likes, and a repeated GET writes nothing. A day's records are found through the
(staff_id, day) index, so the check costs the same after years of daily lists. The API hands
what it serves to a `ServedLog` (`serve_recommendations(log=...)`), which writes the lists
served in the last second in one transaction, so staff neither wait on the write nor share the
server with one commit per request.
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
import threading
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from fission.errors import FissionError, InvalidInput, NotFound
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


def served_list(
    staff_id: str, person_ids: Sequence[str], at: datetime, topic: str | None
) -> dict[str, Any]:
    """One served list as record_recommendations.cypher takes it: each person once, at the rank
    of their first place in the list."""
    ranks: dict[str, int] = {}
    for rank, pid in enumerate(person_ids, 1):
        ranks.setdefault(pid, rank)
    at = aware(at, "at")
    return {
        "staff_id": staff_id,
        "day": at.astimezone(UTC).date(),
        "at": at,
        "topic": topic,
        "rows": [{"person_id": pid, "rank": rank} for pid, rank in ranks.items()],
    }


class ServedLog:
    """Recommendation lists served by this process, written for follow-through in batches: one
    check and at most one write transaction per `interval` seconds (from a thread of its own)
    for everything served meanwhile, instead of a write per request. A batch that fails is
    logged, not raised: the lists were served, and the next serving that day records them.
    `close` writes what is left; a crash loses at most the last interval's lists."""

    def __init__(self, gateway: Gateway, interval: float) -> None:
        self._gateway = gateway
        self._interval = interval
        self._lock = threading.Lock()
        self._queued: list[dict[str, Any]] = []
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name="served-log", daemon=True)
        self._thread.start()

    def add(
        self, staff_id: str, person_ids: Sequence[str], at: datetime, topic: str | None = None
    ) -> None:
        """Queues a served list (returns at once)."""
        serving = served_list(staff_id, person_ids, at, topic)
        with self._lock:
            self._queued.append(serving)

    def flush(self) -> int:
        """Writes the queued lists now; returns how many had someone new to record."""
        with self._lock:
            servings, self._queued = self._queued, []
        if not servings:
            return 0
        servings.sort(key=lambda s: s["at"])
        try:
            fresh, unknown = _record(self._gateway, servings)
        except FissionError:
            log.warning(
                "%d served recommendation lists were not recorded", len(servings), exc_info=True
            )
            return 0
        if unknown:
            log.warning(
                "recommendations served to %s were not recorded: no such staff member",
                ", ".join(sorted(set(unknown))),
            )
        return len(fresh)

    def close(self) -> None:
        """Stops the thread and writes what is left."""
        self._closing.set()
        self._thread.join()
        self.flush()

    def _run(self) -> None:
        while not self._closing.wait(self._interval):
            self.flush()


def _record(
    gateway: Gateway, servings: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Records the servings' people not recorded yet that day (nothing is written when there
    are none). Returns the servings written, with only those people, and the staff ids not
    found (their servings are skipped)."""
    checked = gateway.read(UNRECORDED, servings=servings)
    pairs = list(zip(servings, checked, strict=True))
    unknown = [s["staff_id"] for s, c in pairs if not c["staff_found"]]
    fresh = [{**s, "rows": c["rows"]} for s, c in pairs if c["rows"]]
    if fresh:
        gateway.write(RECORD, servings=fresh)
    return fresh, unknown


def serve_recommendations(
    gateway: Gateway,
    staff_id: str,
    topic: str | None = None,
    limit: int = 10,
    now: datetime | None = None,
    scope: str | None = None,
    served: ServedLog | None = None,
) -> list[Recommendation]:
    """`recommended_contacts` for a staff member (people of other stores hidden from a
    `scope`d caller), recorded as served at `now` (default: the current time), so that
    follow-through can tell which were acted on. Every list a person is shown (the API, the
    staff member's "today" page) is served through this.

    With `served` (the API's), the record is queued there and written within its interval;
    without, it is written before this returns."""
    now = as_of(now)
    items = recommended_contacts(gateway, staff_id, topic=topic, limit=limit, now=now, scope=scope)
    if items:
        ids = [r.person_id for r in items]
        if served is None:
            record_recommendations(gateway, staff_id, ids, now, topic)
        else:
            served.add(staff_id, ids, now, topic)
    return items


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
    fresh, unknown = _record(gateway, [served_list(staff_id, person_ids, at, topic)])
    if unknown:
        raise NotFound(f"staff member {staff_id}")
    return sum(len(s["rows"]) for s in fresh)


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
