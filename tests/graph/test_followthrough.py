"""Follow-through of recommended contacts and key nodes against the real Neo4j: recorded
recommendations inside and outside the period, notes by the right and the wrong staff member,
of the wrong kind, before the recommendation and after the period, orders before and after the
note.
"""

from __future__ import annotations

import logging
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from fission.errors import InvalidInput, NotFound
from graph.followthrough import (
    RECORD,
    UNRECORDED,
    ServedLog,
    follow_through,
    record_recommendations,
    serve_recommendations,
    served_list,
)
from graph.gateway import Gateway
from loaders.pipeline import load_files
from tests.helpers import order, plan_operators, reference_files, share, ts, visit, write_rows


def at(day: int, hour: int = 12) -> datetime:
    return datetime.fromisoformat(ts(day, hour))


def note(eid: str, staff: str, person: str, when: str, kind: str = "contacted") -> dict:
    return {
        "event_id": eid,
        "staff_id": staff,
        "person_id": person,
        "at": when,
        "kind": kind,
        "tag": "vip" if kind == "tag" else "",
    }


def build(folder: Path) -> None:
    """M1 -> P1..P4, K; K -> R01..R10 (K a key node by reach)."""
    reference_files(folder)
    write_rows(
        folder, "shares", [share("s1", "sh1", "M1", ts(1, 10)), share("s2", "sh2", "K", ts(2, 10))]
    )
    visits = [visit(f"v{i}", "sh1", f"P{i}", ts(1, 10 + i)) for i in range(1, 5)]
    visits.append(visit("vk", "sh1", "K", ts(1, 15)))
    visits += [visit(f"r{i:02d}", "sh2", f"R{i:02d}", ts(2, 11, i)) for i in range(1, 11)]
    write_rows(folder, "visits", visits)
    write_rows(
        folder,
        "notes",
        [
            note("n1", "M1", "P1", ts(11, 12)),  # noted after the recommendation
            note("n2", "M1", "P2", ts(11), kind="tag"),  # a tag is not contact
            note("n3", "M1", "P3", ts(9), kind="visited"),  # before the recommendation
            note("n4", "C1", "P1", ts(25)),  # after the period
            note("n5", "C1", "K", ts(15), kind="visited"),  # the key node, in the period
            note("n6", "M2", "K", ts(6)),  # another store's staff
        ],
    )
    write_rows(
        folder,
        "orders",
        [
            order("o1", "P1", "S1", ts(11, 10), 30.0),  # before the note
            order("o2", "P1", "S1", ts(12), 50.0),
            order("o3", "P2", "S1", ts(12), 20.0),  # never noted
            order("o4", "K", "S1", ts(16), 70.0),
        ],
    )


def test_record_recommendations(graph: Gateway, tmp_path: Path) -> None:
    build(tmp_path)
    assert load_files(graph, [tmp_path]).total("rejected") == 0
    assert record_recommendations(graph, "M1", ["P1", "P2", "P3"], at(10), "coffee") == 3
    # Once per staff member, person and day: the same serving, or a later one that day, adds
    # nothing (the first one's rank and topic stay); unknown people are skipped.
    assert record_recommendations(graph, "M1", ["P1", "P2", "P3"], at(10), "coffee") == 0
    assert record_recommendations(graph, "M1", ["P3", "P1"], at(10) + timedelta(hours=3)) == 0
    assert record_recommendations(graph, "C1", ["P1", "GHOST"], at(10)) == 1
    rows = graph.read(
        "MATCH (s:Staff)-[r:RECOMMENDED]->(p:Person) "
        "RETURN s.id AS staff, p.id AS person, r.rank AS rank, r.topic AS topic "
        "ORDER BY staff, rank"
    )
    assert [(r["staff"], r["person"], r["rank"], r["topic"]) for r in rows] == [
        ("C1", "P1", 1, None),
        ("M1", "P1", 1, "coffee"),
        ("M1", "P2", 2, "coffee"),
        ("M1", "P3", 3, "coffee"),
    ]
    with pytest.raises(NotFound):
        record_recommendations(graph, "P1", ["P2"], at(10))  # not a staff member
    with pytest.raises(InvalidInput):
        record_recommendations(graph, "M1", ["P2"], datetime(2026, 5, 10))


def test_a_days_records_are_found_through_the_index_whatever_the_history(
    graph: Gateway, tmp_path: Path
) -> None:
    build(tmp_path)
    assert load_files(graph, [tmp_path]).total("rejected") == 0
    # Three weeks of daily lists before: only that day's records count.
    for day in range(1, 22):
        assert record_recommendations(graph, "M1", ["P1", "P2"], at(day)) == 2
    assert record_recommendations(graph, "M1", ["P2", "P1"], at(10, 18)) == 0
    assert record_recommendations(graph, "M1", ["P2", "P3", "P1"], at(10, 19)) == 1
    assert record_recommendations(graph, "M1", ["P3", "P1"], at(22)) == 2
    assert record_recommendations(graph, "C1", ["P1"], at(22)) == 1
    count = "MATCH (:Staff {id: $s})-[r:RECOMMENDED]->() RETURN count(r) AS n"
    assert graph.read(count, s="M1") == [{"n": 45}]
    day_ten = (
        "MATCH (:Staff {id: 'M1'})-[r:RECOMMENDED]->(p) WHERE r.day = $day "
        "RETURN p.id AS p, r.rank AS rank ORDER BY p"
    )
    assert graph.read(day_ten, day=at(10).date()) == [
        {"p": "P1", "rank": 1},
        {"p": "P2", "rank": 2},
        {"p": "P3", "rank": 2},
    ]
    # The follow-through of a period counts only that period's records.
    f = follow_through(graph, "S1", at(20), at(23))
    assert f.recommendations.people == 3  # P1, P2 (days 20 and 21) and P3 (day 22)
    assert [(s.staff_id, s.people) for s in f.per_staff] == [("C1", 1), ("M1", 3)]
    # Every record carries its staff member's id, and both queries seek the (staff_id, day)
    # index instead of walking the staff member's records of every day.
    keyed = "MATCH (s)-[r:RECOMMENDED]->() WHERE r.staff_id <> s.id RETURN count(r) AS n"
    assert graph.read(keyed) == [{"n": 0}]
    serving = {"staff_id": "M1", "day": at(22).date(), "at": at(22), "topic": None,
               "rows": [{"person_id": "P1", "rank": 1}]}  # fmt: skip
    for query in (UNRECORDED, RECORD):
        operators = plan_operators(graph, query, servings=[serving])
        assert any("RelationshipIndexSeek" in op for op in operators), query.name


def test_concurrent_servings_record_each_person_once(graph: Gateway, tmp_path: Path) -> None:
    build(tmp_path)
    assert load_files(graph, [tmp_path]).total("rejected") == 0
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: record_recommendations(graph, "M1", ["P1", "P2", "P3"], at(10)),
                      range(16)))  # fmt: skip
    assert recommended_pairs(graph) == [("M1", "P1"), ("M1", "P2"), ("M1", "P3")]


def test_concurrent_batches_of_servings_never_deadlock(graph: Gateway) -> None:
    """Two writers (as two API workers' served logs) record overlapping batches of one day's
    servings at the same moment, each in a transaction of its own without the driver's retry:
    none may be chosen as a deadlock victim (with the locks taken serving by serving, 9 of 200
    were), and together they record each wanted (staff, person, day) once."""
    graph.driver.execute_query(
        "UNWIND range(0, 19) AS i CREATE (:Person:Staff {id: 'S' + i}) "
        "WITH count(*) AS staff UNWIND range(0, 79) AS i CREATE (:Person {id: 'P' + i})",
        database_=graph.database,
    )
    rounds = 100
    start = threading.Barrier(2)
    wanted: set[tuple[str, str, object]] = set()
    failures: list[BaseException] = []

    def batches(seed: int) -> list[list[dict[str, Any]]]:
        draw = random.Random(seed)
        return [
            sorted(
                (
                    served_list(
                        f"S{draw.randrange(20)}", draw.sample(people, 10), at(1) + day, None
                    )
                    for _ in range(6)
                ),
                key=lambda s: s["at"],
            )
            for day in (timedelta(days=n) for n in range(rounds))
        ]

    people = [f"P{n}" for n in range(80)]
    work = [batches(seed) for seed in (1, 2)]
    for batch in work[0] + work[1]:
        wanted |= {(s["staff_id"], r["person_id"], s["day"]) for s in batch for r in s["rows"]}

    def write(mine: list[list[dict[str, Any]]]) -> None:
        with graph.driver.session(database=graph.database) as session:
            for servings in mine:
                start.wait()
                try:
                    with session.begin_transaction() as tx:
                        tx.run(RECORD.text, servings=servings).consume()
                        tx.commit()
                except Exception as exc:  # every failure, deadlock or other, is the finding
                    failures.append(exc)

    threads = [threading.Thread(target=write, args=(mine,)) for mine in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    rows = graph.read(
        "MATCH (s:Staff)-[r:RECOMMENDED]->(p:Person) RETURN s.id AS s, p.id AS p, r.day AS day"
    )
    assert len(rows) == len(wanted)
    assert {(r["s"], r["p"], r["day"]) for r in rows} == wanted


def recommended_pairs(graph: Gateway) -> list[tuple[str, str]]:
    rows = graph.read(
        "MATCH (s:Staff)-[:RECOMMENDED]->(p:Person) RETURN s.id AS staff, p.id AS person "
        "ORDER BY staff, person"
    )
    return [(r["staff"], r["person"]) for r in rows]


def test_served_lists_are_written_in_one_batch_once_and_a_failed_batch_is_logged(
    graph: Gateway, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    build(tmp_path)
    assert load_files(graph, [tmp_path]).total("rejected") == 0
    served = ServedLog(graph, interval=3600)  # flushed by hand here
    try:
        items = serve_recommendations(graph, "M1", now=at(10), served=served)
        assert [i.person_id for i in items] == ["K"]
        served.add("C1", ["P2", "P1", "P2"], at(10, 13), "coffee")
        served.add("NOBODY", ["P1"], at(10, 14))
        assert recommended_pairs(graph) == []  # the answers come first
        with caplog.at_level(logging.WARNING, logger="fission.followthrough"):
            assert served.flush() == 2  # both staff members' lists, one transaction
        assert "served to NOBODY were not recorded: no such staff member" in caplog.text
        assert recommended_pairs(graph) == [("C1", "P1"), ("C1", "P2"), ("M1", "K")]
        rows = graph.read(
            "MATCH (:Staff {id: 'C1'})-[r:RECOMMENDED]->(p) "
            "RETURN p.id AS p, r.rank AS rank, r.topic AS topic ORDER BY p"
        )
        assert rows == [
            {"p": "P1", "rank": 2, "topic": "coffee"},
            {"p": "P2", "rank": 1, "topic": "coffee"},
        ]
        # Served again that day: nothing to write. Another day: written again.
        serve_recommendations(graph, "M1", now=at(10, 18), served=served)
        assert served.flush() == 0
        served.add("M1", ["K"], at(11))
        served.add("M1", ["K"], at(11, 9))  # the day's earliest serving is kept
        assert served.flush() == 2
        days = graph.read(
            "MATCH (:Staff {id: 'M1'})-[r:RECOMMENDED]->() RETURN r.at AS at ORDER BY at"
        )
        assert [r["at"] for r in days] == [at(10), at(11, 9)]
    finally:
        served.close()
    # A batch that fails (the database is unreachable) is logged; the answers were served.
    unreachable = Gateway(
        graph.settings.model_copy(update={"neo4j_uri": "bolt://127.0.0.1:9"}), retry_seconds=0
    )
    lost = ServedLog(unreachable, interval=3600)
    try:
        lost.add("M1", ["K"], at(12))
        with caplog.at_level(logging.WARNING, logger="fission.followthrough"):
            assert lost.flush() == 0
        assert "1 served recommendation lists were not recorded" in caplog.text
    finally:
        lost.close()
        unreachable.close()


def test_closing_the_log_writes_what_is_queued(graph: Gateway, tmp_path: Path) -> None:
    build(tmp_path)
    assert load_files(graph, [tmp_path]).total("rejected") == 0
    served = ServedLog(graph, interval=3600)
    served.add("M1", ["K"], at(10))
    served.close()
    assert recommended_pairs(graph) == [("M1", "K")]


def test_follow_through_known_answers(graph: Gateway, tmp_path: Path) -> None:
    build(tmp_path)
    assert load_files(graph, [tmp_path]).total("rejected") == 0
    record_recommendations(graph, "M1", ["P1", "P2", "P3"], at(10), "coffee")
    record_recommendations(graph, "C1", ["P1"], at(10))
    record_recommendations(graph, "M1", ["P4"], at(3))  # before the period
    record_recommendations(graph, "M2", ["P1"], at(10))  # another store's staff member
    f = follow_through(graph, "S1", at(5), at(20))
    rec = f.recommendations
    assert (rec.people, rec.noted, rec.ordered, rec.ordered_amount) == (3, 1, 1, 50.0)
    assert [(s.staff_id, s.people, s.noted, s.ordered) for s in f.per_staff] == [
        ("C1", 1, 0, 0),
        ("M1", 3, 1, 1),
    ]
    keys = f.key_nodes
    assert (keys.people, keys.noted, keys.ordered, keys.ordered_amount) == (1, 1, 1, 70.0)
    p1 = next(p for p in f.people if (p.staff_id, p.person_id) == ("M1", "P1"))
    assert (p1.recommended_at, p1.noted_at, p1.ordered_at) == (at(10), at(11), at(12))
    k = next(p for p in f.people if p.person_id == "K")
    assert (k.staff_id, k.noted_at, k.ordered_at) == (None, at(15), at(16))

    # A period that ends before the notes: recommended, nothing acted on yet.
    early = follow_through(graph, "S1", at(5), at(11))
    assert (early.recommendations.people, early.recommendations.noted) == (3, 0)
    assert (early.key_nodes.people, early.key_nodes.noted) == (1, 0)

    other = follow_through(graph, "S2", at(5), at(20))
    assert [(s.staff_id, s.people, s.noted) for s in other.per_staff] == [("M2", 1, 0)]

    with pytest.raises(NotFound):
        follow_through(graph, "NOPE", at(5), at(20))
    with pytest.raises(InvalidInput):
        follow_through(graph, "S1", at(20), at(5))
