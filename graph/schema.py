"""Applies the graph schema (constraints and indexes) and the data migrations a database loaded
by an older Fission needs; safe to run any number of times.

A data migration fills in something derived that newer code stores and older code did not; it
runs once per database, and a `:Migration {name}` node records that it ran (a crash before the
record means it runs again, from the start). A database built by the bulk import gets every
record at once (`MIGRATIONS`), since the import computes everything the migrations fill in.

- `stored_reach3`: `Person.reach3`, the stored reach(p, 3) of the key-node rule
  (cypher/derive/reach3 keeps it current from then on).
- `recommended_staff_id`: `RECOMMENDED.staff_id`, the staff member's id on each recorded
  recommendation, which the served-list check finds a day's records by (graph.followthrough).
"""

from __future__ import annotations

from collections.abc import Callable

from graph.gateway import Gateway
from graph.queries import query

SCHEMA = query("schema/constraints")
APPLIED = query("schema/migrations")
RECORD = query("schema/record_migration")
REFERRERS = query("schema/referrers")
BACKFILL_REACH3 = query("schema/backfill_reach3")
UNKEYED_RECOMMENDERS = query("schema/unkeyed_recommenders")
KEY_RECOMMENDATIONS = query("schema/key_recommendations")
# Staff members a transaction: a year of daily lists is some thousands of records each.
RECOMMENDERS_PER_BATCH = 50


def _stored_reach3(gateway: Gateway) -> None:
    rows = gateway.read(REFERRERS)
    gateway.write_batches(BACKFILL_REACH3, rows)


def _recommended_staff_id(gateway: Gateway) -> None:
    rows = gateway.read(UNKEYED_RECOMMENDERS)
    gateway.write_batches(KEY_RECOMMENDATIONS, rows, RECOMMENDERS_PER_BATCH)


MIGRATIONS: dict[str, Callable[[Gateway], None]] = {
    "stored_reach3": _stored_reach3,
    "recommended_staff_id": _recommended_staff_id,
}


def apply_schema(gateway: Gateway) -> int:
    """Creates what is missing, waits until every index is online and runs the migrations not
    yet recorded; returns the schema statements run."""
    count = gateway.apply_schema(SCHEMA)
    applied = {row["name"] for row in gateway.read(APPLIED)}
    for name, migrate in MIGRATIONS.items():
        if name not in applied:
            migrate(gateway)
            gateway.write(RECORD, name=name)
    return count
