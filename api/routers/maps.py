"""Store network maps (JSON, HTML page, PNG) and the HQ page.

Browser pages accept the key once as `?key=`: they keep it in the `fission_key` cookie
(HTTP-only, same-site) and redirect to the same address without it, so links between pages need
no key and the key stays out of browser history and server logs.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from api.auth import COOKIE, PageReader, Principal, Reader, check_store, find_key
from api.bodies import JSONRoute
from api.deps import (
    DescQuery,
    GatewayDep,
    SettingsDep,
    SortQuery,
    StoreId,
    check_person,
    person_ref,
)
from api.errors import ERROR_RESPONSES
from api.maps import figure_png, hq_page, map_page, network_figure
from fission.errors import InvalidInput
from fission.settings import Settings
from graph import access
from graph.gateway import Gateway
from graph.network import StoreNetwork, store_network
from graph.paths import IntroductionPath, introduction_path
from graph.stores import hq_overview
from loaders.models import MAX_ID_LENGTH

router = APIRouter(tags=["maps"], route_class=JSONRoute)

MaxNodes = Annotated[
    int | None,
    Query(
        ge=10,
        le=5000,
        description="Most people drawn one by one (default: the FISSION_MAP_MAX_NODES "
        "setting); beyond it staff, key nodes and their cascades are drawn and the rest "
        "summarised per role.",
    ),
]
StaffQuery = Annotated[
    str | None,
    Query(
        max_length=MAX_ID_LENGTH,
        description="Staff member (of this store) the introduction path starts from.",
    ),
]
PathTo = Annotated[
    str | None,
    Query(
        max_length=MAX_ID_LENGTH,
        description="Person to highlight the introduction path to (needs `staff`). The "
        "path's people are drawn even when the store is aggregated; a store key sees people "
        "of other stores on it as 'someone from another store'.",
    ),
]
# Errors are JSON on every route, pages and images included (FastAPI would otherwise document
# them in the route's own media type).
JSON_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {
        "description": response["description"],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
    for status, response in ERROR_RESPONSES.items()
}
HTML_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}}, "description": "An HTML page."},
    **JSON_ERRORS,
}
PNG_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/png": {}}, "description": "The map as a PNG image."},
    **JSON_ERRORS,
}


def _key_to_cookie(request: Request) -> Response | None:
    """A page opened with `?key=`: a valid key goes into a cookie, and the browser to the same
    address without it (the caller was already identified, by this key or a header)."""
    if "key" not in request.query_params:
        return None
    key = request.query_params["key"]
    rest = [(k, v) for k, v in request.query_params.multi_items() if k != "key"]
    target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
    response = RedirectResponse(target, status_code=303)
    if find_key(request.app.state.api_keys, key) is not None:
        response.set_cookie(COOKIE, key, httponly=True, samesite="strict")
    return response


def _path(
    gateway: Gateway,
    settings: Settings,
    caller: Principal,
    store_id: str,
    staff: str | None,
    path_to: str | None,
) -> IntroductionPath | None:
    if staff is None and path_to is None:
        return None
    if not staff or not path_to:
        raise InvalidInput("An introduction path needs both `staff` and `path_to`.")
    staff, path_to = person_ref(settings, staff), person_ref(settings, path_to)
    access.check_person(gateway, staff, store_id, staff=True)
    check_person(gateway, caller, path_to)
    return introduction_path(gateway, staff, path_to, scope=caller.scope)


def _network(
    gateway: Gateway,
    settings: Settings,
    caller: Principal,
    store_id: str,
    max_nodes: int | None,
    staff: str | None,
    path_to: str | None,
) -> StoreNetwork:
    """The store's network as the caller may see it, with the introduction path asked for."""
    check_store(caller, store_id)
    path = _path(gateway, settings, caller, store_id, staff, path_to)
    return store_network(gateway, store_id, max_nodes, path=path, scope=caller.scope)


@router.get(
    "/stores/{store_id}/network",
    summary="A store's network, laid out, as JSON",
    responses=ERROR_RESPONSES,
)
def network_json(
    store_id: StoreId,
    gateway: GatewayDep,
    settings: SettingsDep,
    caller: Reader,
    max_nodes: MaxNodes = None,
    staff: StaffQuery = None,
    path_to: PathTo = None,
) -> StoreNetwork:
    """Nodes (store, staff, agents, members, prospects; summary nodes beyond `max_nodes`)
    with role, store influence, reach, key-node status, top interests and layout positions
    (x, y in [-1, 1]); edges (works_at, referral, home, aggregate, knows). With `staff` and
    `path_to`, `path` holds their introduction path and its people are on the map. The layout
    is cached per store until the store's network changes. A store key sees people of other
    stores as "someone from another store" nodes."""
    return _network(gateway, settings, caller, store_id, max_nodes, staff, path_to)


@router.get(
    "/stores/{store_id}/map",
    summary="A store's network map (HTML page)",
    response_class=HTMLResponse,
    responses=HTML_RESPONSES,
)
def map_html(
    store_id: StoreId,
    request: Request,
    gateway: GatewayDep,
    settings: SettingsDep,
    caller: PageReader,
    max_nodes: MaxNodes = None,
    staff: StaffQuery = None,
    path_to: PathTo = None,
) -> Response:
    """The interactive Plotly map: nodes coloured by role and sized by influence, key nodes
    labelled, hover cards, and with `staff` + `path_to` the introduction path highlighted.
    Works offline: plotly.js comes from `/static/plotly.min.js`. Opened with `?key=`, it keeps
    the key in a cookie and redirects to the same address without it."""
    check_store(caller, store_id)
    redirect = _key_to_cookie(request)
    if redirect:
        return redirect
    network = _network(gateway, settings, caller, store_id, max_nodes, staff, path_to)
    path = network.path
    query: dict[str, str | int] = {"max_nodes": max_nodes} if max_nodes else {}
    if path:
        query.update(staff=path.staff_id, path_to=path.target_id)
    fig = network_figure(network, [p.person_id for p in path.people] if path else None)
    page = map_page(network, fig, path=path, hq=caller.role == "hq", query=urlencode(query))
    return HTMLResponse(page)


@router.get(
    "/stores/{store_id}/map.png",
    summary="A store's network map as PNG",
    response_class=Response,
    responses=PNG_RESPONSES,
)
def map_png(
    store_id: StoreId,
    gateway: GatewayDep,
    settings: SettingsDep,
    caller: Reader,
    max_nodes: MaxNodes = None,
    staff: StaffQuery = None,
    path_to: PathTo = None,
    width: Annotated[int, Query(ge=300, le=4000, description="Pixels.")] = 1200,
    height: Annotated[int, Query(ge=300, le=4000, description="Pixels.")] = 900,
) -> Response:
    """The same figure as the map page, rendered by kaleido in headless Chromium (the first
    export after a restart takes a few seconds while the browser starts)."""
    network = _network(gateway, settings, caller, store_id, max_nodes, staff, path_to)
    path = network.path
    fig = network_figure(network, [p.person_id for p in path.people] if path else None)
    image = figure_png(fig, width=width, height=height)
    return Response(
        image,
        media_type="image/png",
        headers={"Content-Disposition": f'inline; filename="{store_id}-network.png"'},
    )


@router.get(
    "/",
    summary="HQ page: every store with its figures, linking to its map",
    response_class=HTMLResponse,
    responses={
        **HTML_RESPONSES,
        303: {"description": "A store key is sent to its own store's map."},
    },
)
def hq_html(
    request: Request,
    gateway: GatewayDep,
    caller: PageReader,
    sort: SortQuery = "customers",
    desc: DescQuery = True,
) -> Response:
    """Every store with its HQ overview figures (customers, tier, prospects, members, agents,
    conversion, fission ratio, new people, cascade depth) in a table sorted server-side by
    `sort`/`desc` (click a column header). HQ keys only; a store key is redirected to its
    store's map. Opened with `?key=`, it keeps the key in a cookie and redirects to the same
    address without it."""
    redirect = _key_to_cookie(request)
    if redirect:
        return redirect
    if caller.role == "store":
        return RedirectResponse(f"/stores/{quote(caller.store_id or '')}/map", status_code=303)
    page = hq_overview(gateway, sort=sort, descending=desc, limit=None)
    return HTMLResponse(hq_page(page))
