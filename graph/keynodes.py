"""Key nodes of a store's network (DESIGN.md §5 "Key node").

A key node is a customer (a non-staff person whose home is the store) who is among the
⌈top_share⌉ highest store influence of the store's customers (ties included), or who reaches
at least `min_reach3` people within 3 generations of the referral forest. The two thresholds
come from the settings (`FISSION_KEY_NODE_TOP_SHARE`, `FISSION_KEY_NODE_MIN_REACH3`) through
`KeyNodeRule.from_settings`, so every answer that names key nodes uses the same ones; the
rule itself is written once, in `cypher/keynodes/store.cypher`. Store influence is the stored
`Person.store_influence`, so `graph.influence.refresh_influence` must have run after the last
load; people never scored count as 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

from fission.errors import InvalidInput, NotFound
from fission.settings import Settings
from graph.gateway import Gateway, Reader, Row, Tx
from graph.queries import query

STORE_KEY_NODES = query("keynodes/store")
PERSON_KEY_NODE = query("keynodes/person")


@dataclass(frozen=True)
class KeyNodeRule:
    """The two thresholds of DESIGN.md §5 "Key node"."""

    top_share: float
    min_reach3: int

    def __post_init__(self) -> None:
        if not 0 < self.top_share <= 1:
            raise InvalidInput("top_share must be in (0, 1]")
        if self.min_reach3 < 1:
            raise InvalidInput("min_reach3 must be at least 1")

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyNodeRule:
        return cls(settings.key_node_top_share, settings.key_node_min_reach3)


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


def _key_node(row: Row, store_id: str, customers: int, rule: KeyNodeRule) -> KeyNode:
    high_reach = row["reach3"] >= rule.min_reach3
    reasons = []
    if row["top"]:
        reasons.append(
            f"top {rule.top_share * 100:g}% influence in store (rank {row['rank']} of {customers})"
        )
    if high_reach:
        people = "person" if row["reach3"] == 1 else "people"
        reasons.append(f"reaches {row['reach3']} {people} within 3 generations")
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
    rule: KeyNodeRule | None = None,
) -> list[KeyNode]:
    """The store's key nodes (DESIGN.md §5 "Key node"), highest store influence first.

    `rule` defaults to the settings' thresholds. Reads stored store influence: run
    `refresh_influence` after loads. Unknown store -> NotFound; a store without customers has
    none.
    """
    return key_nodes_in(gateway, store_id, rule or KeyNodeRule.from_settings(gateway.settings))


def key_nodes_in(reader: Reader, store_id: str, rule: KeyNodeRule) -> list[KeyNode]:
    """`key_nodes` with the rule given, also inside a read transaction that runs other queries
    (recommendations)."""
    row = reader.read(
        STORE_KEY_NODES, store_id=store_id, top_share=rule.top_share, min_reach3=rule.min_reach3
    )[0]
    if not row["found"]:
        raise NotFound(f"store {store_id}")
    return [_key_node(node, store_id, row["customers"], rule) for node in row["nodes"]]


def key_node(
    gateway: Gateway, store_id: str, person_id: str, rule: KeyNodeRule | None = None
) -> KeyNode | None:
    """One person as a key node of the store (ranked among all its customers), or None when
    they are not one (staff, another store's, unknown, or below both thresholds): the entry
    `key_nodes` would have for them, without ranking the whole store. Unknown store ->
    NotFound."""
    rule = rule or KeyNodeRule.from_settings(gateway.settings)
    return gateway.read_tx(lambda tx: key_node_in(tx, store_id, person_id, rule))


def key_node_in(tx: Tx, store_id: str, person_id: str, rule: KeyNodeRule) -> KeyNode | None:
    """`key_node` inside a read transaction that also runs other queries (a profile)."""
    row = tx.run(
        PERSON_KEY_NODE,
        store_id=store_id,
        person_id=person_id,
        top_share=rule.top_share,
        min_reach3=rule.min_reach3,
    )[0]
    if not row["found"]:
        raise NotFound(f"store {store_id}")
    nodes = [_key_node(node, store_id, row["customers"], rule) for node in row["nodes"]]
    return nodes[0] if nodes else None
