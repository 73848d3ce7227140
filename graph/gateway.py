"""The one gateway to Neo4j: one driver per process, explicit read and write transactions.

Reads run in read transactions (routed to replicas in a cluster) and writes in write
transactions; the driver retries a transaction function only on retryable errors (transient
errors, lost connections). The database name is always given, which also saves a round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, LiteralString, TypeVar

import pandas as pd
from neo4j import Driver, GraphDatabase, ManagedTransaction
from neo4j.exceptions import ServiceUnavailable

from fission.errors import DatabaseUnavailable
from fission.settings import Settings
from graph.queries import cypher

T = TypeVar("T")
Row = dict[str, Any]


def batched(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


class Gateway:
    def __init__(self, settings: Settings, driver: Driver | None = None) -> None:
        self.settings = settings
        self.database = settings.neo4j_database
        self.driver = driver or GraphDatabase.driver(
            settings.neo4j_uri,
            auth=(settings.neo4j_user, settings.password()),
            max_connection_pool_size=settings.neo4j_max_pool_size,
            max_transaction_retry_time=settings.neo4j_transaction_retry_seconds,
            # Planner notices (unknown labels on an empty graph, ...) are not for the log.
            notifications_min_severity="OFF",
        )

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Gateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def verify(self) -> str:
        """Checks that the server answers; returns its version."""
        try:
            records, _, _ = self.driver.execute_query(
                "CALL dbms.components() YIELD versions RETURN versions[0] AS version",
                database_=self.database,
            )
        except (ServiceUnavailable, OSError) as exc:
            raise DatabaseUnavailable(f"Neo4j at {self.settings.neo4j_uri}: {exc}") from exc
        return str(records[0]["version"])

    def read(self, name: str, **params: Any) -> list[Row]:
        """Runs the named query in a read transaction and returns its rows as dicts."""
        return self.read_text(cypher(name), **params)

    def read_text(self, text: LiteralString, **params: Any) -> list[Row]:
        def work(tx: ManagedTransaction) -> list[Row]:
            return [record.data() for record in tx.run(text, params)]

        with self.driver.session(database=self.database) as session:
            return session.execute_read(work)

    def read_df(self, name: str, **params: Any) -> pd.DataFrame:
        return pd.DataFrame(self.read(name, **params))

    def write(self, name: str, **params: Any) -> list[Row]:
        """Runs the named query in a write transaction and returns its rows as dicts."""
        text = cypher(name)

        def work(tx: ManagedTransaction) -> list[Row]:
            return [record.data() for record in tx.run(text, params)]

        with self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def write_tx(self, work: Callable[[ManagedTransaction], T]) -> T:
        """Runs `work` as one write transaction: all of it commits, or none of it."""
        with self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def write_batches(
        self, name: str, rows: Sequence[Row], batch_size: int | None = None, **params: Any
    ) -> int:
        """`UNWIND $rows` writes, one transaction per batch; returns the rows written."""
        size = batch_size or self.settings.load_batch_rows
        for batch in batched(rows, size):
            self.write(name, rows=batch, **params)
        return len(rows)
