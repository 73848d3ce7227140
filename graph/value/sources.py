"""Value by acquisition source and by generation below the nearest staff ancestor (DESIGN.md
§5 "Customer value"; definitions in graph.value)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from graph.gateway import Gateway, Row
from graph.queries import query
from graph.value.common import (
    ALL,
    BrandAnswer,
    Paging,
    aware,
    live,
    money,
    ordered,
    page,
    precomputed,
    ratio,
    stores,
    until,
)

SOURCES_QUERY = query("value/sources")

Source = Literal["staff", "agent", "member", "prospect", "none"]
SOURCES: tuple[Source, ...] = ("staff", "agent", "member", "prospect", "none")
GENERATIONS = ("1", "2", "3", "4+", "none")
COUNTS = ("people", "buyers", "orders", "cents")


class ValueGroup(BaseModel):
    """The customers of one acquisition source or one generation, and what they are worth."""

    group: str = Field(description="A source (staff, agent, member, prospect, none) or a "
                       "generation (1, 2, 3, 4+, none).")  # fmt: skip
    people: int
    buyers: int = Field(description="People with an order before end.")
    conversion: float = Field(description="buyers / people (0 without people).")
    orders: int
    mean_orders: float = Field(description="orders / people.")
    amount: float = Field(description="Their orders' amount before end.")
    mean_ltv: float = Field(description="Mean lifetime value: amount / people.")


class SourceFigures(BaseModel):
    by_source: list[ValueGroup] = Field(
        description="What the referrer was when they referred the customer, every source."
    )
    by_generation: list[ValueGroup] = Field(
        description="Generations below the nearest staff ancestor; none: no staff ancestor."
    )


class SourceRow(SourceFigures):
    store_id: str
    name: str | None
    people: int


class StoreSources(SourceRow):
    """DESIGN.md §5 value by acquisition source and by generation, for one store."""

    start: datetime | None = Field(description="Customers first seen from then (null: all).")
    end: datetime = Field(description="Exclusive: customers first seen before, orders before.")


class BrandSources(BrandAnswer):
    """Value by source and generation of all stores' customers, and of each store."""

    start: datetime | None
    end: datetime
    brand: SourceFigures
    rows: list[SourceRow]


def _generation(depth: int | None) -> str:
    return "none" if depth is None else "4+" if depth >= 4 else str(depth)


def _groups(
    rows: Iterable[Row], names: Iterable[str], key: Callable[[Row], str]
) -> list[ValueGroup]:
    sums: dict[str, dict[str, int]] = {name: dict.fromkeys(COUNTS, 0) for name in names}
    for row in rows:
        for count in COUNTS:
            sums[key(row)][count] += row[count]
    return [
        ValueGroup(
            group=name,
            people=s["people"],
            buyers=s["buyers"],
            conversion=ratio(s["buyers"], s["people"]),
            orders=s["orders"],
            mean_orders=ratio(s["orders"], s["people"]),
            amount=money(s["cents"]),
            mean_ltv=ratio(money(s["cents"]), s["people"]),
        )
        for name, s in sums.items()
    ]


def _figures(rows: list[Row]) -> dict[str, Any]:
    return {
        "by_source": _groups(rows, SOURCES, lambda r: r["source"]),
        "by_generation": _groups(rows, GENERATIONS, lambda r: _generation(r["generation"])),
    }


def _read(
    gateway: Gateway, store_id: str | None, start: datetime | None, end: datetime | None
) -> tuple[datetime | None, datetime, list[Row]]:
    """The query's rows for customers first seen in [start, end), or before `end` without
    `start`."""
    end = until(end)
    if start is not None:
        start = ordered(aware(start, "start"), end)
    return start, end, gateway.read(SOURCES_QUERY, store_id=store_id, since=start, end=end)


def store_sources(
    gateway: Gateway, store_id: str, start: datetime | None = None, end: datetime | None = None
) -> StoreSources:
    """A store's customers who first appeared before `end` (default: now) — and at or after
    `start`, if given — by acquisition source and by generation. Unknown store -> NotFound."""
    store = stores(gateway, store_id)[0]
    start, end, rows = _read(gateway, store_id, start, end)
    return StoreSources(
        store_id=store_id,
        name=store["name"],
        start=start,
        end=end,
        people=sum(r["people"] for r in rows),
        **_figures(rows),
    )


def _mean_ltv(source: int) -> Callable[[SourceRow], Any]:
    return lambda r: r.by_source[source].mean_ltv


SORTS: dict[str, Callable[[SourceRow], Any]] = {
    "store_id": lambda r: r.store_id,
    "name": lambda r: r.name or "",
    "people": lambda r: r.people,
    **{f"{source}_mean_ltv": _mean_ltv(i) for i, source in enumerate(SOURCES)},
}


def brand_sources(
    gateway: Gateway,
    start: datetime | None = None,
    end: datetime | None = None,
    paging: Paging = ALL,
    *,
    use_snapshot: bool = True,
) -> BrandSources:
    """Value by source and generation of all stores' customers, and one row per store, in one
    query (`sort` by `<source>_mean_ltv` to find where, say, members bring the best buyers).

    Without a window, and with `use_snapshot`, the answer comes from the stored snapshot while it
    is fresh (graph.value.snapshot).
    """
    if use_snapshot and start is None and end is None:
        stored = precomputed(gateway, "sources", BrandSources, SORTS, paging)
        if stored is not None:
            return stored
    start, end, found = _read(gateway, None, start, end)
    by_store: dict[str, list[Row]] = defaultdict(list)
    for row in found:
        by_store[row["store_id"]].append(row)
    rows = [
        SourceRow(
            store_id=s["store_id"],
            name=s["name"],
            people=sum(r["people"] for r in by_store[s["store_id"]]),
            **_figures(by_store[s["store_id"]]),
        )
        for s in stores(gateway, None)
    ]
    info, shown = page(rows, SORTS, paging)
    return BrandSources(
        **live(info),
        start=start,
        end=end,
        brand=SourceFigures(**_figures(found)),
        rows=shown,
    )
