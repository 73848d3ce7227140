"""The gateway's transactions against the real Neo4j: several reads in one read transaction
see what was written before it, and each kind of transaction runs only the query files of its
mode."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fission.errors import ConfigurationError
from graph.gateway import Gateway, Row, Tx
from graph.people import PROFILE
from graph.queries import query

RECORD_REFRESH = query("influence/record_refresh")
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
    assert graph.read(REFRESHED)[0]["refreshed_at"] is None
