"""Who may see what: the full role x endpoint matrix, and every place a person can appear
inside an answer (paths, recommendations, attribution, profiles, maps, cascades,
follow-through): a store key never sees a person of another store, only "someone from another
store"; HQ sees them all (which proves the brand really links the stores)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph.access import OTHER_STORE
from graph.gateway import Gateway
from tests.api.conftest import FOREIGN, key

PERIOD = "start=2026-05-01T00:00:00%2B08:00&end=2026-12-01T00:00:00%2B08:00"
S1_PEOPLE = ["M1", "C1", "A1", "B1", "T1", "U1", "V1", "Q1", "R1"]
# Every read route that shows S1 or its people, for an S1 key.
S1_READS = [
    "/stores",
    "/stores/S1",
    "/stores/S1/key-nodes",
    "/stores/S1/attribution",
    f"/stores/S1/follow-through?{PERIOD}",
    "/stores/S1/network",
    "/stores/S1/network?staff=C1&path_to=T1",
    "/stores/S1/map?staff=C1&path_to=T1",
    *(f"/people/{p}" for p in S1_PEOPLE),
    *(f"/people/{p}/reach" for p in S1_PEOPLE),
    *(f"/people/{p}/cascade" for p in S1_PEOPLE),
    *(f"/staff/{s}/introduction-path?to={p}" for s in ("M1", "C1") for p in S1_PEOPLE),
    "/staff/M1/recommendations",
    "/staff/C1/recommendations",
]


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON answer, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def foreign_in(text: str) -> set[str]:
    return {f for f in FOREIGN if re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", text)}


def leaks(response: Any) -> set[str]:
    if response.headers["content-type"].startswith("application/json"):
        return {f for s in strings(response.json()) for f in foreign_in(s)}
    return foreign_in(response.text)


@pytest.fixture(scope="module")
def recorded(app_client: TestClient, cross_brand: Gateway) -> Gateway:
    """Recommendations served once, so follow-through has people to show."""
    assert app_client.get("/staff/C1/recommendations", headers=key("s1")).status_code == 200
    assert app_client.app.state.served.flush() == 1  # type: ignore[attr-defined]
    return cross_brand


@pytest.mark.parametrize("route", S1_READS)
def test_a_store_key_sees_no_person_of_another_store(
    app_client: TestClient, recorded: Gateway, route: str
) -> None:
    response = app_client.get(route, headers=key("s1"))
    assert response.status_code == 200, response.text
    assert leaks(response) == set(), route


def test_hq_sees_the_people_a_store_key_does_not(app_client: TestClient, recorded: Gateway) -> None:
    seen: set[str] = set()
    for route in S1_READS:
        response = app_client.get(route, headers=key("hq"))
        assert response.status_code == 200, (route, response.text)
        seen |= leaks(response)
    assert {"M2", "K2", "X2", "G2", "W2", "Li", "Wang"} <= seen


def test_other_stores_people_are_anonymous_hops(app_client: TestClient, recorded: Gateway) -> None:
    s1 = key("s1")
    path = app_client.get("/staff/C1/introduction-path?to=T1", headers=s1).json()
    assert path["status"] == "path" and path["hops"] == 2
    assert [p["person_id"] for p in path["people"]] == ["C1", f"{OTHER_STORE} #1", "T1"]
    assert path["people"][1] == {
        "person_id": f"{OTHER_STORE} #1", "role": "other_store", "display_name": None,
        "other_store": True,
    }  # fmt: skip
    assert all(t["weight"] is None for t in path["ties"]) and path["total_weight"] is None
    hq_path = app_client.get("/staff/C1/introduction-path?to=T1", headers=key("hq")).json()
    assert [p["person_id"] for p in hq_path["people"]] == ["C1", "X2", "T1"]
    assert hq_path["total_weight"] == 6

    recs = app_client.get("/staff/C1/recommendations", headers=s1).json()["items"]
    assert [r["person_id"] for r in recs] == ["T1"]
    assert recs[0]["path"]["people"][1]["other_store"] is True

    credits = app_client.get("/stores/S1/attribution", headers=s1).json()["credits"]
    hidden = [c for c in credits if c["person_id"].startswith(OTHER_STORE)]
    assert sorted((c["kind"], c["sales_amount"]) for c in hidden) == [
        ("agent", 100.0),
        ("staff", 100.0),
    ]
    assert all(c["display_name"] is None and c["store_id"] is None for c in hidden)

    profile = app_client.get("/people/A1", headers=s1).json()
    # K2 is both the friend and the note's author: one person, one stand-in.
    assert profile["staff_friends"][0]["staff_id"] == f"{OTHER_STORE} #1"
    assert profile["notes"][0]["staff_id"] == f"{OTHER_STORE} #1"
    assert profile["notes"][0]["tag"] == "vip"  # the note is about an S1 person: it stays
    assert app_client.get("/people/Q1", headers=s1).json()["referrer_id"] == f"{OTHER_STORE} #1"

    cascade = app_client.get("/people/A1/cascade", headers=s1).json()
    hidden_nodes = [n for n in cascade["nodes"] if n["other_store"]]
    assert [(n["person_id"], n["parent_id"]) for n in hidden_nodes] == [(f"{OTHER_STORE} #1", "A1")]

    network = app_client.get("/stores/S1/network?staff=C1&path_to=T1", headers=s1).json()
    stand_in = [n for n in network["nodes"] if n["role"] == "other_store"]
    assert [n["id"] for n in stand_in] == [f"{OTHER_STORE} #1"]
    knows = {(e["source"], e["target"]) for e in network["edges"] if e["kind"] == "knows"}
    assert knows == {("C1", f"{OTHER_STORE} #1"), (f"{OTHER_STORE} #1", "T1")}


# Every route with what each key gets. Routes about S1's people are 404 for S2's key.
MATRIX = [
    ("GET", "/health", None, [200, 200, 200, 200, 200]),
    ("GET", "/stores", None, [200, 200, 200, 403, 401]),
    ("GET", "/stores/S1", None, [200, 200, 404, 403, 401]),
    ("GET", "/stores/S1/key-nodes", None, [200, 200, 404, 403, 401]),
    ("GET", "/stores/S1/attribution", None, [200, 200, 404, 403, 401]),
    ("GET", f"/stores/S1/follow-through?{PERIOD}", None, [200, 200, 404, 403, 401]),
    ("GET", "/stores/S1/network", None, [200, 200, 404, 403, 401]),
    ("GET", "/stores/S1/map", None, [200, 200, 404, 403, 401]),
    ("GET", "/", None, [200, 303, 303, 403, 401]),
    ("GET", "/people/A1", None, [200, 200, 404, 403, 401]),
    ("GET", "/people/A1/reach", None, [200, 200, 404, 403, 401]),
    ("GET", "/people/A1/cascade", None, [200, 200, 404, 403, 401]),
    ("GET", "/people/X2", None, [200, 404, 200, 403, 401]),
    ("GET", "/staff/C1/introduction-path?to=T1", None, [200, 200, 404, 403, 401]),
    ("GET", "/staff/C1/introduction-path?to=X2", None, [200, 404, 404, 403, 401]),
    ("GET", "/staff/C1/recommendations", None, [200, 200, 404, 403, 401]),
    ("POST", "/staff/C1/notes", {"person_id": "B1", "kind": "contacted", "event_id": "nm"},
     [201, 201, 404, 403, 401]),
    ("POST", "/staff/C1/notes", {"person_id": "X2", "kind": "contacted"},
     [201, 404, 404, 403, 401]),
    ("POST", "/events", [], [200, 403, 403, 200, 401]),
    ("DELETE", "/people/NOBODY", None, [404, 403, 403, 403, 401]),
]  # fmt: skip
WHO = ["hq", "s1", "s2", "ingest", None]


@pytest.mark.parametrize(("method", "route", "body", "expected"), MATRIX)
def test_role_by_endpoint_matrix(
    app_client: TestClient,
    cross_brand: Gateway,
    method: str,
    route: str,
    body: Any,
    expected: list[int],
) -> None:
    got = []
    for who in WHO:
        response = app_client.request(
            method, route, json=body, headers=key(who) if who else {}, follow_redirects=False
        )
        got.append(response.status_code)
        if response.status_code >= 400:
            error = response.json()["error"]
            assert error["code"] and error["message"], response.text
    assert got == expected, route


def test_keys_are_never_echoed(app_client: TestClient, cross_brand: Gateway) -> None:
    for who in ("hq", "s1", "ingest"):
        secret = key(who)["X-API-Key"]
        for method, route, body, _ in MATRIX:
            response = app_client.request(
                method, route, json=body, headers=key(who), follow_redirects=False
            )
            assert secret not in response.text, route
            assert secret not in str(response.headers.get("location", ""))
    bad = app_client.get("/stores", headers={"X-API-Key": "fk_wrong-key-123"})
    assert bad.status_code == 401 and "fk_wrong-key-123" not in bad.text
