"""Applies the graph schema (constraints and indexes); safe to run any number of times."""

from __future__ import annotations

from graph.gateway import Gateway
from graph.queries import query

SCHEMA = query("schema/constraints")


def apply_schema(gateway: Gateway) -> int:
    """Creates what is missing and waits until every index is online; returns statements run."""
    return gateway.apply_schema(SCHEMA)
