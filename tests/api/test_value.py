"""Customer value over the API against the real database (the hand-built brand of
tests/graph/value/test_known_answers.py): answers equal the graph functions', windows are
validated with reasons, the access matrix (HQ any store and the brand, a store key its own
store only), the former pages moved into the dashboards, PNG export, and the OpenAPI
documentation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from graph.gateway import Gateway
from graph.value import (
    Paging,
    agent_candidates,
    brand_funnel,
    brand_value,
    store_funnel,
    store_retention,
    store_sources,
    store_value,
)
from loaders.pipeline import load_files
from tests.api.conftest import key
from tests.api.test_maps import png_size
from tests.graph.value.test_known_answers import AS_OF, WEEK_2, build
from tests.helpers import wipe

WINDOW = {"start": WEEK_2[0].isoformat(), "end": WEEK_2[1].isoformat()}
STORE_ROUTES = [
    "/stores/S1/value",
    "/stores/S1/retention",
    "/stores/S1/sources",
    "/stores/S1/funnel",
    "/stores/S1/agent-candidates",
    "/stores/S1/value/page",
    "/stores/S1/value/funnel.png",
]
BRAND_ROUTES = [
    "/brand/value",
    "/brand/retention",
    "/brand/sources",
    "/brand/funnel",
    "/brand/agent-candidates",
    "/brand/value/page",
    "/brand/value/funnel.png",
]


@pytest.fixture(scope="module")
def brand(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    folder: Path = tmp_path_factory.mktemp("api-value")
    build(folder)
    wipe(gateway)
    assert load_files(gateway, [folder]).total("rejected") == 0
    yield gateway
    wipe(gateway)


def params(route: str) -> dict[str, object]:
    size = {"width": 300, "height": 300} if route.endswith(".png") else {}
    return {**WINDOW, **size} if "candidates" not in route else {}


@pytest.mark.parametrize("route", STORE_ROUTES)
@pytest.mark.parametrize(
    ("who", "status"), [("hq", 200), ("s1", 200), ("s2", 404), ("ingest", 403), (None, 401)]
)
def test_store_access(
    app_client: TestClient, brand: Gateway, route: str, who: str | None, status: int
) -> None:
    response = app_client.get(
        route, params=params(route), headers=key(who) if who else {}, follow_redirects=False
    )
    moved = status == 200 and route.endswith("/page")  # to the dashboard's value section
    assert response.status_code == (303 if moved else status), response.text
    if status != 200:
        assert response.json()["error"]["message"]


@pytest.mark.parametrize("route", BRAND_ROUTES)
@pytest.mark.parametrize(
    ("who", "status"), [("hq", 200), ("s1", 403), ("ingest", 403), (None, 401)]
)
def test_brand_routes_are_for_hq(
    app_client: TestClient, brand: Gateway, route: str, who: str | None, status: int
) -> None:
    response = app_client.get(
        route, params=params(route), headers=key(who) if who else {}, follow_redirects=False
    )
    moved = status == 200 and route.endswith("/page")  # to the HQ dashboard's value section
    assert response.status_code == (303 if moved else status), response.text


def test_answers_are_the_graph_answers(app_client: TestClient, brand: Gateway) -> None:
    hq = key("hq")
    get = lambda route, **p: app_client.get(route, params=p, headers=hq).json()  # noqa: E731
    assert get("/stores/S1/value", **WINDOW) == store_value(brand, "S1", *WEEK_2).model_dump(
        mode="json"
    )
    retention = {"start": "2026-05-01T00:00:00Z", "end": AS_OF.isoformat()}
    assert get("/stores/S1/retention", **retention) == store_retention(
        brand, "S1", *(AS_OF.replace(day=1, hour=0), AS_OF)
    ).model_dump(mode="json")
    assert get("/stores/S1/sources", end=AS_OF.isoformat()) == store_sources(
        brand, "S1", end=AS_OF
    ).model_dump(mode="json")
    assert get("/stores/S1/funnel", **WINDOW) == store_funnel(brand, "S1", *WEEK_2).model_dump(
        mode="json"
    )
    assert get("/stores/S1/agent-candidates", limit=2) == agent_candidates(
        brand, "S1", limit=2
    ).model_dump(mode="json")
    value = get("/brand/value", **WINDOW, sort="amount", desc=True, limit=2)
    expected = brand_value(brand, *WEEK_2, Paging("amount", descending=True, limit=2))
    assert value["rows"] == expected.model_dump(mode="json")["rows"]
    assert [r["store_id"] for r in value["rows"]] == ["S1", "S2"] and value["total"] == 3
    assert value["brand"]["amount"] == 220.74 and value["precomputed"] is False
    funnel = get("/brand/funnel", **WINDOW)
    assert funnel["stages"] == brand_funnel(brand, *WEEK_2).model_dump(mode="json")["stages"]
    s1 = get("/brand/agent-candidates", per_store=1)["rows"][0]
    assert [c["person_id"] for c in s1["candidates"]] == ["P5"]


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ({"start": "2026-05-11T00:00:00", "end": "2026-05-18T00:00:00Z"}, "timezone offset"),
        ({"start": "2026-05-11", "end": "2026-05-18T00:00:00Z"}, "timezone offset"),
        ({"start": "1778457600", "end": "2026-05-18T00:00:00Z"}, "not an ISO 8601"),
        ({"start": "2026-05-11T00:00:00 08:00"}, "%2B"),
        ({"start": "2026-05-18T00:00:00Z", "end": "2026-05-11T00:00:00Z"}, "before end"),
        ({"start": "2026-05-18T00:00:00Z", "end": "2026-05-18T00:00:00Z"}, "before end"),
    ],
)
def test_windows_are_validated(
    app_client: TestClient, brand: Gateway, query: dict[str, str], reason: str
) -> None:
    for route in ("/stores/S1/value", "/stores/S1/funnel", "/brand/value"):
        response = app_client.get(route, params=query, headers=key("hq"))
        assert response.status_code == 422, (route, response.text)
        assert reason in response.json()["error"]["message"], response.json()


def test_other_bad_requests(app_client: TestClient, brand: Gateway) -> None:
    hq = key("hq")
    assert app_client.get("/stores/NOPE/value", headers=hq).status_code == 404
    sort = app_client.get("/brand/value", params={"sort": "shoe_size"}, headers=hq)
    assert sort.status_code == 422 and "sort must be one of" in sort.json()["error"]["message"]
    assert app_client.get("/brand/funnel", params={"limit": 0}, headers=hq).status_code == 422
    limit = app_client.get("/stores/S1/agent-candidates", params={"limit": 0}, headers=hq)
    assert limit.status_code == 422
    assert app_client.get("/stores/S1/value/pie.png", headers=hq).status_code == 422


def test_value_pages_moved_into_the_dashboards(app_client: TestClient, brand: Gateway) -> None:
    """The former value pages send a browser to the dashboards' value sections (the window
    kept; a `?key=` first goes into the cookie, as on every page), which draw every figure
    with local plotly.js and link each one's PNG."""
    english = {"Accept-Language": "en"}
    browser = TestClient(app_client.app)  # its cookie must not authenticate other tests
    keyed = browser.get(
        "/stores/S1/value/page", params={**WINDOW, "key": "key-s1"}, follow_redirects=False
    )
    assert keyed.status_code == 303 and keyed.cookies.get("fission_key") == "key-s1"
    assert keyed.headers["location"] == f"/stores/S1/value/page?{urlencode(WINDOW)}"
    moved = browser.get(keyed.headers["location"], follow_redirects=False)
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/stores/S1/dashboard?{urlencode(WINDOW)}#value"
    response = app_client.get(moved.headers["location"], headers={**key("s1"), **english})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<script src="/static/plotly.min.js?v=' in page and "cdn.plot.ly" not in page
    for figure in ("factors", "retention", "sources", "funnel"):
        assert f'id="value-{figure}"' in page
        assert f"/stores/S1/value/{figure}.png?start=" in page
    assert 'id="agent-candidates"' in page and 'data-person="P5"' in page
    assert "All stores" not in page  # a store key gets no link to the HQ page
    assert f'value="{WINDOW["start"]}"' in page  # the window form shows the window

    brand_moved = app_client.get(
        "/brand/value/page", params=WINDOW, headers=key("hq"), follow_redirects=False
    )
    assert brand_moved.headers["location"] == f"/?{urlencode(WINDOW)}#value"
    hq = app_client.get(brand_moved.headers["location"], headers={**key("hq"), **english}).text
    rows = re.findall(r'<tr data-gmv-store="([^"]+)">', hq)
    by_gmv = app_client.get(
        "/brand/value", params={**WINDOW, "sort": "amount", "desc": "true"}, headers=key("hq")
    ).json()
    assert rows == [r["store_id"] for r in by_gmv["rows"]]
    assert 'href="/stores/S1/dashboard#value"' in hq
    for figure in ("factors", "retention", "sources", "funnel", "stores"):
        assert f'id="value-{figure}"' in hq


def test_png_of_every_figure(app_client: TestClient, brand: Gateway) -> None:
    for figure in ("factors", "retention", "sources", "funnel"):
        response = app_client.get(
            f"/stores/S1/value/{figure}.png",
            params={**WINDOW, "width": 640, "height": 400},
            headers=key("s1"),
        )
        assert response.status_code == 200, response.text
        assert png_size(response.content) == (640, 400)
    brand_png = app_client.get("/brand/value/retention.png", params=WINDOW, headers=key("hq"))
    assert png_size(brand_png.content) == (1200, 600)


def test_openapi_documents_the_routes(app_client: TestClient) -> None:
    spec = app_client.get("/openapi.json").json()
    for route in ["/stores/{store_id}/value", "/brand/value", "/brand/agent-candidates"]:
        assert route in spec["paths"]
    start = next(
        p for p in spec["paths"]["/stores/{store_id}/value"]["get"]["parameters"]
        if p["name"] == "start"
    )  # fmt: skip
    assert "ISO 8601" in start["description"]
