"""A store's network map: its people, how they are connected, and where to draw them
(DESIGN.md §6 "Maps"; the network is DESIGN.md §5 "Home store": the people whose HOME is the
store, staff included).

Nodes: the store, each person drawn (role staff | agent | member | prospect, first that
applies, with store influence, reach(p, 1), reach(p, 3), key-node status and top 3 interest
tags) and, for a store with more people than `max_nodes`, one summary node per role standing
for the people not drawn ("+ 1234 prospects"). Edges, one parent per person so the map reads
as a tree around the store: `works_at` (staff -> store), `referral` (referrer -> referee, both
drawn; DESIGN.md §5 "Referrer"), `home` (a customer whose referrer is not drawn, or who has
none -> the store), `aggregate` (summary node -> store) and `knows` (social ties among the
highlighted people, e.g. an introduction path).

Beyond `max_nodes` people the map keeps the staff, the highlighted people, the key nodes
(DESIGN.md §5 "Key node", most influential first) with their referral ancestors in the
network, then their cascades within 3 generations (breadth first, at most
`CASCADE_PER_KEY_NODE` each, taking turns between key nodes), until the budget is spent; the
rest are counted per role.

Layout: python-igraph Fruchterman-Reingold (its grid variant above `GRID_ABOVE` nodes), started
from a radial tree layout around the store and run with a fixed seed, so the same network
always gets the same picture; coordinates are scaled into [-1, 1] with the store at (0, 0), or,
when there are summary nodes, the network into y >= -0.8 and the summary nodes in a row at
y = -1.

Results are cached in process (LRU) per store and parameters, and reused while the store
network's fingerprint (people per role, referred people, first appearances, influence refresh
time: one cheap query) is unchanged, so a new person, a new member or a refresh of influence
redraws the map.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from datetime import UTC, datetime
from typing import Any, Literal

import igraph as ig
from pydantic import BaseModel, Field

from fission.errors import InvalidInput, NotFound
from graph.gateway import Gateway, Row
from graph.keynodes import MIN_REACH3, TOP_SHARE, KeyNode, key_nodes
from graph.paths import IntroductionPath
from graph.queries import cypher

FINGERPRINT = cypher("network/fingerprint")
PEOPLE = cypher("network/people")
CASCADES = cypher("network/cascades")
TIES = cypher("network/ties")

MAX_NODES = 1500
CASCADE_PER_KEY_NODE = 50
LAYOUT_SEED = 7
LAYOUT_ITERATIONS = 150
GRID_ABOVE = 500
CACHE_SIZE = 128

Role = Literal["store", "staff", "agent", "member", "prospect"]
PERSON_ROLES: tuple[Role, ...] = ("staff", "agent", "member", "prospect")
EdgeKind = Literal["works_at", "referral", "home", "aggregate", "knows"]
PLURAL = {"staff": "staff", "agent": "agents", "member": "members", "prospect": "prospects"}


class NetworkNode(BaseModel):
    id: str = Field(
        description="Person id; `store:<id>` for the store; `aggregate:<role>` for a summary node."
    )
    label: str = Field(description="What the map writes: store name, staff name, person id.")
    role: Role
    staff_role: str | None = Field(description="manager | clerk | guide, for staff.")
    influence: float = Field(
        description="Store influence: PageRank within the home store's network (DESIGN.md §5)."
    )
    influence_pct: float | None = Field(
        description="Percent of the home store's network with a lower store influence."
    )
    reach1: int = Field(description="reach(p, 1): direct referrals.")
    reach3: int = Field(description="reach(p, 3): people referred within 3 generations.")
    key: bool = Field(description="A key node of the store (DESIGN.md §5 'Key node').")
    key_reasons: list[str]
    top_interests: list[str] = Field(description="Up to 3 interest tags, strongest first.")
    in_network: bool = Field(
        description="False for a person of another store drawn because they were highlighted."
    )
    highlighted: bool
    count: int | None = Field(description="Summary nodes: how many people they stand for.")
    x: float = Field(description="Layout position, in [-1, 1].")
    y: float


class NetworkEdge(BaseModel):
    source: str
    target: str
    kind: EdgeKind
    weight: int | None = Field(default=None, description="KNOWS tie weight, for `knows` edges.")


class Aggregate(BaseModel):
    """People of one role who are not drawn one by one, shown as one summary node."""

    node_id: str
    role: Role
    count: int


class StoreNetwork(BaseModel):
    """A store's network, ready to draw (see the module docstring for what is in it)."""

    store_id: str
    name: str | None
    city: str | None
    version: str = Field(description="Fingerprint of the store network this was drawn from.")
    computed_at: datetime
    people: int = Field(description="People in the store's network, staff included.")
    people_by_role: dict[str, int]
    drawn_people: int = Field(description="People of the network drawn one by one.")
    max_nodes: int
    key_nodes: int = Field(description="Key nodes of the store (drawn or not).")
    aggregated: list[Aggregate] = Field(description="Empty when everyone is drawn.")
    layout: str
    step_seconds: dict[str, float] = Field(
        description="Time taken per step when this was built (not on cache hits)."
    )
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    path: IntroductionPath | None = Field(
        default=None, description="The introduction path highlighted, when one was asked for."
    )


class _Cache:
    """LRU of built networks, each valid for the fingerprint it was built from."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, tuple[str, StoreNetwork]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: str) -> StoreNetwork | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] != version:
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: Hashable, version: str, network: StoreNetwork) -> None:
        with self._lock:
            self._items[key] = (version, network)
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_CACHE = _Cache(CACHE_SIZE)
# igraph draws its random numbers from one process-wide generator: swap in a seeded one for
# the duration of a layout, one layout at a time.
_LAYOUT_LOCK = threading.Lock()


def clear_network_cache() -> None:
    """Forgets every cached network (benchmarks use it to time cold builds)."""
    _CACHE.clear()


def _fingerprint(head: Row) -> str:
    parts = [
        head[k]
        for k in (
            "people", "staff", "agents", "members", "referred", "latest_first_seen",
            "first_seen_sum", "scored_at",
        )
    ]  # fmt: skip
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:16]


def _role(row: Row) -> Role:
    if row["staff"]:
        return "staff"
    return "agent" if row["agent"] else "member" if row["member"] else "prospect"


def _choose(cascades: list[Row], order: list[str], budget: int, taken: Iterable[str]) -> list[str]:
    """People to draw beyond staff and highlighted ones, until `budget` are chosen: key nodes
    with their ancestors first (in key-node order), then their cascades."""
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


def _person_node(
    row: Row, store_id: str, keys: dict[str, KeyNode], highlight: set[str]
) -> dict[str, Any]:
    role = _role(row)
    key = keys.get(row["id"])
    return {
        "id": row["id"],
        "label": (row["display_name"] or row["id"]) if role == "staff" else row["id"],
        "role": role,
        "staff_role": row["staff_role"] if role == "staff" else None,
        "influence": float(row["influence"]),
        "influence_pct": row["influence_pct"],
        "reach1": row["reach1"],
        "reach3": row["reach3"],
        "key": key is not None,
        "key_reasons": key.reasons if key else [],
        "top_interests": row["interests"],
        "in_network": row["home_store_id"] == store_id,
        "highlighted": row["id"] in highlight,
        "count": None,
    }


def _other_node(node_id: str, label: str, role: Role, count: int | None) -> dict[str, Any]:
    return {
        "id": node_id,
        "label": label,
        "role": role,
        "staff_role": None,
        "influence": 0.0,
        "influence_pct": None,
        "reach1": 0,
        "reach3": 0,
        "key": False,
        "key_reasons": [],
        "top_interests": [],
        "in_network": True,
        "highlighted": False,
        "count": count,
    }


def _edges(
    rows: list[Row], store_id: str, summaries: list[str], ties: list[Row]
) -> list[dict[str, Any]]:
    store_node = f"store:{store_id}"
    drawn = {row["id"] for row in rows}
    edges: list[dict[str, Any]] = []
    for row in rows:
        pid = row["id"]
        if row["referrer"] in drawn:
            edges.append({"source": row["referrer"], "target": pid, "kind": "referral"})
        if row["home_store_id"] != store_id:
            continue  # drawn from another store: linked by its ties only
        if row["staff"]:
            edges.append({"source": pid, "target": store_node, "kind": "works_at"})
        elif row["referrer"] not in drawn:
            edges.append({"source": pid, "target": store_node, "kind": "home"})
    edges.extend({"source": s, "target": store_node, "kind": "aggregate"} for s in summaries)
    edges.extend(
        {"source": t["source"], "target": t["target"], "kind": "knows", "weight": t["weight"]}
        for t in ties
    )
    return edges


def _layout(node_ids: list[str], edges: list[dict[str, Any]]) -> list[tuple[float, float]]:
    """Positions in [-1, 1]²: seeded Fruchterman-Reingold from a radial tree around node 0."""
    if len(node_ids) == 1:
        return [(0.0, 0.0)]
    index = {nid: i for i, nid in enumerate(node_ids)}
    pairs = [(index[e["source"]], index[e["target"]]) for e in edges]
    graph = ig.Graph(n=len(node_ids), edges=pairs)
    # Tie any part not connected to the store to it, for the layout only.
    for component in graph.connected_components():
        if 0 not in component:
            graph.add_edge(0, component[0])
    with _LAYOUT_LOCK:
        ig.set_random_number_generator(random.Random(LAYOUT_SEED))
        try:
            start = graph.layout_reingold_tilford_circular(mode="all", root=[0])
            layout = graph.layout_fruchterman_reingold(
                seed=start.coords,
                niter=LAYOUT_ITERATIONS,
                grid=len(node_ids) > GRID_ABOVE,
            )
        finally:
            ig.set_random_number_generator(random)
    coords = layout.coords
    x0, y0 = coords[0]
    scale = max(max(abs(x - x0), abs(y - y0)) for x, y in coords) or 1.0
    return [(round((x - x0) / scale, 4), round((y - y0) / scale, 4)) for x, y in coords]


def _build(
    gateway: Gateway,
    store_id: str,
    head: Row,
    version: str,
    max_nodes: int,
    highlight: list[str],
    top_share: float,
    min_reach3: int,
    steps: dict[str, float],
) -> StoreNetwork:
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        steps[name] = round(time.perf_counter() - clock, 4)
        clock = time.perf_counter()

    keys = {k.person_id: k for k in key_nodes(gateway, store_id, top_share, min_reach3)}
    step("key_nodes")
    people_by_role = {role: head[PLURAL[role]] for role in PERSON_ROLES}
    if head["people"] <= max_nodes:
        rows = gateway.read_text(
            PEOPLE, store_id=store_id, everyone=True, staff=False, ids=highlight
        )
    else:
        budget = max(max_nodes - head["staff"] - len(highlight), 0)
        order = list(keys)[:budget]
        cascades = gateway.read_text(
            CASCADES, store_id=store_id, roots=order, per_root=CASCADE_PER_KEY_NODE
        )
        ids = _choose(cascades, order, budget, highlight)
        rows = gateway.read_text(PEOPLE, store_id=store_id, everyone=False, staff=True, ids=ids)
    step("people")
    wanted = set(highlight)
    drawn_by_role = dict.fromkeys(PERSON_ROLES, 0)
    for row in rows:
        if row["home_store_id"] == store_id:
            drawn_by_role[_role(row)] += 1
    aggregated = [
        Aggregate(node_id=f"aggregate:{role}", role=role, count=people_by_role[role] - drawn)
        for role, drawn in drawn_by_role.items()
        if people_by_role[role] > drawn
    ]
    store_node = f"store:{store_id}"
    rank = {role: i for i, role in enumerate(PERSON_ROLES)}
    people = sorted(
        (_person_node(row, store_id, keys, wanted) for row in rows),
        key=lambda n: (rank[n["role"]], -n["influence"], n["id"]),
    )
    nodes = [
        _other_node(store_node, head["name"] or store_id, "store", None),
        *people,
        *(
            _other_node(
                a.node_id,
                f"+ {a.count} {PLURAL[a.role] if a.count != 1 else a.role}",
                a.role,
                a.count,
            )
            for a in aggregated
        ),
    ]
    ties = gateway.read_text(TIES, ids=highlight) if len(highlight) > 1 else []
    drawn = {n["id"] for n in people}
    ties = [t for t in ties if t["source"] in drawn and t["target"] in drawn]
    edges = _edges(rows, store_id, [a.node_id for a in aggregated], ties)
    step("nodes_and_edges")
    drawn_ids = [n["id"] for n in nodes[: len(nodes) - len(aggregated)]]
    positions = _layout(drawn_ids, [e for e in edges if e["kind"] != "aggregate"])
    if aggregated:
        # Summary nodes in a row below the drawn network, which shrinks to make room.
        positions = [(round(0.9 * x, 4), round(0.9 * y + 0.1, 4)) for x, y in positions]
        gap = 1.0 / max(len(aggregated) - 1, 1)
        positions += [
            (round(-0.5 + i * gap, 4) if len(aggregated) > 1 else 0.0, -1.0)
            for i in range(len(aggregated))
        ]
    step("layout")
    for node, (x, y) in zip(nodes, positions, strict=True):
        node["x"], node["y"] = x, y
    node_models = [NetworkNode(**n) for n in nodes]
    edge_models = [NetworkEdge(**e) for e in edges]
    step("models")
    steps["total"] = round(sum(steps.values()), 4)
    return StoreNetwork(
        store_id=store_id,
        name=head["name"],
        city=head["city"],
        version=version,
        computed_at=datetime.now(UTC),
        people=head["people"],
        people_by_role=people_by_role,
        drawn_people=sum(drawn_by_role.values()),
        max_nodes=max_nodes,
        key_nodes=len(keys),
        aggregated=aggregated,
        layout=f"igraph Fruchterman-Reingold{' (grid)' if len(nodes) > GRID_ABOVE else ''}, "
        f"{LAYOUT_ITERATIONS} iterations from a radial tree, seed {LAYOUT_SEED}",
        step_seconds=steps,
        nodes=node_models,
        edges=edge_models,
    )


def store_network(
    gateway: Gateway,
    store_id: str,
    max_nodes: int = MAX_NODES,
    highlight: list[str] | None = None,
    *,
    top_share: float = TOP_SHARE,
    min_reach3: int = MIN_REACH3,
) -> StoreNetwork:
    """The store's network map (DESIGN.md §6 "Maps"): nodes with roles, influence, reach,
    key-node status (DESIGN.md §5 "Key node", thresholds `top_share` and `min_reach3`),
    interests and layout positions, and the edges between them.

    At most `max_nodes` people are drawn one by one (staff always are); beyond that the rest
    are summarised per role (see the module docstring). `highlight` people (e.g. an
    introduction path) are always drawn, with the social ties among them, even when they
    belong to another store. Cached until the store network changes. Unknown store ->
    NotFound. Reads stored influence: run `refresh_influence` after loads.
    """
    if max_nodes < 1:
        raise InvalidInput("max_nodes must be at least 1")
    wanted = sorted(set(highlight or ()))
    started = time.perf_counter()
    head = gateway.read_text(FINGERPRINT, store_id=store_id)[0]
    if not head["found"]:
        raise NotFound(f"store {store_id}")
    version = _fingerprint(head)
    key = (
        gateway.settings.neo4j_uri, gateway.database, store_id, max_nodes, tuple(wanted),
        top_share, min_reach3,
    )  # fmt: skip
    network = _CACHE.get(key, version)
    if network is None:
        steps = {"fingerprint": round(time.perf_counter() - started, 4)}
        network = _build(
            gateway, store_id, head, version, max_nodes, wanted, top_share, min_reach3, steps
        )
        _CACHE.put(key, version, network)
    return network
