"""The brand as a whole, for HQ."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks

from api.auth import HQ
from api.deps import GatewayDep
from api.errors import ERROR_RESPONSES
from graph.stores import BrandSummary, brand_summary

router = APIRouter(prefix="/brand", tags=["brand"], responses=ERROR_RESPONSES)


@router.get("/summary", summary="Brand totals, stores per tier, new people per week (HQ only)")
def summary(gateway: GatewayDep, caller: HQ, background: BackgroundTasks) -> BrandSummary:
    """Sums over every store of the HQ overview (conversion and fission ratio over the whole
    brand), stores per tier, the regions, and new customers in each of the last 8 weeks. The
    same rows as `GET /stores`, computed once and reused while nothing changed (and recomputed
    just after an answer from rows that are no longer current)."""
    return brand_summary(gateway, defer=background.add_task)
