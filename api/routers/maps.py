"""Store network maps (JSON, HTML page, PNG) and the HQ page.

Browser pages accept the key once as `?key=`; the page then remembers it in the
`fission_key` cookie (HTTP-only, same-site), so links between pages need no key.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

import plotly.graph_objects as go
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from api.auth import COOKIE, Principal, Reader, check_store
from api.deps import GatewayDep, check_person
from api.errors import ERROR_RESPONSES
from api.maps import Colouring, figure_png, hq_page, map_page, network_figure
from fission.errors import InvalidInput
from graph import access
from graph.algorithms import MapOverlay, map_overlay
from graph.gateway import Gateway
from graph.network import StoreNetwork, store_network
from graph.paths import IntroductionPath, introduction_path
from graph.stores import SORTS, hq_overview

router = APIRouter(tags=["maps"])

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
    Query(description="Staff member (of this store) the introduction path starts from."),
]
PathTo = Annotated[
    str | None,
    Query(
        description="Person to highlight the introduction path to (needs `staff`). The "
        "path's people are drawn even when the store is aggregated."
    ),
]
ColourQuery = Annotated[
    Colouring,
    Query(description="Colour people by `role` (default) or by `circle` (graph.circles)."),
]
SeedsQuery = Annotated[
    int,
    Query(
        ge=0,
        le=20,
        description="Highlight this many people to seed (graph.seeds; 0: none). Needs GDS.",
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


def _drawn(
    gateway: Gateway,
    caller: Principal,
    store_id: str,
    max_nodes: int | None,
    staff: str | None,
    path_to: str | None,
    colour: Colouring,
    seeds: int,
) -> tuple[StoreNetwork, IntroductionPath | None, MapOverlay, go.Figure]:
    """What the map page and its PNG draw: the network, the path, the algorithms' overlay and
    the figure (after the store-scope check)."""
    check_store(caller, store_id)
    path = _path(gateway, caller, store_id, staff, path_to)
    network = store_network(gateway, store_id, max_nodes, path=path)
    people = [n.id for n in network.nodes if n.role != "store" and n.count is None]
    overlay = map_overlay(gateway, store_id, people, seeds=seeds)
    on_path = [p.person_id for p in path.people] if path else None
    return network, path, overlay, network_figure(network, on_path, overlay, colour)


def _remember_key(request: Request, response: Response) -> None:
    """A page opened with `?key=` (already checked) keeps the key in a cookie."""
    key = request.query_params.get("key")
    if key:
        response.set_cookie(COOKIE, key, httponly=True, samesite="strict")


def _path(
    gateway: Gateway, caller: Principal, store_id: str, staff: str | None, path_to: str | None
) -> IntroductionPath | None:
    if staff is None and path_to is None:
        return None
    if not staff or not path_to:
        raise InvalidInput("An introduction path needs both `staff` and `path_to`.")
    access.check_person(gateway, staff, store_id, staff=True)
    check_person(gateway, caller, path_to)
    return introduction_path(gateway, staff, path_to)


@router.get(
    "/stores/{store_id}/network",
    summary="A store's network, laid out, as JSON",
    responses=ERROR_RESPONSES,
)
def network_json(
    store_id: str,
    request: Request,
    gateway: GatewayDep,
    caller: Reader,
    max_nodes: MaxNodes = None,
    staff: StaffQuery = None,
    path_to: PathTo = None,
) -> StoreNetwork:
    """Nodes (store, staff, agents, members, prospects; summary nodes beyond `max_nodes`)
    with role, store influence, reach, key-node status, top interests and layout positions
    (x, y in [-1, 1]); edges (works_at, referral, home, aggregate, knows). With `staff` and
    `path_to`, `path` holds their introduction path and its people are on the map. The layout
    is cached per store until the store's network changes."""
    check_store(caller, store_id)
    path = _path(gateway, caller, store_id, staff, path_to)
    return store_network(gateway, store_id, max_nodes, path=path)


@router.get(
    "/stores/{store_id}/map",
    summary="A store's network map (HTML page)",
    response_class=HTMLResponse,
    responses=HTML_RESPONSES,
)
def map_html(
    store_id: str,
    request: Request,
    gateway: GatewayDep,
    caller: Reader,
    max_nodes: MaxNodes = None,
    staff: StaffQuery = None,
    path_to: PathTo = None,
    colour: ColourQuery = "role",
    seeds: SeedsQuery = 0,
) -> HTMLResponse:
    """The interactive Plotly map: nodes coloured by role (or by circle) and sized by
    influence, key nodes labelled, hover cards, with `staff` + `path_to` the introduction path
    highlighted, with `seeds` whom to seed, and people named by fraud flags crossed; circles,
    bridges, seeds and flags are listed under it. Works offline: plotly.js comes from
    `/static/plotly.min.js`."""
    network, path, overlay, fig = _drawn(
        gateway, caller, store_id, max_nodes, staff, path_to, colour, seeds
    )
    query: dict[str, str | int] = {"max_nodes": max_nodes} if max_nodes else {}
    if path:
        query.update(staff=path.staff_id, path_to=path.target_id)
    here = f"/stores/{quote(store_id)}/map?"
    toggles = {
        "by role": here + urlencode({**query, "colour": "role", "seeds": seeds}),
        "by circle": here + urlencode({**query, "colour": "circle", "seeds": seeds}),
        "show 5 seeds" if not seeds else "hide seeds": here
        + urlencode({**query, "colour": colour, "seeds": 0 if seeds else 5}),
    }
    query.update(colour=colour, seeds=seeds)
    page = map_page(
        network, fig, path=path, hq=caller.role == "hq", query=urlencode(query),
        overlay=overlay, colour=colour, toggles=toggles,
    )  # fmt: skip
    response = HTMLResponse(page)
    _remember_key(request, response)
    return response


@router.get(
    "/stores/{store_id}/map.png",
    summary="A store's network map as PNG",
    response_class=Response,
    responses=PNG_RESPONSES,
)
def map_png(
    store_id: str,
    request: Request,
    gateway: GatewayDep,
    caller: Reader,
    max_nodes: MaxNodes = None,
    staff: StaffQuery = None,
    path_to: PathTo = None,
    width: Annotated[int, Query(ge=300, le=4000, description="Pixels.")] = 1200,
    height: Annotated[int, Query(ge=300, le=4000, description="Pixels.")] = 900,
    colour: ColourQuery = "role",
    seeds: SeedsQuery = 0,
) -> Response:
    """The same figure as the map page, rendered by kaleido in headless Chromium (the first
    export after a restart takes a few seconds while the browser starts)."""
    *_, fig = _drawn(gateway, caller, store_id, max_nodes, staff, path_to, colour, seeds)
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
    caller: Reader,
    sort: Annotated[str, Query(description=f"One of: {', '.join(SORTS)}.")] = "customers",
    desc: Annotated[bool, Query(description="Largest first.")] = True,
) -> Response:
    """Every store with its HQ overview figures (customers, tier, prospects, members, agents,
    conversion, fission ratio, new people, cascade depth) in a table sorted server-side by
    `sort`/`desc` (click a column header). HQ keys only; a store key is redirected to its
    store's map."""
    response: Response
    if caller.role == "store":
        response = RedirectResponse(f"/stores/{quote(caller.store_id or '')}/map", status_code=303)
    else:
        page = hq_overview(gateway, sort=sort, descending=desc, limit=None)
        response = HTMLResponse(hq_page(page))
    _remember_key(request, response)
    return response
