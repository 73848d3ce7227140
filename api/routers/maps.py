"""Store network maps (JSON, HTML page, PNG).

Browser pages accept the key once as `?key=`: they keep it in the `fission_key` cookie
(HTTP-only, same-site) and redirect to the same address without it (api.auth.KeyInAddress), so
links between pages need no key and the key stays out of browser history and server logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from api.auth import PageReader, Principal, Reader, check_store
from api.bodies import JSONRoute
from api.deps import GatewayDep, SettingsDep, StoreId, check_person, person_ref
from api.errors import ERROR_RESPONSES
from api.maps import Colouring, figure_png, map_page, network_figure
from api.pages.common import PageLanguage, chrome, page_response
from api.pages.views import key_reason_texts
from fission.errors import InvalidInput
from fission.settings import Settings
from graph import access
from graph.algorithms import MapOverlay, map_overlay
from graph.gateway import Gateway
from graph.network import StoreNetwork, store_network
from graph.paths import IntroductionPath, introduction_path
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
    store_id: StoreId,
    gateway: GatewayDep,
    settings: SettingsDep,
    caller: Reader,
    max_nodes: MaxNodes = None,
    staff: StaffQuery = None,
    path_to: PathTo = None,
) -> MapView:
    """The store's network as the caller may see it (a store key sees people of other stores
    as "someone from another store"), with the introduction path asked for."""
    check_store(caller, store_id)
    path = _path(gateway, settings, caller, store_id, staff, path_to)
    network = store_network(gateway, store_id, max_nodes, path=path, scope=caller.scope)
    return MapView(network, path, max_nodes)


StoreMap = Annotated[MapView, Depends(store_map)]


@dataclass(frozen=True)
class Overlay:
    """What a drawn map adds from the graph algorithms, as the route asked for it."""

    marks: MapOverlay
    colour: Colouring
    seeds: int


def store_overlay(
    view: StoreMap, gateway: GatewayDep, colour: ColourQuery = "role", seeds: SeedsQuery = 0
) -> Overlay:
    people = [n.id for n in view.network.nodes if n.role != "store" and n.count is None]
    marks = map_overlay(gateway, view.network.store_id, people, seeds=seeds)
    return Overlay(marks, colour, seeds)


StoreOverlay = Annotated[Overlay, Depends(store_overlay)]


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
    is cached per store until the store's network changes. A store key sees people of other
    stores as "someone from another store" nodes."""
    return view.network


@router.get(
    "/stores/{store_id}/map",
    summary="A store's network map (HTML page)",
    response_class=HTMLResponse,
    responses=HTML_RESPONSES,
)
def map_html(
    request: Request,
    caller: PageReader,  # first: a `?key=` redirects before anything else is computed
    view: StoreMap,
    overlay: StoreOverlay,
    gateway: GatewayDep,
    settings: SettingsDep,
    lang: PageLanguage = None,
) -> Response:
    """The interactive Plotly map: nodes coloured by role (or by circle) and sized by
    influence, key nodes labelled, hover cards, with `staff` + `path_to` the introduction path
    highlighted, with `seeds` whom to seed, and people named by fraud flags crossed; circles,
    bridges, seeds and flags are listed under it. Works offline: plotly.js comes from
    `/static/plotly.min.js`. The store dashboard (`/stores/{id}/dashboard`) shows the same map
    with everything around it. Opened with `?key=`, it keeps the key in a cookie and redirects
    to the same address without it."""
    frame = chrome(request, settings, caller)
    query: dict[str, str | int] = {"max_nodes": view.max_nodes} if view.max_nodes else {}
    if view.path:
        query.update(staff=view.path.staff_id, path_to=view.path.target_id)
    here = f"/stores/{quote(view.network.store_id)}/map?"
    colour, seeds = overlay.colour, overlay.seeds
    toggles = {
        "role": here + urlencode({**query, "colour": "role", "seeds": seeds}),
        "circle": here + urlencode({**query, "colour": "circle", "seeds": seeds}),
        "seeds": here + urlencode({**query, "colour": colour, "seeds": 0 if seeds else 5}),
    }
    query.update(colour=colour, seeds=seeds)
    reasons = key_reason_texts(gateway, frame.text, view.network.store_id)
    fig = network_figure(view.network, view.highlight, frame.text, reasons, overlay.marks, colour)
    page = map_page(
        view.network, fig, frame, path=view.path, query=urlencode(query), key_reasons=reasons,
        overlay=overlay.marks, colour=colour, toggles=toggles,
    )  # fmt: skip
    return page_response(request, page)


@router.get(
    "/stores/{store_id}/map.png",
    summary="A store's network map as PNG",
    response_class=Response,
    responses=PNG_RESPONSES,
)
def map_png(
    view: StoreMap,
    overlay: StoreOverlay,
    width: Annotated[int, Query(ge=300, le=4000, description="Pixels.")] = 1200,
    height: Annotated[int, Query(ge=300, le=4000, description="Pixels.")] = 900,
) -> Response:
    """The same figure as the map page, rendered by kaleido in headless Chromium (the first
    export after a restart takes a few seconds while the browser starts)."""
    fig = network_figure(view.network, view.highlight, overlay=overlay.marks, colour=overlay.colour)
    image = figure_png(fig, width=width, height=height)
    return Response(
        image,
        media_type="image/png",
        headers={"Content-Disposition": f'inline; filename="{view.network.store_id}-network.png"'},
    )
