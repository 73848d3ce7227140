"""Store diagnosis and the HQ overview (DESIGN.md §5 "Store diagnosis").

A store's network is the people whose HOME is the store; its customers are the non-staff among
them. Where DESIGN.md leaves room, the definitions are (and the API serves exactly these):

- tier by customers: starter < 100 <= growing < 1000 <= established < 10000 <= large;
- prospects = customers who are not members; conversion rate = members / customers (0 without
  customers);
- fission ratio = customers whose referrer is a member or agent customer of the same store,
  divided by the store's members and agents (counted once each); 0 when there are none;
- the 100 -> 10 -> 100 plan, three stages, each with its actual figure and target:
  1. `prospects_reached`: customers the programme brought in (all but imported members), target
     100;
  2. `new_members`: of those, the ones who became members (a paid order), target 10 (10% of
     the first stage's 100);
  3. `brought_by_new_members`: customers a new member referred after becoming a member, target
     10 per new member (no target, so no progress, while there are no new members);
- new people per week: customers whose first appearance falls in each of the 8 seven-day
  weeks before `now` (oldest first; staff are not new people);
- cascades: the referral forest restricted to the store network (REFERRED edges whose two
  people both belong to it); `max_depth` = its longest chain; `structural_virality` = the mean
  of the trees' structural virality (DESIGN.md §5 "Structural virality") over the trees with
  at least 2 people, each weighted by its number of people, so big cascades dominate and many
  one-referral trees (virality 1) do not hide them; the largest tree's own virality is given
  beside it;
- suggestions: the rules in `suggestions()`, in that order, each naming the people to act on.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from fission.errors import InvalidInput, NotFound
from graph.gateway import Gateway
from graph.keynodes import KeyNode, key_nodes
from graph.queries import cypher
from graph.reach import structural_virality

SUMMARY = cypher("stores/summary")
REFERRAL_EDGES = cypher("stores/referral_edges")
STAFF_ACTIVITY = cypher("stores/staff_activity")
SUGGESTION_PEOPLE = cypher("stores/suggestion_people")
OVERVIEW = cypher("stores/overview")
NETWORKS = cypher("stores/networks")
REFERRAL_FOREST = cypher("stores/referral_forest")

Tier = Literal["starter", "growing", "established", "large"]
TIERS: tuple[tuple[int, Tier], ...] = ((100, "starter"), (1000, "growing"), (10000, "established"))
PLAN_PROSPECTS = 100
PLAN_CONVERSION = 0.10
PLAN_BROUGHT_EACH = 10
WEEKS = 8
OVERVIEW_WEEKS = 4
STAFF_ACTIVITY_DAYS = 28
STALLED_DAYS = 14
NOTED_DAYS = 14  # as for recommended contacts: a key node noted in the last 14 days is in hand
LOW_FISSION_RATIO = 1.0
TOP_KEY_NODES = 10
NAMED = 5  # people named per suggestion


def tier(customers: int) -> Tier:
    """Store tier by customer count (DESIGN.md §5 "Store diagnosis")."""
    for bound, name in TIERS:
        if customers < bound:
            return name
    return "large"


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _as_of(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise InvalidInput("now must be timezone-aware")
    return now


class PlanStage(BaseModel):
    """One stage of the 100 -> 10 -> 100 plan (see the module docstring)."""

    stage: Literal["prospects_reached", "new_members", "brought_by_new_members"]
    actual: int
    target: int
    progress: float | None = Field(description="actual / target, capped at 1; null if no target")
    met: bool


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


def plan_stages(reached: int, new_members: int, brought: int) -> list[PlanStage]:
    """Progress against 100 -> 10 -> 100 (definitions in the module docstring)."""

    def stage(name: Any, actual: int, target: int) -> PlanStage:
        progress = min(actual / target, 1.0) if target else None
        met = bool(target) and actual >= target
        return PlanStage(stage=name, actual=actual, target=target, progress=progress, met=met)

    return [
        stage("prospects_reached", reached, PLAN_PROSPECTS),
        stage("new_members", new_members, round(PLAN_PROSPECTS * PLAN_CONVERSION)),
        stage("brought_by_new_members", brought, PLAN_BROUGHT_EACH * new_members),
    ]


def cascades(edges: Sequence[tuple[str, str]]) -> Cascades:
    """Trees, depth and structural virality of a referral forest given as (parent, child)
    edges (definitions in the module docstring)."""
    children: dict[str, list[str]] = defaultdict(list)
    has_parent: set[str] = set()
    for parent, child in edges:
        children[parent].append(child)
        has_parent.add(child)
    roots = sorted(p for p in children if p not in has_parent)
    sizes: list[int] = []
    viralities: list[float] = []
    max_depth = 0
    for root in roots:
        tree: list[tuple[str, str]] = []
        queue = deque([(root, 0)])
        while queue:
            node, depth = queue.popleft()
            max_depth = max(max_depth, depth)
            for child in children.get(node, ()):
                tree.append((node, child))
                queue.append((child, depth + 1))
        sizes.append(len(tree) + 1)
        viralities.append(structural_virality(tree) or 0.0)  # a tree here has >= 2 people
    weighted = sum(n * v for n, v in zip(sizes, viralities, strict=True))
    largest = max(range(len(sizes)), key=lambda i: (sizes[i], -i)) if sizes else None
    return Cascades(
        trees=len(sizes),
        people_in_trees=sum(sizes),
        largest_tree_size=sizes[largest] if largest is not None else 0,
        max_depth=max_depth,
        structural_virality=weighted / sum(sizes) if sizes else None,
        largest_tree_virality=viralities[largest] if largest is not None else None,
    )


def _names(ids: Sequence[str]) -> str:
    return ", ".join(ids)


def suggestions(
    d: StoreDiagnosis, people: dict[str, Any], staff_idle: list[str]
) -> list[Suggestion]:
    """Plain-language suggestions from the diagnosis figures, by these rules in order:

    1. `start` — no customers: every staff member should start sharing (names the staff).
    2. `share_more` — starter tier with customers: staff should share more to reach 100
       prospects (names the staff who shared nothing in the last 4 weeks).
    3. `convert` — conversion below 10%: follow up the prospects who engaged (claimed a coupon,
       contacted sales, joined a group buy) but have not bought, latest first.
    4. `activate_members` — members or agents exist and the fission ratio is below 1 referred
       customer each: ask those who have referred nobody to share (highest store influence,
       then spend, first).
    5. `contact_key_nodes` — key nodes no staff member of the store noted as contacted or
       visited in the last 14 days.
    6. `stalled` — customers but nobody new in the last 2 weeks.
    7. `broadcast_only` — cascades exist but none goes past the first generation (depth 1):
       shares reach direct contacts only, nobody re-shares.
    8. `on_track` — none of the above applies.
    """
    out: list[Suggestion] = []
    if d.customers == 0:
        out.append(
            Suggestion(
                rule="start",
                text="No customers in this store's network yet. Every staff member should "
                "share a coupon, red packet or group buy from the mini program to bring in "
                f"the first {PLAN_PROSPECTS} prospects.",
                person_ids=[s.person_id for s in d.staff],
            )
        )
    elif d.tier == "starter":
        missing = PLAN_PROSPECTS - d.customers
        idle = (
            f" Shared nothing in the last 4 weeks: {_names(staff_idle)}."
            if staff_idle
            else " Every staff member shared in the last 4 weeks; share more often."
        )
        out.append(
            Suggestion(
                rule="share_more",
                text=f"Starter store: {d.customers} customers, {missing} short of "
                f"{PLAN_PROSPECTS}. Staff should share more content into their circles.{idle}",
                person_ids=staff_idle,
            )
        )
    if d.customers and d.conversion_rate < PLAN_CONVERSION:
        engaged = people["engaged"]
        follow = (
            f" {people['engaged_count']} prospects engaged but have not bought; follow up "
            f"first: {_names(engaged)}."
            if engaged
            else " No prospect has engaged yet: share coupons and group buys."
        )
        out.append(
            Suggestion(
                rule="convert",
                text=f"Conversion is {d.conversion_rate:.1%}, below the "
                f"{PLAN_CONVERSION:.0%} target.{follow}",
                person_ids=engaged,
            )
        )
    if d.members_or_agents and d.fission_ratio < LOW_FISSION_RATIO:
        idle = people["idle"]
        who = (
            f" {people['idle_count']} have referred nobody yet; ask them to share: {_names(idle)}."
            if idle
            else ""
        )
        out.append(
            Suggestion(
                rule="activate_members",
                text=f"Low fission: members and agents brought {d.fission_ratio:.2f} "
                f"customers each (the plan expects ~{PLAN_BROUGHT_EACH} per new member).{who}",
                person_ids=idle,
            )
        )
    unnoted = people["unnoted_key_nodes"]
    if unnoted:
        out.append(
            Suggestion(
                rule="contact_key_nodes",
                text=f"{len(unnoted)} key nodes were not contacted or visited by the store in "
                f"the last {NOTED_DAYS} days; reach them through their introduction paths: "
                f"{_names(unnoted[:NAMED])}.",
                person_ids=unnoted[:NAMED],
            )
        )
    recent = d.new_people_per_week[-(STALLED_DAYS // 7) :]
    if d.customers and not sum(w.new_people for w in recent):
        out.append(
            Suggestion(
                rule="stalled",
                text=f"Nobody new joined in the last {STALLED_DAYS} days: start a new "
                "campaign (group buy or red packet) and ask key nodes to pass it on.",
                person_ids=[],
            )
        )
    if d.cascades.trees and d.cascades.max_depth <= 1:
        out.append(
            Suggestion(
                rule="broadcast_only",
                text="Shares reach direct contacts only (cascade depth 1): nobody re-shares. "
                "Use content that rewards passing it on, such as group buys and red packets.",
                person_ids=[],
            )
        )
    if not out:
        out.append(
            Suggestion(
                rule="on_track",
                text="On track: keep sharing, keep converting engaged prospects, and keep "
                "members bringing their friends.",
                person_ids=[],
            )
        )
    return out


def store_diagnosis(gateway: Gateway, store_id: str, now: datetime | None = None) -> StoreDiagnosis:
    """DESIGN.md §5 "Store diagnosis" of one store as of `now` (default: the current time).

    Unknown store -> NotFound; a store without customers is a normal answer (zeros, tier
    starter, a suggestion to start). Key nodes come from `graph.keynodes.key_nodes` (which
    reads the influence stored by the last refresh); see the module docstring for the exact
    definitions.
    """
    now = _as_of(now)
    since = now - timedelta(weeks=WEEKS)
    rows = gateway.read("stores/summary", store_id=store_id, since=since, now=now)
    if not rows:
        raise NotFound(f"store {store_id}")
    head = rows[0]
    weeks = [0] * WEEKS
    for index in head["weeks"]:
        weeks[index] += 1
    edges = [
        (r["parent"], r["child"]) for r in gateway.read("stores/referral_edges", store_id=store_id)
    ]
    staff = [
        StaffActivity(
            person_id=r["person_id"],
            display_name=r["display_name"],
            role=r["role"],
            shares_4w=r["shares"],
        )
        for r in gateway.read(
            "stores/staff_activity",
            store_id=store_id,
            since=now - timedelta(days=STAFF_ACTIVITY_DAYS),
            now=now,
        )
    ]
    keys = key_nodes(gateway, store_id)
    people = gateway.read(
        "stores/suggestion_people",
        store_id=store_id,
        key_ids=[k.person_id for k in keys],
        noted_since=now - timedelta(days=NOTED_DAYS),
        now=now,
        limit=NAMED,
    )[0]
    customers, members = head["customers"], head["members"]
    diagnosis = StoreDiagnosis(
        store_id=head["store_id"],
        name=head["name"],
        city=head["city"],
        region=head["region"],
        as_of=now,
        customers=customers,
        tier=tier(customers),
        prospects=customers - members,
        members=members,
        agents=head["agents"],
        conversion_rate=_ratio(members, customers),
        fission_ratio=_ratio(head["referred_by_members_or_agents"], head["members_or_agents"]),
        referred_by_members_or_agents=head["referred_by_members_or_agents"],
        members_or_agents=head["members_or_agents"],
        plan=plan_stages(head["reached"], head["new_members"], head["brought_by_new"]),
        new_people_per_week=[
            WeekCount(
                week_start=since + timedelta(weeks=i),
                week_end=since + timedelta(weeks=i + 1),
                new_people=n,
            )
            for i, n in enumerate(weeks)
        ],
        key_node_count=len(keys),
        top_key_nodes=keys[:TOP_KEY_NODES],
        cascades=cascades(edges),
        staff=staff,
        suggestions=[],
    )
    idle_staff = [s.person_id for s in staff if s.shares_4w == 0]
    diagnosis.suggestions = suggestions(diagnosis, people, idle_staff)
    return diagnosis


# ----------------------------------------------------------------------------- HQ overview


class StoreOverviewRow(BaseModel):
    """One store in the HQ overview: the diagnosis figures that are computed for all stores
    at once (definitions as in `store_diagnosis`)."""

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
    total: int = Field(description="Stores in the brand (rows across all pages).")
    rows: list[StoreOverviewRow]


SORTS: dict[str, Callable[[StoreOverviewRow], Any]] = {
    "store_id": lambda r: r.store_id,
    "name": lambda r: r.name or "",
    "customers": lambda r: r.customers,
    "tier": lambda r: r.customers,  # tiers are bands of customers
    "prospects": lambda r: r.prospects,
    "members": lambda r: r.members,
    "agents": lambda r: r.agents,
    "conversion_rate": lambda r: r.conversion_rate,
    "fission_ratio": lambda r: r.fission_ratio,
    "new_people_4w": lambda r: r.new_people_4w,
    "cascade_depth": lambda r: r.cascade_depth,
}
MAX_PAGE = 1000


def cascade_depths(gateway: Gateway) -> dict[str, int]:
    """Every store's cascade depth: the longest referral chain whose people all belong to the
    store's network (as `store_diagnosis` computes it for one store).

    Reads the whole forest and every network in two scans and finds all depths at once:
    walking the chains in Cypher reads every person's relationships twice, about 5x slower.
    """
    networks = gateway.read("stores/networks")
    forest = gateway.read("stores/referral_forest")[0]
    people = pd.Series(
        np.repeat(np.arange(len(networks)), [len(n["people"]) for n in networks]),
        index=[p for n in networks for p in n["people"]],
    )
    store = people.reindex(forest["parents"]).to_numpy()
    inside = store == people.reindex(forest["children"]).to_numpy()  # NaN (no home) never equal
    codes, names = pd.factorize(
        pd.Series(forest["parents"] + forest["children"], dtype=object)[np.tile(inside, 2)]
    )
    parent = np.full(len(names), -1)
    parent[codes[len(codes) // 2 :]] = codes[: len(codes) // 2]
    # depth(child) = depth(parent) + 1 along in-store edges; a forest settles in depth steps.
    depth = np.zeros(len(names), dtype=np.int64)
    has_parent = parent >= 0
    for _ in range(len(names)):
        deeper = np.where(has_parent, depth[parent] + 1, 0)
        if np.array_equal(deeper, depth):
            break
        depth = deeper
    by_store = pd.Series(depth).groupby(people.reindex(names).to_numpy()).max()
    return {n["store_id"]: int(by_store.get(i, 0)) for i, n in enumerate(networks)}


def hq_overview(
    gateway: Gateway,
    now: datetime | None = None,
    sort: str = "customers",
    descending: bool = True,
    offset: int = 0,
    limit: int = 50,
) -> HQOverviewPage:
    """All stores with their set-wise diagnosis figures (DESIGN.md §5 "Store diagnosis").

    Three set-wise queries compute every store's row (not a loop over `store_diagnosis`): the
    head counts in Cypher, and the cascade depths from one scan of the forest; the page
    is then sorted by `sort` (one of `SORTS`, else InvalidInput; ties by store id) and cut at
    `offset`/`limit` (at most 1000 rows a page). Key-node counts are left out: they need
    reach(p, 3) of every customer of every store, a walk as costly as the rest together; the
    store diagnosis has them.
    """
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}; got {sort!r}")
    if offset < 0:
        raise InvalidInput("offset must be >= 0")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    now = _as_of(now)
    rows = gateway.read("stores/overview", since=now - timedelta(weeks=OVERVIEW_WEEKS), now=now)
    depths = cascade_depths(gateway)
    stores = [
        StoreOverviewRow(
            store_id=r["store_id"],
            name=r["name"],
            city=r["city"],
            region=r["region"],
            customers=r["customers"],
            tier=tier(r["customers"]),
            prospects=r["customers"] - r["members"],
            members=r["members"],
            agents=r["agents"],
            conversion_rate=_ratio(r["members"], r["customers"]),
            fission_ratio=_ratio(r["referred_by_members_or_agents"], r["members_or_agents"]),
            new_people_4w=r["new_people"],
            cascade_depth=depths.get(r["store_id"], 0),
        )
        for r in rows
    ]
    stores.sort(key=lambda r: r.store_id)
    stores.sort(key=SORTS[sort], reverse=descending)
    return HQOverviewPage(
        as_of=now,
        sort=sort,
        descending=descending,
        offset=offset,
        limit=limit,
        total=len(stores),
        rows=stores[offset : offset + limit],
    )


__all__ = [
    "HQOverviewPage", "StoreDiagnosis", "StoreOverviewRow", "cascades", "hq_overview",
    "plan_stages", "store_diagnosis", "suggestions", "tier",
]  # fmt: skip
