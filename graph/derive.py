"""Keeps the derived part of the graph true to its definitions (DESIGN.md §5).

Two ways, one result:

- `fold`, in the transaction that writes a batch of events: what each event adds — a first
  appearance with its referrer and home (cypher/derive/appear), the stored reach(p, 3) of the
  referrers above a changed referral edge (reach3), tie parts (ties_add), interest terms
  (interests_add). It settles the common cases (a new person, an earlier first visit of
  someone nobody has visited yet, a first order) and marks the rest `:Stale`.
- `derive_stale` recomputes from scratch, for the people marked `:Stale` (reference data,
  erasure, and whatever `fold` left) and for whom their changes reach: first appearance ->
  first-touch referrer (REFERRED, with the stored reach3 above it) -> home store (HOME,
  following referral chains down) -> social ties (KNOWS) -> interest tags (INTERESTED_IN), and
  clears the mark. Each step finishes for everyone before the next starts, because referrers
  compare first appearances and homes follow referrers. It first moves the marks to
  `:Deriving`, so events loaded while it runs mark their people `:Stale` again for the next
  run; a crash leaves the marks, so the next run redoes it. Every step locks each person before
  reading, so derivations running at once (concurrent loads and API calls) never interleave on
  one person.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graph.gateway import Gateway, Tx, batched
from graph.queries import Query, query

STALE_PEOPLE = query("derive/stale_people")
FIRST_APPEARANCE = query("derive/first_appearance")
WAITING_REFEREES = query("derive/waiting_referees")
REFERRER = query("derive/referrer")
HOME = query("derive/home")
DESCENDANTS = query("derive/descendants")
REACH3 = query("derive/reach3")
KNOWS = query("derive/knows")
INTERESTS = query("derive/interests")
CLEAR_STALE = query("derive/clear_stale")
APPEAR = query("derive/appear")
TIES_ADD = query("derive/ties_add")
INTERESTS_ADD = query("derive/interests_add")
HALF_LIFE_DAYS = 30.0

BATCH = 2_000


@dataclass
class DeriveReport:
    people: int = 0
    referrers_changed: int = 0
    homes_changed: int = 0
    seconds: float = 0.0
    step_seconds: dict[str, float] = field(default_factory=dict)


def _run(gateway: Gateway, step: Query, ids: Iterable[str], **params: Any) -> list[dict[str, Any]]:
    """Runs a step over `ids` in batches, `load_writers` transactions at a time. Within a step
    the batches are independent (deadlocks between them are transient and retried)."""

    def work(batch: list[str]) -> list[dict[str, Any]]:
        run = gateway.read if step.mode == "read" else gateway.write
        return run(step, ids=batch, **params)

    batches = list(batched(sorted(set(ids)), BATCH))
    if len(batches) <= 1:
        return [row for batch in batches for row in work(batch)]
    with ThreadPoolExecutor(max_workers=gateway.settings.load_writers) as pool:
        return [row for rows in pool.map(work, batches) for row in rows]


def _referrers(changes: Iterable[dict[str, Any]]) -> set[str]:
    """The referrers who gained or lost a referee in these referrer changes."""
    return {
        referrer
        for change in changes
        for referrer in (change["old_referrer"], change["new_referrer"])
        if referrer is not None
    }


def derive_people(gateway: Gateway, ids: list[str], as_of: datetime | None = None) -> DeriveReport:
    """Recomputes everything derived that depends on these people's events."""
    report = DeriveReport(people=len(ids))
    started = time.perf_counter()
    clock = started

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.step_seconds[name] = round(now - clock, 3)
        clock = now

    firsts = _run(gateway, FIRST_APPEARANCE, ids)
    moved = [r["id"] for r in firsts if r["changed"]]
    step("first_appearance")
    waiting = [r["id"] for r in _run(gateway, WAITING_REFEREES, moved)]
    changes = _run(gateway, REFERRER, set(ids) | set(waiting))
    changed_referrer = [r["id"] for r in changes]
    report.referrers_changed = len(changed_referrer)
    _run(gateway, REACH3, _referrers(changes))
    step("referrer")
    todo = set(ids) | set(changed_referrer)
    seen: set[str] = set()
    while todo:
        seen |= todo
        homes = _run(gateway, HOME, todo)
        report.homes_changed += len(homes)
        parents = [r["id"] for r in homes if r["has_referees"]]
        todo = {r["id"] for r in _run(gateway, DESCENDANTS, parents)} - seen
    step("home")
    _run(gateway, KNOWS, set(ids) | set(changed_referrer))
    step("knows")
    _run(gateway, INTERESTS, ids, as_of=as_of or datetime.now(UTC).replace(microsecond=0))
    step("interests")
    _run(gateway, CLEAR_STALE, ids)
    report.seconds = time.perf_counter() - started
    return report


def derive_stale(gateway: Gateway, as_of: datetime | None = None) -> DeriveReport:
    """Recomputes derived data for every person marked :Stale."""
    ids = [r["id"] for r in gateway.write(STALE_PEOPLE)]
    return derive_people(gateway, ids, as_of)


@dataclass
class Fold:
    """What a batch of newly written events adds to derived data, collected row by row and
    applied by `fold` in the same transaction."""

    appearances: list[dict[str, Any]] = field(default_factory=list)
    ties: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    interests: dict[tuple[str, str], list[tuple[datetime, float]]] = field(default_factory=dict)

    def add(self, kind: str, row: dict[str, Any], written: dict[str, Any]) -> None:
        """One written event of a load type (`row`: its parameters; `written`: what its write
        query answered, e.g. a visit's sharer and content)."""
        if kind == "shares":
            self._appear(row["sharer_id"], row, "share")
            self._interest(row["sharer_id"], row["content_id"], row["at"], 2.0)
        elif kind == "visits":
            sharer = written.get("sharer_id")
            visitor = row["visitor_id"]
            self._appear(visitor, row, "visit", share_id=row["share_id"], sharer_id=sharer)
            if sharer and sharer != row["visitor_id"]:
                self._tie(row["visitor_id"], sharer)["visits"] += 1
            if written.get("content_id"):
                self._interest(row["visitor_id"], written["content_id"], row["at"], 1.0)
        elif kind == "orders":
            self._appear(row["person_id"], row, "order", order_store_id=row["store_id"])
        elif kind == "friendships":
            self._appear(row["a_id"], row, "friendship")
            self._appear(row["b_id"], row, "friendship")
            self._tie(row["a_id"], row["b_id"])["friends"] = True

    def _appear(
        self,
        person_id: str,
        row: dict[str, Any],
        kind: str,
        share_id: str | None = None,
        sharer_id: str | None = None,
        order_store_id: str | None = None,
    ) -> None:
        self.appearances.append(
            {
                "person_id": person_id,
                "at": row["at"],
                "event_id": row["event_id"],
                "kind": kind,
                "share_id": share_id,
                "sharer_id": sharer_id,
                "order_store_id": order_store_id,
            }
        )

    def _tie(self, a: str, b: str) -> dict[str, Any]:
        pair = (a, b) if a < b else (b, a)
        return self.ties.setdefault(pair, {"visits": 0, "friends": None, "referral": None})

    def _interest(self, person_id: str, content_id: str, at: str, factor: float) -> None:
        self.interests.setdefault((person_id, content_id), []).append(
            (datetime.fromisoformat(at), factor)
        )


def decayed(at: datetime, factor: float, now: datetime) -> float:
    """One event's term of an interest score at `now` (DESIGN.md §5 "Interest tags"), in whole
    seconds of age as cypher/derive/interests.cypher counts it."""
    age_seconds = int((now - at).total_seconds()) if at < now else 0
    return float(factor * 0.5 ** ((age_seconds / 86400.0) / HALF_LIFE_DAYS))


def fold(tx: Tx, events: Fold) -> None:
    """Applies what `events` add to derived data, inside the transaction `tx` that wrote them."""
    now = datetime.now(UTC).replace(microsecond=0)
    appearances = sorted(
        events.appearances, key=lambda a: (datetime.fromisoformat(a["at"]), a["event_id"])
    )
    changes = tx.run(APPEAR, rows=appearances) if appearances else []
    for change in changes:
        for referrer, referral in ((change["old_referrer"], False), (change["new_referrer"], True)):
            if referrer is not None:
                events._tie(referrer, change["person_id"])["referral"] = referral
    if referrers := _referrers(changes):
        tx.run(REACH3, ids=sorted(referrers))
    if events.ties:
        tx.run(TIES_ADD, rows=[{"a": a, "b": b, **parts} for (a, b), parts in events.ties.items()])
    if events.interests:
        rows = [
            {
                "person_id": person_id,
                "content_id": content_id,
                "add": sum(decayed(at, factor, now) for at, factor in terms),
                "latest": max(at for at, _ in terms).isoformat(),
            }
            for (person_id, content_id), terms in events.interests.items()
        ]
        tx.run(INTERESTS_ADD, rows=rows, now=now)
