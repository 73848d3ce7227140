"""Customer value speed (issue 13) on a loaded preset: each store's figures one at a time
(p50/p95 over the stores, at most 200 of them); the brand-wide answers HQ asks for, every
store at once, computed live (median of 3 runs); the snapshot refresh that precomputes them;
and HQ's reads of that snapshot, a page of 50 stores and all of them (p50/p95 of 20). Windows
end where the generated data ends, so they hold real activity. Heavy presets must hold the
machine-wide lock:

    flock /tmp/fission-heavy.lock .venv/bin/python -m benchmarks.value --preset large

With `--home DIR` the server's database is kept in DIR and reused by later runs (the load
and influence refresh are done once).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from benchmarks.analytics import timings
from benchmarks.common import dataset, record
from fission.localserver import throwaway_server
from fission.settings import get_settings
from graph.gateway import Gateway
from graph.influence import refresh_influence
from graph.stores import store_diagnosis
from graph.value import (
    Paging,
    agent_candidates,
    brand_agent_candidates,
    brand_funnel,
    brand_retention,
    brand_sources,
    brand_value,
    refresh_value_snapshot,
    store_funnel,
    store_retention,
    store_sources,
    store_value,
)
from loaders.pipeline import load_files

STORE_SAMPLE = 200
RUNS = 3
SNAPSHOT_READS = 20


@contextmanager
def database(home: Path | None, heap: str, pagecache: str) -> Iterator[Gateway]:
    """A server on free ports over `home` (kept), or over a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="fission-bench-") as scratch:
        base = get_settings()
        folder = home or Path(scratch)
        with throwaway_server(base, folder, heap=heap, pagecache=pagecache) as server:
            settings = base.model_copy(
                update={
                    "neo4j_uri": server.bolt_uri,
                    "neo4j_password": SecretStr(server.password()),
                }
            )
            with Gateway(settings) as gateway:
                yield gateway


def median_seconds(call: Callable[[], object]) -> float:
    seconds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return round(statistics.median(seconds), 3)


def _ignoring_argument(
    call: Callable[[int | None], object], limit: int | None
) -> Callable[[object], object]:
    return lambda _: call(limit)


def measure(gateway: Gateway, end: datetime) -> dict[str, Any]:
    stores = [r["id"] for r in gateway.read("MATCH (s:Store) RETURN s.id AS id ORDER BY id")]
    sample = random.Random(7).sample(stores, min(len(stores), STORE_SAMPLE))
    per_store: dict[str, Callable[[str], object]] = {
        "store_value": lambda s: store_value(gateway, s, end=end),
        "store_retention": lambda s: store_retention(gateway, s, end=end),
        "store_sources": lambda s: store_sources(gateway, s, end=end),
        "store_funnel": lambda s: store_funnel(gateway, s, end=end),
        "agent_candidates": lambda s: agent_candidates(gateway, s),
        "store_diagnosis": lambda s: store_diagnosis(gateway, s, end),
    }
    brand: dict[str, Callable[[], object]] = {
        "brand_value": lambda: brand_value(gateway, end=end, use_snapshot=False),
        "brand_retention": lambda: brand_retention(gateway, end=end, use_snapshot=False),
        "brand_sources": lambda: brand_sources(gateway, end=end, use_snapshot=False),
        "brand_funnel": lambda: brand_funnel(gateway, end=end, use_snapshot=False),
        "brand_agent_candidates": lambda: brand_agent_candidates(gateway, use_snapshot=False),
    }
    people = gateway.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"]
    result: dict[str, Any] = {
        "stores": len(stores),
        "people": people,
        "end": end.isoformat(),
        "per_store": {name: timings(call, sample) for name, call in per_store.items()},
        "brand_live_seconds": {name: median_seconds(call) for name, call in brand.items()},
    }
    result["snapshot_refresh"] = refresh_value_snapshot(gateway, end).seconds
    reads: dict[str, Callable[[int | None], object]] = {
        "brand_value": lambda n: brand_value(gateway, paging=Paging("amount", True, limit=n)),
        "brand_retention": lambda n: brand_retention(gateway, paging=Paging(limit=n)),
        "brand_sources": lambda n: brand_sources(gateway, paging=Paging(limit=n)),
        "brand_funnel": lambda n: brand_funnel(gateway, paging=Paging(limit=n)),
        "brand_agent_candidates": lambda n: brand_agent_candidates(gateway, paging=Paging(limit=n)),
    }
    result["brand_snapshot_reads"] = {
        name: {
            f"{label}_stores": timings(_ignoring_argument(call, n), [0] * SNAPSHOT_READS)
            for label, n in (("page_of_50", 50), ("all", None))
        }
        for name, call in reads.items()
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="small")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--home", type=Path, help="Keep (and reuse) the database here.")
    parser.add_argument("--heap", default="4g")
    parser.add_argument("--pagecache", default="6g")
    args = parser.parse_args()
    folder = dataset(args.preset, "parquet", args.seed)
    end = datetime.fromisoformat(json.loads((folder / "summary.json").read_text())["end"])
    with database(args.home, args.heap, args.pagecache) as gateway:
        prepared: dict[str, float] = {}
        if not gateway.read("MATCH (s:Store) RETURN count(s) > 0 AS loaded")[0]["loaded"]:
            started = time.perf_counter()
            load_files(gateway, [folder])
            prepared["load_seconds"] = round(time.perf_counter() - started, 1)
            started = time.perf_counter()
            refresh_influence(gateway)
            prepared["influence_seconds"] = round(time.perf_counter() - started, 1)
        result = {"preset": args.preset, **prepared, **measure(gateway, end)}
    path = record(f"value-{args.preset}", result)
    print(json.dumps(result, indent=2))
    print(f"recorded in {path}")


if __name__ == "__main__":
    main()
