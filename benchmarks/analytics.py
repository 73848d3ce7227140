"""Analytics speed on a loaded preset: the influence refresh, every store's diagnosis, the HQ
overview, and p50/p95 of the per-person and per-staff answers (DESIGN.md §7: p95 <= 50 ms
warm; a store's diagnosis <= 1 s).

    python -m benchmarks.analytics --preset small
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import dataset, fresh_database, record
from graph.gateway import Gateway
from graph.influence import refresh_influence
from graph.paths import introduction_path
from graph.people import person_profile
from graph.reach import reach
from graph.recommend import recommended_contacts
from graph.stores import hq_overview, store_diagnosis
from loaders.pipeline import load_files

SAMPLES = 100
WARMUP = 20


def timings(call: Callable[[Any], object], args: list[Any]) -> dict[str, float]:
    for arg in args[:WARMUP]:
        call(arg)
    seconds = []
    for arg in args:
        started = time.perf_counter()
        call(arg)
        seconds.append(time.perf_counter() - started)
    cuts = statistics.quantiles(seconds, n=20)
    return {
        "p50_ms": round(statistics.median(seconds) * 1000, 2),
        "p95_ms": round(cuts[18] * 1000, 2),
        "n": len(seconds),
    }


def measure(gateway: Gateway) -> dict[str, Any]:
    rng = random.Random(7)
    started = time.perf_counter()
    influence = refresh_influence(gateway)
    refresh_seconds = time.perf_counter() - started
    stores = [r["id"] for r in gateway.read("MATCH (s:Store) RETURN s.id AS id")]
    customers = [
        r["id"]
        for r in gateway.read("MATCH (p:Person)-[:HOME]->() WHERE NOT p:Staff RETURN p.id AS id")
    ]
    staff = [r["id"] for r in gateway.read("MATCH (s:Staff) RETURN s.id AS id")]
    people = rng.choices(customers, k=SAMPLES)
    staff_sample = rng.choices(staff, k=SAMPLES)
    pairs = list(zip(staff_sample, people, strict=True))
    diagnosis = timings(lambda s: store_diagnosis(gateway, s), stores)
    started = time.perf_counter()
    hq_overview(gateway, limit=1000)
    overview_seconds = time.perf_counter() - started
    return {
        "people": len(customers) + len(staff),
        "stores": len(stores),
        "influence_refresh_seconds": round(refresh_seconds, 2),
        "influence_steps": influence.step_seconds,
        "store_diagnosis": diagnosis,
        "hq_overview_seconds": round(overview_seconds, 2),
        "person_profile": timings(lambda p: person_profile(gateway, p), people),
        "reach_k3": timings(lambda p: reach(gateway, p, 3), people),
        "introduction_path": timings(lambda sp: introduction_path(gateway, *sp), pairs),
        "recommended_contacts": timings(lambda s: recommended_contacts(gateway, s), staff_sample),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="small")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    folder = dataset(args.preset, "parquet", args.seed)
    with fresh_database() as gateway:
        load_files(gateway, [folder])
        result = {"preset": args.preset, **measure(gateway)}
    path = record(f"analytics-{args.preset}", result)
    print(result)
    print(f"recorded in {path}")


if __name__ == "__main__":
    main()
