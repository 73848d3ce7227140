"""API latency and throughput as users see it: the API served by uvicorn in its own process,
requests from an asyncio load generator (httpx) on loopback, one client and 20 concurrent
clients, each scenario bounded in time; the store map page drawn in headless Chromium.

    python -m benchmarks.api --preset small                  # fresh server, loads the preset
    python -m benchmarks.api --preset large --existing       # the database in the settings

Targets (DESIGN.md §7, issue 8): profile and reach p95 <= 10 ms, introduction path <= 15 ms,
recommendations <= 30 ms, a store's diagnosis and network <= 300 ms, the map page drawn
<= 1 s, the HQ overview of 1000 stores <= 1 s; with 20 clients, recommendations >= 150
requests/s and profiles >= 600 requests/s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from api.auth import hash_key
from benchmarks.common import dataset, fresh_database, record
from fission.localserver import free_ports
from fission.settings import Settings, get_settings
from graph.gateway import Gateway
from graph.influence import refresh_influence
from loaders.pipeline import load_files

KEY = "bench-hq-key"
SAMPLE = 400


@dataclass(frozen=True)
class Scenario:
    name: str
    paths: Callable[[random.Random], str]


def scenarios(gateway: Gateway, rng: random.Random) -> list[Scenario]:
    """Request paths drawn from the loaded brand: stores, customers, staff and their key
    people."""
    stores = [r["id"] for r in gateway.read("MATCH (s:Store) RETURN s.id AS id ORDER BY id")]
    people = [
        r["id"]
        for r in gateway.read(
            "MATCH (p:Person)-[:HOME]->() WHERE NOT p:Staff "
            "RETURN p.id AS id ORDER BY rand() LIMIT $n",
            n=SAMPLE,
        )
    ]
    pairs = [
        (r["staff"], r["person"])
        for r in gateway.read(
            "MATCH (s:Staff)-[:WORKS_AT]->(st:Store)<-[:HOME]-(p:Person) WHERE NOT p:Staff "
            "WITH s, p ORDER BY rand() LIMIT $n RETURN s.id AS staff, p.id AS person",
            n=SAMPLE,
        )
    ]
    staff = [s for s, _ in pairs]

    def pick(values: list[str]) -> Callable[[random.Random], str]:
        return lambda r: r.choice(values)

    return [
        Scenario("hq_overview", lambda r: "/stores?limit=20"),
        Scenario("store_diagnosis", lambda r: f"/stores/{r.choice(stores)}"),
        Scenario("store_network", lambda r: f"/stores/{r.choice(stores)}/network"),
        Scenario("person_profile", lambda r: f"/people/{pick(people)(r)}"),
        Scenario("reach", lambda r: f"/people/{pick(people)(r)}/reach?k=3"),
        Scenario(
            "introduction_path",
            lambda r: "/staff/{}/introduction-path?to={}".format(*r.choice(pairs)),
        ),
        Scenario("recommendations", lambda r: f"/staff/{r.choice(staff)}/recommendations"),
    ]


async def _run(
    base: str, scenario: Scenario, clients: int, seconds: float, seed: int
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base, headers={"X-API-Key": KEY}, limits=limits, timeout=60
    ) as client:

        async def worker(index: int) -> None:
            nonlocal errors
            rng = random.Random(seed * 1000 + index)
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(scenario.paths(rng))
                latencies.append(time.perf_counter() - started)
                errors += response.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(clients)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": errors,
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(cuts[94] * 1000, 2),
        "p99_ms": round(cuts[98] * 1000, 2),
    }


@contextlib.contextmanager
def served(settings: Settings) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The API in its own uvicorn process, with one HQ key, until the block ends."""
    port = free_ports(1)[0]
    env = {
        **os.environ,
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_USER": settings.neo4j_user,
        "NEO4J_PASSWORD": settings.password(),
        "FISSION_API_KEYS": json.dumps([{"name": "bench", "role": "hq", "sha256": hash_key(KEY)}]),
        "FISSION_API_KEYS_FILE": "/dev/null/none",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def peak_rss_mib(process: subprocess.Popen[bytes]) -> float | None:
    """Peak resident memory of a running process (Linux /proc), in MiB."""
    with contextlib.suppress(OSError):
        for line in open(f"/proc/{process.pid}/status").read().splitlines():  # noqa: SIM115
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def map_page_seconds(base: str, store_id: str, runs: int = 5) -> list[float]:
    """Seconds from navigation to the map drawn (Plotly's SVG in the page), in Chromium."""
    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    timings: list[float] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
        page = browser.new_page()
        page.goto(f"{base}/stores/{store_id}/map?key={KEY}")  # sets the cookie, warms caches
        for _ in range(runs):
            started = time.perf_counter()
            page.goto(f"{base}/stores/{store_id}/map")
            page.wait_for_selector("#network-map .main-svg")
            timings.append(time.perf_counter() - started)
        browser.close()
    return timings


def measure(gateway: Gateway, seconds: float, clients: list[int]) -> dict[str, Any]:
    rng = random.Random(7)
    cases = scenarios(gateway, rng)
    biggest = gateway.read(
        "MATCH (s:Store) RETURN s.id AS id ORDER BY COUNT { (s)<-[:HOME]-() } DESC LIMIT 1"
    )[0]["id"]
    results: dict[str, Any] = {}
    with served(gateway.settings) as (base, process):
        for case in cases:  # warm up every route (caches, query plans)
            for _ in range(20):
                httpx.get(base + case.paths(rng), headers={"X-API-Key": KEY}, timeout=60)
        for case in cases:
            results[case.name] = [
                asyncio.run(_run(base, case, n, seconds, seed=n)) for n in clients
            ]
            print(case.name, results[case.name], flush=True)
        page = map_page_seconds(base, biggest)
        results["map_page_drawn"] = {
            "store_id": biggest,
            "median_s": round(statistics.median(page), 3),
            "max_s": round(max(page), 3),
        }
        results["api_peak_rss_mib"] = peak_rss_mib(process)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="small")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=10.0, help="Per scenario and load.")
    parser.add_argument("--clients", type=int, nargs="*", default=[1, 20])
    parser.add_argument(
        "--existing", action="store_true", help="Use the database the settings name, as is."
    )
    args = parser.parse_args()
    if args.existing:
        with Gateway(get_settings()) as gateway:
            result = measure(gateway, args.seconds, args.clients)
    else:
        with fresh_database() as gateway:
            load_files(gateway, [dataset(args.preset, "parquet", args.seed)])
            refresh_influence(gateway)
            result = measure(gateway, args.seconds, args.clients)
    path = record(f"api-{args.preset}", {"preset": args.preset, **result})
    print(f"recorded in {path}")


if __name__ == "__main__":
    main()
