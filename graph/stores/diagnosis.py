"""One store's diagnosis (DESIGN.md §5 "Store diagnosis"; definitions in graph.stores)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from fission.errors import NotFound
from graph.clock import as_of
from graph.forest import Forest, structural_virality
from graph.fraud import store_flags
from graph.gateway import Gateway
from graph.keynodes import key_nodes
from graph.queries import query
from graph.stores.model import (
    Cascades,
    StaffActivity,
    StoreDiagnosis,
    plan_stages,
    ratio,
    tier,
    weekly,
)
from graph.stores.suggestions import INVITE_MIN_REACH3, NAMED, NOTED_DAYS, suggestions
from graph.value.candidates import agent_candidates

SUMMARY = query("stores/summary")
REFERRAL_EDGES = query("stores/referral_edges")
STAFF_ACTIVITY = query("stores/staff_activity")
SUGGESTION_PEOPLE = query("stores/suggestion_people")

WEEKS = 8
STAFF_ACTIVITY_DAYS = 28
TOP_KEY_NODES = 10


def cascades(edges: Sequence[tuple[str, str]]) -> Cascades:
    """Trees, depth and structural virality of a referral forest given as (parent, child)
    edges (definitions in graph.stores)."""
    forest = Forest(edges)
    sizes: list[int] = []
    viralities: list[float] = []
    max_depth = 0
    for root in forest.roots:
        walked = list(forest.walk(root))
        tree = [(parent, node) for node, parent, _ in walked if parent is not None]
        max_depth = max(max_depth, walked[-1][2])  # breadth first: the deepest comes last
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


def store_diagnosis(gateway: Gateway, store_id: str, now: datetime | None = None) -> StoreDiagnosis:
    """DESIGN.md §5 "Store diagnosis" of one store as of `now` (default: the current time).

    Unknown store -> NotFound; a store without customers is a normal answer (zeros, tier
    starter, a suggestion to start). Key nodes come from `graph.keynodes.key_nodes` (which
    reads the influence stored by the last refresh); see graph.stores for the exact
    definitions.
    """
    now = as_of(now)
    since = now - timedelta(weeks=WEEKS)
    rows = gateway.read(SUMMARY, store_id=store_id, since=since, now=now)
    if not rows:
        raise NotFound(f"store {store_id}")
    head = rows[0]
    weeks = [0] * WEEKS
    for index in head["weeks"]:
        weeks[index] += 1
    edges = [(r["parent"], r["child"]) for r in gateway.read(REFERRAL_EDGES, store_id=store_id)]
    staff = [
        StaffActivity(
            person_id=r["person_id"],
            display_name=r["display_name"],
            role=r["role"],
            shares_4w=r["shares"],
        )
        for r in gateway.read(
            STAFF_ACTIVITY,
            store_id=store_id,
            since=now - timedelta(days=STAFF_ACTIVITY_DAYS),
            now=now,
        )
    ]
    keys = key_nodes(gateway, store_id)
    people = gateway.read(
        SUGGESTION_PEOPLE,
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
        conversion_rate=ratio(members, customers),
        fission_ratio=ratio(head["referred_by_members_or_agents"], head["members_or_agents"]),
        referred_by_members_or_agents=head["referred_by_members_or_agents"],
        members_or_agents=head["members_or_agents"],
        plan=plan_stages(head["reached"], head["new_members"], head["brought_by_new"]),
        new_people_per_week=weekly(since, weeks),
        key_node_count=len(keys),
        top_key_nodes=keys[:TOP_KEY_NODES],
        cascades=cascades(edges),
        staff=staff,
        suggestions=[],
        flags=store_flags(gateway, store_id).flags,
    )
    idle_staff = [s.person_id for s in staff if s.shares_4w == 0]
    invite = agent_candidates(gateway, store_id, limit=NAMED, min_reach3=INVITE_MIN_REACH3)
    diagnosis.suggestions = suggestions(diagnosis, people, idle_staff, invite)
    return diagnosis
