"""Graph algorithms per store: whom to seed, circles and bridges, fraud flags (graph.seeds,
graph.circles, graph.fraud). Same access as every store route: a store key sees its own store
only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.auth import Reader, check_store
from api.deps import GatewayDep
from api.errors import ERROR_RESPONSES, ErrorBody
from graph.circles import StoreCircles, store_circles
from graph.fraud import FlagPage, store_flags
from graph.seeds import MAX_K, SeedPlan, store_seeds

router = APIRouter(prefix="/stores", tags=["algorithms"], responses=ERROR_RESPONSES)
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorBody, "description": "The database has no Graph Data Science plugin."}
}


@router.get(
    "/{store_id}/seeds",
    summary="Whom to seed: the k people whose sharing is expected to reach the most people",
    responses=UNAVAILABLE,
)
def seeds(
    store_id: str,
    gateway: GatewayDep,
    caller: Reader,
    k: Annotated[int, Query(ge=1, le=MAX_K, description="How many people.")] = 5,
    p: Annotated[
        float | None,
        Query(
            gt=0,
            le=1,
            description="Propagation probability per past visitor (default: the "
            "FISSION_SEED_PROPAGATION_PROBABILITY setting, 0.1).",
        ),
    ] = None,
) -> SeedPlan:
    """Influence maximisation on the store's spread graph (independent cascades; candidates by
    gds.influenceMaximization.celf): the picks in order, each with its marginal gain and the
    expected spread so far (see graph.seeds)."""
    check_store(caller, store_id)
    return store_seeds(gateway, store_id, k=k, probability=p)


@router.get("/{store_id}/circles", summary="The store network's circles and bridges")
def circles(store_id: str, gateway: GatewayDep, caller: Reader) -> StoreCircles:
    """Leiden communities of the store's social ties, largest first, and the bridges between
    them (top betweenness): good introducers. As of the last `fission circles`."""
    check_store(caller, store_id)
    return store_circles(gateway, store_id)


@router.get("/{store_id}/flags", summary="Fraud flags of the store, with reasons and evidence")
def flags(
    store_id: str,
    gateway: GatewayDep,
    caller: Reader,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> FlagPage:
    """Coupon farms, rings and self-referral (graph.fraud), as of the last `fission flags`."""
    check_store(caller, store_id)
    page = store_flags(gateway, store_id)
    return page.model_copy(update={"flags": page.flags[offset : offset + limit]})
