"""Whom to seed: the k people of a store whose sharing is expected to reach the most people
(influence maximisation; Kempe, Kleinberg and Tardos 2003, CELF by Leskovec et al. 2007).

The spread graph of a store network (DESIGN.md §5 "Home store") has a relationship s -> v when
v, of the same home store, opened a share of s: s's sharing has reached v before. Sharing
spreads by the independent-cascade model: a person who shares passes it on to each such v
once, with the propagation probability `p` (default `FISSION_SEED_PROPAGATION_PROBABILITY`,
0.1: one past visitor in ten opens and passes on a given campaign; the common choice in the
literature and GDS's own default). The expected spread of a set of seeds counts the seeds
themselves and everyone the cascade reaches in the store network.

The candidates come from `gds.influenceMaximization.celf` in the database (its `candidates(k)`
= 3k + 10 best picks, `CELF_SIMULATIONS` Monte Carlo runs, random seed `RANDOM_SEED`); the k
seeds are then chosen among them by greedy here (`greedy_seeds`), on `SPREAD_SIMULATIONS`
independent-cascade runs shared by every candidate (common random numbers, so gains are exactly
submodular and the greedy keeps its (1 - 1/e) guarantee on the candidates). Why not GDS's picks
as they are: GDS 2.13.9's simulation draws the coin flips of every node's relationships from the
same random sequence per run (its `ICLazyForwardTask` seeds a new generator with the run number
for each node it visits), so flips along a path are perfectly correlated and its spreads
overstate deep cascades: on a chain s -> a -> b with p = 0.5 it reports 2.5 where the model's
expectation is 1.75, and it ranks a 3-step chain's root above a better 2-leaf star
(tests/graph/test_seeds.py). Its own gains are kept beside ours as `celf_gain` (0 where GDS was
not asked). GDS 2.13.9's CELF also fails (ArrayIndexOutOfBoundsException) once fewer than about
twice its batch of 10 candidates are left unpicked, so it is asked for at most
`nodes - CELF_MARGIN` picks, and on graphs of at most `ALL_CANDIDATES` people every person is a
candidate (the greedy is then plain greedy over everyone).
"""

from __future__ import annotations

import hashlib

import numpy as np
from pydantic import BaseModel, Field
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from fission.errors import InvalidInput, NotFound
from graph.gateway import Gateway
from graph.gds import projected, require_gds
from graph.influence import engagement_edges
from graph.network.cache import VersionedCache
from graph.queries import query
from graph.roles import Role, role_of

PROJECT_SPREAD = query("gds/project_store_spread")
CELF = query("seeds/celf")
PEOPLE = query("seeds/people")

CELF_SIMULATIONS = 1000
SPREAD_SIMULATIONS = 1000
RANDOM_SEED = 42
MAX_K = 50
CELF_MARGIN = 21
ALL_CANDIDATES = 60


class Seed(BaseModel):
    rank: int = Field(description="Pick order: 1 is CELF's first pick.")
    person_id: str
    role: Role
    display_name: str | None = Field(description="Staff members' display name.")
    marginal_gain: float = Field(
        description="Expected people the spread gains by adding this pick to the earlier ones "
        "(the pick included)."
    )
    expected_spread: float = Field(description="Expected spread of the picks up to this one.")
    celf_gain: float = Field(description="GDS CELF's own estimate of the gain (see graph.seeds).")


class SeedPlan(BaseModel):
    store_id: str
    k: int = Field(description="Seeds asked for (fewer when fewer people can spread).")
    propagation_probability: float
    simulations: int = Field(description="Independent-cascade runs behind each spread figure.")
    people: int = Field(description="People in the store's spread graph.")
    relationships: int
    expected_spread: float = Field(description="Expected spread of all the seeds together.")
    seeds: list[Seed]


# Plans per (server, store, k, p), valid while the store's spread edges are the same.
_CACHE: VersionedCache[SeedPlan] = VersionedCache(256)


def candidates(k: int) -> int:
    """How many of GDS's picks the greedy chooses among: enough that its bias rarely hides the
    best."""
    return 3 * k + 10


def _worlds(
    edges: list[tuple[str, str]], names: list[str], probability: float, simulations: int, seed: int
) -> list[csr_matrix]:
    index = {name: i for i, name in enumerate(names)}
    source = np.array([index[s] for s, _ in edges], dtype=np.int64)
    target = np.array([index[t] for _, t in edges], dtype=np.int64)
    rng = np.random.default_rng(seed)
    worlds = []
    for _ in range(simulations):
        live = rng.random(len(edges)) < probability
        worlds.append(
            csr_matrix(
                (np.ones(int(live.sum())), (source[live], target[live])), shape=(len(names),) * 2
            )
        )
    return worlds


def greedy_seeds(
    edges: list[tuple[str, str]],
    pool: list[str],
    k: int,
    probability: float,
    simulations: int = SPREAD_SIMULATIONS,
    random_seed: int = RANDOM_SEED,
) -> list[tuple[str, float]]:
    """Greedy influence maximisation over the people of `pool` under the independent-cascade
    model: k picks (fewer if the pool is smaller), each the one adding the most expected spread
    to the earlier ones, ties by id; with the expected spread of the picks so far. Every
    candidate is evaluated on the same `simulations` live-edge worlds."""
    names = sorted({n for edge in edges for n in edge} | set(pool))
    index = {name: i for i, name in enumerate(names)}
    worlds = _worlds(edges, names, probability, simulations, random_seed)
    reach = {
        person: [breadth_first_order(w, index[person], return_predecessors=False) for w in worlds]
        for person in sorted(set(pool))
    }
    covered = np.zeros((len(worlds), len(names)), dtype=bool)
    picks: list[tuple[str, float]] = []
    total = 0.0
    for _ in range(min(k, len(reach))):
        gains = {
            person: sum(int((~covered[r][reached]).sum()) for r, reached in enumerate(runs))
            for person, runs in reach.items()
        }
        best = min(gains, key=lambda person: (-gains[person], person))
        for r, reached in enumerate(reach.pop(best)):
            covered[r][reached] = True
        total += gains[best] / len(worlds)
        picks.append((best, total))
    return picks


def independent_cascade_spread(
    edges: list[tuple[str, str]],
    seeds: list[str],
    probability: float,
    simulations: int = SPREAD_SIMULATIONS,
    random_seed: int = RANDOM_SEED,
) -> list[float]:
    """Expected spread (seeds included) of each prefix seeds[:1], seeds[:2], ... under the
    independent-cascade model: every relationship (source, target) is live with `probability`,
    independently, in each of `simulations` runs; a run reaches what the seeds reach over live
    relationships."""
    names = sorted({n for edge in edges for n in edge} | set(seeds))
    index = {name: i for i, name in enumerate(names)}
    totals = np.zeros(len(seeds))
    for graph in _worlds(edges, names, probability, simulations, random_seed):
        reached = np.zeros(len(names), dtype=bool)
        for i, seed in enumerate(seeds):
            if not reached[index[seed]]:
                reached[breadth_first_order(graph, index[seed], return_predecessors=False)] = True
            totals[i] += reached.sum()
    return list(totals / simulations)


def store_seeds(
    gateway: Gateway, store_id: str, k: int = 5, probability: float | None = None
) -> SeedPlan:
    """The k people of the store to seed, in pick order, with the expected spread and marginal
    gain of each (see the module docstring). Unknown store -> NotFound; no GDS ->
    FeatureUnavailable; a store where nobody's share reached anyone has no seeds. Kept until
    the store's spread edges change."""
    p = gateway.settings.seed_propagation_probability if probability is None else probability
    if not 1 <= k <= MAX_K:
        raise InvalidInput(f"k must be between 1 and {MAX_K}")
    if not 0 < p <= 1:
        raise InvalidInput("the propagation probability must be in (0, 1]")
    require_gds(gateway, "Whom to seed")
    edges = engagement_edges(gateway, store_id)
    spread_edges = list(zip(edges["sharer"], edges["visitor"], strict=True))
    key = (gateway.settings.neo4j_uri, gateway.database, store_id, k, p)
    version = hashlib.sha1(repr(spread_edges).encode()).hexdigest()
    cached = _CACHE.get(key, version)
    if cached is not None:
        return cached
    celf: dict[str, float] = {}
    people = sorted({person for edge in spread_edges for person in edge})
    with projected(gateway, PROJECT_SPREAD, store_id=store_id) as graph:
        if graph.name is not None and graph.nodes > ALL_CANDIDATES:
            rows = gateway.read(
                CELF,
                graph_name=graph.name,
                k=min(candidates(k), graph.nodes - CELF_MARGIN),
                probability=p,
                simulations=CELF_SIMULATIONS,
                random_seed=RANDOM_SEED,
            )
            celf = {r["person_id"]: float(r["gain"]) for r in rows}
    pool = list(celf) if celf else people
    picks = greedy_seeds(spread_edges, pool, k, p) if pool else []
    head = gateway.read(PEOPLE, store_id=store_id, ids=[pid for pid, _ in picks])[0]
    if not head["found"]:
        raise NotFound(f"store {store_id}")
    spreads = [spread for _, spread in picks]
    who = {row["id"]: row for row in head["people"]}
    seeds = []
    for rank, (pid, spread) in enumerate(picks, 1):
        person = who[pid]
        seeds.append(
            Seed(
                rank=rank,
                person_id=pid,
                role=role_of(staff=person["staff"], agent=person["agent"], member=person["member"]),
                display_name=person["display_name"] if person["staff"] else None,
                marginal_gain=round(spread - (spreads[rank - 2] if rank > 1 else 0.0), 4),
                expected_spread=round(spread, 4),
                celf_gain=round(celf.get(pid, 0.0), 4),
            )
        )
    plan = SeedPlan(
        store_id=store_id,
        k=k,
        propagation_probability=p,
        simulations=SPREAD_SIMULATIONS,
        people=len(people),
        relationships=len(spread_edges),
        expected_spread=round(spreads[-1], 4) if spreads else 0.0,
        seeds=seeds,
    )
    _CACHE.put(key, version, plan)
    return plan
