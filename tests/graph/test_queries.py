"""Every Cypher file declares its mode, parameters and columns truthfully: it runs on a small
real graph and returns exactly the declared columns; the registry refuses missing files and
incomplete headers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fission.errors import ConfigurationError
from graph.gateway import Gateway
from graph.queries import all_query_names, parse_header, query
from loaders.pipeline import load_files
from synthetic import generate
from tests.helpers import wipe

NAMES = all_query_names()
NOW = datetime(2026, 11, 1, tzinfo=UTC)
# One plausible value per parameter name used anywhere (the tiny brand's ids).
SAMPLE: dict[str, Any] = {
    "active_since": datetime(2026, 10, 1, tzinfo=UTC),
    "as_of": NOW,
    "at": NOW,
    "day": NOW.date(),
    "end": NOW,
    "event_ids": ["no-such-event"],
    "everyone": True,
    "hashes": ["0" * 64],
    "id_sha256": "0" * 64,
    "ids": ["P0000042", "P0000147"],
    "key_ids": ["P0000147"],
    "limit": 5,
    "max_depth": 3,
    "max_descendants": 10,
    "min_reach3": 10,
    "noted_since": datetime(2026, 10, 15, tzinfo=UTC),
    "now": NOW,
    "per_root": 5,
    "person_id": "P0000147",
    "person_ids": ["P0000147"],
    "roots": ["P0000147"],
    "rows": [],
    "since": datetime(2026, 9, 1, tzinfo=UTC),
    "staff": True,
    "staff_id": "P0000042",
    "start": datetime(2026, 9, 1, tzinfo=UTC),
    "store_id": "S0001",
    "target_ids": ["P0000147"],
    "top_share": 0.01,
    "topic": "coffee",
}


@pytest.fixture(scope="module")
def tiny(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    folder: Path = tmp_path_factory.mktemp("tiny-queries")
    generate("tiny", 7, folder, fmt="parquet")
    wipe(gateway)
    load_files(gateway, [folder])
    return gateway


def test_every_area_has_queries() -> None:
    areas = {name.split("/")[0] for name in NAMES}
    assert {"load", "derive", "schema", "influence", "stores", "people", "paths"} <= areas
    assert len(query("schema/constraints").statements()) >= 10


@pytest.mark.parametrize("name", NAMES)
def test_declared_parameters_are_the_ones_used(name: str) -> None:
    q = query(name)
    assert set(q.params) == q.used_params(), name
    assert SAMPLE.keys() >= set(q.params), f"{name}: add a sample value for its parameters"


@pytest.mark.parametrize("name", [n for n in NAMES if query(n).mode != "schema"])
def test_query_returns_exactly_its_declared_columns(tiny: Gateway, name: str) -> None:
    q = query(name)
    params = {p: SAMPLE[p] for p in q.params}
    with tiny.driver.session(database=tiny.database) as session, session.begin_transaction() as tx:
        result = tx.run(q.text, params)
        keys = result.keys()
        result.consume()
        tx.rollback()  # write queries leave nothing behind
    assert tuple(keys) == q.columns, name


def test_a_missing_query_fails_at_load_time() -> None:
    with pytest.raises(ConfigurationError, match="no_such_query"):
        query("load/no_such_query")


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("// Reads.\n// params: none\n// columns: a\nRETURN 1 AS a", "lacks mode"),
        ("// mode: read\n// columns: a\nRETURN 1 AS a", "lacks params"),
        ("// mode: read\n// params: none\nRETURN 1 AS a", "lacks columns"),
        ("// mode: sometimes\n// params: none\n// columns: a\nRETURN 1", "mode must be"),
        ("// mode: read\n// mode: write\n// params: none\n// columns: a\nRETURN 1", "twice"),
    ],
)
def test_incomplete_headers_are_refused(header: str, problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        parse_header("area/name", header)


def test_a_header_reads_names_descriptions_and_continuations() -> None:
    text = (
        "// What it does.\n// mode: write\n"
        "// params: $rows ([{i, a: b}]), $now (datetime)\n"
        "// columns: i, status ('a' | 'b' (why)),\n//   reason\nRETURN 1"
    )
    assert parse_header("area/name", text) == ("write", ("rows", "now"), ("i", "status", "reason"))
