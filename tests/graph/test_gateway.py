"""The gateway's transactions against the real Neo4j: several reads in one read transaction
see what was written before it, each kind of transaction runs only the query files of its
mode, and batches written by concurrent writers all land once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fission.errors import ConfigurationError
from graph.gateway import Gateway, Row, Tx
from graph.people import PROFILE
from graph.queries import query

RECORD_REFRESH = query("influence/record_refresh")
WRITE_SCORES = query("influence/write_scores")
BASELINE_SHARES = query("baseline/shares")
REFRESHED = query("status/influence_refresh")


def test_read_tx_runs_several_reads_in_one_transaction(graph: Gateway) -> None:
    at = datetime(2026, 11, 29, 12, tzinfo=UTC)
    graph.write(RECORD_REFRESH, at=at, seconds=1.5, people=3)

    def work(tx: Tx) -> tuple[list[Row], Row]:
        return tx.run(PROFILE, person_id="nobody", store_id=None), tx.run(REFRESHED)[0]

    assert graph.read_tx(work) == ([], {"refreshed_at": at, "seconds": 1.5})


def test_each_transaction_runs_only_queries_of_its_mode(graph: Gateway) -> None:
    at = datetime(2026, 11, 29, 12, tzinfo=UTC)
    with pytest.raises(ConfigurationError, match="declared `write`, but was run as `read`"):
        graph.read_tx(lambda tx: tx.run(RECORD_REFRESH, at=at, seconds=0.0, people=0))
    with pytest.raises(ConfigurationError, match="declared `read`, but was run as `write`"):
        graph.write_tx(lambda tx: tx.run(REFRESHED))
    assert graph.read(REFRESHED) == []


def test_write_batches_with_two_writers_writes_every_row_once(graph: Gateway) -> None:
    at = datetime(2026, 11, 29, 12, tzinfo=UTC)
    shares = [
        {"event_id": f"e{i}", "share_id": f"sh{i}", "sharer_id": f"P{i:02d}",
         "content_id": "K1", "channel": "moments", "at": "2026-11-01T10:00:00+00:00"}
        for i in range(25)
    ]  # fmt: skip
    assert graph.write_batches(BASELINE_SHARES, shares, batch_size=4, writers=2) == 25
    scores = [
        {"id": f"P{i:02d}", "influence": i / 100, "store_influence": i / 50,
         "store_influence_pct": float(i)}
        for i in range(25)
    ]  # fmt: skip
    assert graph.write_batches(WRITE_SCORES, scores, batch_size=4, writers=2, at=at) == 25
    stored = graph.read(
        "MATCH (p:Person)-[:SHARED]->(s:Share) RETURN p.id AS id, p.influence AS influence, "
        "p.store_influence AS store_influence, p.store_influence_pct AS store_influence_pct, "
        "p.influence_at AS at, count(s) AS shares ORDER BY id"
    )
    assert stored == [{**row, "at": at, "shares": 1} for row in scores]
