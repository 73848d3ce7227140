"""Reach, cascades and structural virality (DESIGN.md §5 "Reach", "Structural virality"):
known answers on a hand-built tree, and agreement with networkx on the referral forest rebuilt
from the raw generated files."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from fission.errors import InvalidInput, NotFound
from graph.forest import structural_virality
from graph.gateway import Gateway
from graph.reach import cascade_tree, reach, reach_profile, tree_virality
from loaders.pipeline import load_files
from tests.graph import reference
from tests.graph.reference import referral_forest, referral_tree
from tests.helpers import order, reference_files, ts, wipe, write_rows

tiny, tiny_files = reference.tiny, reference.tiny_files  # the shared generated-data fixture

# M1 (staff) -> R1 -> A1..A4; A1 -> B1, B2, B3; A2 -> B4; B1 -> D1, D2; D1 -> E1.
TREE = {
    "M1": ["R1"],
    "R1": ["A1", "A2", "A3", "A4"],
    "A1": ["B1", "B2", "B3"],
    "A2": ["B4"],
    "B1": ["D1", "D2"],
    "D1": ["E1"],
}


@pytest.fixture(scope="class")
def gw(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    """The hand-built tree plus P4, who only placed an order; loaded once for the class."""
    folder = tmp_path_factory.mktemp("reach")
    reference_files(folder)
    shares, visits = referral_tree(TREE)
    write_rows(folder, "shares", shares)
    write_rows(folder, "visits", visits)
    write_rows(
        folder,
        "orders",
        [
            order("o1", "B4", "S1", ts(20), 50.0),
            order("o2", "E1", "S1", ts(20), 30.0),
            order("o3", "R1", "S1", ts(20), 1000.0),
            order("o4", "P4", "S2", ts(20), 10.0),
        ],
    )
    wipe(gateway)
    assert load_files(gateway, [folder]).total("rejected") == 0
    return gateway


class TestKnownAnswers:
    def test_reach_by_generation(self, gw: Gateway) -> None:
        assert [reach(gw, "R1", k) for k in range(1, 7)] == [4, 8, 10, 11, 11, 11]
        assert [reach(gw, "M1", k) for k in range(1, 7)] == [1, 5, 9, 11, 12, 12]
        assert [reach(gw, "A1", k) for k in range(1, 4)] == [3, 5, 6]
        assert [reach(gw, "P4", k) for k in (1, 6)] == [0, 0]

    def test_reach_profile(self, gw: Gateway) -> None:
        assert reach_profile(gw, "R1") == {
            1: 4,
            2: 8,
            3: 10,
            "cascade_size": 11,
            "network_revenue": 80.0,  # B4 and E1; R1's own order is not their network's
        }
        assert reach_profile(gw, "M1")["network_revenue"] == 1080.0
        assert reach_profile(gw, "P4") == {
            1: 0,
            2: 0,
            3: 0,
            "cascade_size": 0,
            "network_revenue": 0.0,
        }

    def test_cascade_tree_bounded_by_depth(self, gw: Gateway) -> None:
        tree = cascade_tree(gw, "R1", max_depth=2)
        assert [(n.person_id, n.depth, n.parent_id) for n in tree.nodes] == [
            ("R1", 0, None),
            ("A1", 1, "R1"),
            ("A2", 1, "R1"),
            ("A3", 1, "R1"),
            ("A4", 1, "R1"),
            ("B1", 2, "A1"),
            ("B2", 2, "A1"),
            ("B3", 2, "A1"),
            ("B4", 2, "A2"),
        ]
        assert (tree.cascade_size, tree.truncated) == (11, 3)
        assert tree.nodes[1].referred_at is not None and tree.nodes[0].referred_at is None
        assert tree.nodes[4].member is False and tree.nodes[8].member is True

    def test_cascade_tree_bounded_by_size(self, gw: Gateway) -> None:
        tree = cascade_tree(gw, "R1", max_depth=10, max_nodes=6)
        assert [n.person_id for n in tree.nodes] == ["R1", "A1", "A2", "A3", "A4", "B1"]
        assert tree.truncated == 6
        whole = cascade_tree(gw, "R1")
        assert (len(whole.nodes), whole.truncated) == (12, 0)
        assert set(whole.edges) == {(p, c) for p, cs in TREE.items() if p != "M1" for c in cs}

    def test_isolated_person(self, gw: Gateway) -> None:
        tree = cascade_tree(gw, "P4")
        assert [n.person_id for n in tree.nodes] == ["P4"]
        assert (tree.cascade_size, tree.truncated) == (0, 0)
        assert tree_virality(gw, "P4") is None

    def test_tree_virality(self, gw: Gateway) -> None:
        # Subtree sizes below R1's edges: A1 7, B1 4, A2 2, D1 2, seven leaves 1; n = 12.
        wiener = 7 * 5 + 4 * 8 + 2 * 10 + 2 * 10 + 7 * 1 * 11
        assert tree_virality(gw, "R1") == pytest.approx(2 * wiener / (12 * 11))
        undirected = nx.Graph([(p, c) for p, cs in TREE.items() if p != "M1" for c in cs])
        assert tree_virality(gw, "R1") == pytest.approx(nx.average_shortest_path_length(undirected))

    def test_unknown_person_and_bad_k(self, gw: Gateway) -> None:
        for call in (
            lambda: reach(gw, "nobody", 1),
            lambda: reach_profile(gw, "nobody"),
            lambda: cascade_tree(gw, "nobody"),
            lambda: tree_virality(gw, "nobody"),
        ):
            with pytest.raises(NotFound):
                call()
        for k in (0, 7):
            with pytest.raises(InvalidInput):
                reach(gw, "R1", k)
        with pytest.raises(InvalidInput):
            cascade_tree(gw, "R1", max_nodes=0)


def test_structural_virality_closed_forms() -> None:
    for n in (2, 3, 10, 101):
        chain = [(str(i), str(i + 1)) for i in range(n - 1)]
        assert structural_virality(chain) == pytest.approx((n + 1) / 3)
        star = [("hub", str(i)) for i in range(n - 1)]
        assert structural_virality(star) == pytest.approx(2 * (n - 1) / n)
    assert structural_virality([]) is None
    big_star = [("hub", str(i)) for i in range(99_999)]
    assert structural_virality(big_star) == pytest.approx(2.0, abs=1e-4)
    with pytest.raises(ValueError):
        structural_virality([("a", "b"), ("c", "d")])  # two trees
    with pytest.raises(ValueError):
        structural_virality([("a", "b"), ("c", "b")])  # two parents


class TestAgainstNetworkx:
    """The graph's answers vs the referral forest recomputed from the raw files."""

    def test_reach_cascade_and_revenue_of_everyone(self, tiny: tuple[Gateway, Path]) -> None:
        gw, folder = tiny
        forest = referral_forest(folder)
        orders = pd.read_csv(folder / "orders.csv")
        spent = orders.groupby("person_id").amount.sum()
        stored = {
            r["id"]: r["reach3"]
            for r in gw.read("MATCH (p:Person) RETURN p.id AS id, coalesce(p.reach3, 0) AS reach3")
        }
        deep = 0
        for person in sorted(forest.nodes):
            depth = nx.single_source_shortest_path_length(forest, person)
            expected = [sum(1 for d in depth.values() if 1 <= d <= k) for k in range(1, 7)]
            assert stored[person] == expected[2], person  # the key-node rule's stored reach
            ks = range(1, 7) if expected[-1] else [6]  # all k where there is something to count
            assert [reach(gw, person, k) for k in ks] == [expected[k - 1] for k in ks], person
            descendants = nx.descendants(forest, person)
            profile = reach_profile(gw, person)
            assert profile["cascade_size"] == len(descendants)
            revenue = float(spent.reindex(list(descendants)).fillna(0).sum())
            assert profile["network_revenue"] == pytest.approx(revenue, abs=1e-6)
            deep += expected[2] > expected[0]
        assert deep >= 5  # the data has trees deeper than one generation

    def test_virality_and_cascade_trees(self, tiny: tuple[Gateway, Path]) -> None:
        gw, folder = tiny
        forest = referral_forest(folder)
        roots = [p for p in forest if forest.in_degree(p) == 0 and forest.out_degree(p) > 0]
        assert len(roots) >= 3
        for root in roots:
            members = {root} | nx.descendants(forest, root)
            undirected = forest.subgraph(members).to_undirected()
            assert tree_virality(gw, root) == pytest.approx(
                nx.average_shortest_path_length(undirected)
            )
            depth = nx.single_source_shortest_path_length(forest, root)
            tree = cascade_tree(gw, root, max_depth=2, max_nodes=10_000)
            assert {(n.person_id, n.depth) for n in tree.nodes} == {
                (p, d) for p, d in depth.items() if d <= 2
            }
            assert tree.truncated == sum(1 for d in depth.values() if d > 2)
            assert structural_virality(cascade_tree(gw, root, 100, 10_000).edges) == (
                tree_virality(gw, root)
            )
