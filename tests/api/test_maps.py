"""Store network maps against the real database: the network JSON on a hand-made brand (roles,
edges, reach, key nodes, layout), aggregation beyond max_nodes, the introduction path
highlighted, the layout cache refreshed when the store's network changes, the pages (offline
plotly.js, sortable HQ table, redirects, the key cookie), PNG export, and the access matrix."""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from plotly.offline import get_plotlyjs

from fission.errors import NotFound
from graph.gateway import Gateway
from graph.influence import refresh_influence
from graph.network import StoreNetwork, store_network
from loaders.pipeline import load_files
from tests.api.conftest import key
from tests.helpers import friendship, order, reference_files, share, ts, visit, wipe, write_rows

S1_ROUTES = ["/stores/S1/network", "/stores/S1/map", "/stores/S1/map.png"]


@pytest.fixture(scope="module")
def brand(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """S1: M1 (manager) -> A, B; A re-shares -> C, D, E; C buys; B becomes an agent; C1 (clerk)
    is friends with A; G first appears buying at S1 (no referrer). S2: M2 -> X."""
    folder = tmp_path_factory.mktemp("maps-brand")
    reference_files(folder)
    write_rows(
        folder,
        "shares",
        [
            share("e01", "sh1", "M1", ts(1, 9)),
            share("e02", "sh2", "A", ts(3, 9), parent="sh1"),
            share("e03", "sh3", "M2", ts(1, 9), content="K1"),
        ],
    )
    write_rows(
        folder,
        "visits",
        [
            visit("e10", "sh1", "A", ts(2, 10)),
            visit("e11", "sh1", "B", ts(2, 11)),
            visit("e12", "sh2", "C", ts(4, 10)),
            visit("e13", "sh2", "D", ts(4, 11)),
            visit("e14", "sh2", "E", ts(4, 12)),
            visit("e15", "sh3", "X", ts(2, 10)),
        ],
    )
    write_rows(folder, "orders", [order("e20", "C", "S1", ts(5)), order("e22", "G", "S1", ts(3))])
    write_rows(folder, "friendships", [friendship("e30", "C1", "A", ts(5, 8))])
    write_rows(
        folder,
        "agents",
        [{"event_id": "e40", "person_id": "B", "store_id": "S1", "invited_by": "M1",
          "at": ts(6)}],
    )  # fmt: skip
    wipe(gateway)
    load_files(gateway, [folder])
    refresh_influence(gateway)
    yield folder


def nodes_by_id(network: dict) -> dict[str, dict]:
    return {n["id"]: n for n in network["nodes"]}


def edge_set(network: dict, kind: str | None = None) -> set[tuple[str, str, str]]:
    return {
        (e["source"], e["target"], e["kind"])
        for e in network["edges"]
        if kind is None or e["kind"] == kind
    }


def png_size(image: bytes) -> tuple[int, int]:
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    assert image[12:16] == b"IHDR"
    width, height = struct.unpack(">II", image[16:24])
    return width, height


# ----------------------------------------------------------------------------- network JSON


def test_network_json_roles_edges_and_figures(app_client: TestClient, brand: Path) -> None:
    response = app_client.get("/stores/S1/network", headers=key("hq"))
    assert response.status_code == 200
    net = response.json()
    StoreNetwork.model_validate(net)
    nodes = nodes_by_id(net)
    assert {pid: n["role"] for pid, n in nodes.items()} == {
        "store:S1": "store",
        "M1": "staff",
        "C1": "staff",
        "A": "prospect",
        "B": "agent",
        "C": "member",
        "D": "prospect",
        "E": "prospect",
        "G": "member",
    }
    assert (net["people"], net["drawn_people"], net["aggregated"]) == (8, 8, [])
    assert net["people_by_role"] == {"staff": 2, "agent": 1, "member": 2, "prospect": 3}
    assert nodes["store:S1"]["label"] == "Jing'an"
    assert (nodes["M1"]["label"], nodes["M1"]["staff_role"]) == ("Ma", "manager")
    assert [(nodes[p]["reach1"], nodes[p]["reach3"]) for p in ("M1", "A", "B", "C")] == [
        (2, 5),
        (3, 3),
        (0, 0),
        (0, 0),
    ]
    # A is the one customer others engaged with: the top 1% by store influence.
    assert [pid for pid, n in nodes.items() if n["key"]] == ["A"]
    assert nodes["A"]["key_reasons"] == ["top 1% influence in store (rank 1 of 6)"]
    assert nodes["A"]["influence"] > nodes["B"]["influence"] > nodes["G"]["influence"] == 0.0
    assert nodes["A"]["top_interests"] == ["baby", "coffee"]
    assert edge_set(net) == {
        ("M1", "store:S1", "works_at"),
        ("C1", "store:S1", "works_at"),
        ("M1", "A", "referral"),
        ("M1", "B", "referral"),
        ("A", "C", "referral"),
        ("A", "D", "referral"),
        ("A", "E", "referral"),
        ("G", "store:S1", "home"),
    }
    assert (nodes["store:S1"]["x"], nodes["store:S1"]["y"]) == (0.0, 0.0)
    assert all(-1 <= n["x"] <= 1 and -1 <= n["y"] <= 1 for n in net["nodes"])
    assert len({(n["x"], n["y"]) for n in net["nodes"]}) == len(net["nodes"])
    assert all(n["in_network"] and not n["highlighted"] for n in net["nodes"])


def test_layout_is_deterministic(app_client: TestClient, gateway: Gateway, brand: Path) -> None:
    first = app_client.get("/stores/S2/network", headers=key("hq")).json()
    again = store_network(gateway, "S2", max_nodes=1400)  # not cached: other parameters
    assert [(n["id"], n["x"], n["y"]) for n in first["nodes"]] == [
        (n.id, n.x, n.y) for n in again.nodes
    ]
    assert edge_set(first) == {("M2", "store:S2", "works_at"), ("M2", "X", "referral")}
    # A cached network (kept as JSON text) comes back equal, to the last float and timestamp.
    assert store_network(gateway, "S2", max_nodes=1400) == again


def test_highlighted_person_of_another_store(gateway: Gateway, brand: Path) -> None:
    net = store_network(gateway, "S1", highlight=["X"]).model_dump()
    nodes = nodes_by_id(net)
    # X (home S2) is drawn because highlighted, outside the network, and not tied to S1.
    assert (nodes["X"]["in_network"], nodes["X"]["highlighted"]) == (False, True)
    assert not [e for e in net["edges"] if "X" in (e["source"], e["target"])]
    assert net["drawn_people"] == 8


def test_aggregates_beyond_max_nodes(gateway: Gateway, brand: Path) -> None:
    # Budget 5: both staff, then key node A, then A's cascade breadth first (C, D), rest summed.
    net = store_network(gateway, "S1", max_nodes=5).model_dump()
    nodes = nodes_by_id(net)
    assert set(nodes) == {
        "store:S1", "M1", "C1", "A", "C", "D",
        "aggregate:agent", "aggregate:member", "aggregate:prospect",
    }  # fmt: skip
    assert net["aggregated"] == [
        {"node_id": "aggregate:agent", "role": "agent", "count": 1},
        {"node_id": "aggregate:member", "role": "member", "count": 1},
        {"node_id": "aggregate:prospect", "role": "prospect", "count": 1},
    ]
    assert (nodes["aggregate:prospect"]["label"], nodes["aggregate:prospect"]["count"]) == (
        "+ 1 prospect",
        1,
    )
    assert net["drawn_people"] == 5
    assert edge_set(net, "aggregate") == {
        (f"aggregate:{role}", "store:S1", "aggregate") for role in ("agent", "member", "prospect")
    }
    assert edge_set(net, "referral") == {("M1", "A", "referral"), ("A", "C", "referral"),
                                         ("A", "D", "referral")}  # fmt: skip
    # Only staff and the key node fit: the whole cascade is summarised.
    tight = store_network(gateway, "S1", max_nodes=3)
    assert {n.id for n in tight.nodes if n.count is None} == {"store:S1", "M1", "C1", "A"}
    assert {(a.role, a.count) for a in tight.aggregated} == {
        ("agent", 1), ("member", 2), ("prospect", 2),
    }  # fmt: skip


def test_introduction_path_is_highlighted(app_client: TestClient, brand: Path) -> None:
    response = app_client.get(
        "/stores/S1/network", params={"staff": "C1", "path_to": "D"}, headers=key("s1")
    )
    assert response.status_code == 200
    net = response.json()
    assert net["path"]["status"] == "path"
    assert [p["person_id"] for p in net["path"]["people"]] == ["C1", "A", "D"]
    assert {pid for pid, n in nodes_by_id(net).items() if n["highlighted"]} == {"C1", "A", "D"}
    assert edge_set(net, "knows") == {("A", "C1", "knows"), ("A", "D", "knows")}
    page = app_client.get(
        "/stores/S1/map",
        params={"staff": "C1", "path_to": "D"},
        headers={**key("s1"), "Accept-Language": "en"},  # no ?lang: no cookie left behind
    ).text
    assert "introduction path" in page and 'id="path-answer"' in page


def test_path_parameters_are_validated(app_client: TestClient, brand: Path) -> None:
    def get(**params: object) -> tuple[int, str]:
        r = app_client.get("/stores/S1/network", params=params, headers=key("hq"))
        return r.status_code, r.json().get("error", {}).get("message", "")

    assert get(staff="C1") == (422, "An introduction path needs both `staff` and `path_to`.")
    assert get(staff="M2", path_to="D") == (404, "No staff member M2 at store S1.")
    assert get(staff="A", path_to="D") == (404, "No staff member A at store S1.")
    assert get(staff="C1", path_to="nobody")[0] == 404
    status, message = get(max_nodes=5)
    assert status == 422 and "max_nodes" in message
    # A store key cannot reach a person of another store through the path either.
    r = app_client.get(
        "/stores/S1/network", params={"staff": "C1", "path_to": "X"}, headers=key("s1")
    )
    assert r.status_code == 404
    not_reachable = app_client.get(
        "/stores/S1/map",
        params={"staff": "C1", "path_to": "X"},
        headers={**key("hq"), "Accept-Language": "en"},
    )
    assert not_reachable.status_code == 200 and "Not reachable" in not_reachable.text


def test_unknown_store(app_client: TestClient, gateway: Gateway, brand: Path) -> None:
    assert app_client.get("/stores/S9/network", headers=key("hq")).status_code == 404
    assert app_client.get("/stores/S9/map", headers=key("hq")).status_code == 404
    with pytest.raises(NotFound):
        store_network(gateway, "S9")


# ----------------------------------------------------------------------------- pages and PNG


def script_sources(page: str) -> list[str]:
    return re.findall(r"<script[^>]*\bsrc=[\"']([^\"']+)", page)


def test_map_page_loads_plotly_from_the_app(app_client: TestClient, brand: Path) -> None:
    response = app_client.get("/stores/S1/map", headers=key("hq"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    sources = script_sources(page)
    assert len(sources) == 1 and sources[0].startswith("/static/plotly.min.js")
    assert not re.search(r"<script[^>]+src=[\"']?(https?:)?//", page)
    assert 'id="network-map"' in page and "Plotly.newPlot" in page
    assert 'href="/"' in page  # HQ gets a link back to all stores
    store_page = app_client.get("/stores/S1/map", headers=key("s1")).text
    assert 'href="/"' not in store_page


def test_static_plotly_js(app_client: TestClient) -> None:
    plain = app_client.get("/static/plotly.min.js", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200  # no key needed
    assert plain.headers["content-type"].startswith("text/javascript")  # RFC 9239
    assert "max-age=31536000" in plain.headers["cache-control"]
    assert plain.text == get_plotlyjs()
    packed = app_client.get("/static/plotly.min.js", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == plain.content  # httpx decodes it


def test_hq_page_lists_stores_sorted(app_client: TestClient, brand: Path) -> None:
    page = app_client.get("/", params={"sort": "customers", "desc": True}, headers=key("hq"))
    assert page.status_code == 200
    rows = re.findall(r'<tr data-store="([^"]+)"', page.text)
    assert rows == ["S1", "S2"]  # 6 customers, then 1
    assert 'href="/stores/S1/dashboard"' in page.text and 'href="/stores/S2/dashboard"' in page.text
    assert 'href="/?sort=customers&amp;desc=false"' in page.text  # click again: ascending
    sources = script_sources(page.text)
    assert len(sources) == 1 and sources[0].startswith("/static/plotly.min.js")
    ascending = app_client.get("/", params={"sort": "customers", "desc": False}, headers=key("hq"))
    assert re.findall(r'<tr data-store="([^"]+)"', ascending.text) == ["S2", "S1"]
    bad = app_client.get("/", params={"sort": "shoe_size"}, headers=key("hq"))
    assert bad.status_code == 422


def test_store_key_is_sent_to_its_own_dashboard(app_client: TestClient, brand: Path) -> None:
    for who, store in (("s1", "S1"), ("s2", "S2")):
        r = app_client.get("/", headers=key(who), follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, f"/stores/{store}/dashboard")


def test_key_in_the_query_is_remembered_in_a_cookie(app_client: TestClient, brand: Path) -> None:
    browser = TestClient(app_client.app)  # its own cookie jar; the app is already started
    assert browser.get("/stores/S1/map").status_code == 401
    first = browser.get("/stores/S1/map", params={"key": "key-s1"})
    assert first.status_code == 200
    assert browser.cookies.get("fission_key") == "key-s1"
    assert browser.get("/stores/S1/network").status_code == 200  # no key: the cookie
    assert browser.get("/stores/S2/network").status_code == 404


def test_png_export(app_client: TestClient, brand: Path) -> None:
    response = app_client.get("/stores/S1/map.png", headers=key("s1"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert png_size(response.content) == (1200, 900)
    assert 10_000 < len(response.content) < 2_000_000
    small = app_client.get(
        "/stores/S1/map.png",
        params={"width": 640, "height": 480, "staff": "C1", "path_to": "D"},
        headers=key("hq"),
    )
    assert png_size(small.content) == (640, 480)


# ----------------------------------------------------------------------------- access


@pytest.mark.parametrize(
    ("who", "expected"),
    [("hq", 200), ("s1", 200), ("s2", 404), ("ingest", 403), (None, 401), ("bad", 401)],
)
def test_access_matrix(app_client: TestClient, brand: Path, who: str | None, expected: int) -> None:
    headers = {"X-API-Key": "not-a-key"} if who == "bad" else key(who) if who else {}
    for route in S1_ROUTES:
        params = {"width": 300, "height": 300} if route.endswith(".png") else {}
        response = app_client.get(route, headers=headers, params=params)
        assert response.status_code == expected, route
        if expected != 200:
            assert "error" in response.json()
    hq_page = app_client.get("/", headers=headers, follow_redirects=False)
    assert hq_page.status_code == {"s1": 303, "s2": 303}.get(who or "", expected)


# ----------------------------------------------------------------------------- cache


def test_cache_refreshes_when_the_network_changes(
    app_client: TestClient, gateway: Gateway, brand: Path, tmp_path: Path
) -> None:
    before = app_client.get("/stores/S1/network", headers=key("hq")).json()
    cached = app_client.get("/stores/S1/network", headers=key("hq")).json()
    assert cached["computed_at"] == before["computed_at"]
    assert cached["version"] == before["version"]

    # F joins through A's share: a new person in S1's network.
    joined = tmp_path / "joined"
    reference_files(joined)
    write_rows(joined, "visits", [visit("e16", "sh2", "F", ts(7, 10))])
    load_files(gateway, [joined])
    after = app_client.get("/stores/S1/network", headers=key("hq")).json()
    assert after["version"] != before["version"]
    assert after["computed_at"] != before["computed_at"]
    nodes = nodes_by_id(after)
    assert nodes["F"]["role"] == "prospect"
    assert ("A", "F", "referral") in edge_set(after)
    assert nodes["A"]["reach1"] == 4
    assert after["people"] == 9

    # A buys: the same people, one changes role; the map follows.
    bought = tmp_path / "bought"
    reference_files(bought)
    write_rows(bought, "orders", [order("e21", "A", "S1", ts(8))])
    load_files(gateway, [bought])
    now = app_client.get("/stores/S1/network", headers=key("hq")).json()
    assert now["version"] != after["version"]
    assert nodes_by_id(now)["A"]["role"] == "member"
    # S2 was not touched: still served from the cache.
    s2 = [app_client.get("/stores/S2/network", headers=key("hq")).json() for _ in range(2)]
    assert s2[0]["computed_at"] == s2[1]["computed_at"]
