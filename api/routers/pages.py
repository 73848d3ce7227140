"""The pages people look at: the HQ dashboard (`/`, with its CSV), a store's dashboard (with its
weekly PDF report), a person's panel, and a staff member's "today" page. Server-rendered,
in Simplified Chinese or English (`?lang=`), with Plotly charts served by the app itself.

Access follows the API's: HQ keys see every store; a store key sees its own store's pages and
staff only (anything else is 404, as if it did not exist); a staff key opens its own "today"
page only (another staff member's is 404, other pages 403); ingest keys see no page. Pages
accept the key once as `?key=` and keep it in an HTTP-only cookie.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from api.auth import PageReader, PageStaffReader, Reader, StaffReader, check_store
from api.deps import GatewayDep, ServedDep, SettingsDep, check_person
from api.i18n import page_text, remember_language, render
from api.pages import views, wording
from api.pages.common import PageLanguage, chrome, page_response, render_page
from api.pages.report import store_report_pdf
from api.routers.maps import HTML_RESPONSES, JSON_ERRORS, StoreMap
from api.routers.value import End, Start
from fission.errors import InvalidInput
from graph.stores import SORTS, TIER_NAMES, Tier, hq_overview

router = APIRouter(tags=["pages"])

PAGE_ROWS = 50
Sort = Annotated[str, Query(description=f"One of: {', '.join(SORTS)}.")]
Descending = Annotated[bool, Query(description="Largest first.")]
Region = Annotated[str | None, Query(description="Only the stores of this region.")]
TierFilter = Annotated[Tier | None, Query(description="Only the stores of this tier.")]
Topic = Annotated[str | None, Query(description="A campaign topic, e.g. coffee.")]
PDF_RESPONSES = {
    200: {"content": {"application/pdf": {}}, "description": "The report as PDF."},
    **JSON_ERRORS,
}
CSV_RESPONSES = {
    200: {"content": {"text/csv": {}}, "description": "The stores as CSV (UTF-8)."},
    **JSON_ERRORS,
}


def _blank(value: str | None) -> str | None:
    """An empty form field means no filter."""
    return value or None


@router.get(
    "/",
    summary="HQ dashboard: brand figures, charts and every store (paged)",
    response_class=HTMLResponse,
    responses={
        **HTML_RESPONSES,
        303: {
            "description": "A store key is sent to its own store's dashboard, a staff key to "
            'its "today" page.'
        },
    },
)
def hq_dashboard(
    request: Request,
    gateway: GatewayDep,
    settings: SettingsDep,
    caller: PageStaffReader,
    background: BackgroundTasks,
    sort: Sort = "customers",
    desc: Descending = True,
    region: Region = None,
    tier: Annotated[str | None, Query(description="Only the stores of this tier.")] = None,
    page: Annotated[
        int, Query(ge=1, le=1_000_000, description="Page of the table (50 stores each).")
    ] = 1,
    start: Start = None,
    end: End = None,
    lang: PageLanguage = None,
) -> Response:
    """Brand totals, stores by tier, new people per week brand-wide, conversion against
    fission ratio with one dot per store (click: its dashboard), and the store table: sorted
    (click a column), filtered by region and tier, 50 stores a page, downloadable as CSV.
    The brand-wide figures are computed once and reused while nothing changed (see
    `GET /stores`). Customer value (`#value`): the GMV factors across stores, the brand's
    retention, value by source and funnel, and the stores with the highest GMV, from the
    precomputed snapshot, or computed for `start` / `end` when given (slower). A store key is
    sent to its store's dashboard, a staff key to its "today" page."""
    if caller.role in ("store", "staff"):
        home = chrome(request, settings, caller).home
        response: Response = RedirectResponse(home, status_code=303)
        remember_language(request, response)
        return response
    tier_name, region = _tier(tier), _blank(region)
    rows = hq_overview(
        gateway,
        sort=sort,
        descending=desc,
        offset=(page - 1) * PAGE_ROWS,
        limit=PAGE_ROWS,
        region=region,
        tier_name=tier_name,
        defer=background.add_task,
    )
    every = hq_overview(
        gateway,
        sort=sort,
        descending=desc,
        limit=None,
        region=region,
        tier_name=tier_name,
        defer=background.add_task,
    )
    query = {"sort": sort, "desc": str(desc).lower(), "region": region or "", "tier": tier or ""}
    csv_url = "/stores.csv?" + urlencode({k: v for k, v in query.items() if v})
    frame = chrome(request, settings, caller)
    body = views.hq_page(gateway, frame, rows, every, csv_url, (start, end), background.add_task)
    return page_response(request, body)


def _tier(value: str | None) -> Tier | None:
    """The tier filter of the HQ form ("" is every tier)."""
    if not value:
        return None
    if value not in TIER_NAMES:
        raise InvalidInput(f"tier must be one of {', '.join(TIER_NAMES)}; got {value!r}")
    return value


@router.get(
    "/stores.csv",
    summary="The HQ table as CSV, with the page's filters and sort",
    response_class=Response,
    responses=CSV_RESPONSES,
)
def stores_csv(
    request: Request,
    gateway: GatewayDep,
    settings: SettingsDep,
    caller: Reader,
    sort: Sort = "customers",
    desc: Descending = True,
    region: Region = None,
    tier: TierFilter = None,
    lang: PageLanguage = None,
) -> Response:
    """Every store that passes the filters (a store key: its own), with headers in the page's
    language and rates as fractions. UTF-8 with a byte-order mark, so that spreadsheet
    programs read Chinese correctly."""
    text = page_text(request, settings)
    rows = hq_overview(
        gateway,
        sort=sort,
        descending=desc,
        limit=None,
        store_id=caller.scope,
        region=_blank(region),
        tier_name=tier,
    )
    return Response(
        "\ufeff" + views.overview_csv(text, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="fission-stores.csv"'},
    )


@router.get(
    "/stores/{store_id}/dashboard",
    summary="A store's dashboard (HTML page)",
    response_class=HTMLResponse,
    responses=HTML_RESPONSES,
)
def store_dashboard(
    request: Request,
    caller: PageReader,  # first: a `?key=` redirects before anything else is computed
    view: StoreMap,
    gateway: GatewayDep,
    settings: SettingsDep,
    start: Start = None,
    end: End = None,
    lang: PageLanguage = None,
) -> Response:
    """Header figures, the 100 -> 10 -> 100 plan, new people per week, the conversion funnel,
    suggestions naming people, the network map (with `staff` + `path_to`, an introduction
    path), key nodes (reasons, reach, influence, interests, last note; each highlighted on
    the map, with an introduction path), circles, bridges, whom to seed and fraud flags
    (`#algorithms`, linking to the map's overlays), the sales leaderboard, customer value
    (`#value`: GMV factors beside the median store, retention, value by source, the funnel
    and agent candidates, over `start` / `end` or each figure's default window), and a
    person panel for anyone clicked. Links to the weekly PDF report."""
    frame = chrome(request, settings, caller)
    data = views.store_dashboard(
        gateway, view.network.store_id, view.network, view.path, (start, end)
    )
    return page_response(request, views.dashboard_html(gateway, frame, data))


@router.get(
    "/stores/{store_id}/dashboard/seeds",
    summary="Whom to seed, for the store dashboard (an HTML fragment)",
    response_class=HTMLResponse,
    responses=HTML_RESPONSES,
)
def dashboard_seeds(
    store_id: str,
    request: Request,
    gateway: GatewayDep,
    settings: SettingsDep,
    caller: Reader,
    lang: PageLanguage = None,
) -> HTMLResponse:
    """The 5 people to seed (graph.seeds), or why there are none; the dashboard loads it once
    shown, as the first plan after the store's network changes takes seconds."""
    check_store(caller, store_id)
    return HTMLResponse(views.seeds_panel(gateway, page_text(request, settings), store_id))


@router.get(
    "/stores/{store_id}/report.pdf",
    summary="A store's weekly report (PDF)",
    response_class=Response,
    responses=PDF_RESPONSES,
)
def store_report(
    store_id: str,
    request: Request,
    gateway: GatewayDep,
    settings: SettingsDep,
    caller: PageReader,
    lang: PageLanguage = None,
) -> Response:
    """The dashboard's figures, charts, map, key nodes and leaderboard, printed to A4 by
    headless Chromium (a few seconds). Same as `fission report --store ...`."""
    check_store(caller, store_id)
    text = page_text(request, settings)
    pdf = store_report_pdf(gateway, store_id, text.lang)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{store_id}-weekly-report.pdf"'},
    )


@router.get(
    "/people/{person_id}/panel",
    summary="A person's panel (an HTML fragment for the dashboards)",
    response_class=HTMLResponse,
    responses=HTML_RESPONSES,
)
def person_panel(
    person_id: str,
    request: Request,
    gateway: GatewayDep,
    settings: SettingsDep,
    caller: Reader,
    lang: PageLanguage = None,
) -> HTMLResponse:
    """Profile, interests with scores, notes and tags, referrer chain and the cascade below
    them. A store key sees its own store's people only."""
    text = page_text(request, settings)
    return HTMLResponse(views.person_panel(gateway, text, person_id, caller.scope))


@router.get(
    "/staff/{staff_id}/today",
    summary='A staff member\'s "today" page: whom to contact, and their week',
    response_class=HTMLResponse,
    responses=HTML_RESPONSES,
)
def today(
    staff_id: str,
    request: Request,
    gateway: GatewayDep,
    settings: SettingsDep,
    caller: PageStaffReader,
    served: ServedDep,
    topic: Topic = None,
    lang: PageLanguage = None,
) -> Response:
    """For a phone: the recommended contacts with their reasons, interests and introduction
    path as a short chain, with buttons that record "contacted", "visited" or a tag (through
    `POST /staff/{id}/notes`) and refresh the list; and the staff member's own figures of the
    last 7 days. The list shown is recorded for follow-through, as the API's is."""
    check_person(gateway, caller, staff_id, staff=True)
    frame = chrome(request, settings, caller)
    context = views.today_context(gateway, frame.text, staff_id, topic, caller.scope, served)
    return page_response(request, render_page("today.html", frame, **context))


@router.get(
    "/staff/{staff_id}/today/list",
    summary='The "today" page\'s figures and list (an HTML fragment, to refresh it)',
    response_class=HTMLResponse,
    responses=HTML_RESPONSES,
)
def today_list(
    staff_id: str,
    request: Request,
    gateway: GatewayDep,
    settings: SettingsDep,
    caller: StaffReader,
    served: ServedDep,
    topic: Topic = None,
    lang: PageLanguage = None,
) -> HTMLResponse:
    check_person(gateway, caller, staff_id, staff=True)
    text = page_text(request, settings)
    context = views.today_context(gateway, text, staff_id, topic, caller.scope, served)
    return HTMLResponse(render("today_body.html", text, w=wording, **context))
