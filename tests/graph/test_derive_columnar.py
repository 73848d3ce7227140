"""The column-wise derivation rules (graph.derive_columnar) on hand-made arrays with known
answers: tie rules, referral chains, tie weights, interest ageing. (tests/loaders/test_bulk.py
compares them with the Cypher rules on generated brands.)"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pyarrow as pa

from graph.derive_columnar import (
    NONE,
    engagement_edges,
    first_by_time,
    home_stores,
    interest_scores,
    reach_within,
    referrers,
    social_ties,
)


def test_first_by_time_orders_by_instant_then_offset_then_event_id() -> None:
    group = np.array([0, 0, 0, 1, 1, 1, 2])
    us = np.array([5, 3, 3, 7, 7, 7, 1])
    off = np.array([0, 28800, 0, 0, 0, 0, 0])
    event_id = np.array(["a", "b", "c", "z", "x", "y", "q"], dtype=object)
    winner = first_by_time(group, us, off, event_id, 4)
    # group 0: equal instants, offset 0 sorts first; group 1: equal times, smallest event id.
    assert winner.tolist() == [2, 4, 6, NONE]
    assert first_by_time(group, us, off, pa.array(event_id.tolist()), 4).tolist() == [2, 4, 6, -1]


def test_referrer_needs_a_strictly_earlier_first_appearance() -> None:
    # 0 shared first; 1 visited 0's share later; 2 visited 1's share at the same time as 1's
    # first appearance with a smaller event id (not strictly later: a root); 3 visited its own.
    sharer = np.array([NONE, 0, 1, 3])
    first_us = np.array([10, 20, 20, 30])
    first_off = np.array([0, 0, 0, 0])
    first_eid = np.array(["e0", "e5", "e4", "e9"], dtype=object)
    assert referrers(sharer, first_us, first_off, first_eid).tolist() == [NONE, 0, NONE, NONE]
    later_eid = np.array(["e0", "e5", "e6", "e9"], dtype=object)
    assert referrers(sharer, first_us, first_off, later_eid).tolist() == [NONE, 0, 1, NONE]


def test_home_follows_the_chain_and_falls_through_to_the_highest_first_order() -> None:
    # Chain 0 -> 1 -> 2 -> 3 (parents); 1 is staff of store 7; 4 -> 5 -> 6 with first orders
    # at 5 (store 8) and 6 (store 9): the highest up the chain decides.
    parent = np.array([NONE, 0, 1, 2, NONE, 4, 5])
    own = np.array([NONE, 7, NONE, NONE, NONE, NONE, NONE])
    first_order = np.array([3, NONE, NONE, NONE, NONE, 8, 9])
    assert home_stores(parent, own, first_order).tolist() == [3, 7, 7, 7, NONE, 8, 8]


def test_reach_within_counts_the_generations_below_as_networkx_does() -> None:
    rng = np.random.default_rng(7)
    people = 400
    # A random forest: each person's referrer is someone earlier, or nobody.
    parent = np.array(
        [NONE if i == 0 or rng.random() < 0.2 else rng.integers(0, i) for i in range(people)],
        dtype=np.int64,
    )
    forest = nx.DiGraph()
    forest.add_nodes_from(range(people))
    forest.add_edges_from((int(parent[i]), i) for i in range(people) if parent[i] != NONE)
    for generations in (1, 3, 6):
        expected = [
            sum(
                1
                for d in nx.single_source_shortest_path_length(forest, p).values()
                if 1 <= d <= generations
            )
            for p in range(people)
        ]
        assert reach_within(parent, generations).tolist() == expected
    assert max(expected) > 20  # deep and wide trees, not only pairs


def test_social_ties_add_their_parts_per_pair() -> None:
    ties = social_ties(
        (np.array([0, 2]), np.array([1, 0])),  # friends 0-1 and 0-2
        (np.array([1]), np.array([0])),  # 1 referred 0
        (np.array([0, 1, 1, 2]), np.array([1, 0, 0, 3])),  # visits
        people=4,
    )
    got = {
        (int(a), int(b)): (int(w), bool(f), bool(r), int(v))
        for a, b, w, f, r, v in zip(
            ties.a, ties.b, ties.weight, ties.friends, ties.referral, ties.visits, strict=True
        )
    }
    assert got == {
        (0, 1): (3 + 2 + 3, True, True, 3),
        (0, 2): (3, True, False, 0),
        (2, 3): (1, False, False, 1),
    }


def test_interest_scores_age_by_whole_seconds_and_count_shares_double() -> None:
    day = 86_400 * 1_000_000
    as_of = 100 * day + 999_999  # fractions of a second are dropped, as duration.inSeconds
    scores = interest_scores(
        person=np.array([0, 0, 1]),
        content=np.array([0, 1, 0]),
        us=np.array([70 * day, 100 * day, 200 * day]),
        factor=np.array([2.0, 1.0, 1.0]),
        content_topics=[np.array([0, 1]), np.array([1])],
        topics=2,
        as_of_us=as_of,
    )
    got = {
        (int(p), int(t)): s
        for p, t, s in scores[["person", "topic", "score"]].itertuples(index=False)
    }
    assert got == {
        (0, 0): 2 * 0.5,  # shared 30 days before
        (0, 1): 2 * 0.5 + 1.0,
        (1, 0): 1.0,  # after as_of: age 0
        (1, 1): 1.0,
    }


def test_engagement_edges_count_distinct_shares_and_skip_own() -> None:
    share_sharer = np.array([5, 5, 6])
    edges = engagement_edges(np.array([1, 1, 1, 5, 2]), np.array([0, 0, 1, 0, 2]), share_sharer)
    assert edges.to_dict("records") == [
        {"visitor": 1, "sharer": 5, "weight": 2},
        {"visitor": 2, "sharer": 6, "weight": 1},
    ]
