"""The HQ overview: every store's diagnosis figures at once (DESIGN.md §5 "Store diagnosis";
definitions in graph.stores), sorted and paged."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from fission.errors import FissionError, InvalidInput
from graph import Defer
from graph.clock import as_of, aware
from graph.gateway import Gateway, Row
from graph.queries import query
from graph.stores.diagnosis import REFERRAL_EDGES, WEEKS, cascades
from graph.stores.model import (
    TIER_NAMES,
    BrandSummary,
    HQOverviewPage,
    StoreOverviewRow,
    Tier,
    ratio,
    tier,
    weekly,
)

log = logging.getLogger("fission.overview")

OVERVIEW = query("stores/overview")
NETWORKS = query("stores/networks")
REFERRAL_FOREST = query("stores/referral_forest")
BRAND_FINGERPRINT = query("stores/brand_fingerprint")
BRAND_WEEKS = query("stores/brand_weeks")
READ_OVERVIEW = query("stores/read_overview")
WRITE_OVERVIEW = query("stores/write_overview")

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


@dataclass(frozen=True)
class _Overview:
    """Every store's overview row and the brand's weekly new people, as of one time."""

    as_of: datetime
    rows: list[StoreOverviewRow]
    weeks: list[int]


class OverviewRefresh(BaseModel):
    """What `refresh_store_overview` stored."""

    as_of: datetime
    stores: int
    seconds: float


# One brand-wide recomputation at a time per process: HQ requests arriving while the stored
# overview is stale wait for it rather than each computing it again.
_refreshing = threading.Lock()


def _row(r: Row) -> StoreOverviewRow:
    return StoreOverviewRow(
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
        referred_by_members_or_agents=r["referred_by_members_or_agents"],
        members_or_agents=r["members_or_agents"],
        new_people_4w=r["new_people"],
        cascade_depth=r["cascade_depth"],
    )


def _figures(gateway: Gateway, now: datetime, store_id: str | None) -> list[Row]:
    """The overview figures computed live: every store's, or `store_id`'s."""
    rows = gateway.read(
        OVERVIEW, since=now - timedelta(weeks=OVERVIEW_WEEKS), now=now, store_id=store_id
    )
    if store_id is None:
        depths = cascade_depths(gateway)
    else:
        edges = gateway.read(REFERRAL_EDGES, store_id=store_id)
        depths = {store_id: cascades([(r["parent"], r["child"]) for r in edges]).max_depth}
    return [{**r, "cascade_depth": depths.get(r["store_id"], 0)} for r in rows]


def _weeks(gateway: Gateway, now: datetime) -> list[int]:
    weeks = [0] * WEEKS
    for row in gateway.read(BRAND_WEEKS, since=now - timedelta(weeks=WEEKS), now=now):
        weeks[row["week"]] = row["people"]
    return weeks


def _fingerprint(gateway: Gateway) -> str:
    return json.dumps(gateway.read(BRAND_FINGERPRINT)[0], sort_keys=True)


def _stored(gateway: Gateway, fingerprint: str) -> tuple[_Overview, bool] | None:
    """The stored overview and whether it is current: of the brand as it is now (same
    fingerprint) and younger than `hq_overview_max_age_seconds`. None when there is none, or it
    is incomplete (a store created since)."""
    stored = gateway.read(READ_OVERVIEW)[0]
    if stored["as_of"] is None or any(r["customers"] is None for r in stored["rows"]):
        return None
    age = datetime.now(UTC) - stored["computed_at"]
    current = (
        stored["fingerprint"] == fingerprint
        and age.total_seconds() <= gateway.settings.hq_overview_max_age_seconds
    )
    overview = _Overview(
        as_of=stored["as_of"], rows=[_row(r) for r in stored["rows"]], weeks=stored["weeks"]
    )
    return overview, current


def _store(gateway: Gateway, now: datetime | None) -> tuple[_Overview, float]:
    started = time.perf_counter()
    fingerprint = _fingerprint(gateway)  # read first: a change while computing shows next time
    now = as_of(now)
    figures = _figures(gateway, now, None)
    weeks = _weeks(gateway, now)
    gateway.write(
        WRITE_OVERVIEW,
        rows=figures,
        as_of=now,
        computed_at=datetime.now(UTC),
        fingerprint=fingerprint,
        weeks=weeks,
    )
    overview = _Overview(as_of=now, rows=[_row(r) for r in figures], weeks=weeks)
    return overview, time.perf_counter() - started


def refresh_store_overview(gateway: Gateway, now: datetime | None = None) -> OverviewRefresh:
    """Computes every store's overview row (and the brand's new people per week) as of `now`
    (default: the current time) and stores them, so that HQ pages read them in one query.
    Run after loads, derivation and influence refreshes (the CLI and `fission watch` do);
    `hq_overview` also refreshes them itself when the brand's counts changed since."""
    with _refreshing:
        overview, seconds = _store(gateway, now)
    return OverviewRefresh(as_of=overview.as_of, stores=len(overview.rows), seconds=seconds)


def _brand(gateway: Gateway, now: datetime | None, defer: Defer | None = None) -> _Overview:
    """Every store's row and the brand's weekly new people: computed as of `now`, or (without
    `now`) the stored overview, recomputed and stored first when it is not current (see
    `_stored`). With `defer`, a stored overview that is not current is answered as it is and
    handed to `defer` to be recomputed after the answer."""
    if now is not None:
        now = aware(now, "now")
        return _Overview(
            as_of=now,
            rows=[_row(r) for r in _figures(gateway, now, None)],
            weeks=_weeks(gateway, now),
        )
    found = _stored(gateway, _fingerprint(gateway))
    if found is not None and (found[1] or defer is not None):
        if not found[1] and defer is not None:
            defer(_refresh_unless_current, gateway)
        return found[0]
    with _refreshing:
        found = _stored(gateway, _fingerprint(gateway))  # another request may have refreshed
        return found[0] if found is not None and found[1] else _store(gateway, None)[0]


def _refresh_unless_current(gateway: Gateway) -> None:
    """A deferred recomputation: skipped when another one stored a current overview first; a
    failure is logged (the rows already served stand; the next request tries again)."""
    try:
        with _refreshing:
            found = _stored(gateway, _fingerprint(gateway))
            if found is None or not found[1]:
                _store(gateway, None)
    except FissionError:
        log.warning("the HQ overview could not be recomputed", exc_info=True)


def hq_overview(
    gateway: Gateway,
    now: datetime | None = None,
    sort: str = "customers",
    descending: bool = True,
    offset: int = 0,
    limit: int | None = 50,
    store_id: str | None = None,
    region: str | None = None,
    tier_name: Tier | None = None,
    defer: Defer | None = None,
) -> HQOverviewPage:
    """All stores (or, with `store_id`, that one) with their set-wise diagnosis figures
    (DESIGN.md §5 "Store diagnosis"), optionally only those of `region` and of tier
    `tier_name`.

    Set-wise queries compute every store's row (not a loop over `store_diagnosis`): the head
    counts in Cypher, and the cascade depths from one scan of the forest; the rows are then
    filtered, sorted by `sort` (one of `SORTS`, else InvalidInput; ties by store id) and cut at
    `offset`/`limit` (at most 1000 rows a page; None: every row). Without `now`, the rows are
    the stored overview (`refresh_store_overview`; one read of the Store nodes), recomputed
    first only when the brand's counts changed since it was stored or it is older than
    `hq_overview_max_age_seconds`; with `defer` (the API's background tasks), such rows are
    answered at once (`as_of` says when they were computed) and recomputed after the answer, so
    that no HQ request waits for a recomputation (seconds at 1 000 stores) while rows are
    stored. Key-node counts are left out: they need reach(p, 3) of every
    customer of every store, a walk as costly as the rest together; the store diagnosis has
    them.
    """
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}; got {sort!r}")
    if offset < 0:
        raise InvalidInput("offset must be >= 0")
    if limit is not None and not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}")
    if tier_name is not None and tier_name not in TIER_NAMES:
        raise InvalidInput(f"tier must be one of {', '.join(TIER_NAMES)}; got {tier_name!r}")
    if store_id is None:
        brand = _brand(gateway, now, defer)
        when, stores = brand.as_of, brand.rows
    else:
        when = as_of(now)
        stores = [_row(r) for r in _figures(gateway, when, store_id)]
    stores = [
        r
        for r in stores
        if (region is None or r.region == region) and (tier_name is None or r.tier == tier_name)
    ]
    stores.sort(key=lambda r: r.store_id)
    stores.sort(key=SORTS[sort], reverse=descending)
    return HQOverviewPage(
        as_of=when,
        sort=sort,
        descending=descending,
        offset=offset,
        limit=limit if limit is not None else len(stores),
        region=region,
        tier=tier_name,
        total=len(stores),
        rows=stores[offset : offset + limit] if limit is not None else stores[offset:],
    )


def brand_summary(
    gateway: Gateway, now: datetime | None = None, defer: Defer | None = None
) -> BrandSummary:
    """The brand at a glance: totals over every store's overview row, stores per tier, the
    regions, and new people per week brand-wide (see BrandSummary). Without `now`, from the
    stored overview (the same rows `hq_overview` pages through; `defer` as there)."""
    brand = _brand(gateway, now, defer)
    rows = brand.rows
    customers = sum(r.customers for r in rows)
    members = sum(r.members for r in rows)
    by_tier = Counter(r.tier for r in rows)
    return BrandSummary(
        as_of=brand.as_of,
        stores=len(rows),
        customers=customers,
        prospects=sum(r.prospects for r in rows),
        members=members,
        agents=sum(r.agents for r in rows),
        conversion_rate=ratio(members, customers),
        fission_ratio=ratio(
            sum(r.referred_by_members_or_agents for r in rows),
            sum(r.members_or_agents for r in rows),
        ),
        stores_by_tier={name: by_tier.get(name, 0) for name in TIER_NAMES},
        regions=sorted({r.region for r in rows if r.region}),
        new_people_per_week=weekly(brand.as_of - timedelta(weeks=WEEKS), brand.weeks),
    )
