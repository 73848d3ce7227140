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
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from fission.errors import NotFound
from graph.access import masker
from graph.gateway import Gateway
from graph.queries import query

SALES = query("attribution/sales")
BROUGHT = query("attribution/brought")
ROSTER = query("attribution/roster")


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
    gateway: Gateway, store_id: str, scope: str | None = None
) -> StoreAttribution:
    """Sales, members brought and conversion per staff member and agent of a store, and the
    unattributed total (DESIGN.md §5 "Sales attribution"; definitions in the module docstring).
    With `scope` (a store key's store), people of other stores are hidden (graph.access).

    Unknown store -> NotFound.
    """
    roster = gateway.read(ROSTER, store_id=store_id)
    if not roster or not roster[0]["store_found"]:
        raise NotFound(f"store {store_id}")
    people = {r["person_id"]: _blank(r) for r in roster if r["person_id"] is not None}
    unattributed_amount, unattributed_orders = 0.0, 0
    for row in gateway.read(SALES, store_id=store_id):
        if row["person_id"] is None:
            unattributed_amount, unattributed_orders = float(row["amount"]), row["orders"]
            continue
        credit = people.setdefault(row["person_id"], _blank(row))
        credit["sales_amount"], credit["orders"] = float(row["amount"]), row["orders"]
    for row in gateway.read(BROUGHT, store_id=store_id):
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
        total_amount=attributed_amount + unattributed_amount,
        total_orders=attributed_orders + unattributed_orders,
        attributed_amount=attributed_amount,
        attributed_orders=attributed_orders,
        unattributed_amount=unattributed_amount,
        unattributed_orders=unattributed_orders,
        credits=credits,
    )
