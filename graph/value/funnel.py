"""The funnel of the people acquired in a window (DESIGN.md §5 "Customer value", funnel;
definitions in graph.value)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from graph.gateway import Gateway
from graph.queries import query
from graph.value.common import (
    ALL,
    BrandAnswer,
    Paging,
    live,
    page,
    precomputed,
    ratio,
    stores,
    window,
)

FUNNEL = query("value/funnel")

Stage = Literal["acquired", "activated", "retained", "bought", "referred"]
STAGES: tuple[Stage, ...] = ("acquired", "activated", "retained", "bought", "referred")
DEFAULT_WINDOW = timedelta(days=30)


class FunnelStage(BaseModel):
    stage: Stage
    people: int
    share_of_acquired: float = Field(description="people / acquired (0 without acquired).")


class FunnelRow(BaseModel):
    store_id: str
    name: str | None
    stages: list[FunnelStage] = Field(
        description="acquired: first appeared in the window; then, each counted up to end "
        "among them: activated (claimed a coupon, contacted sales, joined a group buy, or "
        "ordered), retained (active in a later week than their first), bought, referred "
        "(became someone's referrer). Each stage is a condition on the acquired, not on "
        "the stage before."
    )


class StoreFunnel(FunnelRow):
    start: datetime
    end: datetime = Field(description="Exclusive.")


class BrandFunnel(BrandAnswer):
    """The funnel of all stores' customers acquired in [start, end), and each store's."""

    start: datetime
    end: datetime = Field(description="Exclusive.")
    stages: list[FunnelStage]
    rows: list[FunnelRow]


def _stages(counts: Mapping[str, Any]) -> list[FunnelStage]:
    acquired = counts.get("acquired", 0)
    return [
        FunnelStage(
            stage=stage,
            people=counts.get(stage, 0),
            share_of_acquired=ratio(counts.get(stage, 0), acquired),
        )
        for stage in STAGES
    ]


def store_funnel(
    gateway: Gateway, store_id: str, start: datetime | None = None, end: datetime | None = None
) -> StoreFunnel:
    """The funnel of a store's customers who first appeared in [start, end) (default: the 30
    days before now). Unknown store -> NotFound; bad window -> InvalidInput."""
    start, end = window(start, end, DEFAULT_WINDOW)
    store = stores(gateway, store_id)[0]
    rows = gateway.read(FUNNEL, store_id=store_id, start=start, end=end)
    return StoreFunnel(
        store_id=store_id,
        name=store["name"],
        start=start,
        end=end,
        stages=_stages(rows[0] if rows else {}),
    )


def _stage(index: int) -> Callable[[FunnelRow], Any]:
    return lambda r: r.stages[index].people


SORTS: dict[str, Callable[[FunnelRow], Any]] = {
    "store_id": lambda r: r.store_id,
    "name": lambda r: r.name or "",
    **{stage: _stage(i) for i, stage in enumerate(STAGES)},
}


def brand_funnel(
    gateway: Gateway,
    start: datetime | None = None,
    end: datetime | None = None,
    paging: Paging = ALL,
    *,
    use_snapshot: bool = True,
) -> BrandFunnel:
    """The funnel of all stores' customers acquired in [start, end) (default: the 30 days
    before now), and one row per store, in one query.

    Without a window, and with `use_snapshot`, the answer comes from the stored snapshot while it
    is fresh (graph.value.snapshot).
    """
    if use_snapshot and start is None and end is None:
        stored = precomputed(gateway, "funnel", BrandFunnel, SORTS, paging)
        if stored is not None:
            return stored
    start, end = window(start, end, DEFAULT_WINDOW)
    found = {r["store_id"]: r for r in gateway.read(FUNNEL, store_id=None, start=start, end=end)}
    rows = [
        FunnelRow(
            store_id=s["store_id"], name=s["name"], stages=_stages(found.get(s["store_id"], {}))
        )
        for s in stores(gateway, None)
    ]
    totals: dict[str, int] = {s: sum(r[s] for r in found.values()) for s in STAGES}
    info, shown = page(rows, SORTS, paging)
    return BrandFunnel(**live(info), start=start, end=end, stages=_stages(totals), rows=shown)
