"""The API against the real database: status codes, schemas, pagination, validation errors,
and the access matrix (hq / own store / other store / ingest / no key)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph.gateway import Gateway
from graph.influence import refresh_influence
from loaders.pipeline import load_files
from tests.api.conftest import key
from tests.helpers import friendship, order, reference_files, share, ts, visit, wipe, write_rows


@pytest.fixture(scope="module")
def brand(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """S1: M1 (manager) -> P1 -> P2, P3 (P2 buys); C1 clerk, friends with P3. S2: M2 -> P4."""
    folder = tmp_path_factory.mktemp("api-brand")
    reference_files(folder)
    write_rows(
        folder,
        "shares",
        [
            share("e01", "sh1", "M1", ts(1, 9)),
            share("e02", "sh2", "P1", ts(2, 9)),
            share("e03", "sh4", "M2", ts(1, 9)),
        ],
    )
    write_rows(
        folder,
        "visits",
        [
            visit("e10", "sh1", "P1", ts(1, 10)),
            visit("e11", "sh2", "P2", ts(2, 10)),
            visit("e12", "sh2", "P3", ts(2, 11)),
            visit("e13", "sh4", "P4", ts(1, 10)),
        ],
    )
    write_rows(folder, "orders", [order("e20", "P2", "S1", ts(3), 88.0)])
    write_rows(folder, "friendships", [friendship("e30", "C1", "P3", ts(4))])
    wipe(gateway)
    load_files(gateway, [folder])
    refresh_influence(gateway)
    yield folder
    wipe(gateway)


# Every read route about store S1 or its people, and what each key gets.
S1_ROUTES = [
    "/stores/S1",
    "/stores/S1/key-nodes",
    "/stores/S1/attribution",
    "/stores/S1/follow-through?start=2026-05-01T00:00:00%2B08:00&end=2026-06-01T00:00:00%2B08:00",
    "/people/P2",
    "/people/P1/reach?k=2",
    "/people/P1/cascade",
    "/staff/M1/introduction-path?to=P3",
    "/staff/M1/recommendations",
]


@pytest.mark.parametrize("route", S1_ROUTES)
@pytest.mark.parametrize(
    ("who", "status"), [("hq", 200), ("s1", 200), ("s2", 404), ("ingest", 403), (None, 401)]
)
def test_access_matrix(
    app_client: TestClient, brand: Path, route: str, who: str | None, status: int
) -> None:
    response = app_client.get(route, headers=key(who) if who else {})
    assert response.status_code == status, response.text
    if status != 200:
        body = response.json()
        assert set(body) == {"error"} and body["error"]["message"]


# A staff key (M1's phone, store S1): its own staff routes, nothing of other staff, other
# stores or the store as a whole.
STAFF_KEY_ROUTES = [
    ("/staff/M1/recommendations", 200),
    ("/staff/M1/figures", 200),
    ("/staff/M1/introduction-path?to=P3", 200),
    ("/staff/C1/recommendations", 404),  # a colleague at the same store
    ("/staff/C1/figures", 404),
    ("/staff/M2/recommendations", 404),  # another store's staff member
    ("/staff/M1/introduction-path?to=P4", 404),  # a person of another store
    ("/stores", 403),
    ("/stores/S1", 403),
    ("/stores/S1/key-nodes", 403),
    ("/stores/S1/attribution", 403),
    ("/stores/S1/network", 403),
    ("/stores/S1/value", 403),
    ("/stores/S1/flags", 403),
    ("/people/P2", 403),
    ("/people/P1/cascade", 403),
    ("/brand/summary", 403),
    ("/brand/value", 403),
]


@pytest.mark.parametrize(("route", "status"), STAFF_KEY_ROUTES)
def test_a_staff_key_reads_its_own_staff_routes_only(
    app_client: TestClient, brand: Path, route: str, status: int
) -> None:
    response = app_client.get(route, headers=key("m1"))
    assert response.status_code == status, response.text
    if status != 200:
        assert response.json()["error"]["message"]


def test_a_staff_key_writes_its_own_notes_only(app_client: TestClient, brand: Path) -> None:
    note = {"person_id": "P3", "kind": "contacted", "text": "called"}
    own = app_client.post("/staff/M1/notes", json=note, headers=key("m1"))
    assert own.status_code == 201 and own.json()["status"] == "accepted"
    profile = app_client.get("/people/P3", headers=key("hq")).json()
    assert [(n["staff_id"], n["kind"]) for n in profile["notes"]][:1] == [("M1", "contacted")]
    colleague = app_client.post("/staff/C1/notes", json=note, headers=key("m1"))
    assert colleague.status_code == 404
    elsewhere = {"person_id": "P4", "kind": "contacted"}
    assert app_client.post("/staff/M1/notes", json=elsewhere, headers=key("m1")).status_code == 404
    events = app_client.post("/events", json=[], headers=key("m1"))
    assert events.status_code == 403


def test_a_bad_key_is_401_with_a_reason(app_client: TestClient, brand: Path) -> None:
    response = app_client.get("/stores", headers={"X-API-Key": "not-a-key"})
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "That API key is not valid."


def test_health_reports_neo4j(app_client: TestClient) -> None:
    body = app_client.get("/health").json()
    assert body["status"] == "ok" and body["neo4j_reachable"] is True
    assert body["neo4j_version"].startswith("5.26")
    # The suite's server runs the plugins, so influence comes from gds.pageRank.
    assert (body["gds_version"], body["apoc_version"]) == ("2.13.9", "5.26.19")
    assert body["influence_engine"] == "gds"


def test_store_list_is_paginated_and_scoped(app_client: TestClient, brand: Path) -> None:
    everything = app_client.get("/stores?sort=store_id&desc=false", headers=key("hq")).json()
    assert everything["total"] == 2
    assert [r["store_id"] for r in everything["rows"]] == ["S1", "S2"]
    page = app_client.get(
        "/stores?sort=store_id&desc=false&offset=1&limit=1", headers=key("hq")
    ).json()
    assert [r["store_id"] for r in page["rows"]] == ["S2"] and page["total"] == 2
    own = app_client.get("/stores", headers=key("s1")).json()
    assert [r["store_id"] for r in own["rows"]] == ["S1"] and own["total"] == 1
    s1 = everything["rows"][0]
    assert (s1["customers"], s1["members"], s1["prospects"]) == (3, 1, 2)


def test_validation_errors_say_what_is_wrong(app_client: TestClient, brand: Path) -> None:
    response = app_client.get("/stores?limit=0", headers=key("hq"))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and "limit" in error["message"]
    bad_sort = app_client.get("/stores?sort=shoe_size", headers=key("hq"))
    assert (
        bad_sort.status_code == 422 and "sort must be one of" in bad_sort.json()["error"]["message"]
    )
    reach = app_client.get("/people/P1/reach?k=9", headers=key("hq"))
    assert reach.status_code == 422 and "k" in reach.json()["error"]["message"]


def test_answers_hold_the_known_values(app_client: TestClient, brand: Path) -> None:
    hq = key("hq")
    assert app_client.get("/people/P1/reach?k=1", headers=hq).json()["reach"] == 2
    profile = app_client.get("/people/P2", headers=hq).json()
    assert profile["store_id"] == "S1" and "member" in profile["roles"]
    path = app_client.get("/staff/C1/introduction-path?to=P3", headers=hq).json()
    assert path["status"] == "already_friends"
    path = app_client.get("/staff/M1/introduction-path?to=P3", headers=hq).json()
    assert path["status"] == "path" and [p["person_id"] for p in path["people"]] == [
        "M1",
        "P1",
        "P3",
    ]
    unreachable = app_client.get("/staff/M1/introduction-path?to=P4", headers=hq).json()
    assert unreachable["status"] == "not_reachable"
    diagnosis = app_client.get("/stores/S1", headers=hq).json()
    assert diagnosis["customers"] == 3 and diagnosis["tier"] == "starter"


def test_unknown_things_are_404(app_client: TestClient, brand: Path) -> None:
    for route in (
        "/stores/S9",
        "/people/NOBODY",
        "/people/NOBODY/reach",
        "/staff/P1/recommendations",
        "/staff/M1/introduction-path?to=NOBODY",
    ):
        response = app_client.get(route, headers=key("hq"))
        assert response.status_code == 404, (route, response.text)


def test_openapi_documents_every_route(app_client: TestClient) -> None:
    spec = app_client.get("/openapi.json").json()
    for route in (
        "/stores",
        "/stores/{store_id}",
        "/people/{person_id}",
        "/events",
        "/staff/{staff_id}/recommendations",
        "/staff/{staff_id}/notes",
    ):
        assert route in spec["paths"]
    assert spec["paths"]["/events"]["post"]["summary"]
