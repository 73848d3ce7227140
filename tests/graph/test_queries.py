"""Every Cypher file declares its mode, parameters and columns truthfully: it runs on a small
real graph and returns exactly the declared columns; the registry refuses missing files and
incomplete headers."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fission.errors import ConfigurationError
from graph.gateway import Gateway
from graph.gds import projected
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
    "cutoff": NOW,
    "day": NOW.date(),
    "end": NOW,
    "event_ids": ["no-such-event"],
    "everyone": True,
    "figure": "value",
    "first": datetime(2026, 8, 3, tzinfo=UTC),  # a Monday
    "hashes": ["0" * 64],
    "id": "no-such-run",
    "id_sha256": "0" * 64,
    "ids": ["P0000042", "P0000147"],
    "key_ids": ["P0000147"],
    "keys": ["share:no-such-share"],
    "limit": 5,
    "max_depth": 3,
    "max_descendants": 10,
    "min_reach3": 10,
    "noted_since": datetime(2026, 10, 15, tzinfo=UTC),
    "now": NOW,
    "outcome": {"status": "done", "read": 0},
    "people": 10,
    "per_root": 5,
    "refs": [{"ref": "share:no-such-share", "kind": "share", "id": "no-such-share"}],
    "person_id": "P0000147",
    "person_ids": ["P0000147"],
    "roots": ["P0000147"],
    "rows": [],
    "run": {"id": "no-such-run", "source": "load", "files": [], "since": None, "until": None},
    "seconds": 1.5,
    "servings": [
        {
            "staff_id": "P0000042",
            "day": NOW.date(),
            "at": NOW,
            "topic": None,
            "rows": [{"person_id": "P0000147", "rank": 1}],
        }
    ],
    "since": datetime(2026, 9, 1, tzinfo=UTC),
    "staff": True,
    "staff_id": "P0000042",
    "start": datetime(2026, 9, 1, tzinfo=UTC),
    "store_id": "S0001",
    "target_ids": ["P0000147"],
    "top_share": 0.01,
    "topic": "coffee",
    "damping": 0.85,
    "graph_name": "fission-test-queries",
    "max_iterations": 20,
    "name": "no-such-migration",
    "names": ["gds.version"],
    "tolerance": 1e-7,
    "types": ["*"],
    "excluded_ids": ["P0000147"],
    "flags": [],
    "computed_at": NOW,
    "fingerprint": "{}",
    "weeks": [0, 1, 2],
    "gamma": 1.0,
    "k": 2,
    "max_hours": 24,
    "max_levels": 10,
    "min_accounts": 8,
    "min_people": 3,
    "probability": 0.1,
    "random_seed": 42,
    "simulations": 10,
    "theta": 0.01,
    "window_seconds": 1800,
}
# Queries that run on a projected GDS graph, and the projection each needs (projections
# themselves, `gds/project_*`, run as they are and are dropped afterwards).
PROJECTED_BY: dict[str, str] = {
    "influence/gds_pagerank": "gds/project_engagement",
    "influence/gds_linked": "gds/project_engagement",
    "seeds/celf": "gds/project_store_spread",
    "circles/leiden": "gds/project_store_ties",
    "circles/betweenness": "gds/project_store_ties",
    "fraud/components": "gds/project_customer_engagement",
    "fraud/triangles": "gds/project_customer_engagement",
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
    with contextlib.ExitStack() as stack:
        if name in PROJECTED_BY:
            projection = query(PROJECTED_BY[name])
            own = {p: SAMPLE[p] for p in projection.params if p != "graph_name"}
            graph = stack.enter_context(projected(tiny, projection, **own))
            assert graph.name is not None, f"{PROJECTED_BY[name]} projected nothing on `tiny`"
            params["graph_name"] = graph.name
        elif "graph_name" in q.params:
            # GDS graphs live outside transactions: drop what a projection made.
            stack.callback(tiny.read, query("gds/drop"), graph_name=SAMPLE["graph_name"])
        session = stack.enter_context(tiny.driver.session(database=tiny.database))
        tx = stack.enter_context(session.begin_transaction())
        result = tx.run(q.text, params)
        keys = result.keys()
        result.consume()
        tx.rollback()  # write queries leave nothing behind
    assert tuple(keys) == q.columns, name


def test_every_query_on_a_gds_graph_names_its_projection() -> None:
    on_graphs = {
        n
        for n in NAMES
        if "graph_name" in query(n).params and not n.startswith(("gds/project_", "gds/drop"))
    }
    assert on_graphs == set(PROJECTED_BY)


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
