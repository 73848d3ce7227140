"""Weekly retention cohorts (DESIGN.md §5 "Customer value", retention; definitions in
graph.value)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from fission.errors import InvalidInput
from graph.gateway import Gateway, Row
from graph.queries import query
from graph.value.common import (
    ALL,
    WEEK,
    BrandAnswer,
    Paging,
    live,
    monday,
    page,
    precomputed,
    stores,
    window,
)

RETENTION = query("value/retention")

OFFSETS = list(range(1, 9))
DEFAULT_WINDOW = timedelta(weeks=12)
MAX_WEEKS = 520  # ten years of weekly cohorts: a longer window would only draw empty weeks


def _cohort_window(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """The window of `window`, refused (InvalidInput) when it spans more than MAX_WEEKS weeks."""
    start, end = window(start, end, DEFAULT_WINDOW)
    if end - start > MAX_WEEKS * WEEK:
        raise InvalidInput(f"a retention window spans at most {MAX_WEEKS} weeks")
    return start, end


class Cohort(BaseModel):
    """The customers who first appeared in one week, and who came back in the weeks after."""

    week_start: datetime = Field(description="Monday 00:00 UTC.")
    people: int
    retained: list[int | None] = Field(
        description="For offsets 1..8: people with a share, visit or order in week "
        "week_start + offset; null until that week has fully elapsed."
    )
    rates: list[float | None] = Field(description="retained / people (null: not elapsed).")


class StoreRetention(BaseModel):
    """A store's weekly cohorts: the Monday weeks that overlap [start, end)."""

    store_id: str
    name: str | None
    start: datetime
    end: datetime = Field(description="Exclusive; offsets count once fully elapsed by then.")
    offsets: list[int] = Field(default=OFFSETS, description="Week offsets of each cohort row.")
    cohorts: list[Cohort] = Field(description="Oldest first, empty weeks included.")


class RetentionRow(BaseModel):
    """One store's cohorts pooled: per offset, the people retained over the people of the
    cohorts whose week + offset has fully elapsed."""

    store_id: str
    name: str | None
    people: int = Field(description="Customers in the store's cohorts.")
    retained: list[int] = Field(description="Per offset 1..8, pooled over elapsed cohorts.")
    eligible: list[int] = Field(description="Per offset, people of the cohorts elapsed.")
    rates: list[float | None] = Field(description="retained / eligible (null: none elapsed).")


class BrandRetention(BrandAnswer):
    """Brand-wide cohorts (all stores' customers) and one pooled row per store."""

    start: datetime
    end: datetime = Field(description="Exclusive.")
    offsets: list[int] = Field(default=OFFSETS)
    cohorts: list[Cohort]
    rows: list[RetentionRow]


def _cohorts(first: datetime, end: datetime, found: Sequence[Row]) -> list[Cohort]:
    """Every week from `first` to `end`, with the counts `found` (rows of one store, or of
    several added up) and null for offsets not yet fully elapsed."""
    weeks = math.ceil((end - first) / WEEK)
    people = [0] * weeks
    retained = [[0] * len(OFFSETS) for _ in range(weeks)]
    for row in found:
        people[row["cohort"]] += row["people"]
        for i, n in enumerate(row["retained"]):
            retained[row["cohort"]][i] += n
    cohorts = []
    for c in range(weeks):
        week = first + c * WEEK
        counts = [n if week + (k + 1) * WEEK <= end else None
                  for k, n in zip(OFFSETS, retained[c], strict=True)]  # fmt: skip
        cohorts.append(
            Cohort(
                week_start=week,
                people=people[c],
                retained=counts,
                rates=[n / people[c] if n is not None and people[c] else None for n in counts],
            )
        )
    return cohorts


def _pooled(store: Row, cohorts: Sequence[Cohort]) -> RetentionRow:
    retained = [0] * len(OFFSETS)
    eligible = [0] * len(OFFSETS)
    for cohort in cohorts:
        for i, n in enumerate(cohort.retained):
            if n is not None:
                retained[i] += n
                eligible[i] += cohort.people
    return RetentionRow(
        store_id=store["store_id"],
        name=store["name"],
        people=sum(c.people for c in cohorts),
        retained=retained,
        eligible=eligible,
        rates=[r / e if e else None for r, e in zip(retained, eligible, strict=True)],
    )


def store_retention(
    gateway: Gateway, store_id: str, start: datetime | None = None, end: datetime | None = None
) -> StoreRetention:
    """A store's weekly retention cohorts: the Monday weeks overlapping [start, end) (default:
    the 12 weeks before now). Unknown store -> NotFound; bad window -> InvalidInput."""
    start, end = _cohort_window(start, end)
    store = stores(gateway, store_id)[0]
    first = monday(start)
    found = gateway.read(RETENTION, store_id=store_id, first=first, end=end)
    return StoreRetention(
        store_id=store_id,
        name=store["name"],
        start=start,
        end=end,
        cohorts=_cohorts(first, end, found),
    )


def _rate(k: int) -> Callable[[RetentionRow], Any]:
    return lambda r: r.rates[k - 1]


SORTS: dict[str, Callable[[RetentionRow], Any]] = {
    "store_id": lambda r: r.store_id,
    "name": lambda r: r.name or "",
    "people": lambda r: r.people,
    **{f"week_{k}": _rate(k) for k in OFFSETS},
}


def brand_retention(
    gateway: Gateway,
    start: datetime | None = None,
    end: datetime | None = None,
    paging: Paging = ALL,
    *,
    use_snapshot: bool = True,
) -> BrandRetention:
    """Brand-wide weekly cohorts over [start, end) (default: the 12 weeks before now) in one
    query, and one pooled row per store (sort by `week_<k>` to compare stores' retention).

    Without a window, and with `use_snapshot`, the answer comes from the stored snapshot while it
    is fresh (graph.value.snapshot).
    """
    if use_snapshot and start is None and end is None:
        stored = precomputed(gateway, "retention", BrandRetention, SORTS, paging)
        if stored is not None:
            return stored
    start, end = _cohort_window(start, end)
    first = monday(start)
    found = gateway.read(RETENTION, store_id=None, first=first, end=end)
    by_store: dict[str, list[Row]] = defaultdict(list)
    for row in found:
        by_store[row["store_id"]].append(row)
    rows = [_pooled(s, _cohorts(first, end, by_store[s["store_id"]]))
            for s in stores(gateway, None)]  # fmt: skip
    info, shown = page(rows, SORTS, paging)
    return BrandRetention(
        **live(info),
        start=start,
        end=end,
        cohorts=_cohorts(first, end, found),
        rows=shown,
    )
