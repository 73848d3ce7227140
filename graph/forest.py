"""Walking the referral forest in Python (DESIGN.md §5 "Referrer": at most one referrer per
person, so the REFERRED edges form a forest and every descendant is reached by one path).

`Forest` is built from (parent, child) edges and walks each tree breadth first, parents
before children; cascades, depths and structural virality all use this one walk.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator


class Forest:
    def __init__(self, edges: Iterable[tuple[str, str]]) -> None:
        self.children: dict[str, list[str]] = defaultdict(list)
        has_parent: set[str] = set()
        nodes: dict[str, None] = {}
        for parent, child in edges:
            if child in has_parent:
                raise ValueError(f"{child} has two parents: not a forest")
            self.children[parent].append(child)
            has_parent.add(child)
            nodes.setdefault(parent)
            nodes.setdefault(child)
        self.nodes = list(nodes)
        self.roots = sorted(n for n in nodes if n not in has_parent)

    def walk(self, root: str) -> Iterator[tuple[str, str | None, int]]:
        """(person, parent, depth) of `root`'s tree, breadth first; the root has depth 0."""
        queue: deque[tuple[str, str | None, int]] = deque([(root, None, 0)])
        while queue:
            node, parent, depth = queue.popleft()
            yield node, parent, depth
            queue.extend((child, node, depth + 1) for child in self.children.get(node, ()))


def structural_virality(edges: Iterable[tuple[str, str]]) -> float | None:
    """Structural virality of a tree given as (parent, child) edges (DESIGN.md §5).

    Goel et al. 2015: the mean shortest-path distance over all pairs of the tree's n nodes,
    computed in O(n) as 2W / (n (n - 1)) from the Wiener index W = sum over edges of
    size * (n - size), `size` being the number of nodes below the edge. About 2 for a star,
    (n + 1) / 3 for a chain; None for fewer than 2 nodes. The edges must form one tree.
    """
    forest = Forest(edges)
    n = len(forest.nodes)
    if n < 2:
        return None
    if len(forest.roots) != 1:
        raise ValueError(f"expected one tree, found {len(forest.roots)} roots")
    order = list(forest.walk(forest.roots[0]))
    if len(order) != n:
        raise ValueError("edges contain a cycle: not a tree")
    size = dict.fromkeys(forest.nodes, 1)
    wiener = 0
    for node, parent, _ in reversed(order):  # children before their parents
        if parent is not None:
            size[parent] += size[node]
            wiener += size[node] * (n - size[node])
    return 2.0 * wiener / (n * (n - 1))
