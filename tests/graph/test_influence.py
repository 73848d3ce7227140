"""Influence (DESIGN.md §5 "Influence"): known answers on hand-built graphs, and agreement with
networkx PageRank recomputed from the raw generated files, on both engines (gds.pageRank in the
database, igraph in Python)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from fission.errors import InvalidInput, NotFound
from graph.gateway import Gateway
from graph.gds import influence_engine, server_plugins
from graph.influence import (
    GDS_TOLERANCE,
    engagement_edges,
    pagerank,
    refresh_influence,
    top_influencers,
)
from loaders.pipeline import load_files
from tests.graph import reference
from tests.graph.reference import engagement_graph, referral_forest
from tests.helpers import STORES, order, reference_files, share, ts, visit, wipe, write_rows

tiny, tiny_files = reference.tiny, reference.tiny_files  # the shared generated-data fixture

D = 0.85
ENGINES = ["gds", "igraph"]
# Closed forms hold to ~1e-15 on igraph (PRPACK); GDS iterates to GDS_TOLERANCE.
EXACT = {"igraph": 1e-12, "gds": 100 * GDS_TOLERANCE}


def star_scores(leaves: int) -> tuple[float, float]:
    """Closed-form PageRank of a star: every leaf has one edge into a hub that has none.

    The dangling hub spreads its rank evenly over all n nodes, so a leaf scores
    x = (1 - d)/n + d y/n, and leaves * x + y = 1.
    """
    n = leaves + 1
    y = (1 - leaves * (1 - D) / n) / (1 + leaves * D / n)
    return (1 - y) / leaves, y


PAIR_VISITOR, PAIR_SHARER = 20 / 57, 37 / 57  # one edge v -> s, s dangling (closed form)


def scenario(folder: Path) -> None:
    """S1: P1 (twice to one share, once to another), P2, P3 visit M1's shares; P4 only orders.
    S2: Q1 visits M2's share, then also M1's (an edge across stores). S3 has nobody."""
    reference_files(folder)
    write_rows(
        folder,
        "stores",
        [*STORES, {**STORES[0], "store_id": "S3", "name": "Empty"}],
    )
    write_rows(
        folder,
        "shares",
        [
            share("e01", "sh1", "M1", ts(1, 10)),
            share("e02", "sh2", "M1", ts(1, 10, 5), content="K2"),
            share("e03", "sh3", "M2", ts(1, 10)),
        ],
    )
    write_rows(
        folder,
        "visits",
        [
            visit("e10", "sh1", "P1", ts(1, 11)),
            visit("e11", "sh1", "P1", ts(1, 11, 30)),
            visit("e12", "sh2", "P1", ts(1, 12)),
            visit("e13", "sh1", "P2", ts(1, 13)),
            visit("e14", "sh1", "P3", ts(1, 14)),
            visit("e15", "sh3", "Q1", ts(2, 10)),
            visit("e16", "sh1", "Q1", ts(2, 11)),
        ],
    )
    write_rows(folder, "orders", [order("e20", "P4", "S1", ts(3))])


BRAND_EDGES = [
    ("P1", "M1", 2),
    ("P2", "M1", 1),
    ("P3", "M1", 1),
    ("Q1", "M1", 1),
    ("Q1", "M2", 1),
]
AT = datetime(2026, 6, 1, tzinfo=UTC)


def scores(gw: Gateway) -> dict[str, tuple[float, float, float | None]]:
    rows = gw.read(
        "MATCH (p:Person) RETURN p.id AS id, p.influence AS i, p.store_influence AS s, "
        "p.store_influence_pct AS pct, p.influence_at AS at"
    )
    assert {r["at"] for r in rows} == {AT}
    return {r["id"]: (r["i"], r["s"], r["pct"]) for r in rows}


@pytest.fixture(scope="class", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="class")
def gw(gateway: Gateway, engine: str, tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    """The hand-built scenario, loaded and ranked once per engine for the class that uses it."""
    folder = tmp_path_factory.mktemp("influence")
    scenario(folder)
    wipe(gateway)
    assert load_files(gateway, [folder]).total("rejected") == 0
    report = refresh_influence(gateway, now=AT, engine=engine)  # type: ignore[arg-type]
    assert report.engine == engine
    assert (report.people, report.brand_nodes, report.brand_edges) == (8, 6, 5)
    assert (report.stores, report.store_nodes, report.store_edges) == (2, 6, 4)
    return gateway


def test_the_suite_server_has_gds_so_auto_picks_it(gateway: Gateway) -> None:
    plugins = server_plugins(gateway)
    assert (plugins.gds_version, plugins.apoc_version) == ("2.13.9", "5.26.19")
    assert influence_engine(gateway) == "gds"
    igraph_only = Gateway(gateway.settings.model_copy(update={"influence_engine": "igraph"}))
    with igraph_only:
        assert influence_engine(igraph_only) == "igraph"


class TestKnownAnswers:
    def test_engagement_edges_count_distinct_shares(self, gw: Gateway) -> None:
        brand = engagement_edges(gw)
        assert list(brand.itertuples(index=False, name=None)) == BRAND_EDGES
        assert list(engagement_edges(gw, "S1").itertuples(index=False, name=None)) == [
            ("P1", "M1", 2),
            ("P2", "M1", 1),
            ("P3", "M1", 1),
        ]
        s3 = engagement_edges(gw, "S3")
        assert s3.empty and list(s3.columns) == ["visitor", "sharer", "weight"]

    def test_brand_scores_match_networkx_and_sum_to_one(self, gw: Gateway, engine: str) -> None:
        graph = nx.DiGraph()
        graph.add_weighted_edges_from(BRAND_EDGES)
        expected = nx.pagerank(graph, alpha=0.85, weight="weight", tol=1e-12)
        got = scores(gw)
        for person, value in expected.items():
            assert got[person][0] == pytest.approx(value, abs=max(1e-9, EXACT[engine]))
        assert sum(v[0] for v in got.values()) == pytest.approx(1.0, abs=1e-12)
        # No engagement edge: 0 (an isolated buyer and a silent clerk).
        assert got["P4"][0] == 0.0 and got["C1"][0] == 0.0

    def test_store_scores_use_only_edges_inside_the_store(self, gw: Gateway, engine: str) -> None:
        got = scores(gw)
        leaf, hub = star_scores(3)
        exact = EXACT[engine]
        # Q1 -> M1 crosses stores: S1 is the 3-leaf star, P1's double weight does not matter.
        assert got["M1"][1] == pytest.approx(hub, abs=exact)
        assert got["P1"][1] == got["P2"][1] == got["P3"][1]  # exact ties
        assert got["P1"][1] == pytest.approx(leaf, abs=exact)
        assert got["Q1"][1] == pytest.approx(PAIR_VISITOR, abs=exact)
        assert got["M2"][1] == pytest.approx(PAIR_SHARER, abs=exact)
        assert got["P4"][1] == 0.0 and got["C1"][1] == 0.0

    def test_percentile_is_share_of_home_network_scoring_lower(self, gw: Gateway) -> None:
        pct = {p: v[2] for p, v in scores(gw).items()}
        # S1's network: M1, C1, P1..P4 (6 people); S2's: M2, Q1.
        assert pct["M1"] == pytest.approx(500 / 6, abs=1e-3)
        assert pct["P1"] == pct["P2"] == pct["P3"] == pytest.approx(200 / 6, abs=1e-3)
        assert pct["P4"] == pct["C1"] == 0.0
        assert (pct["M2"], pct["Q1"]) == (50.0, 0.0)

    def test_top_influencers_rank_ties_equally(self, gw: Gateway) -> None:
        top = top_influencers(gw, "S1", limit=3)
        assert [(t.person_id, t.rank) for t in top] == [("M1", 1), ("P1", 2), ("P2", 2)]
        assert top[0].staff_role == "manager" and top[0].display_name == "Ma"
        assert top[1].staff_role is None and top[1].store_id == "S1"
        brand = top_influencers(gw, None, limit=10)
        assert [t.person_id for t in brand][:1] == ["M1"]
        assert len(brand) == 6 and brand[-1].score > 0
        assert [t.score for t in brand] == sorted((t.score for t in brand), reverse=True)

    def test_empty_and_unknown_store(self, gw: Gateway) -> None:
        assert top_influencers(gw, "S3", limit=5) == []
        with pytest.raises(NotFound):
            top_influencers(gw, "nope", limit=5)
        with pytest.raises(InvalidInput):
            top_influencers(gw, None, limit=0)


def test_pagerank_closed_forms_and_empty_graph() -> None:
    pair = pagerank(pd.DataFrame({"visitor": ["v"], "sharer": ["s"], "weight": [1]}))
    assert pair["v"] == pytest.approx(PAIR_VISITOR, abs=1e-12)
    assert pair["s"] == pytest.approx(PAIR_SHARER, abs=1e-12)
    star = pagerank(
        pd.DataFrame({"visitor": ["a", "b", "c", "d"], "sharer": ["h"] * 4, "weight": [1, 5, 1, 2]})
    )
    leaf, hub = star_scores(4)
    assert star["h"] == pytest.approx(hub, abs=1e-12)
    assert star[["a", "b", "c", "d"]].tolist() == pytest.approx([leaf] * 4, abs=1e-12)
    assert pagerank(pd.DataFrame(columns=["visitor", "sharer", "weight"])).empty


def test_pagerank_gives_the_same_bits_every_time_and_in_any_edge_order() -> None:
    # Big enough for PRPACK's parallel sums (unlimited, 2 000 of 2 000 scores differ run to run).
    rng = np.random.default_rng(7)
    edges = pd.DataFrame(
        {
            "visitor": rng.integers(0, 2_000, 10_000),
            "sharer": rng.integers(0, 2_000, 10_000),
            "weight": rng.integers(1, 4, 10_000),
        }
    )
    edges = edges[edges["visitor"] != edges["sharer"]].drop_duplicates(["visitor", "sharer"])
    first = pagerank(edges)
    assert pagerank(edges).equals(first)
    assert pagerank(edges.sample(frac=1.0, random_state=1)).equals(first)
    assert first.sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_refresh_on_an_empty_graph(graph: Gateway, engine: str) -> None:
    report = refresh_influence(graph, engine=engine)  # type: ignore[arg-type]
    assert (report.people, report.brand_nodes, report.stores) == (0, 0, 0)
    assert top_influencers(graph, None, limit=5) == []


class TestAgainstNetworkx:
    """PageRank from the graph vs networkx on edges rebuilt from the raw generated files; the
    shared `tiny` fixture ranks with the default engine (GDS on the suite's server), and
    `test_engines_agree` re-ranks with each engine."""

    @staticmethod
    def compare(stored: dict[str, float], graph: nx.DiGraph) -> None:
        # networkx stops once the L1 change is below N * tol; a tighter tol than the default
        # keeps its own error well under the 1e-4 being tested.
        expected = nx.pagerank(graph, alpha=0.85, weight="weight", tol=1e-10)
        assert set(expected) == {p for p, v in stored.items() if v > 0}
        for person, value in expected.items():
            assert stored[person] == pytest.approx(value, abs=1e-4)
        top = sorted(expected, key=lambda p: (-expected[p], p))[:10]
        assert sorted(stored, key=lambda p: (-stored[p], p))[:10] == top

    def test_brand_wide(self, tiny: tuple[Gateway, Path]) -> None:
        gw, folder = tiny
        stored = {
            r["id"]: r["v"] for r in gw.read("MATCH (p:Person) RETURN p.id AS id, p.influence AS v")
        }
        reference = engagement_graph(folder)
        assert reference.number_of_edges() > 100
        self.compare(stored, reference)
        top = top_influencers(gw, None, limit=5)
        assert [t.person_id for t in top] == sorted(stored, key=lambda p: (-stored[p], p))[:5]

    def test_one_store(self, tiny: tuple[Gateway, Path]) -> None:
        gw, folder = tiny
        forest = referral_forest(folder)
        homes = pd.Series(dict(forest.nodes(data="home"))).dropna()
        store = homes.value_counts().index[0]
        people = set(homes[homes == store].index)
        reference = engagement_graph(folder, people)
        rows = gw.read(
            "MATCH (p:Person)-[:HOME]->(:Store {id: $store}) "
            "RETURN p.id AS id, p.store_influence AS v",
            store=store,
        )
        assert {r["id"] for r in rows} == people
        self.compare({r["id"]: r["v"] for r in rows}, reference)
        edges = engagement_edges(gw, store)
        assert sorted(edges.itertuples(index=False, name=None)) == sorted(
            (v, s, w) for v, s, w in reference.edges(data="weight")
        )


@pytest.mark.parametrize("engine", ENGINES)
def test_engines_agree_with_networkx_on_every_store(
    gateway: Gateway, tiny_files: Path, engine: str, tmp_path: Path
) -> None:
    wipe(gateway)
    assert load_files(gateway, [tiny_files]).total("rejected") == 0
    report = refresh_influence(gateway, engine=engine)  # type: ignore[arg-type]
    assert report.engine == engine and report.stores == 2
    rows = gateway.read(
        "MATCH (p:Person) OPTIONAL MATCH (p)-[:HOME]->(s:Store) "
        "RETURN p.id AS id, s.id AS store, p.influence AS brand, p.store_influence AS local"
    )
    TestAgainstNetworkx.compare({r["id"]: r["brand"] for r in rows}, engagement_graph(tiny_files))
    homes = pd.Series(dict(referral_forest(tiny_files).nodes(data="home"))).dropna()
    for store in sorted(homes.unique()):
        people = set(homes[homes == store].index)
        local = {r["id"]: r["local"] for r in rows if r["store"] == store}
        TestAgainstNetworkx.compare(local, engagement_graph(tiny_files, people))
    wipe(gateway)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_refresh_writes_only_changed_scores(graph: Gateway, tmp_path: Path, engine: str) -> None:
    if engine == "gds" and not server_plugins(graph).has_gds:
        pytest.skip("the server has no Graph Data Science")
    scenario(tmp_path)
    assert load_files(graph, [tmp_path]).total("rejected") == 0
    first = refresh_influence(graph, now=AT, engine=engine)  # type: ignore[arg-type]
    assert first.written == first.people == 8
    before = scores(graph)  # every influence_at is AT

    later = datetime(2026, 6, 2, tzinfo=UTC)
    again = refresh_influence(graph, now=later, engine=engine)  # type: ignore[arg-type]
    assert (again.people, again.written) == (8, 0)
    assert scores(graph) == before  # nothing rewritten: influence_at is still AT

    # P2 also visits M2's share (an edge across stores): brand-wide scores change.
    write_rows(tmp_path / "more", "visits", [visit("e17", "sh3", "P2", ts(2, 12))])
    assert load_files(graph, [tmp_path / "more"]).total("rejected") == 0
    third = refresh_influence(graph, now=later, engine=engine)  # type: ignore[arg-type]
    rows = graph.read(
        "MATCH (p:Person) RETURN p.id AS id, p.influence AS i, p.store_influence AS s, "
        "p.influence_at AS at"
    )
    rewritten = {r["id"] for r in rows if r["at"] == later}
    assert 0 < third.written == len(rewritten) < 8
    # M1 loses rank to M2; the leaves' scores stay (so are not rewritten), as does P4's 0.
    assert {"M1", "M2"} <= rewritten and "P4" not in rewritten
    brand = {r["id"]: r["i"] for r in rows}
    edges = engagement_edges(graph)
    expected = nx.pagerank(nx.DiGraph([(v, s, {"weight": w}) for v, s, w in edges.itertuples(
        index=False)]), alpha=D, weight="weight", tol=1e-14, max_iter=10_000)  # fmt: skip
    assert len(expected) == 6
    for person, value in expected.items():
        assert brand[person] == pytest.approx(value, abs=EXACT[engine])
