"""Influencer centrality: PageRank on the engagement graph (DESIGN.md §5 "Influence").

The engagement graph has an edge visitor -> sharer (visitor != sharer) weighted by the number of
distinct shares of the sharer that the visitor visited; its nodes are the people with at least
one such edge, everyone else scores 0. It is ranked twice: brand-wide, and per store network
(only the edges among the people whose HOME is that store). Scores sum to 1 over the graph that
was ranked.

`refresh_influence` ranks on one of two engines, chosen once per process by
`graph.gds.influence_engine` (the `FISSION_INFLUENCE_ENGINE` setting; `auto` = GDS when the
server has it) and named in its report:

- `gds`: the edges never leave the database. They are projected into Graph Data Science
  (`cypher/gds/project_engagement`: type STORE for edges between two people of the same home
  store, CROSS otherwise) and ranked by `gds.pageRank` (damping 0.85, up to
  `GDS_MAX_ITERATIONS` iterations, tolerance `GDS_TOLERANCE`): brand-wide over both types,
  store networks over STORE only (no edge joins two stores, so each store's network is ranked
  on its own). GDS scores differ from networkx's in scale only: GDS teleports (1 - d) to every
  node and drops the rank of dangling nodes (no out-edge), where networkx teleports (1 - d)/N
  and spreads dangling rank evenly. Both are uniform terms, so networkx's vector solves
  x = c·1 + d·Pᵀx, which GDS's solves with c = 1 - d: the two are proportional, and dividing
  GDS's scores by their sum over each ranked graph (the brand; each store network, whose
  people are those with a STORE edge) gives networkx's to the convergence tolerance.
- `igraph`: the visitors of every share are read out as plain ids (`influence/share_visitors`:
  no aggregation in Cypher), turned into weighted edges by the bulk import's columnar code
  (`graph.derive_columnar.engagement_edges`, people numbered in id order as the import numbers
  them) and ranked in Python by python-igraph (PRPACK, damping 0.85; dangling nodes spread
  their rank uniformly, exactly as networkx does). The fallback where the server has no GDS.

Both then write back, in batches and identically, the scores of the people whose scores changed
(`influence`, `store_influence`, `store_influence_pct`, and `influence_at` = the refresh's time):
the scores stored before are read with the people, so an unchanged person costs no write.
Key nodes, profiles and recommendations read the stored scores, so run a refresh after each
load. Each refresh is
recorded (`:InfluenceRefresh`, read by `fission status`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

import igraph as ig
import numpy as np
import pandas as pd
from pydantic import BaseModel, Field
from threadpoolctl import ThreadpoolController

from fission.errors import InvalidInput, NotFound
from graph import derive_columnar
from graph.clock import as_of
from graph.gateway import Gateway, Row
from graph.gds import Engine, influence_engine, projected
from graph.queries import query

SHARE_VISITORS = query("influence/share_visitors")
STORE_EDGES = query("influence/store_engagement_edges")
PEOPLE = query("influence/people")
WRITE_SCORES = query("influence/write_scores")
TOP_BRAND = query("influence/top_brand")
TOP_STORE = query("influence/top_store")
RECORD_REFRESH = query("influence/record_refresh")
PROJECT_ENGAGEMENT = query("gds/project_engagement")
GDS_PAGERANK = query("influence/gds_pagerank")
GDS_LINKED = query("influence/gds_linked")

DAMPING = 0.85
WRITE_BATCH = 10_000
# Each score row sets one person's properties: two writers keep both cores of the server busy
# (758 k rows at `large`: 18 to 25 s with one, 11 s with two).
SCORE_WRITERS = 2
# PRPACK is exact to ~1e-15 on small graphs; rounding scores to 40 significant bits (~12
# digits) makes people in symmetric positions tie exactly, so "ties included" rules see ties.
MANTISSA_BITS = 40
# GDS iterates until no score moves by more than the tolerance (scores of order 1): 1e-11 is
# about 150 iterations at damping 0.85, far inside the 1e-4 agreement with networkx required.
GDS_TOLERANCE = 1e-11
GDS_MAX_ITERATIONS = 1000

# PRPACK sums in parallel under OpenMP, in an order that changes from run to run: the last bits
# of every score, and 7 000 of 759 000 scores even after rounding, at `large`. On one thread it
# is as fast here (2.5 s for 3.3 M edges) and the same edges give the same bits every time.
OPENMP = ThreadpoolController()

EDGE_COLUMNS = ["visitor", "sharer", "weight"]
SCORE_COLUMNS = ["influence", "store_influence", "store_influence_pct"]


class InfluenceReport(BaseModel):
    """What a refresh ranked and wrote, and how long each step took."""

    engine: Engine = Field(
        description="`gds` (gds.pageRank in the database) or `igraph` (in Python)."
    )
    people: int = Field(description="People ranked (everyone; those on no edge score 0).")
    written: int = Field(
        description="People whose scores changed and were written back (with influence_at)."
    )
    brand_nodes: int = Field(description="People in the brand-wide engagement graph.")
    brand_edges: int
    stores: int = Field(description="Store networks with at least one internal edge.")
    store_nodes: int = Field(description="People ranked within their home store's network.")
    store_edges: int
    computed_at: datetime
    seconds: float
    step_seconds: dict[str, float]


class Influencer(BaseModel):
    """One person in a ranking of influence (brand-wide or within one store network)."""

    rank: int = Field(description="1 + the number of people in this ranking scoring higher.")
    person_id: str
    score: float = Field(description="The score this ranking orders by.")
    influence: float = Field(description="Brand-wide PageRank.")
    store_influence: float = Field(description="PageRank within the home store's network.")
    store_influence_pct: float | None = Field(
        description="Percent of the home store's network with a lower store influence."
    )
    store_id: str | None = Field(description="Home store.")
    staff_role: str | None
    display_name: str | None = Field(description="Staff members' display name.")
    member: bool
    agent: bool


def pagerank(edges: pd.DataFrame) -> pd.Series:
    """PageRank (damping 0.85) of a weighted edge list (visitor, sharer, weight), per person.

    DESIGN.md §5 "Influence": nodes are the people on some edge; scores sum to 1. Agrees with
    `networkx.pagerank(G, alpha=0.85, weight="weight")` on the same edges. Nodes are numbered
    in id order and edges sorted, so the same edges in any order give bit-identical scores (the
    percentiles and "ties included" rules compare them exactly).
    """
    if edges.empty:
        return pd.Series(dtype=float)
    codes, names = pd.factorize(
        pd.concat([edges["visitor"], edges["sharer"]], ignore_index=True), sort=True
    )
    n_edges = len(edges)
    pairs = np.column_stack([codes[:n_edges], codes[n_edges:]])
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    graph = ig.Graph(n=len(names), directed=True)
    # From a numpy array, add_edges takes 1 s for 3.3 M edges; a Python list takes 3.7 s.
    graph.add_edges(pairs[order])
    with OPENMP.limit(limits=1, user_api="openmp"):
        scores = graph.pagerank(
            weights=edges["weight"].to_numpy(dtype=float)[order].tolist(),
            damping=DAMPING,
            directed=True,
            implementation="prpack",
        )
    return pd.Series(scores, index=names, dtype=float)


def _rounded(values: pd.Series) -> pd.Series:
    mantissa, exponent = np.frexp(values.to_numpy(dtype=float))
    scale = float(2**MANTISSA_BITS)
    return pd.Series(np.ldexp(np.round(mantissa * scale) / scale, exponent), index=values.index)


def _engagement_codes(gateway: Gateway, people: pd.Index) -> pd.DataFrame:
    """The brand's engagement edges with each person given as a position in `people` (their
    ids, sorted). People missing from `people` (loaded after it was read) are left out."""
    rows = gateway.read(SHARE_VISITORS)
    per_share = [visitors for row in rows for visitors in row["shares"]]
    sizes = np.fromiter(map(len, per_share), dtype=np.int64, count=len(per_share))
    visitor = people.get_indexer(pd.Index(list(chain.from_iterable(per_share)), dtype=object))
    share = np.repeat(np.arange(len(per_share)), sizes)
    share_sharer = np.repeat(
        people.get_indexer(pd.Index([row["sharer"] for row in rows], dtype=object)),
        [len(row["shares"]) for row in rows],
    )
    known = (visitor >= 0) & (share_sharer[share] >= 0)
    return derive_columnar.engagement_edges(visitor[known], share[known], share_sharer)


def _homes(rows: list[Row]) -> pd.Series:
    """Home store per person id (None without a home), from the grouped people query."""
    ids = [pid for row in rows for pid in row["people"]]
    stores = [row["store_id"] for row in rows for _ in row["people"]]
    return pd.Series(stores, index=pd.Index(ids, name="id"), dtype=object, name="store_id")


def _stored_scores(rows: list[Row], index: pd.Index) -> pd.DataFrame:
    """The scores stored before this refresh (NaN: none), from the grouped people query."""
    stored = pd.DataFrame(
        {
            column: np.fromiter(
                (v for row in rows for v in row[column]), dtype=float, count=len(index)
            )
            for column in SCORE_COLUMNS
        },
        index=index,
    )
    return stored.where(stored >= 0)


def _changed(scores: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """The rows of `scores` that differ from `stored` (a score appearing or vanishing counts)."""
    new, old = scores[SCORE_COLUMNS], stored.reindex(scores.index)[SCORE_COLUMNS]
    same = (new == old) | (new.isna() & old.isna())
    return scores[~same.all(axis=1)]


def engagement_edges(gateway: Gateway, store_id: str | None = None) -> pd.DataFrame:
    """The engagement graph's weighted edges (DESIGN.md §5 "Influence") as a DataFrame.

    Columns visitor, sharer, weight; brand-wide, or with `store_id` only the edges among that
    store network's people. For notebooks and for building the networkx reference.
    """
    if store_id is None:
        people = _homes(gateway.read(PEOPLE)).index.sort_values()
        codes = _engagement_codes(gateway, people)
        frame = codes.assign(visitor=people[codes["visitor"]], sharer=people[codes["sharer"]])
    else:
        frame = pd.DataFrame(gateway.read(STORE_EDGES, store_id=store_id), columns=EDGE_COLUMNS)
    return frame.sort_values(["visitor", "sharer"], ignore_index=True)


@dataclass
class _Ranked:
    """PageRank scores of one refresh before they are stored, with what was ranked."""

    brand: pd.Series
    store: pd.Series
    brand_edges: int
    store_edges: int


@dataclass(frozen=True)
class InfluenceScores:
    """Every person's scores (index: person id; columns influence, store_influence,
    store_influence_pct) and the size of the graphs that were ranked."""

    scores: pd.DataFrame
    brand_nodes: int
    brand_edges: int
    stores: int
    store_nodes: int
    store_edges: int


def _rank_edges(edges: pd.DataFrame, home: pd.Series) -> _Ranked:
    """igraph PageRank of in-memory engagement edges: brand-wide, and per store network over
    the edges among its people."""
    brand = pagerank(edges)
    edges = edges.assign(
        visitor_store=home.reindex(edges["visitor"]).to_numpy(),
        sharer_store=home.reindex(edges["sharer"]).to_numpy(),
    )
    internal = edges[
        edges["visitor_store"].notna() & (edges["visitor_store"] == edges["sharer_store"])
    ]
    by_store = [pagerank(group) for _, group in internal.groupby("visitor_store", sort=True)]
    store = pd.concat(by_store) if by_store else pd.Series(dtype=float)
    return _Ranked(brand=brand, store=store, brand_edges=len(edges), store_edges=len(internal))


def _scores(ranked: _Ranked, home: pd.Series) -> InfluenceScores:
    """The stored form of ranked scores for every person in `home` (see `influence_scores`)."""
    scores = pd.DataFrame(index=home.index)
    scores["influence"] = _rounded(ranked.brand.reindex(home.index, fill_value=0.0))
    scores["store_influence"] = _rounded(ranked.store.reindex(home.index, fill_value=0.0))
    lower = scores.groupby(home)["store_influence"].rank(method="min") - 1
    size = home.map(home.value_counts())
    pct = (100.0 * lower / size).where(home.notna())
    scores["store_influence_pct"] = [round(float(v), 4) for v in pct]
    return InfluenceScores(
        scores=scores,
        brand_nodes=len(ranked.brand),
        brand_edges=ranked.brand_edges,
        stores=home.reindex(ranked.store.index).nunique(),
        store_nodes=len(ranked.store),
        store_edges=ranked.store_edges,
    )


def influence_scores(edges: pd.DataFrame, home: pd.Series) -> InfluenceScores:
    """Brand-wide and per-store PageRank of the engagement `edges` (visitor, sharer, weight) for
    every person in `home` (person id -> home store id, None without a home), by igraph.

    `influence` is brand-wide PageRank; `store_influence` PageRank over the edges among the home
    store's network; both rounded to MANTISSA_BITS. `store_influence_pct` = percent of the home
    store's network (staff included) whose store influence is strictly lower, rounded to 4
    places (NaN without a home store). People on no edge score 0. The bulk import uses it on
    the edges it holds in memory; `refresh_influence` stores the same numbers.
    """
    return _scores(_rank_edges(edges, home), home)


def _by_igraph(gateway: Gateway, home: pd.Series, step: Callable[[str], None]) -> _Ranked:
    # Numbered in id order, as the bulk import numbers people: the same edges, bit for bit.
    people = home.index.sort_values()
    edges = _engagement_codes(gateway, people)
    step("read")
    ranked = _rank_edges(edges, pd.Series(home.reindex(people).to_numpy(), dtype=object))
    ranked.brand.index = people[ranked.brand.index]
    ranked.store.index = people[ranked.store.index]
    step("pagerank")
    return ranked


def _gds_scores(gateway: Gateway, graph_name: str, types: list[str]) -> pd.Series:
    row = gateway.read(
        GDS_PAGERANK,
        graph_name=graph_name,
        types=types,
        damping=DAMPING,
        max_iterations=GDS_MAX_ITERATIONS,
        tolerance=GDS_TOLERANCE,
    )[0]
    return pd.Series(row["scores"], index=row["ids"], dtype=float)


def _by_gds(gateway: Gateway, home: pd.Series, step: Callable[[str], None]) -> _Ranked:
    with projected(gateway, PROJECT_ENGAGEMENT) as graph:
        step("project")
        if graph.name is None:
            return _Ranked(brand=pd.Series(dtype=float), store=pd.Series(dtype=float),
                           brand_edges=0, store_edges=0)  # fmt: skip
        raw_brand = _gds_scores(gateway, graph.name, ["*"])
        # GDS refuses a relationship type the graph lacks: no STORE edge, no store ranking.
        linked: Row = {"ids": [], "degrees": []}
        raw_store = pd.Series(dtype=float)
        if graph.row["store_relationships"]:
            raw_store = _gds_scores(gateway, graph.name, ["STORE"])
            linked = gateway.read(GDS_LINKED, graph_name=graph.name, types=["STORE"])[0]
    step("pagerank")
    # Rescaled to sum to 1 over each ranked graph (see the module docstring).
    brand = raw_brand / raw_brand.sum()
    store = raw_store.reindex(linked["ids"])
    store = store / store.groupby(home.reindex(store.index).to_numpy()).transform("sum")
    return _Ranked(
        brand=brand,
        store=store,
        brand_edges=graph.relationships,
        store_edges=sum(linked["degrees"]) // 2,
    )


def refresh_influence(
    gateway: Gateway, now: datetime | None = None, engine: Engine | None = None
) -> InfluenceReport:
    """Recomputes and stores every person's influence scores (DESIGN.md §5 "Influence"; the
    stored form is `influence_scores`'), with `influence_at` = `now`. `engine` defaults to
    `graph.gds.influence_engine` (see the module docstring).
    """
    computed_at = as_of(now)
    engine = engine or influence_engine(gateway)
    started = clock = time.perf_counter()
    steps: dict[str, float] = {}

    def step(name: str) -> None:
        nonlocal clock
        steps[name] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()

    people = gateway.read(PEOPLE)
    home = _homes(people)
    stored = _stored_scores(people, home.index)
    step("people")
    ranked = _scores((_by_gds if engine == "gds" else _by_igraph)(gateway, home, step), home)
    changed = _changed(ranked.scores, stored)
    rows = [
        {
            "id": pid,
            "influence": float(infl),
            "store_influence": float(sinfl),
            "store_influence_pct": None if np.isnan(pct) else float(pct),
        }
        for pid, infl, sinfl, pct in changed[SCORE_COLUMNS].itertuples()
    ]
    step("percentiles")
    gateway.write_batches(WRITE_SCORES, rows, WRITE_BATCH, writers=SCORE_WRITERS, at=computed_at)
    step("write")

    seconds = round(time.perf_counter() - started, 3)
    gateway.write(RECORD_REFRESH, at=computed_at, seconds=seconds, people=len(home))
    return InfluenceReport(
        engine=engine,
        people=len(home),
        written=len(rows),
        brand_nodes=ranked.brand_nodes,
        brand_edges=ranked.brand_edges,
        stores=ranked.stores,
        store_nodes=ranked.store_nodes,
        store_edges=ranked.store_edges,
        computed_at=computed_at,
        seconds=seconds,
        step_seconds=steps,
    )


def _influencer(row: Row, rank: int, score: float) -> Influencer:
    return Influencer(
        rank=rank,
        person_id=row["id"],
        score=score,
        influence=row["influence"] or 0.0,
        store_influence=row["store_influence"] or 0.0,
        store_influence_pct=row["store_influence_pct"],
        store_id=row["store_id"],
        staff_role=row["role"],
        display_name=row["display_name"] if row["role"] else None,
        member=row["member"],
        agent=row["agent"],
    )


def top_influencers(
    gateway: Gateway, store_id: str | None = None, limit: int = 10
) -> list[Influencer]:
    """The highest stored influence scores (DESIGN.md §5 "Influence"), best first.

    Brand-wide (`influence`) when `store_id` is None, else within that store's network
    (`store_influence`); people scoring 0 are left out; ties ordered by person id. Reads what
    the last `refresh_influence` stored. Unknown store -> NotFound.
    """
    if limit < 1:
        raise InvalidInput("limit must be at least 1")
    if store_id is None:
        rows = gateway.read(TOP_BRAND, limit=limit)
        key = "influence"
    else:
        rows = gateway.read(TOP_STORE, store_id=store_id, limit=limit)
        if not rows or not rows[0]["store_found"]:
            raise NotFound(f"store {store_id}")
        rows = [r for r in rows if r["id"] is not None]
        key = "store_influence"
    result: list[Influencer] = []
    for i, row in enumerate(rows):
        score = float(row[key])
        tied = bool(result) and result[-1].score == score
        result.append(_influencer(row, result[-1].rank if tied else i + 1, score))
    return result
