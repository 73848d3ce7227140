"""Loading against the real Neo4j: formats, idempotency, rejects, first touch, derived data."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph.gateway import Gateway
from graph.schema import apply_schema
from loaders.pipeline import load_files
from tests.helpers import (
    counts,
    friendship,
    homes,
    order,
    reference_files,
    referrers,
    share,
    stale_reach3,
    ts,
    visit,
    write_rows,
)


def load(gateway: Gateway, *paths: Path, rejects: Path | None = None):
    return load_files(gateway, list(paths), reject_path=rejects)


def read_rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_schema_setup_twice_is_idempotent(graph: Gateway) -> None:
    apply_schema(graph)
    first = graph.read("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names")
    apply_schema(graph)
    second = graph.read("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names")
    assert sorted(first[0]["names"]) == sorted(second[0]["names"])
    assert {"person_id", "share_id", "visited_event_id"} <= set(first[0]["names"])


CASCADE_SHARES = [
    share("e01", "sh1", "M1", ts(1, 10)),
    share("e05", "sh2", "P1", ts(2, 10), parent="sh1"),
]
CASCADE_VISITS = [
    visit("e02", "sh1", "P1", ts(1, 11)),
    visit("e06", "sh2", "P2", ts(3, 11), "claim_coupon"),
    visit("e07", "sh2", "P3", ts(3, 12)),
]
CASCADE_ORDERS = [order("e08", "P2", "S1", ts(4, 10), 99.5)]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_each_format_loads_the_same_graph(graph: Gateway, tmp_path: Path, fmt: str) -> None:
    reference_files(tmp_path, fmt)
    write_rows(tmp_path, "shares", CASCADE_SHARES, fmt)
    write_rows(tmp_path, "visits", CASCADE_VISITS, fmt)
    write_rows(tmp_path, "orders", CASCADE_ORDERS, fmt)
    report = load(graph, tmp_path)
    assert report.total("rejected") == 0
    assert report.total("accepted") == 2 + 3 + 2 + 2 + 3 + 1
    assert counts(graph) == {
        "node:Store": 2,
        "node:Person": 6,
        "node:Staff": 3,
        "node:Member": 1,
        "node:Content": 2,
        "node:Topic": 3,
        "node:Share": 2,
        "node:Order": 1,
        "rel:WORKS_AT": 3,
        "rel:ABOUT": 3,
        "rel:SHARED": 2,
        "rel:OF": 2,
        "rel:RESHARE_OF": 1,
        "rel:VISITED": 3,
        "rel:PLACED": 1,
        "rel:AT": 1,
        "rel:REFERRED": 3,
        "rel:HOME": 6,
        "rel:KNOWS": 3,
        "rel:INTERESTED_IN": 8,
    }
    assert referrers(graph) == {"P1": "M1", "P2": "P1", "P3": "P1"}


def test_loading_twice_changes_nothing(graph: Gateway, tmp_path: Path) -> None:
    reference_files(tmp_path)
    write_rows(tmp_path, "shares", CASCADE_SHARES)
    write_rows(tmp_path, "visits", CASCADE_VISITS)
    write_rows(tmp_path, "orders", CASCADE_ORDERS)
    write_rows(tmp_path, "friendships", [friendship("e09", "C1", "P3", ts(5))])
    load(graph, tmp_path)
    before = counts(graph)
    weights = graph.read("MATCH ()-[k:KNOWS]->() RETURN sum(k.weight) AS w")
    again = load(graph, tmp_path)
    assert counts(graph) == before
    assert graph.read("MATCH ()-[k:KNOWS]->() RETURN sum(k.weight) AS w") == weights
    events = len(CASCADE_SHARES) + len(CASCADE_VISITS) + len(CASCADE_ORDERS) + 1
    assert again.total("duplicates") == events
    assert sum(again.stats[k].accepted for k in ("shares", "visits", "orders", "friendships")) == 0


def test_bad_rows_are_rejected_with_reasons_and_good_rows_load(
    graph: Gateway, tmp_path: Path
) -> None:
    reference_files(tmp_path)
    write_rows(
        tmp_path,
        "shares",
        [
            share("e01", "sh1", "M1", ts(1, 10)),
            share("e02", "sh2", "M1", ts(1, 10), content="K404"),
        ],
    )
    write_rows(
        tmp_path,
        "visits",
        [
            visit("e10", "sh1", "P1", ts(1, 11)),  # good
            visit("e11", "sh1", "P2", ts(1, 9)),  # before its share
            visit("e12", "sh404", "P3", ts(1, 11)),  # unknown share
            visit("e13", "sh1", "P4", "2026-05-01T11:00:00"),  # naive timestamp
            visit("e14", "sh1", "P5", "yesterday"),  # not a timestamp
            {"event_id": "e15", "share_id": "sh1", "at": ts(1, 12), "action": "view"},  # missing
            visit("e16", "sh1", "P6", ts(1, 12), "teleport"),  # unknown action
        ],
    )
    write_rows(
        tmp_path,
        "orders",
        [
            order("e20", "P1", "S1", ts(2)),
            order("e21", "P1", "S1", ts(2), amount=-3),
            order("e22", "P1", "S404", ts(2)),
            {**order("e23", "P1", "S1", ts(2)), "amount": "ten"},
        ],
    )
    bad_bytes = tmp_path / "friendships.csv"
    bad_bytes.write_bytes(
        b"event_id,a_id,b_id,at\n"
        b"e30,M1,P1,2026-05-02T12:00:00+08:00\n"
        b"e31,M1,P\xff\xfe,2026-05-02T12:00:00+08:00\n"
        b"e32,M1,M1,2026-05-02T12:00:00+08:00\n"
    )
    rejects = tmp_path / "out" / "rejects.csv"
    report = load(graph, tmp_path, rejects=rejects)

    reasons = {(r["type"], r["key"] or r["row"]): r for r in read_rejects(rejects)}
    expected = {
        ("visits", "e11"): "is earlier than its share",
        ("visits", "e13"): "at: needs a timezone offset",
        ("visits", "e14"): "at: Input should be a valid datetime",
        ("visits", "e15"): "visitor_id: is missing",
        ("visits", "e16"): "action: Input should be",
        ("orders", "e21"): "amount: Input should be greater than or equal to 0",
        ("orders", "e23"): "amount: Input should be a valid number",
        ("friendships", "2"): "bytes that are not valid UTF-8",
        ("friendships", "e32"): "a friendship needs two different people",
    }
    assert set(reasons) == set(expected)
    for key, fragment in expected.items():
        assert fragment in reasons[key]["reason"], (key, reasons[key]["reason"])
        assert reasons[key]["source"].endswith(f"{key[0]}.csv")
    assert reasons[("visits", "e11")]["row"] == "2"
    assert report.total("rejected") == len(expected)
    # Rows naming something not loaded are not refused: they are held with their reason.
    assert report.total("held") == 3
    held = graph.read(
        "MATCH (h:HeldEvent) RETURN h.event_id AS e, h.reason AS reason, h.waits_for AS waits, "
        "h.source AS source ORDER BY e"
    )
    assert [(h["e"], h["reason"], h["waits"]) for h in held] == [
        ("e02", "unknown content_id K404", "content:K404"),
        ("e12", "unknown share_id sh404", "share:sh404"),
        ("e22", "unknown store_id S404", "store:S404"),
    ]
    assert held[1]["source"].endswith("visits.csv:3")
    assert report.stats["visits"].accepted == 1
    assert report.stats["orders"].accepted == 1
    assert report.stats["friendships"].accepted == 1
    assert counts(graph)["rel:VISITED"] == 1


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
def test_a_batch_is_never_half_applied(graph: Gateway, tmp_path: Path) -> None:
    """A failure inside the write rolls the whole batch back: nothing of it stays."""
    reference_files(tmp_path)
    load(graph, tmp_path)
    before = counts(graph)
    from neo4j.exceptions import ClientError

    from loaders.models import ShareEvent
    from loaders.pipeline import apply_batch

    good = ShareEvent.model_validate(share("e01", "sh1", "M1", ts(1)))
    # Bypassing validation, a row whose time the database cannot parse fails the query after
    # the good row was written in the same transaction.
    broken = ShareEvent.model_construct(
        **{**share("e02", "sh2", "M1", "not a time"), "parent_share_id": None}
    )
    with pytest.raises(ClientError, match="not a time"):
        apply_batch(graph, "shares", [good, broken])
    assert counts(graph) == before
    assert [v.status for v in apply_batch(graph, "shares", [good])] == ["accepted"]
    assert [v.status for v in apply_batch(graph, "shares", [good])] == ["duplicate"]


def test_first_touch_with_out_of_order_arrival_ties_self_visits_and_reshares(
    graph: Gateway, tmp_path: Path
) -> None:
    reference_files(tmp_path)
    first = tmp_path / "first"
    write_rows(
        first,
        "shares",
        [
            share("e01", "shA", "M1", ts(1, 9)),  # S1 manager
            share("e02", "shB", "M2", ts(1, 9)),  # S2 manager
            share("e03", "shP", "P1", ts(5, 9)),  # P1's own share
            share("e04", "shR", "P1", ts(6, 9), parent="shA"),  # reshare by P1
        ],
    )
    write_rows(
        first,
        "visits",
        [
            visit("e10", "shA", "P1", ts(3)),  # P1 first seen here -> M1 refers P1
            visit("e11", "shP", "P1", ts(5, 10)),  # self-visit: no referral
            visit("e12", "shP", "P2", ts(5, 11)),  # P1 refers P2
            visit("e13", "shR", "P3", ts(6, 10)),  # reshare visitor: P1 refers P3
        ],
    )
    load(graph, tmp_path, first)
    assert referrers(graph) == {"P1": "M1", "P2": "P1", "P3": "P1"}
    assert homes(graph)["P2"] == "S1"

    # Later an earlier visit of P1 to M2's share arrives: P1's referrer and the home of P1 and
    # of everyone below P1 follow.
    late = tmp_path / "late"
    write_rows(late, "visits", [visit("e20", "shB", "P1", ts(2))])
    load(graph, late)
    assert referrers(graph) == {"P1": "M2", "P2": "P1", "P3": "P1"}
    assert {p: homes(graph)[p] for p in ("P1", "P2", "P3")} == {"P1": "S2", "P2": "S2", "P3": "S2"}
    referred_at = graph.read(
        "MATCH (:Person {id: 'M2'})-[r:REFERRED]->(:Person {id: 'P1'}) RETURN r.share_id AS s"
    )
    assert referred_at == [{"s": "shB"}]
    # M1 lost P1's tree of 3 and M2 gained it; the stored reach follows.
    assert graph.read(
        "MATCH (p:Person) WHERE p.id IN ['M1', 'M2', 'P1'] RETURN p.id AS id, p.reach3 AS r "
        "ORDER BY id"
    ) == [{"id": "M1", "r": None}, {"id": "M2", "r": 3}, {"id": "P1", "r": 2}]
    assert stale_reach3(graph) == []

    # Ties: two visits at the same instant; the smaller event_id is the first appearance.
    tie = tmp_path / "tie"
    write_rows(
        tie,
        "visits",
        [
            visit("e41", "shB", "P9", ts(7)),
            visit("e40", "shA", "P9", ts(7)),
        ],
    )
    load(graph, tie)
    assert referrers(graph)["P9"] == "M1"


def test_equal_first_appearances_never_make_a_cycle(graph: Gateway, tmp_path: Path) -> None:
    """A and B share at the same instant and each first visits the other's share then: the
    (at, event_id) order decides, so at most one refers the other and nothing loops."""
    reference_files(tmp_path)
    write_rows(
        tmp_path,
        "shares",
        [
            share("e05", "shA", "PA", ts(1)),
            share("e06", "shB", "PB", ts(1)),
        ],
    )
    write_rows(
        tmp_path, "visits", [visit("e01", "shB", "PA", ts(1)), visit("e02", "shA", "PB", ts(1))]
    )
    load(graph, tmp_path)
    assert referrers(graph) == {"PB": "PA"}


def test_home_store_rules(graph: Gateway, tmp_path: Path) -> None:
    reference_files(tmp_path)
    write_rows(
        tmp_path,
        "members",
        [
            {"person_id": "MEM", "store_id": "S2", "member_since": "2025-01-01"},
        ],
    )
    write_rows(
        tmp_path,
        "shares",
        [
            share("e01", "shA", "M1", ts(1)),
            share("e02", "shM", "MEM", ts(1)),
        ],
    )
    write_rows(
        tmp_path,
        "visits",
        [
            visit("e10", "shA", "MEM", ts(2)),  # imported member: own store wins over referrer
            visit("e11", "shM", "Q1", ts(2)),  # referred by MEM -> S2
            visit("e12", "shA", "C1", ts(2)),  # staff: own store (C1 is staff at S1)
        ],
    )
    write_rows(
        tmp_path,
        "orders",
        [
            order("e20", "LONE", "S2", ts(3)),
            order("e21", "LONE", "S1", ts(4)),  # first order
            order("e22", "Q1", "S1", ts(5)),  # has a referrer: the order's store does not count
        ],
    )
    write_rows(tmp_path, "friendships", [friendship("e30", "NOBODY", "LONE", ts(1))])
    load(graph, tmp_path)
    h = homes(graph)
    assert h["MEM"] == "S2" and h["Q1"] == "S2" and h["C1"] == "S1" and h["LONE"] == "S2"
    assert "NOBODY" not in h


def test_knows_weights(graph: Gateway, tmp_path: Path) -> None:
    reference_files(tmp_path)
    write_rows(
        tmp_path,
        "shares",
        [
            share("e01", "shA", "M1", ts(1)),
            share("e02", "shA2", "M1", ts(1)),
            share("e03", "shP", "P1", ts(3)),
        ],
    )
    write_rows(
        tmp_path,
        "visits",
        [
            visit("e10", "shA", "P1", ts(2)),  # referral M1 -> P1, visit 1
            visit("e11", "shA", "P1", ts(2, 13)),  # visit 2
            visit("e12", "shA2", "P1", ts(2, 14)),  # visit 3
            visit("e13", "shP", "M1", ts(4)),  # M1 visits P1's share: visit 4
            visit("e14", "shA", "P2", ts(2)),  # M1 -> P2 referral + 1 visit
        ],
    )
    write_rows(
        tmp_path,
        "friendships",
        [
            friendship("e20", "M1", "P1", ts(5)),
            friendship("e21", "P1", "M1", ts(6)),
            friendship("e22", "P2", "P3", ts(6)),
        ],
    )
    load(graph, tmp_path)
    rows = graph.read(
        "MATCH (a:Person)-[k:KNOWS]->(b:Person) RETURN a.id AS a, b.id AS b, k.weight AS w"
    )
    assert {(r["a"], r["b"]): r["w"] for r in rows} == {
        ("M1", "P1"): 3 + 2 + 4,
        ("M1", "P2"): 2 + 1,
        ("P2", "P3"): 3,
    }


def test_interest_scores(graph: Gateway, tmp_path: Path) -> None:
    reference_files(tmp_path)
    write_rows(
        tmp_path,
        "shares",
        [
            share("e01", "shA", "M1", "2026-05-01T00:00:00+00:00"),
            share("e02", "shF", "M1", "2026-04-01T00:00:00+00:00", content="K2"),
        ],
    )
    write_rows(tmp_path, "visits", [visit("e10", "shA", "P1", "2026-05-31T00:00:00+00:00")])
    load(graph, tmp_path)
    from graph.derive import derive_people

    derive_people(graph, ["M1", "P1"], as_of=datetime(2026, 5, 31, tzinfo=UTC))
    rows = graph.read(
        "MATCH (p:Person)-[i:INTERESTED_IN]->(t:Topic) RETURN p.id AS p, t.name AS t, i.score AS s"
    )
    scores = {(r["p"], r["t"]): r["s"] for r in rows}
    # M1: a share 30 days old (x2 -> 1.0) about coffee and baby; one 60 days old about fitness.
    assert scores[("M1", "coffee")] == pytest.approx(1.0)
    assert scores[("M1", "baby")] == pytest.approx(1.0)
    assert scores[("M1", "fitness")] == pytest.approx(0.5)
    assert scores[("P1", "coffee")] == pytest.approx(1.0)
    assert len(scores) == 5


def test_home_falls_through_to_the_first_order_when_the_referrer_has_none(
    graph: Gateway, tmp_path: Path
) -> None:
    """R is a root with no store (first seen sharing, never orders); P, referred by R, orders
    at S2: P's home is S2 (the referrer rule gives nothing, so the order rule applies), and Q
    below P follows P."""
    reference_files(tmp_path)
    write_rows(
        tmp_path,
        "shares",
        [
            share("e01", "shR", "R", ts(1)),
            share("e02", "shP", "P", ts(3)),
        ],
    )
    write_rows(
        tmp_path, "visits", [visit("e10", "shR", "P", ts(2)), visit("e11", "shP", "Q", ts(4))]
    )
    write_rows(tmp_path, "orders", [order("e20", "P", "S2", ts(5))])
    load(graph, tmp_path)
    assert referrers(graph) == {"P": "R", "Q": "P"}
    assert homes(graph) == {"M1": "S1", "C1": "S1", "M2": "S2", "P": "S2", "Q": "S2"}
    # An order by the root now decides for the whole chain.
    later = tmp_path / "later"
    write_rows(later, "orders", [order("e21", "R", "S1", ts(6))])
    load(graph, later)
    assert {p: homes(graph)[p] for p in ("R", "P", "Q")} == {"R": "S1", "P": "S1", "Q": "S1"}
