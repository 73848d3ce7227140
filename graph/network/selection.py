"""Which people a map draws when a store has more than `max_nodes`: the staff, the highlighted
people, the key nodes (most influential first) with their referral ancestors in the network,
then their cascades within 3 generations, one person per key node a turn, until the budget is
spent."""

from __future__ import annotations

from collections.abc import Iterable

from graph.gateway import Row

CASCADE_PER_KEY_NODE = 50


def choose(cascades: list[Row], order: list[str], budget: int, taken: Iterable[str]) -> list[str]:
    """People to draw beyond `taken` until `budget` more are chosen: key nodes (in `order`)
    with their ancestors first, then their cascades (rows of `network/cascades`)."""
    by_root = {row["root"]: row for row in cascades}
    chosen: dict[str, None] = dict.fromkeys(taken)
    limit = len(chosen) + budget

    def add(ids: Iterable[str]) -> None:
        for pid in ids:
            if len(chosen) >= limit:
                return
            chosen.setdefault(pid)

    for key in order:
        add([key, *by_root[key]["ancestors"]])
    # Cascades in turns, one person per key node a turn, so that every key node's cascade
    # shows its first generations before any one cascade is drawn in full.
    cascades_in_order = [by_root[key]["descendants"] for key in order]
    for turn in range(CASCADE_PER_KEY_NODE):
        add(cascade[turn] for cascade in cascades_in_order if turn < len(cascade))
    return list(chosen)
