"""Where to draw a network: python-igraph Fruchterman-Reingold (its grid variant above
`GRID_ABOVE` nodes), started from a radial tree layout around node 0 (the store) and run with a
fixed seed, so the same network always gets the same picture. Coordinates are scaled into
[-1, 1] with node 0 at (0, 0).
"""

from __future__ import annotations

import random
import threading

import igraph as ig

LAYOUT_SEED = 7
LAYOUT_ITERATIONS = 150
GRID_ABOVE = 500
# igraph draws its random numbers from one process-wide generator: swap in a seeded one for
# the duration of a layout, one layout at a time.
_LAYOUT_LOCK = threading.Lock()


def describe(nodes: int) -> str:
    grid = " (grid)" if nodes > GRID_ABOVE else ""
    return (
        f"igraph Fruchterman-Reingold{grid}, {LAYOUT_ITERATIONS} iterations from a radial "
        f"tree, seed {LAYOUT_SEED}"
    )


def layout(node_count: int, edges: list[tuple[int, int]]) -> list[tuple[float, float]]:
    """Positions in [-1, 1]² of nodes 0..node_count-1 joined by `edges` (index pairs)."""
    if node_count == 1:
        return [(0.0, 0.0)]
    graph = ig.Graph(n=node_count, edges=edges)
    # Tie any part not connected to node 0 to it, for the layout only.
    for component in graph.connected_components():
        if 0 not in component:
            graph.add_edge(0, component[0])
    with _LAYOUT_LOCK:
        ig.set_random_number_generator(random.Random(LAYOUT_SEED))
        try:
            start = graph.layout_reingold_tilford_circular(mode="all", root=[0])
            positions = graph.layout_fruchterman_reingold(
                seed=start.coords,
                niter=LAYOUT_ITERATIONS,
                grid=node_count > GRID_ABOVE,
            )
        finally:
            ig.set_random_number_generator(random)
    coords = positions.coords
    x0, y0 = coords[0]
    scale = max(max(abs(x - x0), abs(y - y0)) for x, y in coords) or 1.0
    return [(round((x - x0) / scale, 4), round((y - y0) / scale, 4)) for x, y in coords]
