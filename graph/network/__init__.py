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

For a store-scoped caller (a store key), people of other stores that a path or highlight brings
onto the map are drawn as "someone from another store" nodes (role `other_store`, nothing else
known about them), linked by the path's ties without weights (graph.access).

Beyond `max_nodes` people the map keeps the staff, the highlighted people, the key nodes
(DESIGN.md §5 "Key node", most influential first) with their referral ancestors in the
network, then their cascades within 3 generations (breadth first, at most
`CASCADE_PER_KEY_NODE` each, taking turns between key nodes), until the budget is spent; the
rest are counted per role.

The parts: `selection` (whom to draw in a large store), `layout` (where: seeded igraph
Fruchterman-Reingold around the store; with summary nodes, the network shrinks into y >= -0.8
and the summary nodes sit in a row at y = -1), `cache` (an LRU per store and parameters, reused
while the store network's fingerprint — people per role, referred people, first appearances,
influence refresh time: one cheap query — is unchanged), `model` (the pydantic answer).

The cache keeps each network as its JSON text and validates it again on a hit (5 ms for 1 400
people): kept as pydantic objects, 128 networks were 1.2 M objects that every full garbage
collection walked, up to 340 ms a time.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from fission.errors import InvalidInput, NotFound
from graph.access import OTHER_STORE, masker
from graph.gateway import Gateway, Row
from graph.keynodes import KeyNode, key_nodes
from graph.network import layout
from graph.network.cache import VersionedCache
from graph.network.model import (
    Aggregate,
    NetworkEdge,
    NetworkNode,
    NodeRole,
    StoreNetwork,
)
from graph.network.selection import CASCADE_PER_KEY_NODE, choose
from graph.paths import IntroductionPath
from graph.queries import query
from graph.roles import PLURAL, ROLES, Role, role_of

FINGERPRINT = query("network/fingerprint")
PEOPLE = query("network/people")
CASCADES = query("network/cascades")
TIES = query("network/ties")

CACHE_SIZE = 128
_CACHE: VersionedCache[bytes] = VersionedCache(CACHE_SIZE)

__all__ = ["NetworkEdge", "NetworkNode", "StoreNetwork", "clear_network_cache", "store_network"]


def clear_network_cache() -> None:
    """Forgets every cached network (benchmarks use it to time cold builds)."""
    _CACHE.clear()


def _people_by_role(head: Row) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(ROLES, 0)
    for mix in head["mix"]:
        counts[role_of(staff=mix["staff"], agent=mix["agent"], member=mix["member"])] += mix[
            "people"
        ]
    return counts


def _fingerprint(head: Row, people_by_role: dict[str, int]) -> str:
    parts = [
        head["people"], sorted(people_by_role.items()), head["referred"],
        head["latest_first_seen"], head["first_seen_sum"], head["scored_at"],
    ]  # fmt: skip
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:16]


def _role(row: Row) -> Role:
    return role_of(staff=row["staff"], agent=row["agent"], member=row["member"])


def _person_node(
    row: Row, store_id: str, keys: dict[str, KeyNode], highlight: set[str]
) -> NetworkNode:
    role = _role(row)
    key = keys.get(row["id"])
    return NetworkNode(
        id=row["id"],
        label=(row["display_name"] or row["id"]) if role == "staff" else row["id"],
        role=role,
        staff_role=row["staff_role"] if role == "staff" else None,
        influence=float(row["influence"]),
        influence_pct=row["influence_pct"],
        reach1=row["reach1"],
        reach3=row["reach3"],
        key=key is not None,
        key_reasons=key.reasons if key else [],
        top_interests=row["interests"],
        in_network=row["home_store_id"] == store_id,
        highlighted=row["id"] in highlight,
    )


def _edges(
    rows: list[Row], store_id: str, summaries: list[str], ties: list[Row]
) -> list[NetworkEdge]:
    """One parent per person, so the map reads as a tree around the store (see the module
    docstring), plus the social ties among the highlighted people."""
    store_node = f"store:{store_id}"
    drawn = {row["id"] for row in rows}
    edges: list[NetworkEdge] = []
    for row in rows:
        pid = row["id"]
        if row["referrer"] in drawn:
            edges.append(NetworkEdge(source=row["referrer"], target=pid, kind="referral"))
        if row["home_store_id"] != store_id:
            continue  # drawn from another store: linked by its ties only
        if row["staff"]:
            edges.append(NetworkEdge(source=pid, target=store_node, kind="works_at"))
        elif row["referrer"] not in drawn:
            edges.append(NetworkEdge(source=pid, target=store_node, kind="home"))
    edges.extend(NetworkEdge(source=s, target=store_node, kind="aggregate") for s in summaries)
    edges.extend(
        NetworkEdge(source=t["source"], target=t["target"], kind="knows", weight=t["weight"])
        for t in ties
    )
    return edges


def _place(nodes: list[NetworkNode], edges: list[NetworkEdge], aggregated: int) -> None:
    """Sets every node's x, y: the drawn network by `layout`, summary nodes in a row below."""
    drawn = nodes[: len(nodes) - aggregated]
    index = {n.id: i for i, n in enumerate(drawn)}
    pairs = [(index[e.source], index[e.target]) for e in edges if e.kind != "aggregate"]
    positions = layout.layout(len(drawn), pairs)
    if aggregated:
        positions = [(round(0.9 * x, 4), round(0.9 * y + 0.1, 4)) for x, y in positions]
        gap = 1.0 / max(aggregated - 1, 1)
        positions += [
            (round(-0.5 + i * gap, 4) if aggregated > 1 else 0.0, -1.0) for i in range(aggregated)
        ]
    for node, (x, y) in zip(nodes, positions, strict=True):
        node.x, node.y = x, y


def _build(
    gateway: Gateway,
    store_id: str,
    head: Row,
    people_by_role: dict[str, int],
    version: str,
    max_nodes: int,
    highlight: list[str],
    stand_ins: list[str],
    hidden_ties: list[tuple[str, str]],
    steps: dict[str, float],
) -> StoreNetwork:
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        steps[name] = round(time.perf_counter() - clock, 4)
        clock = time.perf_counter()

    if head["people"] <= max_nodes:
        # Drawn whole, the store needs its key nodes only to mark them: both reads side by side.
        with ThreadPoolExecutor(max_workers=1) as pool:
            ranked = pool.submit(key_nodes, gateway, store_id)
            rows = gateway.read(
                PEOPLE, store_id=store_id, everyone=True, staff=False, ids=highlight
            )
            step("people")
            keys = {k.person_id: k for k in ranked.result()}
        step("key_nodes")
    else:
        keys = {k.person_id: k for k in key_nodes(gateway, store_id)}
        step("key_nodes")
        budget = max(max_nodes - people_by_role["staff"] - len(highlight), 0)
        order = list(keys)[:budget]
        cascades = gateway.read(
            CASCADES, store_id=store_id, roots=order, per_root=CASCADE_PER_KEY_NODE
        )
        ids = choose(cascades, order, budget, highlight)
        rows = gateway.read(PEOPLE, store_id=store_id, everyone=False, staff=True, ids=ids)
        step("people")
    drawn_by_role: dict[str, int] = dict.fromkeys(ROLES, 0)
    for row in rows:
        if row["home_store_id"] == store_id:
            drawn_by_role[_role(row)] += 1
    aggregated = [
        Aggregate(
            node_id=f"aggregate:{role}", role=role, count=people_by_role[role] - drawn_by_role[role]
        )
        for role in ROLES
        if people_by_role[role] > drawn_by_role[role]
    ]
    rank: dict[str, int] = {role: i for i, role in enumerate(ROLES)}
    people = sorted(
        (_person_node(row, store_id, keys, set(highlight)) for row in rows),
        key=lambda n: (rank[n.role], -n.influence, n.id),
    )
    summaries = [
        NetworkNode(
            id=a.node_id,
            label=f"+ {a.count} {PLURAL[a.role] if a.count != 1 else a.role}",
            role=a.role,
            count=a.count,
        )
        for a in aggregated
    ]
    store: NodeRole = "store"
    others = [
        NetworkNode(
            id=pid, label=OTHER_STORE, role="other_store", in_network=False, highlighted=True
        )
        for pid in stand_ins
    ]
    nodes = [
        NetworkNode(id=f"store:{store_id}", label=head["name"] or store_id, role=store),
        *people,
        *others,
        *summaries,
    ]
    ties = gateway.read(TIES, ids=highlight) if len(highlight) > 1 else []
    drawn = {n.id for n in people}
    ties = [t for t in ties if t["source"] in drawn and t["target"] in drawn]
    edges = _edges(rows, store_id, [a.node_id for a in aggregated], ties)
    edges += [NetworkEdge(source=a, target=b, kind="knows") for a, b in hidden_ties]
    step("nodes_and_edges")
    _place(nodes, edges, len(aggregated))
    step("layout")
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
        layout=layout.describe(len(nodes)),
        step_seconds=steps,
        nodes=nodes,
        edges=edges,
    )


def store_network(
    gateway: Gateway,
    store_id: str,
    max_nodes: int | None = None,
    highlight: Sequence[str] = (),
    path: IntroductionPath | None = None,
    scope: str | None = None,
) -> StoreNetwork:
    """The store's network map (DESIGN.md §6 "Maps"): nodes with roles, influence, reach,
    key-node status (DESIGN.md §5 "Key node"), interests and layout positions, and the edges
    between them.

    At most `max_nodes` people (default: the `FISSION_MAP_MAX_NODES` setting) are drawn one by
    one (staff always are); beyond that the rest are summarised per role (see the module
    docstring). The `highlight` people and those of `path` (an introduction path) are always
    drawn, with the social ties among them, even when they belong to another store; the path
    is returned with the map. With `scope` (a store key's store), people of other stores are
    drawn as "someone from another store" (as are the hidden hops of a path computed with that
    scope). Cached until the store network changes. Unknown store -> NotFound. Reads stored
    influence: run `refresh_influence` after loads.
    """
    max_nodes = max_nodes or gateway.settings.map_max_nodes
    if max_nodes < 1:
        raise InvalidInput("max_nodes must be at least 1")
    on_path = [p.person_id for p in path.people if not p.other_store] if path else []
    mask = masker(gateway, scope, {*highlight, *on_path})
    wanted = sorted(pid for pid in {*highlight, *on_path} if not mask.hides(pid))
    stand_ins = sorted(mask.id(pid) for pid in mask.outside)
    hidden_ties: list[tuple[str, str]] = []
    if path:
        stand_ins += [p.person_id for p in path.people if p.other_store]
        hidden_ties = [(t.from_id, t.to_id) for t in path.ties if t.weight is None]
    started = time.perf_counter()
    head = gateway.read(FINGERPRINT, store_id=store_id)[0]
    if not head["found"]:
        raise NotFound(f"store {store_id}")
    people_by_role = _people_by_role(head)
    version = _fingerprint(head, people_by_role)
    settings = gateway.settings
    key = (
        settings.neo4j_uri, gateway.database, store_id, max_nodes, tuple(wanted),
        tuple(stand_ins), tuple(hidden_ties), settings.key_node_top_share,
        settings.key_node_min_reach3,
    )  # fmt: skip
    cached = _CACHE.get(key, version)
    if cached is None:
        steps = {"fingerprint": round(time.perf_counter() - started, 4)}
        network = _build(
            gateway, store_id, head, people_by_role, version, max_nodes, wanted, stand_ins,
            hidden_ties, steps,
        )  # fmt: skip
        _CACHE.put(key, version, network.model_dump_json().encode())
    else:
        network = StoreNetwork.model_validate_json(cached)
    return network.model_copy(update={"path": path}) if path else network
