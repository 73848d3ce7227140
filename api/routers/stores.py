"""Stores: the HQ overview, one store's diagnosis, key nodes, sales attribution, follow-through."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query
from pydantic import BaseModel

from api.auth import Reader, check_store
from api.bodies import JSONRoute
from api.deps import DescQuery, GatewayDep, SortQuery, StoreId
from api.errors import ERROR_RESPONSES
from graph.attribution import StoreAttribution, store_attribution
from graph.followthrough import FollowThrough, follow_through
from graph.keynodes import KeyNode, key_nodes
from graph.stores import (
    ConversionFunnel,
    HQOverviewPage,
    StoreDiagnosis,
    Tier,
    conversion_funnel,
    hq_overview,
    store_diagnosis,
)
from loaders.models import Timestamp

router = APIRouter(
    prefix="/stores", tags=["stores"], responses=ERROR_RESPONSES, route_class=JSONRoute
)


@router.get("", summary="Every store with its diagnosis figures (HQ overview)")
def list_stores(
    gateway: GatewayDep,
    caller: Reader,
    background: BackgroundTasks,
    sort: SortQuery = "customers",
    desc: DescQuery = True,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    region: Annotated[str | None, Query(description="Only the stores of this region.")] = None,
    tier: Annotated[Tier | None, Query(description="Only the stores of this tier.")] = None,
) -> HQOverviewPage:
    """HQ sees every store; a store key sees its own row only. The brand-wide rows are
    reused for up to FISSION_HQ_OVERVIEW_MAX_AGE_SECONDS while no count changed (`as_of`
    says when they were computed); after that they are still answered at once, and recomputed
    just after the answer for the next request."""
    return hq_overview(
        gateway,
        sort=sort,
        descending=desc,
        offset=offset,
        limit=limit,
        store_id=caller.scope,
        region=region,
        tier_name=tier,
        defer=background.add_task,
    )


@router.get("/{store_id}", summary="A store's diagnosis, with suggestions")
def diagnosis(store_id: StoreId, gateway: GatewayDep, caller: Reader) -> StoreDiagnosis:
    check_store(caller, store_id)
    return store_diagnosis(gateway, store_id)


class KeyNodePage(BaseModel):
    store_id: str
    total: int
    offset: int
    limit: int
    items: list[KeyNode]


@router.get("/{store_id}/key-nodes", summary="The store's key nodes, with why each qualifies")
def store_key_nodes(
    store_id: StoreId,
    gateway: GatewayDep,
    caller: Reader,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> KeyNodePage:
    check_store(caller, store_id)
    nodes = key_nodes(gateway, store_id)
    return KeyNodePage(
        store_id=store_id,
        total=len(nodes),
        offset=offset,
        limit=limit,
        items=nodes[offset : offset + limit],
    )


@router.get(
    "/{store_id}/attribution",
    summary="Sales, members brought and conversion per staff member and agent",
)
def attribution(
    store_id: StoreId,
    gateway: GatewayDep,
    caller: Reader,
    exclude_flagged: Annotated[
        bool,
        Query(description="Leave out the orders of people named by fraud flags (graph.fraud)."),
    ] = False,
) -> StoreAttribution:
    """Staff or agents of other stores credited with this store's sales are shown to a store
    key as "someone from another store"."""
    check_store(caller, store_id)
    return store_attribution(gateway, store_id, exclude_flagged=exclude_flagged, scope=caller.scope)


@router.get(
    "/{store_id}/conversion-funnel",
    summary="Visits -> coupon claims / sales contacts -> orders of the store's customers",
)
def store_conversion_funnel(
    store_id: StoreId,
    gateway: GatewayDep,
    caller: Reader,
    start: Annotated[
        Timestamp | None, Query(description="Window start (default: 28 days before end).")
    ] = None,
    end: Annotated[Timestamp | None, Query(description="Window end (default: now).")] = None,
) -> ConversionFunnel:
    """Three nested stages over [start, end) (definitions in graph.stores.funnel): customers
    who visited a shared link; of them, who claimed a coupon or contacted sales; of those, who
    then ordered."""
    check_store(caller, store_id)
    return conversion_funnel(gateway, store_id, start, end)


@router.get("/{store_id}/follow-through", summary="Recommendations acted on, and what converted")
def store_follow_through(
    store_id: StoreId,
    gateway: GatewayDep,
    caller: Reader,
    start: Annotated[Timestamp, Query(description="Period start (ISO 8601 with offset).")],
    end: Annotated[Timestamp, Query(description="Period end (ISO 8601 with offset).")],
) -> FollowThrough:
    check_store(caller, store_id)
    return follow_through(gateway, store_id, start, end, scope=caller.scope)
