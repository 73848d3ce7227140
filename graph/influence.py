"""Influencer centrality: PageRank on the engagement graph (DESIGN.md §5 "Influence").

The engagement graph has an edge visitor -> sharer (visitor != sharer) weighted by the number of
distinct shares of the sharer that the visitor visited; its nodes are the people with at least
one such edge, everyone else scores 0. It is ranked twice: brand-wide, and per store network
(only the edges among the people whose HOME is that store). Scores sum to 1 over the graph that
was ranked.

`refresh_influence` pulls the weighted edges with Cypher, ranks with python-igraph (PRPACK,
damping 0.85; dangling nodes spread their rank uniformly, exactly as networkx does) and writes
every person's scores back in batches: `influence`, `store_influence`, `store_influence_pct`
and `influence_at`. Graph Data Science is not used: it is not installed where this project
runs and tests, so only this path is tested. Key nodes, profiles and recommendations read the
stored scores, so run a refresh after each load.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import igraph as ig
import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from fission.errors import InvalidInput, NotFound
from graph.gateway import Gateway, Row
from graph.queries import query

BRAND_EDGES = query("influence/engagement_edges")
STORE_EDGES = query("influence/store_engagement_edges")
PEOPLE = query("influence/people")
WRITE_SCORES = query("influence/write_scores")
TOP_BRAND = query("influence/top_brand")
TOP_STORE = query("influence/top_store")

DAMPING = 0.85
WRITE_BATCH = 10_000
# PRPACK is exact to ~1e-15 on small graphs; rounding scores to 40 significant bits (~12
# digits) makes people in symmetric positions tie exactly, so "ties included" rules see ties.
MANTISSA_BITS = 40

EDGE_COLUMNS = ["visitor", "sharer", "weight"]


class InfluenceReport(BaseModel):
    """What a refresh ranked and wrote, and how long each step took."""

    people: int = Field(description="People whose scores were written (everyone).")
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
    graph = ig.Graph(n=len(names), edges=pairs[order].tolist(), directed=True)
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


def _explode(rows: list[Row]) -> pd.DataFrame:
    """Edges grouped per visitor (visitors[i] -> sharers[i][j], weights[i][j]) as rows."""
    visitors: list[str] = []
    sharers: list[str] = []
    weights: list[int] = []
    for row in rows:
        for visitor, out, w in zip(row["visitors"], row["sharers"], row["weights"], strict=True):
            visitors.extend([visitor] * len(out))
            sharers.extend(out)
            weights.extend(w)
    return pd.DataFrame(
        {
            "visitor": pd.Series(visitors, dtype=object),
            "sharer": pd.Series(sharers, dtype=object),
            "weight": pd.Series(weights, dtype=np.int64),
        }
    )


def _homes(rows: list[Row]) -> pd.Series:
    """Home store per person id (None without a home), from the grouped people query."""
    ids = [pid for row in rows for pid in row["people"]]
    stores = [row["store_id"] for row in rows for _ in row["people"]]
    return pd.Series(stores, index=pd.Index(ids, name="id"), dtype=object, name="store_id")


def engagement_edges(gateway: Gateway, store_id: str | None = None) -> pd.DataFrame:
    """The engagement graph's weighted edges (DESIGN.md §5 "Influence") as a DataFrame.

    Columns visitor, sharer, weight; brand-wide, or with `store_id` only the edges among that
    store network's people. For notebooks and for building the networkx reference.
    """
    if store_id is None:
        frame = _explode(gateway.read(BRAND_EDGES))
    else:
        frame = pd.DataFrame(gateway.read(STORE_EDGES, store_id=store_id), columns=EDGE_COLUMNS)
    return frame.sort_values(["visitor", "sharer"], ignore_index=True)


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


def influence_scores(edges: pd.DataFrame, home: pd.Series) -> InfluenceScores:
    """Brand-wide and per-store PageRank of the engagement `edges` (visitor, sharer, weight) for
    every person in `home` (person id -> home store id, None without a home).

    `influence` is brand-wide PageRank; `store_influence` PageRank over the edges among the home
    store's network; both rounded to MANTISSA_BITS. `store_influence_pct` = percent of the home
    store's network (staff included) whose store influence is strictly lower, rounded to 4
    places (NaN without a home store). People on no edge score 0. Used by `refresh_influence`
    and by the bulk import, so both store the same numbers.
    """
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

    scores = pd.DataFrame(index=home.index)
    scores["influence"] = _rounded(brand.reindex(home.index, fill_value=0.0))
    scores["store_influence"] = _rounded(store.reindex(home.index, fill_value=0.0))
    lower = scores.groupby(home)["store_influence"].rank(method="min") - 1
    size = home.map(home.value_counts())
    pct = (100.0 * lower / size).where(home.notna())
    scores["store_influence_pct"] = [round(float(v), 4) for v in pct]
    return InfluenceScores(
        scores=scores,
        brand_nodes=len(brand),
        brand_edges=len(edges),
        stores=len(by_store),
        store_nodes=len(store),
        store_edges=len(internal),
    )


def refresh_influence(gateway: Gateway, now: datetime | None = None) -> InfluenceReport:
    """Recomputes and stores every person's influence scores (DESIGN.md §5 "Influence"; the
    numbers are `influence_scores`'), with `influence_at` = `now`."""
    computed_at = now or datetime.now(UTC)
    started = clock = time.perf_counter()
    steps: dict[str, float] = {}

    def step(name: str) -> None:
        nonlocal clock
        steps[name] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()

    edges = _explode(gateway.read(BRAND_EDGES))
    home = _homes(gateway.read(PEOPLE))
    step("read")

    ranked = influence_scores(edges, home)
    step("pagerank")
    rows = [
        {
            "id": pid,
            "influence": float(infl),
            "store_influence": float(sinfl),
            "store_influence_pct": None if np.isnan(pct) else float(pct),
        }
        for pid, infl, sinfl, pct in ranked.scores.itertuples()
    ]
    step("percentiles")
    gateway.write_batches(WRITE_SCORES, rows, WRITE_BATCH, at=computed_at)
    step("write")

    return InfluenceReport(
        people=len(rows),
        brand_nodes=ranked.brand_nodes,
        brand_edges=ranked.brand_edges,
        stores=ranked.stores,
        store_nodes=ranked.store_nodes,
        store_edges=ranked.store_edges,
        computed_at=computed_at,
        seconds=round(time.perf_counter() - started, 3),
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
