"""Whom to seed (graph.seeds): the picks against an exhaustive search over every k-set with the
exact independent-cascade expectation (in closed form on forests, by enumerating every
live-edge world on small graphs), the (1 - 1/e) guarantee, the Monte Carlo estimator against
the exact expectation, and GDS's correlated coin flips on a chain (why the greedy and the spread
are run again on independent flips)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from fission.errors import InvalidInput, NotFound
from graph.gateway import Gateway
from graph.influence import engagement_edges
from graph.seeds import ALL_CANDIDATES, independent_cascade_spread, store_seeds
from loaders.pipeline import load_files
from tests.graph.reference import minute
from tests.helpers import reference_files, share, visit, wipe, write_rows

P = 0.2


def exact_spread(edges: list[tuple[str, str]], seeds: set[str], p: float) -> float:
    """E[people reached] under independent cascade: the mean over all 2^|E| live-edge worlds,
    each weighted by its probability, of what the seeds reach over live edges."""
    total = 0.0
    for live in itertools.product((False, True), repeat=len(edges)):
        weight = math.prod(p if on else 1 - p for on in live)
        reached, frontier = set(seeds), list(seeds)
        while frontier:
            node = frontier.pop()
            for (s, t), on in zip(edges, live, strict=True):
                if on and s == node and t not in reached:
                    reached.add(t)
                    frontier.append(t)
        total += weight * len(reached)
    return total


def forest_spread(edges: list[tuple[str, str]], seeds: set[str], p: float) -> float:
    """E[people reached] on a forest (one parent each): a person is reached with probability
    p^d, d the distance down from their nearest seed ancestor (themself: d = 0)."""
    parent = {child: par for par, child in edges}
    total = 0.0
    for person in {n for e in edges for n in e}:
        node, d = person, 0
        while node not in seeds and node in parent:
            node, d = parent[node], d + 1
        total += p**d if node in seeds else 0.0
    return total


def best_sets(
    edges: list[tuple[str, str]], k: int, p: float, spread: Callable[..., float] = exact_spread
) -> tuple[float, list[set[str]]]:
    people = sorted({n for e in edges for n in e})
    scored = [(spread(edges, set(c), p), set(c)) for c in itertools.combinations(people, k)]
    best = max(v for v, _ in scored)
    return best, [c for v, c in scored if v > best - 1e-12]


def stars(prefix: str, sizes: list[int]) -> dict[str, list[str]]:
    return {f"{prefix}{i}": [f"{prefix}{i}x{j}" for j in range(n)] for i, n in enumerate(sizes)}


def chain(prefix: str, length: int) -> dict[str, list[str]]:
    return {f"{prefix}{i}": [f"{prefix}{i + 1}"] for i in range(length)}


def spread_brand(folder: Path, spread: dict[str, list[str]]) -> None:
    """Store S1 where each key (an imported member of S1) shares once and each of its people
    opens that share as their first appearance, in the order given (parents before children)."""
    reference_files(folder)
    roots = [p for p in spread if not any(p in kids for kids in spread.values())]
    write_rows(
        folder,
        "members",
        [{"person_id": r, "store_id": "S1", "member_since": "2026-01-01"} for r in roots],
    )
    shares, visits, clock = [], [], 0
    for parent, children in spread.items():
        shares.append(share(f"s-{parent}", f"sh-{parent}", parent, minute(clock)))
        for child in children:
            clock += 1
            visits.append(visit(f"v-{parent}-{child}", f"sh-{parent}", child, minute(clock)))
        clock += 1
    write_rows(folder, "shares", shares)
    write_rows(folder, "visits", visits)


def load(gateway: Gateway, folder: Path) -> list[tuple[str, str]]:
    wipe(gateway)
    assert load_files(gateway, [folder]).total("rejected") == 0
    edges = engagement_edges(gateway, "S1")
    return sorted(zip(edges["sharer"], edges["visitor"], strict=True))


# A store of more than ALL_CANDIDATES people, so that GDS proposes the candidates: stars of
# 12, 8, 6, 5 and 2 leaves, a chain of three steps, and ten pairs (62 people).
FOREST = {**stars("H", [12, 8, 6, 5, 2]), **chain("R", 3), **stars("Q", [1] * 10)}
# Small stores (every person a candidate): stars of 5, 3 and 2 leaves and a chain of two:
# 12 edges, 4096 live-edge worlds.
STARS = {
    "H1": ["a1", "a2", "a3", "a4", "a5"],
    "H2": ["b1", "b2", "b3"],
    "H3": ["c1", "c2"],
    "R1": ["r2"],
    "r2": ["r3"],
}


def test_gds_alone_would_pick_the_chain_over_a_better_star(graph: Gateway, tmp_path: Path) -> None:
    spread_brand(tmp_path, FOREST)
    edges = load(graph, tmp_path)
    plan = store_seeds(graph, "S1", k=5, probability=P)
    gds = {s.person_id: s.celf_gain for s in store_seeds(graph, "S1", k=6, probability=P).seeds}
    # GDS: the 3-step chain's root R0 scores 1 + 3p = 1.6, above the 2-leaf star H4 (1.4); the
    # model: 1 + p + p^2 + p^3 = 1.248 against 1.4.
    assert gds["R0"] == pytest.approx(1.6, abs=0.1)
    assert forest_spread(edges, {"R0"}, P) == pytest.approx(1.248)
    assert [s.person_id for s in plan.seeds] == ["H0", "H1", "H2", "H3", "H4"]


# (brand, exact expectation, relationships, people): a forest of more than ALL_CANDIDATES
# people, where GDS proposes the candidates, and a small store, where everyone is one.
STORES = {
    "forest": (FOREST, forest_spread, 46, 62),
    "small": (STARS, exact_spread, 12, 16),
}


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("store", sorted(STORES))
def test_picks_equal_the_exhaustive_optimum_and_keep_the_guarantee(
    graph: Gateway, tmp_path: Path, store: str, k: int
) -> None:
    brand, spread, relationships, people = STORES[store]
    spread_brand(tmp_path, brand)
    edges = load(graph, tmp_path)
    best, optima = best_sets(edges, k, P, spread)
    plan = store_seeds(graph, "S1", k=k, probability=P)
    assert (plan.relationships, plan.people) == (relationships, people)
    picks = {s.person_id for s in plan.seeds}
    assert picks in optima
    assert [s.rank for s in plan.seeds] == list(range(1, k + 1))
    # Proposed by GDS (its own gain > 0) only where the store is big enough.
    assert all((s.celf_gain > 0) == (people > ALL_CANDIDATES) for s in plan.seeds)
    # 1000 runs: the standard error is sqrt(sum of p(1 - p) over reachable people / 1000) < 0.07.
    assert plan.expected_spread == pytest.approx(spread(edges, picks, P), abs=0.25)
    assert plan.expected_spread >= (1 - 1 / math.e) * best
    gains = [s.marginal_gain for s in plan.seeds]
    assert gains == sorted(gains, reverse=True)
    assert sum(gains) == pytest.approx(plan.expected_spread, abs=1e-3)


def test_monte_carlo_estimate_matches_the_exact_expectation_on_a_graph_with_cycles() -> None:
    edges = [("a", "b"), ("b", "c"), ("c", "a"), ("a", "d"), ("d", "c"), ("c", "e"), ("e", "f")]
    for seeds in (["a"], ["a", "e"], ["d", "f", "b"]):
        estimated = independent_cascade_spread(edges, seeds, 0.4, simulations=20_000)
        for i in range(len(seeds)):
            assert estimated[i] == pytest.approx(exact_spread(edges, set(seeds[: i + 1]), 0.4),
                                                 abs=0.03)  # fmt: skip


def test_gds_overstates_chains_so_the_spread_is_estimated_again(
    graph: Gateway, tmp_path: Path
) -> None:
    spread_brand(tmp_path, {**chain("R", 4), **stars("Q", [1] * 30)})
    edges = load(graph, tmp_path)
    plan = store_seeds(graph, "S1", k=1, probability=0.5)
    assert [s.person_id for s in plan.seeds] == ["R0"]
    exact = 1 + 0.5 + 0.25 + 0.125 + 0.0625
    assert forest_spread(edges, {"R0"}, 0.5) == pytest.approx(exact)
    assert plan.expected_spread == pytest.approx(exact, abs=0.1)
    # GDS 2.13.9 flips one coin per run for every node's first relationship: 1 + 4p.
    assert plan.seeds[0].celf_gain == pytest.approx(3.0, abs=0.1)


def test_bad_requests_and_empty_stores(graph: Gateway, tmp_path: Path) -> None:
    spread_brand(tmp_path, STARS)
    load(graph, tmp_path)
    with pytest.raises(NotFound):
        store_seeds(graph, "nope")
    with pytest.raises(InvalidInput):
        store_seeds(graph, "S1", k=0)
    with pytest.raises(InvalidInput):
        store_seeds(graph, "S1", probability=1.5)
    empty = store_seeds(graph, "S2")
    assert (empty.seeds, empty.expected_spread, empty.people) == ([], 0.0, 0)
