"""Regression tests for what the API once got wrong at its edge (issue 9): each input below was
accepted, answered 500 or answered outside the documented error shape before it was fixed."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from graph.gateway import Gateway
from tests.api.conftest import key
from tests.helpers import order, share, ts, visit

OUT_OF_RANGE = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"]
# Found by the fuzzer: Python allows offsets up to ±23:59, Neo4j only ±18:00.
BEYOND_18_HOURS = "2026-05-01T10:00:00+18:01"


def error(response: object) -> dict:
    """The documented error shape, checked, and its content."""
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}, body
    assert body["error"]["code"] and body["error"]["message"], body
    return body["error"]


def post_events(client: TestClient, events: object) -> dict:
    response = client.post("/events", json=events, headers=key("hq"))
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("at", OUT_OF_RANGE)
def test_times_outside_years_1_to_9999_in_utc_are_refused(
    app_client: TestClient, cross_brand: Gateway, at: str
) -> None:
    visited = post_events(app_client, [{"type": "visit", **visit("oor-v", "sh1", "A1", at)}])
    assert visited["events"][0]["status"] == "rejected"
    assert "outside years 1-9999" in visited["events"][0]["reason"]
    note = app_client.post(
        "/staff/C1/notes", json={"person_id": "A1", "kind": "contacted", "at": at},
        headers=key("s1"),
    )  # fmt: skip
    assert note.status_code == 422 and "outside years 1-9999" in error(note)["message"]
    start = at.replace("+", "%2B")
    period = app_client.get(
        f"/stores/S1/follow-through?start={start}&end=9999-01-01T00:00:00%2B00:00",
        headers=key("s1"),
    )
    assert period.status_code == 422 and "start" in error(period)["message"]
    for route in ("/stores/S1/network", "/stores/S1/map", "/people/A1/cascade", "/people/A1"):
        assert app_client.get(route, headers=key("s1")).status_code == 200, route


def test_offsets_beyond_18_hours_are_refused(app_client: TestClient, cross_brand: Gateway) -> None:
    body = post_events(
        app_client, [{"type": "visit", **visit("off-1", "sh1", "A1", BEYOND_18_HOURS)}]
    )
    assert "offset beyond" in body["events"][0]["reason"]
    period = app_client.get(
        "/stores/S1/follow-through?start=1999-01-01T00:00:00Z&end=2000-01-01T00:00:00%2B18:01",
        headers=key("hq"),
    )
    assert period.status_code == 422 and "offset beyond" in error(period)["message"]


def test_numbers_are_not_times_and_amounts_are_bounded(
    app_client: TestClient, cross_brand: Gateway
) -> None:
    body = post_events(
        app_client,
        [
            {"type": "visit", **visit("num-1", "sh1", "A1", 1_777_000_000)},  # type: ignore[arg-type]
            {"type": "visit", **visit("num-2", "sh1", "A1", 1e308)},  # type: ignore[arg-type]
            {"type": "visit", **visit("num-3", "sh1", "A1", "1777000000")},
            {"type": "order", **order("num-4", "A1", "S1", ts(9), amount=1e308)},
        ],
    )
    reasons = [(e["status"], e["reason"]) for e in body["events"]]
    assert [s for s, _ in reasons] == ["rejected"] * 4
    assert all("not a number" in r for _, r in reasons[:3])
    assert "amount" in reasons[3][1] and "100000000" in reasons[3][1]


def test_nan_is_named_not_called_missing(app_client: TestClient, cross_brand: Gateway) -> None:
    text = json.dumps([{"type": "order", **order("nan-1", "A1", "S1", ts(9))}]).replace(
        "100.0", "NaN"
    )
    response = app_client.post(
        "/events", content=text, headers={**key("hq"), "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    message = error(response)["message"]
    assert "NaN" in message and "missing" not in message


def test_json_sent_as_text_is_refused_by_its_content_type(
    app_client: TestClient, cross_brand: Gateway
) -> None:
    body = json.dumps([{"type": "share", **share("ct-1", "sh-ct", "M1", ts(9))}])
    for content_type, named in (("text/plain", "`text/plain`"), (None, "no Content-Type")):
        headers = {**key("hq"), **({"Content-Type": content_type} if content_type else {})}
        response = app_client.post("/events", content=body, headers=headers)
        assert response.status_code == 415
        assert named in error(response)["message"]
    assert cross_brand.read("MATCH (s:Share {id: 'sh-ct'}) RETURN count(s) AS n") == [{"n": 0}]


def test_bodies_that_are_not_json_get_the_error_shape(
    app_client: TestClient, cross_brand: Gateway
) -> None:
    headers = {**key("hq"), "Content-Type": "application/json"}
    not_utf8 = app_client.post("/events", content=b'[{"type": "\xff"}]', headers=headers)
    assert not_utf8.status_code == 400 and "UTF-8" in error(not_utf8)["message"]
    deep = app_client.post("/events", content="[" * 100_000 + "]" * 100_000, headers=headers)
    assert deep.status_code == 400 and "nested too deeply" in error(deep)["message"]
    broken = app_client.post("/events", content='[{"type": ', headers=headers)
    assert broken.status_code == 400 and "not valid JSON" in error(broken)["message"]
    note = app_client.post("/staff/C1/notes", content=b"\xfe\xff", headers=headers)
    assert note.status_code == 400 and "UTF-8" in error(note)["message"]


def test_request_size_is_limited(app_client: TestClient, cross_brand: Gateway) -> None:
    limit = app_client.app.state.settings.api_max_body_bytes  # type: ignore[attr-defined]
    big = b"[" + b" " * limit + b"]"
    headers = {**key("hq"), "Content-Type": "application/json"}
    declared = app_client.post("/events", content=big, headers=headers)
    assert declared.status_code == 413 and str(limit) in error(declared)["message"]
    chunked = app_client.post("/events", content=iter([big[:1000], big[1000:]]), headers=headers)
    assert chunked.status_code == 413 and error(chunked)["code"] == "content_too_large"


def test_long_ids_are_neither_echoed_nor_looked_up(
    app_client: TestClient, cross_brand: Gateway
) -> None:
    long_id = "e" * 5000
    body = post_events(app_client, [{"type": "visit", **visit(long_id, "sh1", "A1", ts(9))}])
    assert body["events"][0]["event_id"] is None and body["events"][0]["status"] == "rejected"
    assert long_id not in json.dumps(body)
    for route in (f"/people/{long_id}", f"/staff/C1/introduction-path?to={long_id}"):
        response = app_client.get(route, headers=key("hq"))
        assert response.status_code == 422 and long_id not in response.text


def test_a_repeated_event_id_with_another_payload_is_reported(
    app_client: TestClient, cross_brand: Gateway
) -> None:
    first = {"type": "visit", **visit("rep-1", "sh1", "B1", ts(9))}
    same = dict(first)
    other = {**first, "action": "claim_coupon"}
    body = post_events(app_client, [first, same, other])
    assert [e["status"] for e in body["events"]] == ["accepted", "duplicate", "rejected"]
    assert "different payload" in body["events"][2]["reason"]


def test_the_key_in_the_address_is_for_pages_only(
    app_client: TestClient, cross_brand: Gateway
) -> None:
    api = app_client.get("/stores?key=key-hq")
    assert api.status_code == 401 and error(api)["code"] == "unauthorized"
    # A client of its own: the cookie a page sets must not authenticate the other tests.
    browser = TestClient(app_client.app)
    page = browser.get("/stores/S1/map?key=key-s1&staff=C1", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/stores/S1/map?staff=C1"
    assert "key-s1" not in page.headers["location"]
    assert page.cookies.get("fission_key") == "key-s1"
    browser.cookies.clear()
    opened = browser.get("/stores/S1/map?key=key-s1")
    assert opened.status_code == 200 and str(opened.url).endswith("/stores/S1/map")
    assert browser.get("/stores/S1/network").status_code == 200  # the cookie is the key
    assert app_client.get("/stores/S1/network").status_code == 401


def test_unknown_routes_and_methods_use_the_error_shape(app_client: TestClient) -> None:
    missing = app_client.get("/no/such/route", headers=key("hq"))
    assert missing.status_code == 404 and error(missing)["code"] == "not_found"
    wrong = app_client.put("/stores", headers=key("hq"))
    assert wrong.status_code == 405 and error(wrong)["code"] == "method_not_allowed"


def test_recommendations_are_recorded_once_per_day_not_per_call(
    app_client: TestClient, cross_brand: Gateway
) -> None:
    def recorded() -> int:
        rows = cross_brand.read(
            "MATCH (:Staff {id: 'M1'})-[r:RECOMMENDED]->() RETURN count(r) AS n"
        )
        return int(rows[0]["n"])

    served = app_client.app.state.served  # type: ignore[attr-defined]
    served.flush()
    before = recorded()
    items = app_client.get("/staff/M1/recommendations", headers=key("s1")).json()["items"]
    served.flush()
    assert items and recorded() - before <= len(items)
    after_first = recorded()
    assert after_first == len(items)  # today's record of each, from this or an earlier call
    for _ in range(5):
        assert app_client.get("/staff/M1/recommendations", headers=key("s1")).status_code == 200
    assert served.flush() == 0  # nothing queued: the log knows what it wrote today
    assert recorded() == after_first
