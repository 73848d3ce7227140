"""Circles and bridges within each store network (DESIGN.md §5 "Social ties", "Home store").

- **Circles**: communities of a store network's social graph (the KNOWS ties between two people
  whose HOME is the store, weighted by tie weight) by Leiden (`gds.leiden`; Traag, Waltman and
  van Eck 2019) with resolution `GAMMA` = 1 (plain modularity), randomness `THETA` = 0.01, at
  most `MAX_LEVELS` = 10 levels, random seed `RANDOM_SEED` = 42 and one thread, so the same ties
  always give the same circles. Each store is run on its own, so its modularity is its own (a
  brand-wide run would judge a small store's circles against the whole brand's ties). Circles
  are numbered per store from 1, largest first (ties: the circle whose smallest person id comes
  first). People without a tie inside their store have no circle.
- **Bridges**: betweenness centrality (`gds.betweenness`, exact, unweighted shortest paths over
  the same ties; each pair of people counted once, as networkx's unnormalised betweenness).
  A person is a bridge when they tie into at least one circle besides their own and are among
  the `BRIDGES_PER_STORE` highest betweenness (> 0) of such people in their store: the good
  introducers between circles. `bridges_circles` lists the circles they tie into, their own
  first.

`refresh_circles` computes every store and stores `circle`, `betweenness`, `bridge`,
`bridges_circles` and `circles_at` on people (`fission circles`, and after `fission load`);
`store_circles` reads a store's. Needs Graph Data Science.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from fission.errors import NotFound
from graph.gateway import Gateway, Reader, Row
from graph.gds import projected, require_gds
from graph.queries import query
from graph.roles import Role, role_of

PROJECT_TIES = query("gds/project_store_ties")
STORES = query("circles/stores")
TIES = query("circles/ties")
LEIDEN = query("circles/leiden")
BETWEENNESS = query("circles/betweenness")
CLEAR = query("circles/clear")
WRITE = query("circles/write")
STORE = query("circles/store")
OVERLAY = query("circles/overlay")

GAMMA = 1.0
THETA = 0.01
MAX_LEVELS = 10
RANDOM_SEED = 42
BRIDGES_PER_STORE = 5
WRITE_BATCH = 10_000
MEMBERS_SHOWN = 10


class CirclesReport(BaseModel):
    stores: int = Field(description="Stores with at least one tie inside their network.")
    people: int = Field(description="People given a circle.")
    circles: int
    bridges: int
    computed_at: datetime
    seconds: float


class CircleMember(BaseModel):
    person_id: str
    role: Role
    display_name: str | None
    store_influence: float


class Circle(BaseModel):
    circle: int = Field(description="1 is the store's largest circle.")
    size: int
    staff: list[str] = Field(description="Staff members in the circle.")
    top_members: list[CircleMember] = Field(
        description=f"Up to {MEMBERS_SHOWN} people of the circle, highest store influence first."
    )


class Bridge(BaseModel):
    person_id: str
    role: Role
    display_name: str | None
    circle: int
    circles: list[int] = Field(description="The circles they tie into, their own first.")
    betweenness: float
    reason: str


class StoreCircles(BaseModel):
    store_id: str
    computed_at: datetime | None = Field(description="When circles were last computed.")
    parameters: dict[str, float | int] = Field(description="Leiden's parameters.")
    people: int = Field(description="People of the store network with a circle.")
    circles: list[Circle]
    bridges: list[Bridge] = Field(description="Good introducers, highest betweenness first.")


def store_ties_circles(
    ties: list[tuple[str, str]], community: dict[str, int], betweenness: dict[str, float]
) -> list[dict[str, object]]:
    """Circle numbers (1 = largest), bridges and the circles each person ties into, for one store
    (see the module docstring); one row per person for `circles/write`."""
    groups: dict[int, list[str]] = defaultdict(list)
    for person, raw in community.items():
        groups[raw].append(person)
    order = sorted(groups.values(), key=lambda members: (-len(members), min(members)))
    circle = {person: n for n, members in enumerate(order, 1) for person in members}
    reaches: dict[str, set[int]] = defaultdict(set)
    for a, b in ties:
        reaches[a].add(circle[b])
        reaches[b].add(circle[a])
    spanning = [p for p in circle if reaches[p] - {circle[p]} and betweenness.get(p, 0.0) > 0]
    # Rounded so that equal path counts tie exactly whatever the order of summation.
    bridges = set(
        sorted(spanning, key=lambda p: (-round(betweenness[p], 9), p))[:BRIDGES_PER_STORE]
    )
    return [
        {
            "id": person,
            "circle": circle[person],
            "betweenness": round(float(betweenness.get(person, 0.0)), 9),
            "bridge": person in bridges,
            "bridges_circles": [circle[person], *sorted(reaches[person] - {circle[person]})],
        }
        for person in sorted(circle)
    ]


def refresh_circles(gateway: Gateway, now: datetime | None = None) -> CirclesReport:
    """Recomputes and stores every store network's circles and bridges (module docstring)."""
    require_gds(gateway, "Circles")
    computed_at = now or datetime.now(UTC)
    started = time.perf_counter()
    rows: list[dict[str, object]] = []
    circles = 0
    stores = [r["store_id"] for r in gateway.read(STORES)]
    for store_id in stores:
        with projected(gateway, PROJECT_TIES, store_id=store_id) as graph:
            if graph.name is None:
                continue
            leiden = gateway.read(
                LEIDEN,
                graph_name=graph.name,
                gamma=GAMMA,
                theta=THETA,
                max_levels=MAX_LEVELS,
                random_seed=RANDOM_SEED,
            )[0]
            between = gateway.read(BETWEENNESS, graph_name=graph.name)[0]
        ties = [(r["a"], r["b"]) for r in gateway.read(TIES, store_id=store_id)]
        community = dict(zip(leiden["ids"], leiden["communities"], strict=True))
        circles += len(set(community.values()))
        rows += store_ties_circles(
            ties, community, dict(zip(between["ids"], between["scores"], strict=True))
        )
    gateway.write(CLEAR)
    gateway.write_batches(WRITE, rows, WRITE_BATCH, at=computed_at)
    return CirclesReport(
        stores=len(stores),
        people=len(rows),
        circles=circles,
        bridges=sum(1 for r in rows if r["bridge"]),
        computed_at=computed_at,
        seconds=round(time.perf_counter() - started, 3),
    )


def _role(person: Row) -> Role:
    return role_of(
        staff=bool(person["staff"]), agent=bool(person["agent"]), member=bool(person["member"])
    )


def store_circles(gateway: Gateway, store_id: str) -> StoreCircles:
    """A store network's circles and bridges as last computed by `refresh_circles`; unknown
    store -> NotFound; none yet -> no circles."""
    row = gateway.read(STORE, store_id=store_id)[0]
    if not row["found"]:
        raise NotFound(f"store {store_id}")
    people = row["people"]
    by_circle: dict[int, list[Row]] = defaultdict(list)
    for person in people:
        by_circle[person["circle"]].append(person)
    circles = []
    for number in sorted(by_circle):
        members = sorted(by_circle[number], key=lambda p: (-p["store_influence"], p["id"]))
        circles.append(
            Circle(
                circle=number,
                size=len(members),
                staff=sorted(str(p["id"]) for p in members if p["staff"]),
                top_members=[
                    CircleMember(
                        person_id=p["id"],
                        role=_role(p),
                        display_name=p["display_name"] if p["staff"] else None,
                        store_influence=p["store_influence"],
                    )
                    for p in members[:MEMBERS_SHOWN]
                ],
            )
        )
    bridges = [
        Bridge(
            person_id=p["id"],
            role=_role(p),
            display_name=p["display_name"] if p["staff"] else None,
            circle=p["circle"],
            circles=p["bridges_circles"],
            betweenness=p["betweenness"],
            reason=f"ties circle {p['circle']} to circle"
            f"{'s' if len(p['bridges_circles']) > 2 else ''} "
            + ", ".join(str(c) for c in p["bridges_circles"][1:])
            + f"; on {p['betweenness']:g} shortest paths between others: a good introducer",
        )
        for p in sorted(
            (p for p in people if p["bridge"]), key=lambda p: (-p["betweenness"], p["id"])
        )
    ]
    return StoreCircles(
        store_id=store_id,
        computed_at=max((p["circles_at"] for p in people), default=None),
        parameters={
            "gamma": GAMMA,
            "theta": THETA,
            "max_levels": MAX_LEVELS,
            "random_seed": RANDOM_SEED,
        },
        people=len(people),
        circles=circles,
        bridges=bridges,
    )


def circle_marks(gateway: Reader, person_ids: Sequence[str]) -> dict[str, Row]:
    """Per person id: `circle`, `bridge` and `flags` (kinds of fraud flag naming them), as
    stored by the last refreshes; unknown ids are left out."""
    return {row["id"]: row for row in gateway.read(OVERLAY, ids=list(person_ids))}
