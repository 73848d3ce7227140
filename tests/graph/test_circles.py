"""Circles and bridges (graph.circles): planted partitions recovered by Leiden (adjusted Rand
index >= 0.9), betweenness equal to networkx, bridges between circles, per-store isolation."""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import pytest
from scipy.special import comb

from fission.errors import NotFound
from graph.circles import BRIDGES_PER_STORE, refresh_circles, store_circles
from graph.gateway import Gateway
from loaders.pipeline import load_files
from tests.helpers import friendship, reference_files, ts, wipe, write_rows


def adjusted_rand_index(truth: list[int], found: list[int]) -> float:
    """Hubert and Arabie's adjusted Rand index of two labellings of the same items."""
    pairs = comb(len(truth), 2)
    table: dict[tuple[int, int], int] = {}
    for t, f in zip(truth, found, strict=True):
        table[(t, f)] = table.get((t, f), 0) + 1
    index = sum(comb(n, 2) for n in table.values())
    rows = sum(comb(truth.count(t), 2) for t in set(truth))
    cols = sum(comb(found.count(f), 2) for f in set(found))
    expected = rows * cols / pairs
    return float((index - expected) / ((rows + cols) / 2 - expected))


def friends_brand(folder: Path, stores: dict[str, list[tuple[str, str]]]) -> None:
    """Every person of a store's ties is an imported member of it; each tie a friendship."""
    reference_files(folder)
    people = {(p, s) for s, ties in stores.items() for tie in ties for p in tie}
    write_rows(
        folder,
        "members",
        [{"person_id": p, "store_id": s, "member_since": "2026-01-01"} for p, s in sorted(people)],
    )
    rows = [
        friendship(f"f-{a}-{b}", a, b, ts(1 + i % 20, 10))
        for ties in stores.values()
        for i, (a, b) in enumerate(ties)
    ]
    write_rows(folder, "friendships", rows)


def planted(groups: int, size: int, p_in: float, p_out: float, seed: int) -> nx.Graph:
    """A planted-partition graph with person ids (`g<group>p<i>`) and a `group` attribute."""
    graph = nx.planted_partition_graph(groups, size, p_in, p_out, seed=seed)
    return nx.relabel_nodes(graph, {n: f"g{n // size}p{n % size:02d}" for n in graph})


def load(gateway: Gateway, folder: Path) -> None:
    wipe(gateway)
    assert load_files(gateway, [folder]).total("rejected") == 0
    refresh_circles(gateway)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planted_circles_are_recovered(graph: Gateway, tmp_path: Path, seed: int) -> None:
    truth = planted(4, 10, 0.7, 0.02, seed)
    friends_brand(tmp_path, {"S1": sorted(truth.edges)})
    load(graph, tmp_path)
    circles = store_circles(graph, "S1")
    found = {
        r["id"]: r["circle"]
        for r in graph.read(
            "MATCH (p:Person)-[:HOME]->(:Store {id: 'S1'}) WHERE p.circle IS NOT NULL "
            "RETURN p.id AS id, p.circle AS circle"
        )
    }
    people = sorted(truth)
    assert set(found) == set(people)
    ari = adjusted_rand_index([int(p[1]) for p in people], [found[p] for p in people])
    assert ari >= 0.9
    sizes = [c.size for c in circles.circles]
    assert sizes == sorted(sizes, reverse=True) and sum(sizes) == circles.people == len(people)


def test_betweenness_equals_networkx_and_bridges_join_circles(
    graph: Gateway, tmp_path: Path
) -> None:
    # Two dense groups joined through one person, and one more tie across.
    left = [f"L{i}" for i in range(6)]
    right = [f"R{i}" for i in range(6)]
    ties = {*itertools.combinations(left, 2), *itertools.combinations(right, 2)}
    ties |= {("L0", "X1"), ("X1", "R0")}
    ties |= {("L3", "R4")}
    friends_brand(tmp_path, {"S1": sorted(ties), "S2": [("Y1", "Y2"), ("Y2", "Y3")]})
    load(graph, tmp_path)
    reference = nx.Graph(list(ties))
    expected = nx.betweenness_centrality(reference, normalized=False)
    stored = {
        r["id"]: r["b"]
        for r in graph.read(
            "MATCH (p:Person)-[:HOME]->(:Store {id: 'S1'}) WHERE p.circle IS NOT NULL "
            "RETURN p.id AS id, p.betweenness AS b"
        )
    }
    assert stored.keys() == expected.keys()
    for person, value in expected.items():
        assert stored[person] == pytest.approx(value, abs=1e-9)
    circles = store_circles(graph, "S1")
    bridges = circles.bridges
    assert bridges and len(bridges) <= BRIDGES_PER_STORE
    circle = {
        r["id"]: r["c"] for r in graph.read("MATCH (p:Person) RETURN p.id AS id, p.circle AS c")
    }
    spanning = [
        p for p in reference if any(circle[q] != circle[p] for q in reference[p]) and expected[p]
    ]
    ranked = sorted(spanning, key=lambda p: (-round(expected[p], 9), p))[:BRIDGES_PER_STORE]
    assert [b.person_id for b in bridges] == ranked
    assert "X1" in ranked
    for bridge in bridges:
        assert len(bridge.circles) >= 2 and bridge.circles[0] == bridge.circle
        assert "introducer" in bridge.reason
    # S2 is ranked on its own: a path of three, the middle one between the two ends.
    s2 = store_circles(graph, "S2")
    assert s2.people == 3
    assert graph.read("MATCH (p:Person {id: 'Y2'}) RETURN p.betweenness AS b")[0]["b"] == 1.0


def test_unknown_store_and_a_store_without_ties(graph: Gateway, tmp_path: Path) -> None:
    friends_brand(tmp_path, {"S1": [("A", "B")]})
    load(graph, tmp_path)
    with pytest.raises(NotFound):
        store_circles(graph, "nope")
    empty = store_circles(graph, "S2")
    assert (empty.people, empty.circles, empty.bridges) == (0, [], [])
