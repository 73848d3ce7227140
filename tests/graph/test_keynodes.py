"""Key nodes (DESIGN.md §5 "Key node"): known answers on hand-built stores, and agreement with
an independent recomputation (networkx PageRank and referral forest) from the raw files."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pytest

from fission.errors import InvalidInput, NotFound
from graph.gateway import Gateway
from graph.influence import refresh_influence
from graph.keynodes import KeyNodeRule, key_node, key_nodes
from loaders.pipeline import load_files
from tests.graph import reference
from tests.graph.reference import engagement_graph, referral_forest, referral_tree
from tests.helpers import STORES, order, reference_files, share, ts, visit, wipe, write_rows

tiny, tiny_files = reference.tiny, reference.tiny_files  # the shared generated-data fixture

# S2: M2 (staff) -> R1 -> A1..A4; A1 -> B1, B2, B3; A2 -> B4; B1 -> D1, D2; D1 -> E1.
TREE = {
    "M2": ["R1"],
    "R1": ["A1", "A2", "A3", "A4"],
    "A1": ["B1", "B2", "B3"],
    "A2": ["B4"],
    "B1": ["D1", "D2"],
    "D1": ["E1"],
}


@pytest.fixture(scope="class")
def gw(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    """S1: P1, P2, P3 each visit the manager's share (an exact tie), P4 only buys. S2: the
    referral tree above (R1 reaches 10 within 3 generations). S3: nobody."""
    folder = tmp_path_factory.mktemp("keynodes")
    reference_files(folder)
    write_rows(folder, "stores", [*STORES, {**STORES[0], "store_id": "S3", "name": "Empty"}])
    shares, visits = referral_tree(TREE)
    write_rows(folder, "shares", [share("e01", "sh1", "M1", ts(1, 10)), *shares])
    write_rows(
        folder,
        "visits",
        [
            visit("e02", "sh1", "P1", ts(1, 11)),
            visit("e03", "sh1", "P2", ts(1, 12)),
            visit("e04", "sh1", "P3", ts(1, 13)),
            *visits,
        ],
    )
    write_rows(folder, "orders", [order("e05", "P4", "S1", ts(3))])
    wipe(gateway)
    assert load_files(gateway, [folder]).total("rejected") == 0
    refresh_influence(gateway)
    return gateway


class TestKnownAnswers:
    def test_ties_at_the_top_are_all_included(self, gw: Gateway) -> None:
        nodes = key_nodes(gw, "S1")
        # 4 customers (staff M1 and C1 never count): ceil(1% of 4) = 1, and three share rank 1.
        assert [(n.person_id, n.influence_rank, n.customers) for n in nodes] == [
            ("P1", 1, 4),
            ("P2", 1, 4),
            ("P3", 1, 4),
        ]
        assert nodes[0].reasons == ["top 1% influence in store (rank 1 of 4)"]
        assert nodes[0].top_influence and not nodes[0].high_reach
        assert nodes[0].influence == nodes[1].influence == nodes[2].influence > 0

    def test_zero_influence_never_qualifies(self, gw: Gateway) -> None:
        # Half of 4 is 2 (the tie reaches past it); all of 4 would reach P4, who scores 0.
        assert [n.person_id for n in key_nodes(gw, "S1", KeyNodeRule(0.5, 10))] == [
            "P1",
            "P2",
            "P3",
        ]
        assert [n.person_id for n in key_nodes(gw, "S1", KeyNodeRule(1.0, 10))] == [
            "P1",
            "P2",
            "P3",
        ]

    def test_reach_and_influence_reasons(self, gw: Gateway) -> None:
        edges = [(v, s) for s, vs in TREE.items() for v in vs]
        expected = nx.pagerank(nx.DiGraph(edges), alpha=0.85, tol=1e-12)
        customers = sorted((p for p in expected if p != "M2"), key=lambda p: -expected[p])
        assert customers[0] == "R1"
        nodes = key_nodes(gw, "S2")
        assert [n.person_id for n in nodes] == ["R1"]
        assert nodes[0].reasons == [
            "top 1% influence in store (rank 1 of 12)",
            "reaches 10 people within 3 generations",
        ]
        assert nodes[0].reach3 == 10 and nodes[0].high_reach
        # Only by reach: A1 reaches B1..B3, D1, D2 and E1.
        by_reach = {n.person_id: n for n in key_nodes(gw, "S2", KeyNodeRule(0.01, 6))}
        assert set(by_reach) == {"R1", "A1"}
        assert by_reach["A1"].reasons == ["reaches 6 people within 3 generations"]
        assert not by_reach["A1"].top_influence
        assert [n.person_id for n in key_nodes(gw, "S2", KeyNodeRule(0.01, 11))] == ["R1"]

    def test_one_person_is_asked_the_same_rule(self, gw: Gateway) -> None:
        rule = KeyNodeRule(0.01, 6)
        by_store = {n.person_id: n for n in key_nodes(gw, "S2", rule)}
        assert key_node(gw, "S2", "A1", rule) == by_store["A1"]
        assert key_node(gw, "S2", "R1", rule) == by_store["R1"]
        assert key_node(gw, "S1", "P2") == key_nodes(gw, "S1")[1]
        # Not key nodes: below both thresholds, staff, another store's, unknown.
        for store, person in (("S2", "B4"), ("S2", "M2"), ("S1", "R1"), ("S1", "nobody")):
            assert key_node(gw, store, person, rule) is None, person

    def test_empty_and_unknown_store_and_bad_thresholds(self, gw: Gateway) -> None:
        assert key_nodes(gw, "S3") == []
        with pytest.raises(NotFound):
            key_nodes(gw, "nope")
        with pytest.raises(NotFound):
            key_node(gw, "nope", "P1")
        for bad in ({"top_share": 0.0}, {"top_share": 1.5}, {"min_reach3": 0}):
            with pytest.raises(InvalidInput):
                KeyNodeRule(**{"top_share": 0.01, "min_reach3": 10, **bad})  # type: ignore[arg-type]


@pytest.mark.parametrize("min_reach3", [10, 3])
def test_key_nodes_match_an_independent_recomputation(
    tiny: tuple[Gateway, Path], min_reach3: int
) -> None:
    gw, folder = tiny
    forest = referral_forest(folder)
    stores = sorted({h for _, h in forest.nodes(data="home") if h})
    found = 0
    for store in stores:
        network = [p for p, h in forest.nodes(data="home") if h == store]
        customers = [p for p in network if not forest.nodes[p]["staff"]]
        ranks = nx.pagerank(
            engagement_graph(folder, network), alpha=0.85, weight="weight", tol=1e-12
        )
        score = {p: ranks.get(p, 0.0) for p in customers}
        top_k = math.ceil(len(customers) / 100)
        threshold = sorted(score.values(), reverse=True)[top_k - 1]
        reach3 = {
            p: sum(1 for d in nx.single_source_shortest_path_length(forest, p, 3).values() if d)
            for p in customers
        }
        expected = {
            p
            for p in customers
            if (score[p] > 0 and score[p] >= threshold) or reach3[p] >= min_reach3
        }
        nodes = key_nodes(gw, store, KeyNodeRule(0.01, min_reach3))
        assert {n.person_id for n in nodes} == expected, store
        one_by_one = [key_node(gw, store, p, KeyNodeRule(0.01, min_reach3)) for p in customers]
        assert {n.person_id: n for n in one_by_one if n} == {n.person_id: n for n in nodes}
        stored = {
            r["id"]: r["score"]
            for r in gw.read(
                "MATCH (p:Person)-[:HOME]->(:Store {id: $store}) WHERE NOT p:Staff "
                "RETURN p.id AS id, coalesce(p.store_influence, 0.0) AS score",
                store=store,
            )
        }
        for n in nodes:
            assert n.reach3 == reach3[n.person_id]
            assert n.influence == pytest.approx(score[n.person_id], abs=1e-6)
            higher = sum(1 for s in stored.values() if s > stored[n.person_id])
            assert n.influence_rank == 1 + higher, n.person_id
        found += len(nodes)
    assert found >= len(stores)
