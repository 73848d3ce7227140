"""The schema and its data migrations (graph.schema) against the real server."""

from __future__ import annotations

from pathlib import Path
from typing import LiteralString

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
