"""Applies the graph schema (constraints and indexes); safe to run any number of times."""

from __future__ import annotations

from graph.gateway import Gateway
from graph.queries import statements

SCHEMA = statements("schema/constraints")


def apply_schema(gateway: Gateway) -> int:
    """Creates what is missing and waits until every index is online; returns statements run."""
    with gateway.driver.session(database=gateway.database) as session:
        for statement in SCHEMA:
            session.run(statement).consume()
        session.run("CALL db.awaitIndexes(300)").consume()
    return len(SCHEMA)
