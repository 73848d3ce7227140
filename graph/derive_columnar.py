"""Derived data computed on whole columns, for the bulk import (DESIGN.md §5).

The same definitions as `cypher/derive/*.cypher` (which keep the graph current under online
loads), written for arrays of every person at once. People are integer codes whose order is the
order of their ids, so "the smaller id" is the smaller code. Times are (microseconds since the
epoch, offset in seconds) pairs, compared as Neo4j compares DateTimes: by instant, then by
offset. The test suite builds the same brands both ways and compares every property.

- `first_by_time`: per group, the row with the smallest (at, event_id) (first appearance,
  first order).
- `referrers`: first touch (cypher/derive/referrer.cypher): the sharer of the share a person
  first visited, if the sharer's first appearance is strictly earlier by (at, event_id).
- `home_stores`: cypher/derive/home.cypher's unrolled rule, walking referral chains by pointer
  doubling: the nearest person up the chain (self included) who is staff or an imported member
  decides; else the first order of the person highest up the chain who has one.
- `social_ties`: KNOWS = 3 x friendship + 2 x referral + visits either made to the other's
  shares, per pair of people (smaller code first), with its parts.
- `interest_scores`: per person and topic, the sum over their shares (x2) and visits of
  content about the topic of 0.5^(age_days / 30), ages in whole seconds as Cypher's
  duration.inSeconds(at, as_of).seconds.
- `engagement_edges`: the influence graph's edges (graph.influence).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa

NONE = -1
# Event ids stay in Arrow (millions of them); only the few compared are made Python strings.
Labels: TypeAlias = np.ndarray | pa.Array


def _pick(values: Labels, rows: np.ndarray) -> np.ndarray:
    if isinstance(values, pa.Array):
        return np.asarray(values.take(pa.array(rows)).to_numpy(zero_copy_only=False))
    return np.asarray(values[rows])


def first_by_time(
    group: np.ndarray, us: np.ndarray, off: np.ndarray, event_id: Labels, groups: int
) -> np.ndarray:
    """For each group 0..groups-1, the index of its row with the smallest (us, off, event_id)
    (ORDER BY at, event_id LIMIT 1), or NONE when the group has no row."""
    winner = np.full(groups, NONE, dtype=np.int64)
    if len(group) == 0:
        return winner
    order = np.lexsort((off, us, group))
    g, u, o = group[order], us[order], off[order]
    start = np.ones(len(order), dtype=bool)
    start[1:] = g[1:] != g[:-1]
    first = np.flatnonzero(start)
    winner[g[first]] = order[first]
    # Rows tied with their group's first on time: the smallest event id among them wins.
    which = np.cumsum(start) - 1
    tied = (u == u[first][which]) & (o == o[first][which])
    counts = np.bincount(which[tied], minlength=len(first))
    if (counts > 1).any():
        rows = order[tied & (counts[which] > 1)]
        ties = pd.DataFrame({"group": group[rows], "event_id": _pick(event_id, rows), "row": rows})
        best = ties.sort_values(["group", "event_id"]).drop_duplicates("group")
        winner[best["group"].to_numpy()] = best["row"].to_numpy()
    return winner


def referrers(
    first_visited_sharer: np.ndarray,
    first_us: np.ndarray,
    first_off: np.ndarray,
    first_event_id: Labels,
) -> np.ndarray:
    """Each person's referrer (NONE for a root). `first_visited_sharer[p]` is the sharer of the
    share p first appeared visiting (NONE when p's first appearance was not a visit)."""
    people = np.arange(len(first_visited_sharer))
    sharer = first_visited_sharer
    candidate = np.flatnonzero((sharer != NONE) & (sharer != people))
    s = sharer[candidate]
    before = (first_us[s] < first_us[candidate]) | (
        (first_us[s] == first_us[candidate]) & (first_off[s] < first_off[candidate])
    )
    same_time = (first_us[s] == first_us[candidate]) & (first_off[s] == first_off[candidate])
    same_time[same_time] = _pick(first_event_id, s[same_time]) < _pick(
        first_event_id, candidate[same_time]
    )
    result = np.full(len(sharer), NONE, dtype=np.int64)
    chosen = before | same_time
    result[candidate[chosen]] = s[chosen]
    return result


def _nearest_up(parent: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Per person, the value of the nearest person up the referral chain (self first) whose
    value is set (>= 0), or NONE: pointer doubling, O(n log depth)."""
    found = value.copy()
    jump = parent.copy()
    while True:
        todo = np.flatnonzero((found == NONE) & (jump != NONE))
        if len(todo) == 0:
            return found
        up = jump[todo]
        found[todo] = found[up]
        jump[todo] = jump[up]


def _highest_up(parent: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Per person, the value of the person highest up the chain (self included) whose value is
    set, or NONE."""
    found = value.copy()
    jump = parent.copy()
    while True:
        todo = np.flatnonzero(jump != NONE)
        if len(todo) == 0:
            return found
        up = jump[todo]
        higher = found[up]
        found[todo] = np.where(higher != NONE, higher, found[todo])
        jump[todo] = jump[up]


def reach_within(parent: np.ndarray, generations: int) -> np.ndarray:
    """reach(p, generations) per person (DESIGN.md §5 "Reach"): the people below p within that
    many generations of the referral forest, as cypher/derive/reach3 stores it for 3."""
    reach = np.zeros(len(parent), dtype=np.int64)
    ancestor = parent
    for _ in range(generations):
        below = ancestor != NONE
        reach += np.bincount(ancestor[below], minlength=len(parent))
        ancestor = np.where(below, parent[np.where(below, ancestor, 0)], NONE)
    return reach


def home_stores(
    parent: np.ndarray, own_store: np.ndarray, first_order_store: np.ndarray
) -> np.ndarray:
    """Home store per person (DESIGN.md §5 "Home store", unrolled as cypher/derive/home.cypher):
    `own_store` is the staff member's store, else the imported member's (NONE for others)."""
    decided = _nearest_up(parent, own_store)
    return np.where(decided != NONE, decided, _highest_up(parent, first_order_store))


@dataclass(frozen=True)
class Ties:
    """KNOWS per pair (a < b) with its parts."""

    a: np.ndarray
    b: np.ndarray
    weight: np.ndarray
    friends: np.ndarray
    referral: np.ndarray
    visits: np.ndarray


def _pair_keys(x: np.ndarray, y: np.ndarray, people: int) -> np.ndarray:
    lo, hi = np.minimum(x, y), np.maximum(x, y)
    return lo.astype(np.int64) * people + hi


def social_ties(
    friend_pairs: tuple[np.ndarray, np.ndarray],
    referral_pairs: tuple[np.ndarray, np.ndarray],
    visit_pairs: tuple[np.ndarray, np.ndarray],
    people: int,
) -> Ties:
    """KNOWS weights (DESIGN.md §5 "Social ties"): each pair once, from the smaller code. A visit
    pair is (visitor, sharer) for each visit to someone else's share."""
    friend = np.unique(_pair_keys(*friend_pairs, people))
    referral = np.unique(_pair_keys(*referral_pairs, people))
    visit_keys, visit_counts = np.unique(_pair_keys(*visit_pairs, people), return_counts=True)
    keys = np.unique(np.concatenate([friend, referral, visit_keys]))
    friends = np.isin(keys, friend, assume_unique=True)
    referred = np.isin(keys, referral, assume_unique=True)
    visits = np.zeros(len(keys), dtype=np.int64)
    visits[np.searchsorted(keys, visit_keys)] = visit_counts
    weight = 3 * friends.astype(np.int64) + 2 * referred.astype(np.int64) + visits
    return Ties(keys // people, keys % people, weight, friends, referred, visits)


def interest_scores(
    person: np.ndarray,
    content: np.ndarray,
    us: np.ndarray,
    factor: np.ndarray,
    content_topics: list[np.ndarray],
    topics: int,
    as_of_us: int,
) -> pd.DataFrame:
    """Interest per (person, topic) with score > 0 events: columns person, topic, score and
    latest (the index of its latest event, which the graph keeps as the tag's `latest`).
    `content_topics[c]` holds the topic codes content c is ABOUT."""
    age_seconds = np.maximum(as_of_us - us, 0) // 1_000_000
    weight = factor * np.power(0.5, (age_seconds / 86400.0) / 30.0)
    per_content = np.array([len(t) for t in content_topics], dtype=np.int64)
    repeat = per_content[content]
    starts = np.concatenate([[0], np.cumsum(per_content)])
    flat_topics = (
        np.concatenate(content_topics) if content_topics else np.zeros(0, dtype=np.int64)
    ).astype(np.int64)
    # For each event, the offsets of its content's topics in flat_topics.
    event = np.repeat(np.arange(len(person)), repeat)
    within = np.arange(len(event)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    topic = flat_topics[starts[content][event] + within]
    keys = person[event].astype(np.int64) * topics + topic
    unique, inverse = np.unique(keys, return_inverse=True)
    score = np.bincount(inverse, weights=weight[event], minlength=len(unique))
    by_time = np.lexsort((us[event], inverse))
    last_of_key = np.r_[np.flatnonzero(np.diff(inverse[by_time])), len(by_time) - 1]
    latest = event[by_time[last_of_key]]
    return pd.DataFrame(
        {"person": unique // topics, "topic": unique % topics, "score": score, "latest": latest}
    )


def engagement_edges(
    visitor: np.ndarray, share: np.ndarray, share_sharer: np.ndarray
) -> pd.DataFrame:
    """The engagement graph (DESIGN.md §5 "Influence"): visitor -> sharer (visitor != sharer)
    weighted by the distinct shares of the sharer the visitor visited, sorted by (visitor,
    sharer)."""
    sharer = share_sharer[share]
    keep = visitor != sharer
    visitor, share, sharer = (
        visitor[keep].astype(np.int64),
        share[keep].astype(np.int64),
        sharer[keep].astype(np.int64),
    )
    # Pairs packed into one int64 key each: np.unique is 3 times faster than pandas'
    # drop_duplicates and groupby on 3.85 M visits.
    first_visits = np.unique(visitor * len(share_sharer) + share, return_index=True)[1]
    people = int(max(visitor.max(initial=0), sharer.max(initial=0))) + 1
    pairs, weight = np.unique(
        visitor[first_visits] * people + sharer[first_visits], return_counts=True
    )
    return pd.DataFrame(
        {"visitor": pairs // people, "sharer": pairs % people, "weight": weight.astype(np.int64)}
    )
