"""Sales attribution per store (DESIGN.md §5 "Sales attribution").

An order is credited to the nearest person up the buyer's referral chain who is staff or who
was an agent at the time of the order (`agent_since <= order.at`); the buyer themself is
credited only if they were an agent then (a staff member's own purchase goes up their chain);
otherwise the order is unattributed. Where DESIGN.md leaves room:

- a store's sales are the orders placed AT the store (whoever the buyer is);
- "people brought" by a staff member or agent are the store's customers (non-staff, HOME at
  the store) whose nearest staff-or-agent ancestor — an agent counting only if they were one
  when the customer first appeared — is that person; "members brought" are those of them who
  are members now; conversion = members brought / people brought (0 when none);
- the rows are the store's staff (WORKS_AT) and agents (`agent_store_id`), with or without
  sales, plus anyone else credited with the store's orders or customers (for instance staff of
  another store up a chain), so that credited + unattributed = the store's sales. For a
  store-scoped caller those others are "someone from another store #n", without name, role,
  store or agent date (graph.access).

A staff member's own figures for a period (`staff_figures`, the "today" page's "this week")
apply the same rules within [start, end) (default: the 7 days before now): people brought who
first appeared in it, people brought (whenever) who became members in it, the store's orders
in it credited to them, and the people they noted as contacted or visited in it. Over all time
they equal the staff member's row of `store_attribution`.

With `exclude_flagged`, flagged credit is left out (graph.fraud): the orders of the people a
fraud flag of the store names as fake accounts, ring members or self-referral buyers earn
nobody credit and are reported as excluded (credited + unattributed + excluded = the store's
sales), and those people count as brought by nobody.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from fission.errors import InvalidInput, NotFound
from graph.access import masker
from graph.clock import as_of, aware, before
from graph.fraud import excluded_people
from graph.gateway import Gateway
from graph.queries import query

SALES = query("attribution/sales")
BROUGHT = query("attribution/brought")
ROSTER = query("attribution/roster")
STAFF_WINDOW = query("attribution/staff_window")
STAFF_WEEK = timedelta(days=7)


class Credit(BaseModel):
    """One staff member or agent: what the store's orders and customers credit to them."""

    person_id: str = Field(description="Or 'someone from another store #n' (graph.access).")
    kind: Literal["staff", "agent"]
    display_name: str | None
    role: str | None = Field(description="Staff role (manager, clerk, guide); null for agents.")
    store_id: str | None = Field(description="The store they work at, or are an agent of.")
    agent_since: datetime | None
    sales_amount: float
    orders: int
    people_brought: int
    members_brought: int
    conversion_rate: float = Field(description="members_brought / people_brought (0 if none).")


class StoreAttribution(BaseModel):
    store_id: str
    total_amount: float
    total_orders: int
    attributed_amount: float
    attributed_orders: int
    unattributed_amount: float
    unattributed_orders: int
    flagged_credit_excluded: bool = Field(
        False, description="Whether flagged credit was left out (graph.fraud)."
    )
    excluded_amount: float = Field(0.0, description="Orders of flagged people, credited to nobody.")
    excluded_orders: int = 0
    excluded_people: list[str] = Field(
        default_factory=list, description="The flagged people whose orders were left out."
    )
    credits: list[Credit] = Field(
        description="Staff first, then agents; each by sales amount (highest first), then id."
    )


def _blank(row: dict[str, Any]) -> dict[str, Any]:
    staff = row["staff_store_id"] is not None
    return {
        "person_id": row["person_id"],
        "kind": "staff" if staff else "agent",
        "display_name": row["display_name"],
        "role": row["role"] if staff else None,
        "store_id": row["staff_store_id"] if staff else row["agent_store_id"],
        "agent_since": row["agent_since"],
        "sales_amount": 0.0,
        "orders": 0,
        "people_brought": 0,
        "members_brought": 0,
    }


def store_attribution(
    gateway: Gateway, store_id: str, exclude_flagged: bool = False, scope: str | None = None
) -> StoreAttribution:
    """Sales, members brought and conversion per staff member and agent of a store, and the
    unattributed total (DESIGN.md §5 "Sales attribution"; definitions in the module docstring).
    With `exclude_flagged`, flagged credit is left out (module docstring); with `scope` (a store
    key's store), people of other stores are hidden (graph.access).

    Unknown store -> NotFound.
    """
    roster = gateway.read(ROSTER, store_id=store_id)
    if not roster or not roster[0]["store_found"]:
        raise NotFound(f"store {store_id}")
    excluded = excluded_people(gateway, store_id) if exclude_flagged else []
    people = {r["person_id"]: _blank(r) for r in roster if r["person_id"] is not None}
    unattributed_amount, unattributed_orders = 0.0, 0
    excluded_amount, excluded_orders = 0.0, 0
    for row in gateway.read(SALES, store_id=store_id, excluded_ids=excluded):
        if row["excluded"]:
            excluded_amount, excluded_orders = float(row["amount"]), row["orders"]
            continue
        if row["person_id"] is None:
            unattributed_amount, unattributed_orders = float(row["amount"]), row["orders"]
            continue
        credit = people.setdefault(row["person_id"], _blank(row))
        credit["sales_amount"], credit["orders"] = float(row["amount"]), row["orders"]
    for row in gateway.read(BROUGHT, store_id=store_id, excluded_ids=excluded):
        credit = people.setdefault(row["person_id"], _blank(row))
        credit["people_brought"], credit["members_brought"] = row["people"], row["members"]
    mask = masker(gateway, scope, people)
    for pid, credit in people.items():
        if mask.hides(pid):
            credit.update(display_name=None, role=None, store_id=None, agent_since=None)
    ordered = sorted(
        people.values(), key=lambda c: (c["kind"] != "staff", -c["sales_amount"], c["person_id"])
    )
    credits = [
        Credit(
            **{**c, "person_id": mask.id(c["person_id"])},
            conversion_rate=c["members_brought"] / c["people_brought"]
            if c["people_brought"]
            else 0.0,
        )
        for c in ordered
    ]
    attributed_amount = sum(c.sales_amount for c in credits)
    attributed_orders = sum(c.orders for c in credits)
    return StoreAttribution(
        store_id=store_id,
        total_amount=attributed_amount + unattributed_amount + excluded_amount,
        total_orders=attributed_orders + unattributed_orders + excluded_orders,
        attributed_amount=attributed_amount,
        attributed_orders=attributed_orders,
        unattributed_amount=unattributed_amount,
        unattributed_orders=unattributed_orders,
        flagged_credit_excluded=exclude_flagged,
        excluded_amount=excluded_amount,
        excluded_orders=excluded_orders,
        excluded_people=excluded,
        credits=credits,
    )


class StaffFigures(BaseModel):
    """One staff member's own figures in [start, end) (see the module docstring)."""

    staff_id: str
    display_name: str | None
    role: str | None
    store_id: str
    start: datetime
    end: datetime = Field(description="Exclusive.")
    people_brought: int = Field(description="Customers they brought who first appeared then.")
    members_brought: int = Field(description="Customers they brought who became members then.")
    orders: int = Field(description="The store's orders then credited to them.")
    sales_amount: float
    people_contacted: int = Field(description="People they noted as contacted or visited.")


def staff_figures(
    gateway: Gateway,
    staff_id: str,
    start: datetime | None = None,
    end: datetime | None = None,
) -> StaffFigures:
    """A staff member's people brought, members brought, sales and contacts in [start, end)
    (definitions in the module docstring). `end` defaults to now, `start` to 7 days before
    `end`. Unknown staff member -> NotFound."""
    end = as_of(end, "end")
    start = before(end, STAFF_WEEK) if start is None else aware(start, "start")
    if start >= end:
        raise InvalidInput("start must be before end")
    row = gateway.read(STAFF_WINDOW, staff_id=staff_id, start=start, end=end)[0]
    if not row["found"]:
        raise NotFound(f"staff member {staff_id}")
    return StaffFigures(
        staff_id=row["staff_id"],
        display_name=row["display_name"],
        role=row["role"],
        store_id=row["store_id"],
        start=start,
        end=end,
        people_brought=row["people_brought"],
        members_brought=row["members_brought"],
        orders=row["orders"],
        sales_amount=float(row["amount"]),
        people_contacted=row["people_contacted"],
    )
