"""Hostile strings — Cypher injection attempts, very long strings, control characters, NUL
bytes, emoji, mixed scripts — in every string field of every event type, of notes and of every
query and path parameter: each is stored as data or refused with a reason, never executed, and
nothing that was in the graph before changes."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from graph.gateway import Gateway
from tests.api.conftest import key
from tests.helpers import ts

HOSTILE = [
    "x') DETACH DELETE n //",
    "'}) MATCH (n) DETACH DELETE n RETURN 1 AS i, 'accepted' AS status, null AS reason //",
    '" OR 1=1 --',
    "`) CALL db.clearQueryCaches() //",
    "$store_id",
    "MATCH (n) SET n.hacked = true",
    "a\x00b",
    "\x01\x02\x1b[31m\x7f",
    "line\r\nbreak",
    "x" * 10_000,
    "y" * 129,
    "😀🎉👨‍👩‍👧",
    "店长Ma_Русский_العربية_हिन्दी",
    "\u202etxet desrever",
    "  ",
    "0",
]
DERIVED_PROPS = {
    "first_seen", "first_event_id", "first_kind", "first_share_id", "first_order_store_id",
    "influence", "store_influence", "store_influence_pct", "influence_at", "reach3",
}  # fmt: skip
FACT_RELS = ["WORKS_AT", "SHARED", "OF", "ABOUT", "RESHARE_OF", "VISITED", "PLACED", "AT",
             "FRIEND_OF", "NOTED", "RECOMMENDED"]  # fmt: skip


AGENT = "AG1"  # the one existing person the events change (agent events add to them)


def templates(n: int) -> list[dict[str, Any]]:
    """One valid event of each type, numbered so that each variant is a new event about new
    people (except the agent event, about AGENT)."""
    return [
        {"type": "share", "event_id": f"hs{n}", "share_id": f"shh{n}", "sharer_id": f"HS{n}",
         "content_id": "K1", "channel": "moments", "at": ts(9), "parent_share_id": "sh1"},
        {"type": "visit", "event_id": f"hv{n}", "share_id": "sh1", "visitor_id": f"HV{n}",
         "at": ts(9), "action": "view"},
        {"type": "order", "event_id": f"ho{n}", "person_id": f"HO{n}", "store_id": "S1",
         "amount": "12.5", "currency": "CNY", "at": ts(9)},
        {"type": "friendship", "event_id": f"hf{n}", "a_id": f"HF{n}", "b_id": f"HG{n}",
         "at": ts(9)},
        {"type": "agent", "event_id": f"ha{n}", "person_id": AGENT, "store_id": "S1",
         "invited_by": "M1", "at": ts(9)},
        {"type": "note", "event_id": f"hn{n}", "staff_id": "C1", "person_id": "B1",
         "at": ts(9), "kind": "tag", "text": "t", "tag": "g"},
    ]  # fmt: skip


def variants(value: str, batch: int) -> list[dict[str, Any]]:
    """Every string field of every event type set to `value`, one field per event."""
    events: list[dict[str, Any]] = []
    for which, template in enumerate(templates(0)):
        for field in template:
            events.append(templates(batch * 1000 + len(events))[which] | {field: value})
    return events


@pytest.fixture(scope="module")
def brand(app_client: TestClient, cross_brand: Gateway) -> Gateway:
    visit = {"type": "visit", "event_id": "ag-v", "share_id": "sh1", "visitor_id": AGENT,
             "at": ts(8), "action": "view"}  # fmt: skip
    assert app_client.post("/events", json=[visit], headers=key("hq")).status_code == 200
    return cross_brand


def facts(gateway: Gateway) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """Every node (labels and properties, derived ones left out; AGENT and the queue of held
    events, whose retry counts change, left out) and every relationship that records a fact,
    by element id."""
    nodes = gateway.read(
        "MATCH (n) WHERE NOT n:HeldEvent AND (n.id IS NULL OR n.id <> $agent) "
        "RETURN elementId(n) AS id, [l IN labels(n) WHERE l <> 'Stale'] AS labels, "
        "properties(n) AS props",
        agent=AGENT,
    )
    rels = gateway.read(
        "MATCH (a)-[r]->(b) WHERE type(r) IN $types "
        "RETURN elementId(r) AS id, type(r) AS type, elementId(a) AS a, elementId(b) AS b, "
        "properties(r) AS props",
        types=FACT_RELS,
    )

    def frozen(props: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((k, repr(v)) for k, v in props.items() if k not in DERIVED_PROPS))

    return (
        {(n["id"], tuple(sorted(n["labels"])), frozen(n["props"])) for n in nodes},
        {(r["id"], r["type"], r["a"], r["b"], frozen(r["props"])) for r in rels},
    )


def stored_anywhere(gateway: Gateway, value: str) -> bool:
    rows = gateway.read(
        "CALL () { MATCH (n) WHERE any(k IN keys(n) WHERE n[k] = $v "
        "  OR (n[k] IS :: STRING AND n[k] CONTAINS $v)) RETURN count(n) AS c "
        "UNION ALL MATCH ()-[r]->() WHERE any(k IN keys(r) WHERE r[k] = $v) RETURN count(r) AS c }"
        " RETURN sum(c) AS total",
        v=value,
    )
    return bool(rows[0]["total"])


def assert_error_shape(response: Any) -> None:
    body = response.json()
    assert set(body) == {"error"} and body["error"]["message"], body


@pytest.mark.parametrize("number", range(len(HOSTILE)))
def test_hostile_event_fields_are_data(app_client: TestClient, brand: Gateway, number: int) -> None:
    value = HOSTILE[number]
    before = facts(brand)
    events = variants(value, number)
    response = app_client.post("/events", json=events, headers=key("ingest"))
    assert response.status_code == 200, response.text
    statuses = response.json()["events"]
    assert len(statuses) == len(events)
    for event, status in zip(events, statuses, strict=True):
        assert status["status"] in ("accepted", "duplicate", "pending", "rejected"), status
        if status["status"] == "rejected":
            assert status["reason"], status
        changed = [k for k, v in event.items() if v == value]
        if status["status"] in ("accepted", "pending") and value.strip() and changed != ["type"]:
            assert stored_anywhere(brand, value.strip()), (event, status)
    after = facts(brand)
    assert before[0] <= after[0], "a node that existed before was changed or deleted"
    assert before[1] <= after[1], "a relationship that existed before was changed or deleted"
    assert not brand.read("MATCH (n) WHERE n.hacked IS NOT NULL RETURN n LIMIT 1")


@pytest.mark.parametrize("number", range(len(HOSTILE)))
def test_hostile_notes_and_parameters_are_data(
    app_client: TestClient, brand: Gateway, number: int
) -> None:
    value = HOSTILE[number]
    app_client.get("/staff/C1/recommendations", headers=key("s1"))  # today's record exists
    before = facts(brand)
    segment = quote(value, safe="")
    routes = [
        f"/people/{segment}",
        f"/people/{segment}/reach",
        f"/people/{segment}/cascade",
        f"/staff/{segment}/recommendations",
        f"/stores/{segment}",
        f"/stores/{segment}/key-nodes",
        f"/stores/{segment}/network",
        f"/stores/{segment}/map",
    ]
    params = [
        ("/staff/C1/introduction-path", {"to": value}),
        ("/staff/C1/recommendations", {"topic": value}),
        ("/stores", {"sort": value}),
        ("/stores/S1/network", {"staff": value, "path_to": "T1"}),
        ("/stores/S1/network", {"staff": "C1", "path_to": value}),
        ("/stores/S1/follow-through", {"start": value, "end": "2026-12-01T00:00:00+08:00"}),
        ("/", {"sort": value}),
    ]
    for who in ("hq", "s1"):
        for route in routes:
            response = app_client.get(route, headers=key(who))
            assert response.status_code < 500, (route, response.text)
            if response.status_code >= 400:
                assert_error_shape(response)
        for route, query in params:
            response = app_client.get(route, params=query, headers=key(who))
            assert response.status_code < 500, (route, query, response.text)
            if response.status_code >= 400:
                assert_error_shape(response)
    assert facts(brand) == before, "a read with a hostile parameter changed the graph"

    for field in ("text", "tag", "person_id", "event_id", "kind", "at"):
        note = {"person_id": "B1", "kind": "tag", "text": "t", "tag": "g"} | {field: value}
        response = app_client.post("/staff/C1/notes", json=note, headers=key("s1"))
        assert response.status_code in (201, 404, 422), response.text
        if response.status_code == 201:
            assert stored_anywhere(brand, value.strip()), field
        else:
            assert_error_shape(response)
    after = facts(brand)
    assert before[0] <= after[0] and before[1] <= after[1]
    added = after[1] - before[1]
    assert {r[1] for r in added} <= {"NOTED"}
