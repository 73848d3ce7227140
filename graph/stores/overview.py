"""The HQ overview: every store's diagnosis figures at once (DESIGN.md §5 "Store diagnosis";
definitions in graph.stores), sorted and paged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from fission.errors import InvalidInput
from graph.clock import as_of
from graph.gateway import Gateway
from graph.queries import query
from graph.stores.diagnosis import REFERRAL_EDGES, cascades
from graph.stores.model import HQOverviewPage, StoreOverviewRow, ratio, tier

OVERVIEW = query("stores/overview")
NETWORKS = query("stores/networks")
REFERRAL_FOREST = query("stores/referral_forest")

OVERVIEW_WEEKS = 4
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
    networks = gateway.read(NETWORKS)
    forest = gateway.read(REFERRAL_FOREST)[0]
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
    limit: int | None = 50,
    store_id: str | None = None,
) -> HQOverviewPage:
    """All stores (or, with `store_id`, that one) with their set-wise diagnosis figures
    (DESIGN.md §5 "Store diagnosis").

    Set-wise queries compute every store's row (not a loop over `store_diagnosis`): the head
    counts in Cypher, and the cascade depths from one scan of the forest; the rows are then
    sorted by `sort` (one of `SORTS`, else InvalidInput; ties by store id) and cut at
    `offset`/`limit` (at most 1000 rows a page; None: every row, for the HQ page). Key-node
    counts are left out: they need reach(p, 3) of every customer of every store, a walk as
    costly as the rest together; the store diagnosis has them.
    """
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}; got {sort!r}")
    if offset < 0:
        raise InvalidInput("offset must be >= 0")
    if limit is not None and not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    now = as_of(now)
    rows = gateway.read(
        OVERVIEW, since=now - timedelta(weeks=OVERVIEW_WEEKS), now=now, store_id=store_id
    )
    if store_id is None:
        depths = cascade_depths(gateway)
    else:
        edges = gateway.read(REFERRAL_EDGES, store_id=store_id)
        depths = {store_id: cascades([(r["parent"], r["child"]) for r in edges]).max_depth}
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
            conversion_rate=ratio(r["members"], r["customers"]),
            fission_ratio=ratio(r["referred_by_members_or_agents"], r["members_or_agents"]),
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
        limit=limit if limit is not None else len(stores),
        total=len(stores),
        rows=stores[offset : offset + limit] if limit is not None else stores[offset:],
    )
