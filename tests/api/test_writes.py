"""Writes through the API: ingestion (statuses, held events, same graph as file loads), notes
reflected in recommendations at once, and erasure on request."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
from fastapi.testclient import TestClient

from graph.gateway import Gateway
from graph.influence import refresh_influence
from loaders.pipeline import load_files
from synthetic import generate
from tests.api.conftest import key
from tests.helpers import (
    counts,
    homes,
    order,
    reference_files,
    referrers,
    share,
    stale_reach3,
    ts,
    visit,
    wipe,
    write_rows,
)

EVENT_FILES = {
    "shares": "share",
    "visits": "visit",
    "orders": "order",
    "friendships": "friendship",
    "agents": "agent",
    "notes": "note",
}


def fingerprint(gateway: Gateway) -> tuple[dict[str, int], dict[str, str], dict[str, str], set]:
    ties = gateway.read("MATCH (a)-[k:KNOWS]->(b) RETURN a.id AS a, b.id AS b, k.weight AS w")
    graph_counts = {
        k: v for k, v in counts(gateway).items() if "Stale" not in k and "Deriving" not in k
    }
    return graph_counts, referrers(gateway), homes(gateway), {tuple(r.values()) for r in ties}


def test_ingestion_yields_the_same_graph_as_file_loads(
    graph: Gateway, app_client: TestClient, tmp_path: Path
) -> None:
    generate("tiny", seed=3, out=tmp_path, fmt="csv")
    load_files(graph, [tmp_path])
    from_files = fingerprint(graph)

    wipe(graph)
    reference = tmp_path / "reference"
    reference.mkdir()
    for name in ("stores", "staff", "content", "members"):
        (tmp_path / f"{name}.csv").rename(reference / f"{name}.csv")
    load_files(graph, [reference])
    events: list[dict] = []
    for name, type_ in EVENT_FILES.items():
        frame = pd.read_csv(tmp_path / f"{name}.csv", dtype=str, keep_default_na=False)
        events += [
            {"type": type_, **{k: v for k, v in row.items() if v != ""}}
            for row in frame.to_dict("records")
        ]
    random.Random(5).shuffle(events)  # visits before their shares: held, then released
    statuses: dict[str, int] = {}
    for start in range(0, len(events), 150):
        response = app_client.post(
            "/events", json=events[start : start + 150], headers=key("ingest")
        )
        assert response.status_code == 200, response.text
        for event in response.json()["events"]:
            statuses[event["status"]] = statuses.get(event["status"], 0) + 1
    assert statuses.get("rejected", 0) == 0
    assert statuses.get("pending", 0) > 0  # the shuffle did send some events early
    assert graph.read("MATCH (h:HeldEvent) RETURN count(h) AS n") == [{"n": 0}]
    assert fingerprint(graph) == from_files


def stores_staff_and_one_share(graph: Gateway, folder: Path) -> None:
    """The reference data of tests.helpers and share sh1 by M1, loaded from files."""
    reference_files(folder)
    write_rows(folder, "shares", [share("e01", "sh1", "M1", ts(1, 9))])
    load_files(graph, [folder])


def test_ingestion_statuses_and_held_events(
    graph: Gateway, app_client: TestClient, tmp_path: Path
) -> None:
    stores_staff_and_one_share(graph, tmp_path)
    batch = [
        {"type": "visit", **visit("e10", "sh1", "P1", ts(1, 10))},
        {"type": "visit", **visit("e01x", "sh1", "P1", "2026-05-01T10:00:00")},
        {"type": "visit", **visit("e11", "sh2", "P2", ts(2, 10))},
        {"type": "order", **order("e12", "P1", "S1", ts(2), amount=-1)},
        {"type": "teleport", "event_id": "e13"},
    ]
    body = app_client.post("/events", json=batch, headers=key("ingest")).json()
    assert [e["status"] for e in body["events"]] == [
        "accepted",
        "rejected",
        "pending",
        "rejected",
        "rejected",
    ]
    assert "timezone" in body["events"][1]["reason"]
    assert body["events"][2]["reason"] == "unknown share_id sh2"
    assert "amount" in body["events"][3]["reason"]
    again = app_client.post("/events", json=batch[:1], headers=key("ingest")).json()
    assert again["events"][0]["status"] == "duplicate"

    parent = {"type": "share", **share("e02", "sh2", "P1", ts(2, 9))}
    released = app_client.post("/events", json=[parent], headers=key("ingest")).json()
    assert released["released_from_hold"] == 1
    assert referrers(graph) == {"P1": "M1", "P2": "P1"}
    assert app_client.post("/events", json=[], headers=key("s1")).status_code == 403


def test_a_note_changes_recommendations_at_once(
    graph: Gateway, app_client: TestClient, tmp_path: Path
) -> None:
    reference_files(tmp_path)
    write_rows(
        tmp_path, "shares", [share("e01", "sh1", "M1", ts(1)), share("e02", "sh2", "P1", ts(2))]
    )
    write_rows(
        tmp_path,
        "visits",
        [
            visit("e10", "sh1", "P1", ts(1, 13)),
            visit("e11", "sh2", "P2", ts(3)),
            visit("e12", "sh2", "P3", ts(3, 13)),
        ],
    )
    load_files(graph, [tmp_path])
    refresh_influence(graph)
    before = app_client.get("/staff/M1/recommendations", headers=key("s1")).json()
    assert "P1" in [r["person_id"] for r in before["items"]]
    note = {"person_id": "P1", "kind": "contacted", "text": "Called about the coffee coupon"}
    created = app_client.post("/staff/M1/notes", json=note, headers=key("s1"))
    assert created.status_code == 201 and created.json()["status"] == "accepted"
    after = app_client.get("/staff/M1/recommendations", headers=key("s1")).json()
    assert "P1" not in [r["person_id"] for r in after["items"]]
    bad = app_client.post(
        "/staff/M1/notes", json={"person_id": "P1", "kind": "tag"}, headers=key("s1")
    )
    assert bad.status_code == 422 and "needs a tag" in bad.json()["error"]["message"]
    other = app_client.post("/staff/M2/notes", json=note, headers=key("s1"))
    assert other.status_code == 404


def test_erasure(graph: Gateway, app_client: TestClient, tmp_path: Path) -> None:
    reference_files(tmp_path)
    write_rows(
        tmp_path, "shares", [share("e01", "sh1", "M1", ts(1)), share("e02", "sh2", "P1", ts(2))]
    )
    write_rows(
        tmp_path,
        "visits",
        [
            visit("e10", "sh1", "P1", ts(1, 13)),
            visit("e11", "sh2", "P2", ts(3)),
            visit("e12", "sh2", "P3", ts(3, 13)),
        ],
    )
    write_rows(
        tmp_path,
        "orders",
        [order("e20", "P1", "S1", ts(4), 50.0), order("e21", "P2", "S1", ts(4), 20.0)],
    )
    load_files(graph, [tmp_path])
    assert graph.read("MATCH (m:Person {id: 'M1'}) RETURN m.reach3 AS r") == [{"r": 3}]
    assert app_client.delete("/people/P1", headers=key("s1")).status_code == 403
    report = app_client.delete("/people/P1", headers=key("hq")).json()
    assert report["referees_now_roots"] == ["P2", "P3"] and report["orders_anonymised"] == 1
    assert app_client.get("/people/P1", headers=key("hq")).status_code == 404
    assert referrers(graph) == {}
    assert stale_reach3(graph) == []  # M1 reaches no one now
    revenue = graph.read("MATCH (o:Order)-[:AT]->(:Store {id: 'S1'}) RETURN sum(o.amount) AS r")
    assert revenue == [{"r": 70.0}]
    again = app_client.post(
        "/events",
        json=[{"type": "visit", **visit("e30", "sh1", "P1", ts(5))}],
        headers=key("ingest"),
    ).json()
    assert again["events"][0]["status"] == "rejected"
    assert "erased" in again["events"][0]["reason"]


def test_a_wrongly_typed_type_gets_its_own_status(
    graph: Gateway, app_client: TestClient, tmp_path: Path
) -> None:
    """Issue 9: a `type` that is not a string failed the whole batch with a plain-text 500."""
    stores_staff_and_one_share(graph, tmp_path)
    batch = [
        {"type": 5},
        {"type": True, "event_id": "e02"},
        {"type": ["visit"], "event_id": 7},
        {"type": {"visit": 1}},
        {"type": "visit", **visit("e10", "sh1", "P1", ts(1, 10))},
    ]
    response = app_client.post("/events", json=batch, headers=key("ingest"))
    assert response.status_code == 200, response.text
    events = response.json()["events"]
    assert [e["status"] for e in events] == ["rejected"] * 4 + ["accepted"]
    assert all(e["reason"].startswith("type must be one of") for e in events[:4])
    assert [e["event_id"] for e in events] == [None, "e02", None, None, "e10"]
    assert referrers(graph) == {"P1": "M1"}


def test_held_events_are_retried_only_when_what_they_wait_for_arrives(
    graph: Gateway, app_client: TestClient, tmp_path: Path
) -> None:
    """Issue 9: every POST /events retried the oldest 10 000 held events (slow, and a held event
    behind them starved). Now an arrival retries exactly the events waiting for it."""
    stores_staff_and_one_share(graph, tmp_path)
    never = [{"type": "visit", **visit(f"n{i}", "sh-never", f"Q{i}", ts(2))} for i in range(40)]
    later = {"type": "visit", **visit("e20", "sh-late", "P2", ts(3))}
    assert (
        app_client.post("/events", json=[*never, later], headers=key("ingest")).status_code == 200
    )
    unrelated = {"type": "visit", **visit("e11", "sh1", "P1", ts(1, 10))}
    body = app_client.post("/events", json=[unrelated], headers=key("ingest")).json()
    assert body["released_from_hold"] == 0
    attempts = graph.read("MATCH (h:HeldEvent) RETURN h.event_id AS e, h.attempts AS a")
    assert len(attempts) == 41 and {a["a"] for a in attempts} == {1}

    arrives = {"type": "share", **share("e02", "sh-late", "P1", ts(2, 9))}
    body = app_client.post("/events", json=[arrives], headers=key("ingest")).json()
    assert body["released_from_hold"] == 1
    assert referrers(graph) == {"P1": "M1", "P2": "P1"}
    left = graph.read("MATCH (h:HeldEvent) RETURN h.waits_for AS w, h.attempts AS a")
    assert len(left) == 40 and {(r["w"], r["a"]) for r in left} == {("share:sh-never", 1)}


def test_erasure_reaches_held_events_and_the_tombstone_refuses_them(
    graph: Gateway, app_client: TestClient, tmp_path: Path
) -> None:
    """Issue 9: erasing a person whose events were still held answered 404, and applying the
    held events later brought the person back."""
    reference_files(tmp_path)
    load_files(graph, [tmp_path])
    held_visit = {"type": "visit", **visit("e10", "sh9", "P9", ts(2))}
    held_note = {
        "type": "note",
        "event_id": "e11",
        "staff_id": "M1",
        "person_id": "P9",
        "at": ts(3),
        "kind": "tag",
        "tag": "vip",
    }
    body = app_client.post("/events", json=[held_visit, held_note], headers=key("ingest")).json()
    assert [e["status"] for e in body["events"]] == ["pending", "pending"]

    erased = app_client.delete("/people/P9", headers=key("hq"))
    assert erased.status_code == 200, erased.text
    assert erased.json()["held_events_deleted"] == 2
    assert graph.read("MATCH (h:HeldEvent) RETURN count(h) AS n") == [{"n": 0}]

    share_arrives = {"type": "share", **share("e01", "sh9", "M1", ts(1))}
    again = app_client.post("/events", json=[share_arrives, held_visit], headers=key("ingest"))
    statuses = [e["status"] for e in again.json()["events"]]
    assert statuses == ["accepted", "rejected"]
    assert "erased" in again.json()["events"][1]["reason"]
    assert graph.read("MATCH (p:Person {id: 'P9'}) RETURN count(p) AS n") == [{"n": 0}]
    assert app_client.delete("/people/P404", headers=key("hq")).status_code == 404
