"""The one gateway to Neo4j: one driver per process, and a small set of methods that say read
or write.

- `read(query, **params)` runs in a read transaction (routed to a secondary in a cluster);
- `read_tx(work)` runs several reads as one read transaction (`work(tx)` calls `tx.run`, or
  `tx.read`): one state of the graph, and no transaction set-up and commit per query; helpers
  that only read take a `Reader` (a Gateway or such a Tx), so they run either way;
- `write(query, **params)` and `write_batches(query, rows)` run in write transactions;
- `write_tx(work)` runs several writes as one transaction (`work(tx)` calls `tx.run`);
- `apply_schema(query)` runs a schema file's statements.

Each method checks the mode the query file declares (graph.queries), names the database on
every call, and lets the driver retry a transaction only on retryable errors (transient
errors, lost connections) for `retry_seconds` (default FISSION_NEO4J_TRANSACTION_RETRY_SECONDS;
the API waits less). A commit whose outcome is unknown because the connection dropped
(IncompleteCommit) is run again: every write in Fission is idempotent (events carry their ids,
derived data is recomputed), so a second run changes nothing the first one did. So is a write
that broke a uniqueness constraint (ConstraintError): a concurrent transaction wrote the same
event first, and the second run finds it (a duplicate). When the
database still does not answer, the error is `fission.errors.DatabaseUnavailable` (HTTP 503,
exit code 69). One result transformer (`to_python`) turns every value Neo4j
returns into plain Python: temporals into `datetime`/`date`, nodes and relationships into
dicts of their properties. A plain string is ad-hoc Cypher, read only: the analysts'
notebooks and the tests use it; the project's own code runs only query files.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import Any, LiteralString, Protocol, TypeVar

from neo4j import (
    Driver,
    GraphDatabase,
    ManagedTransaction,
    Record,
    Result,
    RoutingControl,
    Session,
)
from neo4j.exceptions import (
    AuthError,
    ConstraintError,
    IncompleteCommit,
    ResultFailedError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)
from neo4j.graph import Node, Path, Relationship

from fission.errors import ConfigurationError, DatabaseUnavailable
from fission.settings import Settings
from graph.queries import Mode, Query

T = TypeVar("T")
Row = dict[str, Any]
_PLAIN = (str, int, float, bool, type(None))
# What the driver raises when the database is down, restarting or overloaded.
UNAVAILABLE = (ServiceUnavailable, SessionExpired, TransientError, IncompleteCommit, OSError)
RERUNS = 3  # of a write whose commit is unknown, or that lost a race to a concurrent one


def batched(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def to_python(value: Any) -> Any:
    """A value as Neo4j returned it, in plain Python (see the module docstring)."""
    if isinstance(value, _PLAIN):
        return value
    # Plain items are tested inline: a call per item costs a third more on million-item lists.
    if isinstance(value, list):
        return [v if isinstance(v, _PLAIN) else to_python(v) for v in value]
    if isinstance(value, dict):
        return {k: v if isinstance(v, _PLAIN) else to_python(v) for k, v in value.items()}
    if isinstance(value, Node | Relationship):
        return {k: to_python(v) for k, v in value.items()}
    if isinstance(value, Path):
        return [to_python(node) for node in value.nodes]
    if hasattr(value, "to_native"):  # neo4j.time DateTime, Date, Time
        return value.to_native()
    return value


def _row(record: Record) -> Row:
    return {k: v if isinstance(v, _PLAIN) else to_python(v) for k, v in record.items()}


def rows(result: Result) -> list[Row]:
    """The result transformer: every record as a dict of plain Python values."""
    return [_row(record) for record in result]


class Tx:
    """A transaction in progress, for `Gateway.write_tx` (write queries) and `Gateway.read_tx`
    (read queries)."""

    def __init__(self, tx: ManagedTransaction, mode: Mode = "write") -> None:
        self._tx = tx
        self._mode = mode

    def run(self, query: Query, **params: Any) -> list[Row]:
        _check_mode(query, self._mode)
        return rows(self._tx.run(query.text, params))

    def read(self, query: Query, **params: Any) -> list[Row]:
        """`run` under Gateway's name for it, so that a `Reader` may be either."""
        return self.run(query, **params)


class Reader(Protocol):
    """What runs read queries: a Gateway (a transaction each) or the Tx of `Gateway.read_tx`."""

    def read(self, query: Query, **params: Any) -> list[Row]: ...


def _check_mode(query: Query, mode: Mode) -> None:
    if query.mode != mode:
        raise ConfigurationError(
            f"cypher/{query.name}.cypher is declared `{query.mode}`, but was run as `{mode}`"
        )


class Gateway:
    def __init__(
        self, settings: Settings, driver: Driver | None = None, retry_seconds: float | None = None
    ) -> None:
        self.settings = settings
        self.database = settings.neo4j_database
        retry = settings.neo4j_transaction_retry_seconds if retry_seconds is None else retry_seconds
        self.driver = driver or GraphDatabase.driver(
            settings.neo4j_uri,
            auth=(settings.neo4j_user, settings.password()),
            max_connection_pool_size=settings.neo4j_max_pool_size,
            max_transaction_retry_time=retry,
            # Planner notices (unknown labels on an empty graph, ...) are not for the log.
            notifications_min_severity="OFF",
        )

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Gateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _unavailable(self, exc: Exception) -> DatabaseUnavailable:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return DatabaseUnavailable(
            f"Neo4j at {self.settings.neo4j_uri} is unavailable or busy ({reason}); "
            "try again shortly"
        )

    def _call(self, run: Callable[[], T]) -> T:
        """Runs one driver call: the driver retries retryable errors; a commit of unknown
        outcome, a lost race on a uniqueness constraint or a deadlock the driver reports as a
        failed result is run again (writes are idempotent); what still fails for want of a
        database is DatabaseUnavailable."""
        for attempt in range(RERUNS + 1):
            try:
                return run()
            except IncompleteCommit as exc:
                if attempt == RERUNS:
                    raise self._unavailable(exc) from exc
            except ConstraintError:
                if attempt == RERUNS:
                    raise
                time.sleep(0.1 * (attempt + 1))
            except ResultFailedError as exc:
                # A deadlock reported while the driver rolls back surfaces as this, not as the
                # transient error it is, and so escapes the driver's own retry: run it again.
                if attempt == RERUNS or not isinstance(exc.__cause__, TransientError):
                    raise
                time.sleep(0.1 * (attempt + 1))
            except UNAVAILABLE as exc:
                raise self._unavailable(exc) from exc
            except AuthError as exc:
                raise ConfigurationError(
                    f"Neo4j at {self.settings.neo4j_uri} refused the credentials: {exc}"
                ) from exc
        raise AssertionError("unreachable")

    def verify(self) -> str:
        """Checks that the server answers; returns its version."""
        records, _, _ = self._call(
            lambda: self.driver.execute_query(
                "CALL dbms.components() YIELD versions RETURN versions[0] AS version",
                database_=self.database,
                routing_=RoutingControl.READ,
            )
        )
        return str(records[0]["version"])

    def read(self, query: Query | LiteralString, **params: Any) -> list[Row]:
        """Runs a read query (or ad-hoc read-only Cypher) in a read transaction."""
        if isinstance(query, Query):
            _check_mode(query, "read")
            text = query.text
        else:
            text = query
        result: list[Row] = self._call(
            lambda: self.driver.execute_query(
                text,
                params,
                database_=self.database,
                routing_=RoutingControl.READ,
                result_transformer_=rows,
            )
        )
        return result

    def write(self, query: Query, **params: Any) -> list[Row]:
        """Runs a write query in a write transaction and returns its rows."""
        _check_mode(query, "write")
        result: list[Row] = self._call(
            lambda: self.driver.execute_query(
                query.text,
                params,
                database_=self.database,
                routing_=RoutingControl.WRITE,
                result_transformer_=rows,
            )
        )
        return result

    def _session(self) -> Session:
        # The bookmarks execute_query keeps: a read after a write sees it, even on a secondary.
        return self.driver.session(
            database=self.database, bookmark_manager=self.driver.execute_query_bookmark_manager
        )

    def read_tx(self, work: Callable[[Tx], T]) -> T:
        """Runs `work` as one read transaction (routed like `read`); the driver runs it again
        on retryable errors, so `work` must not have other side effects."""

        def run() -> T:
            with self._session() as session:
                return session.execute_read(lambda tx: work(Tx(tx, "read")))

        return self._call(run)

    def write_tx(self, work: Callable[[Tx], T]) -> T:
        """Runs `work` as one write transaction: all of it commits, or none of it. The driver
        retries it on retryable errors, so `work` must not have other side effects."""

        def run() -> T:
            with self._session() as session:
                return session.execute_write(lambda tx: work(Tx(tx)))

        return self._call(run)

    def write_batches(
        self,
        query: Query,
        rows: Sequence[Mapping[str, Any]],
        batch_size: int | None = None,
        writers: int = 1,
        **params: Any,
    ) -> int:
        """`UNWIND $rows` writes, one transaction per batch; returns the rows written.

        With `writers` > 1 the rows are dealt into that many parts, written concurrently (the
        server runs each transaction on one core). Only for rows that each write their own
        node: parts that lock disjoint nodes cannot deadlock on each other.
        """
        size = batch_size or self.settings.load_batch_rows

        def write_part(part: Sequence[Mapping[str, Any]]) -> None:
            for batch in batched(part, size):
                self.write(query, rows=batch, **params)

        if writers <= 1 or len(rows) <= size:
            write_part(rows)
        else:
            with ThreadPoolExecutor(writers) as pool:
                list(pool.map(write_part, [rows[i::writers] for i in range(writers)]))
        return len(rows)

    def apply_schema(self, query: Query) -> int:
        """Runs a schema file's statements (each in its own transaction, as DDL must), then
        waits until every index is online; returns how many statements ran."""
        _check_mode(query, "schema")

        def run() -> int:
            with self.driver.session(database=self.database) as session:
                for statement in query.statements():
                    session.run(statement).consume()
                session.run("CALL db.awaitIndexes(300)").consume()
            return len(query.statements())

        return self._call(run)
