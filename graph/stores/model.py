"""What a store diagnosis and the HQ overview answer, and the figures both use (definitions in
graph.stores)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from graph.fraud import Flag
from graph.keynodes import KeyNode

Tier = Literal["starter", "growing", "established", "large"]
TIERS: tuple[tuple[int, Tier], ...] = ((100, "starter"), (1000, "growing"), (10000, "established"))
TIER_NAMES: tuple[Tier, ...] = ("starter", "growing", "established", "large")
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


def weekly(since: datetime, counts: list[int]) -> list[WeekCount]:
    """Counts of consecutive 7-day weeks starting at `since`, as WeekCount rows."""
    return [
        WeekCount(
            week_start=since + timedelta(weeks=i),
            week_end=since + timedelta(weeks=i + 1),
            new_people=n,
        )
        for i, n in enumerate(counts)
    ]


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
    figures: dict[str, float] = Field(
        default_factory=dict,
        description="The numbers in `text`, by name, so that a page can word the suggestion "
        "in its own language: start {target}; share_more {customers, missing, target}; "
        "convert {conversion_rate, target, engaged}; activate_members {fission_ratio, "
        "expected, idle}; invite_agents {eligible}; contact_key_nodes {unnoted, days}; "
        "stalled {days}; review_flags "
        "{flags, and the count of each kind: coupon_farm, ring, self_referral}.",
    )


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
    referred_by_members_or_agents: int = Field(description="The fission ratio's numerator.")
    members_or_agents: int = Field(description="The fission ratio's denominator.")
    new_people_4w: int = Field(description="Customers first seen in the 4 weeks before as_of.")
    cascade_depth: int = Field(description="Longest referral chain within the store network.")


class HQOverviewPage(BaseModel):
    as_of: datetime
    sort: str
    descending: bool
    offset: int
    limit: int
    region: str | None = Field(None, description="Only stores of this region, if given.")
    tier: Tier | None = Field(None, description="Only stores of this tier, if given.")
    total: int = Field(description="Stores in the answer (rows across all pages).")
    rows: list[StoreOverviewRow]


class BrandSummary(BaseModel):
    """The whole brand at a glance (sums over the stores of the HQ overview; DESIGN.md §5
    "Store diagnosis" definitions applied to the union of the store networks)."""

    as_of: datetime
    stores: int
    customers: int
    prospects: int
    members: int
    agents: int
    conversion_rate: float = Field(description="members / customers over every store.")
    fission_ratio: float = Field(
        description="Customers referred by a member or agent of their store, over every store, "
        "divided by the members and agents of every store."
    )
    stores_by_tier: dict[Tier, int] = Field(description="Every tier, with 0 when none.")
    regions: list[str] = Field(description="The stores' regions, sorted (for filters).")
    new_people_per_week: list[WeekCount] = Field(
        description="Customers of any store first seen in each of the 8 weeks before as_of."
    )


class ConversionFunnel(BaseModel):
    """The conversion funnel of a store's customers in [start, end) (see graph.stores.funnel)."""

    store_id: str
    start: datetime
    end: datetime = Field(description="Exclusive.")
    visited: int = Field(description="Customers who visited a shared link in the window.")
    claimed_coupon: int = Field(description="Of those, who claimed a coupon in the window.")
    contacted_sales: int = Field(description="Of those, who contacted sales in the window.")
    engaged: int = Field(description="Of those, who claimed a coupon or contacted sales.")
    ordered: int = Field(
        description="Of the engaged, who placed an order (at any store) in the window, at or "
        "after their first coupon claim or sales contact in it."
    )
