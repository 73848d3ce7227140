"""Loading a generated brand: the graph agrees with the generator and with an independent
pandas/networkx recomputation of the definitions from the raw files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from fission.localserver import LocalNeo4j
from fission.settings import Settings
from graph.gateway import Gateway
from graph.influence import refresh_influence
from loaders.bulk import bulk_import
from loaders.pipeline import LoadReport, load_files
from synthetic import generate
from tests.graph.reference import referral_forest
from tests.helpers import (
    counts,
    graph_differences,
    graph_dump,
    homes,
    referrers,
    renew_driver,
    wipe,
)


@pytest.fixture(scope="module")
def small(
    gateway: Gateway, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, LoadReport]]:
    folder = tmp_path_factory.mktemp("small")
    generate("small", seed=5, out=folder, fmt="csv")
    wipe(gateway)
    yield folder, load_files(gateway, [folder])
    wipe(gateway)


def test_node_counts_match_the_generator(gateway: Gateway, small: tuple[Path, LoadReport]) -> None:
    folder, report = small
    expected = json.loads((folder / "summary.json").read_text())
    assert report.total("rejected") == 0
    assert report.total("read") == sum(expected["counts"].values())
    graph_counts = counts(gateway)
    assert {label: graph_counts.get(f"node:{label}", 0) for label in expected["nodes"]} == (
        expected["nodes"]
    )


def test_referral_graph_is_a_forest(gateway: Gateway, small: tuple[Path, LoadReport]) -> None:
    edges = gateway.read("MATCH (a:Person)-[:REFERRED]->(b:Person) RETURN a.id AS a, b.id AS b")
    forest = nx.DiGraph((r["a"], r["b"]) for r in edges)
    assert forest.number_of_edges() > 1000
    assert nx.is_forest(forest.to_undirected(as_view=True))
    assert max(d for _, d in forest.in_degree()) == 1


def test_referrers_and_homes_match_an_independent_recomputation(
    gateway: Gateway, small: tuple[Path, LoadReport]
) -> None:
    folder, _ = small
    reference = referral_forest(folder)
    assert referrers(gateway) == {b: a for a, b in reference.edges}
    expected_homes = {p: h for p, h in reference.nodes(data="home") if h is not None}
    assert homes(gateway) == expected_homes


@pytest.mark.slow
def test_bulk_import_builds_the_same_graph(
    gateway: Gateway,
    neo4j_settings: Settings,
    local_server: LocalNeo4j,
    small: tuple[Path, LoadReport],
    tmp_path: Path,
) -> None:
    """`fission import` of the same files gives the same graph as `fission load` +
    `fission influence`: every node, relationship and property (tests/loaders/test_bulk.py
    does the same for tiny with bad rows). Runs before the reload below, which re-derives."""
    folder, _ = small
    as_of = gateway.read("MATCH ()-[i:INTERESTED_IN]->() RETURN min(i.as_of) AS t")[0]["t"]
    # The import ranks with igraph; GDS agrees to ~1e-14, which can order near-ties (and so
    # percentiles) differently, so the online side ranks with igraph too.
    refresh_influence(gateway, now=as_of, engine="igraph")
    online = graph_dump(gateway)
    report = bulk_import(
        neo4j_settings, [folder], server=local_server, now=as_of, replace=True,
        reject_path=tmp_path / "rejects.csv", work_dir=tmp_path / "import",
    )  # fmt: skip
    assert report.reject_file is None
    bulk = graph_dump(renew_driver(gateway))
    assert len(online["relationships"]) > 100_000
    assert graph_differences(online, bulk) == []


def test_reloading_the_same_files_changes_nothing(
    gateway: Gateway, small: tuple[Path, LoadReport]
) -> None:
    folder, first = small
    before = counts(gateway)
    again = load_files(gateway, [folder])
    assert counts(gateway) == before
    reference_rows = sum(again.stats[k].read for k in ("stores", "staff", "content", "members"))
    assert (
        again.total("accepted") == reference_rows
    )  # reference data is upserted, not counted twice
    assert again.total("duplicates") == first.total("accepted") - reference_rows
    assert again.derive is not None and again.derive.referrers_changed == 0
