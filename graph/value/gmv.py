"""Store value for a window and the GMV identity (DESIGN.md §5 "Customer value"; definitions in
graph.value)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, Field

from fission.errors import FissionError
from graph.gateway import Gateway, Row
from graph.queries import query
from graph.value.common import (
    ALL,
    BrandAnswer,
    Paging,
    live,
    money,
    page,
    precomputed,
    ratio,
    stores,
    window,
)

VALUE = query("value/value")

DEFAULT_WINDOW = timedelta(days=30)


class GmvFactors(BaseModel):
    """GMV = people * conversion * frequency * order_value (seeds 002 and 004), exactly."""

    people: int = Field(description="Active customers: a share, a visit or an order in the window.")
    conversion: float = Field(description="buyers / active (0 without active customers).")
    frequency: float = Field(description="orders / buyers: orders per buyer (0 without buyers).")
    order_value: float = Field(description="amount / orders: mean order value (0 without orders).")

    def product(self) -> float:
        return self.people * self.conversion * self.frequency * self.order_value


def gmv_factors(active: int, buyers: int, orders: int, cents: int) -> GmvFactors:
    """The four factors of the GMV identity, checked: the counts must agree with each other
    (every buyer is active and has an order; an amount needs orders) and the product of the
    factors must be the amount — exactly in rationals, and to 1e-9 in the floats reported.
    A failed check is a bug in how the figures were counted: FissionError (HTTP 500)."""
    consistent = (
        0 <= buyers <= active
        and buyers <= orders
        and (orders == 0) == (buyers == 0)
        and (cents == 0 or orders > 0)
    )
    factors = GmvFactors(
        people=active,
        conversion=ratio(buyers, active),
        frequency=ratio(orders, buyers),
        order_value=ratio(money(cents), orders),
    )
    exact = (
        Fraction(active)
        * Fraction(buyers, active or 1)
        * Fraction(orders, buyers or 1)
        * Fraction(cents, 100 * (orders or 1))
    )
    if not (
        consistent
        and exact == Fraction(cents, 100)
        and math.isclose(factors.product(), money(cents), rel_tol=1e-9, abs_tol=1e-9)
    ):
        raise FissionError(
            f"GMV identity does not hold: active={active}, buyers={buyers}, orders={orders}, "
            f"amount={money(cents)}"
        )
    return factors


class ValueFigures(BaseModel):
    """A store's (or all stores') customer value for a window."""

    customers: int = Field(description="Customers who first appeared before end.")
    active: int = Field(description="Customers with a share, a visit or an order in the window.")
    buyers: int = Field(description="Active customers with an order (any store) in the window.")
    orders: int = Field(description="The buyers' orders in the window.")
    amount: float = Field(description="GMV: the amount of those orders.")
    factors: GmvFactors = Field(description="amount = people * conversion * frequency * value.")
    store_orders: int = Field(description="Orders placed at the store in the window (anyone).")
    store_amount: float = Field(description="Their amount.")
    ever_buyers: int = Field(description="Customers with at least 1 order before end.")
    repeat_buyers: int = Field(description="Customers with at least 2 orders before end.")
    repeat_purchase_rate: float = Field(description="repeat_buyers / ever_buyers (0 if none).")


class StoreValueRow(ValueFigures):
    store_id: str
    name: str | None


class StoreValue(StoreValueRow):
    """DESIGN.md §5 "Customer value" of one store for [start, end)."""

    start: datetime
    end: datetime = Field(description="Exclusive.")


class FactorMedians(BaseModel):
    """The median store: each figure's median over the stores where it is defined."""

    people: float | None = Field(description="Over every store.")
    conversion: float | None = Field(description="Over stores with active customers.")
    frequency: float | None = Field(description="Over stores with buyers.")
    order_value: float | None = Field(description="Over stores with orders.")
    amount: float | None = Field(description="Over every store.")
    repeat_purchase_rate: float | None = Field(description="Over stores with buyers ever.")


class BrandValue(BrandAnswer):
    """Customer value of every store for [start, end), the brand's and the median store's."""

    start: datetime
    end: datetime = Field(description="Exclusive.")
    stores: int
    brand: ValueFigures = Field(description="All stores' customers together.")
    median: FactorMedians
    rows: list[StoreValueRow]


SORTS: dict[str, Callable[[StoreValueRow], Any]] = {
    "store_id": lambda r: r.store_id,
    "name": lambda r: r.name or "",
    "customers": lambda r: r.customers,
    "active": lambda r: r.active,
    "buyers": lambda r: r.buyers,
    "orders": lambda r: r.orders,
    "amount": lambda r: r.amount,
    "conversion": lambda r: r.factors.conversion,
    "frequency": lambda r: r.factors.frequency,
    "order_value": lambda r: r.factors.order_value,
    "store_amount": lambda r: r.store_amount,
    "repeat_purchase_rate": lambda r: r.repeat_purchase_rate,
}


def _figures(row: Row) -> dict[str, Any]:
    return {
        "customers": row["customers"],
        "active": row["active"],
        "buyers": row["buyers"],
        "orders": row["orders"],
        "amount": money(row["cents"]),
        "factors": gmv_factors(row["active"], row["buyers"], row["orders"], row["cents"]),
        "store_orders": row["store_orders"],
        "store_amount": money(row["store_cents"]),
        "ever_buyers": row["ever_buyers"],
        "repeat_buyers": row["repeat_buyers"],
        "repeat_purchase_rate": ratio(row["repeat_buyers"], row["ever_buyers"]),
    }


def store_value(
    gateway: Gateway, store_id: str, start: datetime | None = None, end: datetime | None = None
) -> StoreValue:
    """A store's customer value for [start, end) (default: the 30 days before now), with the
    GMV identity checked. Unknown store -> NotFound; bad window -> InvalidInput."""
    start, end = window(start, end, DEFAULT_WINDOW)
    store = stores(gateway, store_id)[0]
    row = gateway.read(VALUE, store_id=store_id, start=start, end=end)[0]
    return StoreValue(store_id=store_id, name=store["name"], start=start, end=end, **_figures(row))


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def brand_value(
    gateway: Gateway,
    start: datetime | None = None,
    end: datetime | None = None,
    paging: Paging = ALL,
    *,
    use_snapshot: bool = True,
) -> BrandValue:
    """Every store's customer value for [start, end) in one query, sorted by `sort` and
    paged; the brand's figures (all stores' customers together) and the median store.

    Without a window, and with `use_snapshot`, the answer comes from the stored snapshot while it
    is fresh (graph.value.snapshot).
    """
    if use_snapshot and start is None and end is None:
        stored = precomputed(gateway, "value", BrandValue, SORTS, paging)
        if stored is not None:
            return stored
    start, end = window(start, end, DEFAULT_WINDOW)
    names = {s["store_id"]: s["name"] for s in stores(gateway, None)}
    raw = gateway.read(VALUE, store_id=None, start=start, end=end)
    rows = [StoreValueRow(store_id=r["store_id"], name=names.get(r["store_id"]), **_figures(r))
            for r in raw]  # fmt: skip
    totals = {k: sum(r[k] for r in raw) for k in raw[0] if k != "store_id"} if raw else {}
    brand = ValueFigures(**_figures(totals or dict.fromkeys(VALUE.columns, 0)))
    median = FactorMedians(
        people=_median([r.active for r in rows]),
        conversion=_median([r.factors.conversion for r in rows if r.active]),
        frequency=_median([r.factors.frequency for r in rows if r.buyers]),
        order_value=_median([r.factors.order_value for r in rows if r.orders]),
        amount=_median([r.amount for r in rows]),
        repeat_purchase_rate=_median([r.repeat_purchase_rate for r in rows if r.ever_buyers]),
    )
    info, shown = page(rows, SORTS, paging)
    return BrandValue(
        **live(info),
        start=start,
        end=end,
        stores=len(rows),
        brand=brand,
        median=median,
        rows=shown,
    )


class StoreValueComparison(BaseModel):
    """A store's customer value beside the median store's, over the same window."""

    store: StoreValue
    median: FactorMedians
    stores: int = Field(description="Stores the median is taken over.")
    brand_computed_at: datetime
    brand_precomputed: bool = Field(description="The median store came from the snapshot.")


def store_value_vs_median(
    gateway: Gateway, store_id: str, start: datetime | None = None, end: datetime | None = None
) -> StoreValueComparison:
    """A store's value and the median store's over the same window. Without a window, the
    window of the brand snapshot when it is fresh (the median is then read, not computed),
    else the default 30 days. Unknown store -> NotFound; bad window -> InvalidInput."""
    stores(gateway, store_id)
    brand = brand_value(gateway, start, end, Paging(limit=1))
    return StoreValueComparison(
        store=store_value(gateway, store_id, brand.start, brand.end),
        median=brand.median,
        stores=brand.stores,
        brand_computed_at=brand.computed_at,
        brand_precomputed=brand.precomputed,
    )
