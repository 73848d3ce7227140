"""What a store network map holds: nodes, edges, summary nodes (see graph.network)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from graph.paths import IntroductionPath

NodeRole = Literal["store", "staff", "agent", "member", "prospect", "other_store"]
EdgeKind = Literal["works_at", "referral", "home", "aggregate", "knows"]


class NetworkNode(BaseModel):
    id: str = Field(
        description="Person id; `store:<id>` for the store; `aggregate:<role>` for a summary "
        "node; 'someone from another store #n' for a hidden person (graph.access)."
    )
    label: str = Field(description="What the map writes: store name, staff name, person id.")
    role: NodeRole
    staff_role: str | None = Field(None, description="manager | clerk | guide, for staff.")
    influence: float = Field(
        0.0,
        description="Store influence: PageRank within the home store's network (DESIGN.md §5).",
    )
    influence_pct: float | None = Field(
        None, description="Percent of the home store's network with a lower store influence."
    )
    reach1: int = Field(0, description="reach(p, 1): direct referrals.")
    reach3: int = Field(0, description="reach(p, 3): people referred within 3 generations.")
    key: bool = Field(False, description="A key node of the store (DESIGN.md §5 'Key node').")
    key_reasons: list[str] = Field(default_factory=list)
    top_interests: list[str] = Field(
        default_factory=list, description="Up to 3 interest tags, strongest first."
    )
    in_network: bool = Field(
        True,
        description="False for a person of another store drawn because they were highlighted.",
    )
    highlighted: bool = False
    count: int | None = Field(None, description="Summary nodes: how many people they stand for.")
    x: float = Field(0.0, description="Layout position, in [-1, 1].")
    y: float = 0.0


class NetworkEdge(BaseModel):
    source: str
    target: str
    kind: EdgeKind
    weight: int | None = Field(default=None, description="KNOWS tie weight, for `knows` edges.")


class Aggregate(BaseModel):
    """People of one role who are not drawn one by one, shown as one summary node."""

    node_id: str
    role: NodeRole
    count: int


class StoreNetwork(BaseModel):
    """A store's network, ready to draw (see graph.network for what is in it)."""

    store_id: str
    name: str | None
    city: str | None
    version: str = Field(description="Fingerprint of the store network this was drawn from.")
    computed_at: datetime
    people: int = Field(description="People in the store's network, staff included.")
    people_by_role: dict[str, int]
    drawn_people: int = Field(description="People of the network drawn one by one.")
    max_nodes: int
    key_nodes: int = Field(description="Key nodes of the store (drawn or not).")
    aggregated: list[Aggregate] = Field(description="Empty when everyone is drawn.")
    layout: str
    step_seconds: dict[str, float] = Field(
        description="Time taken per step when this was built (not on cache hits)."
    )
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    path: IntroductionPath | None = Field(
        default=None, description="The introduction path highlighted, when one was asked for."
    )
