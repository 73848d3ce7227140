"""Key nodes of a store's network (DESIGN.md §5 "Key node").

A key node is a customer (a non-staff person whose home is the store) who is among the
⌈top_share⌉ highest store influence of the store's customers (ties included), or who reaches
at least `min_reach3` people within 3 generations of the referral forest. Store influence is
the stored `Person.store_influence`, so `graph.influence.refresh_influence` must have run
after the last load; people never scored count as 0.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from fission.errors import InvalidInput, NotFound
from graph.gateway import Gateway, Row
from graph.queries import cypher

STORE_KEY_NODES = cypher("keynodes/store")

TOP_SHARE = 0.01
MIN_REACH3 = 10


class KeyNode(BaseModel):
    """A customer who qualifies as a key node, with every reason that applies."""

    person_id: str
    store_id: str
    influence: float = Field(description="Store influence: PageRank within the store network.")
    brand_influence: float = Field(description="Brand-wide PageRank.")
    influence_pct: float | None = Field(
        description="Percent of the store's network with a lower store influence."
    )
    influence_rank: int = Field(description="1 + customers of the store with higher influence.")
    customers: int = Field(description="Customers in the store's network.")
    reach3: int = Field(description="reach(p, 3): people referred within 3 generations.")
    top_influence: bool = Field(description="Qualifies by influence rank.")
    high_reach: bool = Field(description="Qualifies by reach(p, 3).")
    member: bool
    agent: bool
    reasons: list[str]


def influence_reason(top_share: float, rank: int, customers: int) -> str:
    return f"top {top_share * 100:g}% influence in store (rank {rank} of {customers})"


def reach_reason(reach3: int) -> str:
    return f"reaches {reach3} {'person' if reach3 == 1 else 'people'} within 3 generations"


def _key_node(
    row: Row, store_id: str, customers: int, top_share: float, min_reach3: int
) -> KeyNode:
    high_reach = row["reach3"] >= min_reach3
    reasons = []
    if row["top"]:
        reasons.append(influence_reason(top_share, row["rank"], customers))
    if high_reach:
        reasons.append(reach_reason(row["reach3"]))
    return KeyNode(
        person_id=row["id"],
        store_id=store_id,
        influence=row["store_influence"],
        brand_influence=row["influence"],
        influence_pct=row["store_influence_pct"],
        influence_rank=row["rank"],
        customers=customers,
        reach3=row["reach3"],
        top_influence=row["top"],
        high_reach=high_reach,
        member=row["member"],
        agent=row["agent"],
        reasons=reasons,
    )


def key_nodes(
    gateway: Gateway,
    store_id: str,
    top_share: float = TOP_SHARE,
    min_reach3: int = MIN_REACH3,
) -> list[KeyNode]:
    """The store's key nodes (DESIGN.md §5 "Key node"), highest store influence first.

    `top_share` (default 1%) and `min_reach3` (default 10) are the two thresholds. Reads stored
    store influence: run `refresh_influence` after loads. Unknown store -> NotFound; a store
    without customers has none.
    """
    if not 0 < top_share <= 1:
        raise InvalidInput("top_share must be in (0, 1]")
    if min_reach3 < 1:
        raise InvalidInput("min_reach3 must be at least 1")
    row = gateway.read_text(
        STORE_KEY_NODES, store_id=store_id, top_share=top_share, min_reach3=min_reach3
    )[0]
    if not row["found"]:
        raise NotFound(f"store {store_id}")
    return [
        _key_node(node, store_id, row["customers"], top_share, min_reach3) for node in row["nodes"]
    ]
