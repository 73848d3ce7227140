"""The schema and its data migrations (graph.schema) against the real server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import LiteralString

from graph.followthrough import record_recommendations
from graph.gateway import Gateway
from graph.schema import MIGRATIONS, apply_schema
from loaders.pipeline import load_files
from tests.graph.reference import referral_tree
from tests.helpers import reference_files, stale_reach3, write_rows


def _run(gateway: Gateway, statement: LiteralString) -> None:
    gateway.driver.execute_query(statement, database_=gateway.database)


TREE = {"M1": ["A", "B"], "A": ["A1", "A2"], "A1": ["A11"], "A11": ["A111"], "B": ["B1"]}


def test_a_database_from_before_stored_reach_gets_it_once(graph: Gateway, tmp_path: Path) -> None:
    reference_files(tmp_path)
    shares, visits = referral_tree(TREE)
    write_rows(tmp_path, "shares", shares)
    write_rows(tmp_path, "visits", visits)
    assert load_files(graph, [tmp_path]).total("rejected") == 0
    stored = "MATCH (p:Person) WHERE p.reach3 IS NOT NULL RETURN p.id AS id, p.reach3 AS r"
    expected = [
        {"id": "A", "r": 4},
        {"id": "A1", "r": 2},
        {"id": "A11", "r": 1},
        {"id": "B", "r": 1},
        {"id": "M1", "r": 6},
    ]
    assert sorted(graph.read(stored), key=lambda r: r["id"]) == expected
    applied = "MATCH (m:Migration) RETURN m.name AS name ORDER BY name"
    assert graph.read(applied) == [{"name": name} for name in sorted(MIGRATIONS)]

    # As a database loaded by the code before: no stored reach, no record of the migration.
    _run(graph, "MATCH (p:Person) REMOVE p.reach3")
    _run(graph, "MATCH (m:Migration) DELETE m")
    apply_schema(graph)
    assert sorted(graph.read(stored), key=lambda r: r["id"]) == expected
    assert stale_reach3(graph) == []
    assert graph.read(applied) == [{"name": name} for name in sorted(MIGRATIONS)]

    # Recorded: applying the schema again does not count again.
    _run(graph, "MATCH (p:Person {id: 'M1'}) REMOVE p.reach3")
    apply_schema(graph)
    assert graph.read("MATCH (p:Person {id: 'M1'}) RETURN p.reach3 AS r") == [{"r": None}]


def test_recommendations_recorded_before_the_staff_id_key_get_it_once(
    graph: Gateway, tmp_path: Path
) -> None:
    reference_files(tmp_path)
    shares, visits = referral_tree(TREE)
    write_rows(tmp_path, "shares", shares)
    write_rows(tmp_path, "visits", visits)
    assert load_files(graph, [tmp_path]).total("rejected") == 0
    served = datetime(2026, 5, 10, 12, tzinfo=UTC)
    assert record_recommendations(graph, "M1", ["A", "B"], served) == 2
    assert record_recommendations(graph, "C1", ["A"], served - timedelta(days=1)) == 1

    # As recorded by the code before: no staff id on the relationships, no migration record.
    _run(graph, "MATCH ()-[r:RECOMMENDED]->() REMOVE r.staff_id")
    _run(graph, "MATCH (m:Migration) DELETE m")
    apply_schema(graph)
    keyed = (
        "MATCH (s)-[r:RECOMMENDED]->(p) "
        "RETURN s.id AS staff, p.id AS person, r.staff_id AS key ORDER BY staff, person"
    )
    assert graph.read(keyed) == [
        {"staff": "C1", "person": "A", "key": "C1"},
        {"staff": "M1", "person": "A", "key": "M1"},
        {"staff": "M1", "person": "B", "key": "M1"},
    ]
    applied = "MATCH (m:Migration) RETURN m.name AS name ORDER BY name"
    assert graph.read(applied) == [{"name": name} for name in sorted(MIGRATIONS)]
    # The served-list check finds the migrated records: the same day writes nothing again.
    assert record_recommendations(graph, "M1", ["B", "A"], served + timedelta(hours=2)) == 0
