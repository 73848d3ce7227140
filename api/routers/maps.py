"""Store network maps (JSON, HTML page, PNG) and the HQ page.

Browser pages accept the key once as `?key=`; the page then remembers it in the
`fission_key` cookie (HTTP-only, same-site), so links between pages need no key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from api.auth import COOKIE, Principal, Reader, check_store
from api.deps import GatewayDep, check_person
from api.errors import ERROR_RESPONSES
from api.maps import figure_png, hq_page, map_page, network_figure
from fission.errors import InvalidInput
from graph import access
from graph.gateway import Gateway
from graph.network import StoreNetwork, store_network
from graph.paths import IntroductionPath, introduction_path
from graph.stores import SORTS, hq_overview
from loaders.status import operations_status

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


@dataclass(frozen=True)
class MapView:
    """A store's network as a map route asked for it: with the introduction path, if any."""

    network: StoreNetwork
    path: IntroductionPath | None
    max_nodes: int | None

    @property
    def highlight(self) -> list[str] | None:
        return [p.person_id for p in self.path.people] if self.path else None


def store_map(
    store_id: str,
    gateway: GatewayDep,
    caller: Reader,
    max_nodes: MaxNodes = None,
    staff: StaffQuery = None,
    path_to: PathTo = None,
) -> MapView:
    check_store(caller, store_id)
    path = _path(gateway, caller, store_id, staff, path_to)
    return MapView(store_network(gateway, store_id, max_nodes, path=path), path, max_nodes)


StoreMap = Annotated[MapView, Depends(store_map)]


@router.get(
    "/stores/{store_id}/network",
    summary="A store's network, laid out, as JSON",
    responses=ERROR_RESPONSES,
)
def network_json(view: StoreMap) -> StoreNetwork:
    """Nodes (store, staff, agents, members, prospects; summary nodes beyond `max_nodes`)
    with role, store influence, reach, key-node status, top interests and layout positions
    (x, y in [-1, 1]); edges (works_at, referral, home, aggregate, knows). With `staff` and
    `path_to`, `path` holds their introduction path and its people are on the map. The layout
    is cached per store until the store's network changes."""
    return view.network


@router.get(
    "/stores/{store_id}/map",
    summary="A store's network map (HTML page)",
    response_class=HTMLResponse,
    responses=HTML_RESPONSES,
)
def map_html(request: Request, view: StoreMap, caller: Reader) -> HTMLResponse:
    """The interactive Plotly map: nodes coloured by role and sized by influence, key nodes
    labelled, hover cards, and with `staff` + `path_to` the introduction path highlighted.
    Works offline: plotly.js comes from `/static/plotly.min.js`."""
    query: dict[str, str | int] = {"max_nodes": view.max_nodes} if view.max_nodes else {}
    if view.path:
        query.update(staff=view.path.staff_id, path_to=view.path.target_id)
    fig = network_figure(view.network, view.highlight)
    page = map_page(
        view.network, fig, path=view.path, hq=caller.role == "hq", query=urlencode(query)
    )
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
    view: StoreMap,
    width: Annotated[int, Query(ge=300, le=4000, description="Pixels.")] = 1200,
    height: Annotated[int, Query(ge=300, le=4000, description="Pixels.")] = 900,
) -> Response:
    """The same figure as the map page, rendered by kaleido in headless Chromium (the first
    export after a restart takes a few seconds while the browser starts)."""
    image = figure_png(network_figure(view.network, view.highlight), width=width, height=height)
    return Response(
        image,
        media_type="image/png",
        headers={"Content-Disposition": f'inline; filename="{view.network.store_id}-network.png"'},
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
    """How fresh the data is (as `GET /status`: last load, influence age, held events, with
    warnings), then every store with its HQ overview figures (customers, tier, prospects,
    members, agents, conversion, fission ratio, new people, cascade depth) in a table sorted
    server-side by `sort`/`desc` (click a column header). HQ keys only; a store key is
    redirected to its store's map."""
    response: Response
    if caller.role == "store":
        response = RedirectResponse(f"/stores/{quote(caller.store_id or '')}/map", status_code=303)
    else:
        page = hq_overview(gateway, sort=sort, descending=desc, limit=None)
        response = HTMLResponse(hq_page(page, operations_status(gateway)))
    _remember_key(request, response)
    return response
