"""Influence refresh (DESIGN.md §5 "Influence", §7: brand-wide and per-store refresh <= 10 s at
`large`) on three engines over the same edges, in one run: GDS (`gds.pageRank` in the database,
the default where the server has it), igraph (edges read out, PRPACK in Python: the fallback)
and networkx (the reference, on the edges the igraph path reads). GDS and igraph time the whole
refresh, writing scores included; networkx times only its PageRank calls (brand + every store)
on edges already in memory, so its figure is a lower bound for a networkx engine. Each engine
runs `--repeat` times; the median is recorded beside every run, and the largest difference
between the GDS and igraph scores stored.

Heavy (medium/large presets, 4 GiB heap): run it under the machine-wide lock:

    flock /tmp/fission-heavy.lock .venv/bin/python -m benchmarks.influence --preset medium
    .venv/bin/python -m benchmarks.influence --preset small --heap 2g --pagecache 2g
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import networkx as nx
import pandas as pd

from benchmarks.common import dataset, existing_memory, fresh_database, record
from fission.settings import get_settings
from graph.gateway import Gateway
from graph.influence import DAMPING, engagement_edges, refresh_influence
from loaders.pipeline import load_files

NOTE = "Medians of the refreshes; the load average says whether other work shared the cores."
HOMES = "MATCH (p:Person)-[:HOME]->(s:Store) RETURN p.id AS id, s.id AS store_id"
SCORES = "MATCH (p:Person) RETURN p.id AS id, p.influence AS brand, p.store_influence AS store"


def _scores(gateway: Gateway) -> pd.DataFrame:
    return pd.DataFrame(gateway.read(SCORES)).set_index("id").sort_index()


def _networkx(edges: pd.DataFrame, homes: pd.Series) -> float:
    started = time.perf_counter()
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(edges.itertuples(index=False, name=None))
    nx.pagerank(graph, alpha=DAMPING, weight="weight")
    visitor_store = homes.reindex(edges["visitor"]).to_numpy()
    internal = edges[(visitor_store == homes.reindex(edges["sharer"]).to_numpy())]
    for _, group in internal.groupby(homes.reindex(internal["visitor"]).to_numpy()):
        store_graph = nx.DiGraph()
        store_graph.add_weighted_edges_from(group.itertuples(index=False, name=None))
        nx.pagerank(store_graph, alpha=DAMPING, weight="weight")
    return time.perf_counter() - started


def measure(gateway: Gateway, repeat: int, with_networkx: bool = True) -> dict[str, Any]:
    runs: dict[str, list[float]] = {"gds": [], "igraph": [], "networkx": []}
    steps: dict[str, list[dict[str, float]]] = {"gds": [], "igraph": []}
    written: dict[str, list[int]] = {"gds": [], "igraph": []}
    stored: dict[str, pd.DataFrame] = {}
    report = None
    # Each engine's first refresh rewrites nearly every score (the other engine's differ in the
    # last bits); the runs after it find nothing changed, as a refresh of an unchanged brand.
    for engine in ("gds", "igraph"):
        for _ in range(repeat):
            report = refresh_influence(gateway, engine=engine)
            runs[engine].append(report.seconds)
            steps[engine].append(report.step_seconds)
            written[engine].append(report.written)
        stored[engine] = _scores(gateway)
    if with_networkx:
        edges = engagement_edges(gateway)
        homes = pd.DataFrame(gateway.read(HOMES)).set_index("id")["store_id"]
        for _ in range(repeat):
            runs["networkx"].append(round(_networkx(edges, homes), 3))
    difference = (stored["gds"] - stored["igraph"]).abs().max()
    assert report is not None
    return {
        "people": report.people,
        "brand_nodes": report.brand_nodes,
        "brand_edges": report.brand_edges,
        "stores": report.stores,
        "store_edges": report.store_edges,
        "seconds_median": {k: round(statistics.median(v), 3) for k, v in runs.items() if v},
        "seconds_runs": runs,
        "step_seconds": steps,
        "written": written,
        "max_abs_difference_gds_vs_igraph": {
            "influence": float(difference["brand"]),
            "store_influence": float(difference["store"]),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="medium")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--heap", default="4g")
    parser.add_argument("--pagecache", default="6g")
    parser.add_argument(
        "--no-networkx",
        action="store_true",
        help="Leave networkx out (at `large` it takes longer than both engines together).",
    )
    parser.add_argument(
        "--existing",
        action="store_true",
        help="Refresh the database the settings name (loaded, e.g. by `fission import`), "
        "instead of loading the preset into a fresh server; its scores are overwritten.",
    )
    args = parser.parse_args()
    if args.existing:
        settings = get_settings()
        with Gateway(settings) as gateway:
            result = {
                "preset": args.preset,
                **existing_memory(settings),
                "note": NOTE,
                **measure(gateway, args.repeat, not args.no_networkx),
            }
    else:
        folder = dataset(args.preset, "parquet", args.seed)
        with fresh_database(args.heap, args.pagecache) as gateway:
            started = time.perf_counter()
            load_files(gateway, [folder])
            load_seconds = round(time.perf_counter() - started, 1)
            result = {
                "preset": args.preset,
                "heap": args.heap,
                "pagecache": args.pagecache,
                "load_seconds": load_seconds,
                "note": NOTE,
                **measure(gateway, args.repeat, not args.no_networkx),
            }
    path = record(f"influence-{args.preset}", result)
    print(result)
    print(f"recorded in {path}")


if __name__ == "__main__":
    main()
