"""Customer value and agent candidates (DESIGN.md §5 "Customer value", "Agent candidates"):
a store's figures (HQ any store, a store key its own, others 404), the brand-wide versions
for HQ keys, and the PNGs of their figures (the figures themselves are drawn on the store and HQ
dashboards; the former value pages redirect there).

Windows are [start, end): ISO 8601 date-times with an offset only (`2026-05-01T00:00:00+08:00`,
or `...Z`; in a URL `+` must be written `%2B`), start before end; anything else answers 422
with the reason. Each figure has its own default window (see graph.value).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

import plotly.graph_objects as go
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import AfterValidator, AwareDatetime, BeforeValidator

from api.auth import HQ, PageHQ, PageReader, Reader, check_store
from api.deps import GatewayDep, SettingsDep
from api.errors import ERROR_RESPONSES
from api.i18n import page_text
from api.maps import figure_png
from api.pages.common import PageLanguage
from api.pages.views import window_query
from api.routers.maps import PNG_RESPONSES
from api.value_pages import brand_figures, store_figures
from graph.value import (
    BrandAgentCandidates,
    BrandFunnel,
    BrandRetention,
    BrandSources,
    BrandValue,
    Paging,
    StoreAgentCandidates,
    StoreFunnel,
    StoreRetention,
    StoreSources,
    StoreValue,
    agent_candidates,
    brand_agent_candidates,
    brand_funnel,
    brand_report,
    brand_retention,
    brand_sources,
    brand_value,
    store_funnel,
    store_report,
    store_retention,
    store_sources,
    store_value,
)
from graph.value.candidates import DEFAULT_LIMIT, MAX_LIMIT
from graph.value.candidates import SORTS as CANDIDATE_SORTS
from graph.value.funnel import SORTS as FUNNEL_SORTS
from graph.value.gmv import SORTS as VALUE_SORTS
from graph.value.retention import SORTS as RETENTION_SORTS
from graph.value.sources import SORTS as SOURCE_SORTS
from loaders.models import storable_time

router = APIRouter(tags=["customer value"], responses=ERROR_RESPONSES)

ISO_EXAMPLE = "2026-05-01T00:00:00+08:00"


def _iso_instant(value: object) -> object:
    """Only ISO 8601 text with an offset (no bare dates, no epoch numbers)."""
    if not isinstance(value, str):
        return value
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not an ISO 8601 date-time such as {ISO_EXAMPLE} (in a URL, "
            "write + as %2B, or use Z)"
        ) from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} needs a timezone offset, such as {ISO_EXAMPLE} or ...Z")
    return parsed


Instant = Annotated[AwareDatetime, BeforeValidator(_iso_instant), AfterValidator(storable_time)]
Start = Annotated[
    Instant | None,
    Query(
        description="Window start, inclusive: ISO 8601 with an offset (write + as %2B in a "
        "URL). Default: per figure (see its description).",
        examples=[ISO_EXAMPLE],
    ),
]
End = Annotated[
    Instant | None,
    Query(description="Window end, exclusive (default: now).", examples=["2026-06-01T00:00:00Z"]),
]
MinReach3 = Annotated[
    int,
    Query(
        ge=0,
        le=1_000_000_000,
        description="Only members who reach at least this many people (3 gen.).",
    ),
]
Desc = Annotated[bool, Query(description="Largest first.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Stores per page.")]
Figure = Literal["factors", "retention", "sources", "funnel"]
FigurePath = Annotated[
    Figure,
    Path(description="factors (GMV factors), retention (heat map), sources (bars), funnel."),
]
Width = Annotated[int, Query(ge=300, le=4000, description="Pixels.")]
Height = Annotated[int, Query(ge=300, le=4000, description="Pixels.")]


# ----------------------------------------------------------------------------- one store


@router.get("/stores/{store_id}/value", summary="A store's customer value and the GMV factors")
def value(
    store_id: str, gateway: GatewayDep, caller: Reader, start: Start = None, end: End = None
) -> StoreValue:
    """Active customers, buyers, orders and amount (GMV) in [start, end) (default: the 30
    days before now), GMV = people x conversion x frequency x order value (checked exactly),
    the amount of orders placed at the store, and the repeat purchase rate as of `end`."""
    check_store(caller, store_id)
    return store_value(gateway, store_id, start, end)


@router.get("/stores/{store_id}/retention", summary="A store's weekly retention cohorts")
def retention(
    store_id: str, gateway: GatewayDep, caller: Reader, start: Start = None, end: End = None
) -> StoreRetention:
    """Customers by the Monday (UTC) week of their first appearance, for the weeks that
    overlap [start, end) (default: the 12 weeks before now), and the share of each cohort
    active 1..8 weeks later; null until that week has fully elapsed."""
    check_store(caller, store_id)
    return store_retention(gateway, store_id, start, end)


@router.get("/stores/{store_id}/sources", summary="Value by acquisition source and generation")
def sources(
    store_id: str, gateway: GatewayDep, caller: Reader, start: Start = None, end: End = None
) -> StoreSources:
    """The store's customers who first appeared before `end` (and from `start`, if given;
    default: all of them) by what their referrer was when referring them (staff, agent,
    member, prospect, none) and by generation below the nearest staff ancestor: people,
    conversion, mean orders and mean lifetime value (orders before `end`)."""
    check_store(caller, store_id)
    return store_sources(gateway, store_id, start, end)


@router.get("/stores/{store_id}/funnel", summary="The funnel of customers acquired in a window")
def funnel(
    store_id: str, gateway: GatewayDep, caller: Reader, start: Start = None, end: End = None
) -> StoreFunnel:
    """Customers who first appeared in [start, end) (default: the 30 days before now), and
    how many were activated, retained, bought and referred someone by `end`."""
    check_store(caller, store_id)
    return store_funnel(gateway, store_id, start, end)


@router.get(
    "/stores/{store_id}/agent-candidates", summary="Members to invite to become agents, and why"
)
def candidates(
    store_id: str,
    gateway: GatewayDep,
    caller: Reader,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    min_reach3: MinReach3 = 0,
) -> StoreAgentCandidates:
    """Members who are not agents, ranked by store influence, then reach(p, 3), then spend,
    each with the reasons."""
    check_store(caller, store_id)
    return agent_candidates(gateway, store_id, limit, min_reach3)


# ----------------------------------------------------------------------------- brand (HQ)


def _paging(sorts: dict[str, Any]) -> Any:
    """The sort and page parameters of a brand route, `sort` one of `sorts`."""

    # A default, not an Annotated type: these annotations are strings (postponed evaluation),
    # which FastAPI resolves in the module, where `sorts` does not exist.
    def paging(
        desc: Desc = False,
        offset: Offset = 0,
        limit: Limit = 50,
        sort: str = Query("store_id", description=f"One of: {', '.join(sorts)}."),
    ) -> Paging:
        return Paging(sort, desc, offset, limit)

    return Depends(paging)


@router.get("/brand/value", summary="Every store's customer value, the brand's and the median")
def brand_value_route(
    gateway: GatewayDep,
    caller: HQ,
    paging: Annotated[Paging, _paging(VALUE_SORTS)],
    start: Start = None,
    end: End = None,
) -> BrandValue:
    """One row per store, the figures of all stores' customers together, and the median
    store's GMV factors. Without a window, from the precomputed snapshot (`precomputed`,
    `computed_at`) while it is fresh."""
    return brand_value(gateway, start, end, paging)


@router.get("/brand/retention", summary="Brand-wide retention cohorts and each store's")
def brand_retention_route(
    gateway: GatewayDep,
    caller: HQ,
    paging: Annotated[Paging, _paging(RETENTION_SORTS)],
    start: Start = None,
    end: End = None,
) -> BrandRetention:
    """All stores' customers' cohorts, and per store the cohorts pooled (sort by `week_1`
    .. `week_8` to compare stores)."""
    return brand_retention(gateway, start, end, paging)


@router.get("/brand/sources", summary="Brand-wide value by source and generation, per store")
def brand_sources_route(
    gateway: GatewayDep,
    caller: HQ,
    paging: Annotated[Paging, _paging(SOURCE_SORTS)],
    start: Start = None,
    end: End = None,
) -> BrandSources:
    """All stores' customers by source and generation, and each store's."""
    return brand_sources(gateway, start, end, paging)


@router.get("/brand/funnel", summary="The brand's funnel and each store's")
def brand_funnel_route(
    gateway: GatewayDep,
    caller: HQ,
    paging: Annotated[Paging, _paging(FUNNEL_SORTS)],
    start: Start = None,
    end: End = None,
) -> BrandFunnel:
    """All stores' customers acquired in [start, end), and each store's funnel."""
    return brand_funnel(gateway, start, end, paging)


@router.get("/brand/agent-candidates", summary="Each store's strongest agent candidates")
def brand_candidates_route(
    gateway: GatewayDep,
    caller: HQ,
    paging: Annotated[Paging, _paging(CANDIDATE_SORTS)],
    per_store: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    min_reach3: MinReach3 = 0,
) -> BrandAgentCandidates:
    """Per store, its `per_store` strongest candidates and how many members could be invited."""
    return brand_agent_candidates(gateway, per_store, min_reach3, paging)


# ----------------------------------------------------------------------------- pages

# The value figures live on the dashboards (their "customer value" section); the former pages'
# addresses send a browser there, window and all.
MOVED: dict[int | str, dict[str, Any]] = {
    303: {"description": "See Other: the dashboard's customer-value section."}
}


def _moved(path: str, start: datetime | None, end: datetime | None) -> Response:
    query = window_query((start, end))
    return RedirectResponse(path + (f"?{query}" if query else "") + "#value", status_code=303)


def _png(figure: go.Figure, name: str, width: int, height: int) -> Response:
    return Response(
        figure_png(figure, width=width, height=height),
        media_type="image/png",
        headers={"Content-Disposition": f'inline; filename="{name}.png"'},
    )


@router.get(
    "/stores/{store_id}/value/page",
    summary="Moved: the store dashboard's customer-value section",
    response_class=RedirectResponse,
    responses=MOVED,
)
def store_page(store_id: str, caller: PageReader, start: Start = None, end: End = None) -> Response:
    """Sends the browser to `/stores/{id}/dashboard#value` with the same window."""
    check_store(caller, store_id)
    return _moved(f"/stores/{quote(store_id)}/dashboard", start, end)


@router.get(
    "/stores/{store_id}/value/{figure}.png",
    summary="One of a store's customer-value figures as PNG",
    response_class=Response,
    responses=PNG_RESPONSES,
)
def store_png(
    store_id: str,
    figure: FigurePath,
    request: Request,
    gateway: GatewayDep,
    settings: SettingsDep,
    caller: Reader,
    start: Start = None,
    end: End = None,
    width: Width = 1200,
    height: Height = 600,
    lang: PageLanguage = None,
) -> Response:
    """The figure of the dashboard's customer-value section, in the page's language, rendered
    by kaleido in headless Chromium."""
    check_store(caller, store_id)
    report = store_report(gateway, store_id, start, end, parts=[figure])
    drawn = store_figures(report, page_text(request, settings))[figure]
    return _png(drawn, f"{store_id}-{figure}", width, height)


@router.get(
    "/brand/value/page",
    summary="Moved: the HQ dashboard's customer-value section",
    response_class=RedirectResponse,
    responses=MOVED,
)
def brand_page(caller: PageHQ, start: Start = None, end: End = None) -> Response:
    """Sends the browser to `/#value` (the HQ dashboard) with the same window."""
    return _moved("/", start, end)


@router.get(
    "/brand/value/{figure}.png",
    summary="One of the brand's customer-value figures as PNG",
    response_class=Response,
    responses=PNG_RESPONSES,
)
def brand_png(
    figure: FigurePath,
    request: Request,
    gateway: GatewayDep,
    settings: SettingsDep,
    caller: HQ,
    start: Start = None,
    end: End = None,
    width: Width = 1200,
    height: Height = 600,
    lang: PageLanguage = None,
) -> Response:
    """The figure of the HQ dashboard's customer-value section, rendered by kaleido."""
    report = brand_report(gateway, start, end, parts=[figure])
    drawn = brand_figures(report, page_text(request, settings))[figure]
    return _png(drawn, f"brand-{figure}", width, height)
