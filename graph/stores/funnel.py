"""A store's conversion funnel: visits -> coupon claims / sales contacts -> orders (the seed's
conversion paths 1 and 2: "create a store coupon and pass it on", "let people contact sales").

DESIGN.md §5 leaves the funnel's exact stages open; they are, for the store's customers (the
non-staff people whose HOME is the store) and a window [start, end) (default: the 28 days
before now, the HQ overview's 4 weeks):

1. `visited`: customers who visited a shared link in the window;
2. `engaged`: of those, who claimed a coupon or contacted sales in the window
   (`claimed_coupon` and `contacted_sales` count each action on its own; a person may do both,
   so they may add up to more than `engaged`);
3. `ordered`: of the engaged, who placed an order (at any store, as DESIGN.md §5 "Customer
   value" counts buyers) in the window at or after their first coupon claim or sales contact
   in it — an order before the engagement did not follow from it.

Each stage is a subset of the one before, so the funnel only narrows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fission.errors import InvalidInput, NotFound
from graph.clock import as_of, aware, before
from graph.gateway import Gateway
from graph.queries import query
from graph.stores.model import ConversionFunnel

CONVERSION_FUNNEL = query("stores/conversion_funnel")
FUNNEL_DAYS = 28


def conversion_funnel(
    gateway: Gateway,
    store_id: str,
    start: datetime | None = None,
    end: datetime | None = None,
) -> ConversionFunnel:
    """The store's conversion funnel in [start, end) (definitions in the module docstring).

    `end` defaults to now and `start` to 28 days before `end`. Unknown store -> NotFound.
    """
    end = as_of(end, "end")
    start = before(end, timedelta(days=FUNNEL_DAYS)) if start is None else aware(start, "start")
    if start >= end:
        raise InvalidInput("start must be before end")
    rows = gateway.read(CONVERSION_FUNNEL, store_id=store_id, start=start, end=end)
    if not rows:
        raise NotFound(f"store {store_id}")
    return ConversionFunnel(start=start, end=end, **rows[0])
