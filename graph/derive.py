"""Keeps the derived part of the graph true to its definitions (DESIGN.md §5).

Loads mark every person whose events changed as `:Stale` in the same transaction as the
events; `derive_stale` then recomputes, for those people and for whom their changes reach:
first appearance -> first-touch referrer (REFERRED) -> home store (HOME, following referral
chains down) -> social ties (KNOWS) -> interest tags (INTERESTED_IN), and clears the mark.
Each step finishes for everyone before the next starts, because referrers compare first
appearances and homes follow referrers. `derive_stale` first moves the marks to `:Deriving`,
so events loaded while it runs mark their people `:Stale` again for the next run; a crash leaves
the marks, so the next run redoes it. Every step locks each person before reading, so
derivations running at once (concurrent loads and API calls) never interleave on one person.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graph.gateway import Gateway, batched
from graph.queries import Query, query

STALE_PEOPLE = query("derive/stale_people")
FIRST_APPEARANCE = query("derive/first_appearance")
WAITING_REFEREES = query("derive/waiting_referees")
REFERRER = query("derive/referrer")
HOME = query("derive/home")
DESCENDANTS = query("derive/descendants")
KNOWS = query("derive/knows")
INTERESTS = query("derive/interests")
CLEAR_STALE = query("derive/clear_stale")

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
    changed_referrer = [r["id"] for r in _run(gateway, REFERRER, set(ids) | set(waiting))]
    report.referrers_changed = len(changed_referrer)
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
    _run(gateway, INTERESTS, ids, as_of=as_of or datetime.now(UTC))
    step("interests")
    _run(gateway, CLEAR_STALE, ids)
    report.seconds = time.perf_counter() - started
    return report


def derive_stale(gateway: Gateway, as_of: datetime | None = None) -> DeriveReport:
    """Recomputes derived data for every person marked :Stale."""
    ids = [r["id"] for r in gateway.write(STALE_PEOPLE)]
    return derive_people(gateway, ids, as_of)
