"""What a store diagnosis and the HQ overview answer, and the figures both use (definitions in
graph.stores)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from graph.fraud import Flag
from graph.keynodes import KeyNode

Tier = Literal["starter", "growing", "established", "large"]
TIERS: tuple[tuple[int, Tier], ...] = ((100, "starter"), (1000, "growing"), (10000, "established"))
PLAN_PROSPECTS = 100
PLAN_CONVERSION = 0.10
PLAN_BROUGHT_EACH = 10


def tier(customers: int) -> Tier:
    """Store tier by customer count (DESIGN.md §5 "Store diagnosis")."""
    for bound, name in TIERS:
        if customers < bound:
            return name
    return "large"


def ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


class PlanStage(BaseModel):
    """One stage of the 100 -> 10 -> 100 plan (see graph.stores)."""

    stage: Literal["prospects_reached", "new_members", "brought_by_new_members"]
    actual: int
    target: int
    progress: float | None = Field(description="actual / target, capped at 1; null if no target")
    met: bool


def plan_stages(reached: int, new_members: int, brought: int) -> list[PlanStage]:
    """Progress against 100 -> 10 -> 100 (definitions in graph.stores)."""

    def stage(name: Any, actual: int, target: int) -> PlanStage:
        progress = min(actual / target, 1.0) if target else None
        met = bool(target) and actual >= target
        return PlanStage(stage=name, actual=actual, target=target, progress=progress, met=met)

    return [
        stage("prospects_reached", reached, PLAN_PROSPECTS),
        stage("new_members", new_members, round(PLAN_PROSPECTS * PLAN_CONVERSION)),
        stage("brought_by_new_members", brought, PLAN_BROUGHT_EACH * new_members),
    ]


class WeekCount(BaseModel):
    week_start: datetime
    week_end: datetime = Field(description="Exclusive.")
    new_people: int = Field(description="Customers whose first appearance falls in the week.")


class Cascades(BaseModel):
    """The store's referral forest, restricted to its network."""

    trees: int = Field(description="Trees with at least 2 people.")
    people_in_trees: int
    largest_tree_size: int
    max_depth: int = Field(description="Longest referral chain (edges) within the network.")
    structural_virality: float | None = Field(
        description="Size-weighted mean structural virality of the trees with >= 2 people."
    )
    largest_tree_virality: float | None


class StaffActivity(BaseModel):
    person_id: str
    display_name: str | None
    role: str | None
    shares_4w: int = Field(description="Shares in the 4 weeks before the diagnosis time.")


class Suggestion(BaseModel):
    rule: str = Field(description="Which documented rule produced it.")
    text: str
    person_ids: list[str] = Field(description="The people it asks to act on or contact.")


class StoreDiagnosis(BaseModel):
    """DESIGN.md §5 "Store diagnosis" for one store, as of `as_of`."""

    store_id: str
    name: str | None
    city: str | None
    region: str | None
    as_of: datetime
    customers: int
    tier: Tier
    prospects: int
    members: int
    agents: int
    conversion_rate: float
    fission_ratio: float
    referred_by_members_or_agents: int
    members_or_agents: int
    plan: list[PlanStage]
    new_people_per_week: list[WeekCount]
    key_node_count: int
    top_key_nodes: list[KeyNode]
    cascades: Cascades
    staff: list[StaffActivity]
    suggestions: list[Suggestion]
    flags: list[Flag] = Field(
        default_factory=list, description="Fraud flags of the store (graph.fraud)."
    )


class StoreOverviewRow(BaseModel):
    """One store in the HQ overview: the diagnosis figures that are computed for all stores
    at once (definitions as in the diagnosis)."""

    store_id: str
    name: str | None
    city: str | None
    region: str | None
    customers: int
    tier: Tier
    prospects: int
    members: int
    agents: int
    conversion_rate: float
    fission_ratio: float
    new_people_4w: int = Field(description="Customers first seen in the 4 weeks before as_of.")
    cascade_depth: int = Field(description="Longest referral chain within the store network.")


class HQOverviewPage(BaseModel):
    as_of: datetime
    sort: str
    descending: bool
    offset: int
    limit: int
    total: int = Field(description="Stores in the answer (rows across all pages).")
    rows: list[StoreOverviewRow]
