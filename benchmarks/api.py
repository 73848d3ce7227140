"""API latency and throughput as users see it: the API served by uvicorn in its own process,
requests from an asyncio load generator (httpx) on loopback, one client and 20 concurrent
clients, each scenario bounded in time; the store map page drawn in headless Chromium.

    python -m benchmarks.api --preset small                  # fresh server, loads the preset
    python -m benchmarks.api --preset large --existing       # the database in the settings

Each scenario runs `--repeat` times for `--seconds` at each load; the median of the runs'
figures is recorded with the runs. Also recorded: what the first HQ request after a change of
the brand's counts waits for (the stored rows; their recomputation is handed to a background
task) and how long that recomputation takes, the API process's and the server's peak resident
memory, and the CPU each request cost the server, the API process and the load generator (all
three share the machine's cores, so at 20 clients they bound the throughput together).

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
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from api.auth import hash_key
from benchmarks.common import (
    cpu_seconds,
    dataset,
    existing_memory,
    fresh_server,
    peak_rss_mib,
    record,
)
from fission.localserver import LocalNeo4j, free_ports
from fission.settings import Settings, get_settings
from graph.gateway import Gateway
from graph.influence import refresh_influence
from graph.stores import hq_overview, refresh_store_overview
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
        Scenario("hq_page", lambda r: "/"),
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
    """The API in its own uvicorn process (`api_workers` worker processes under it), with one
    HQ key, until the block ends."""
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
        [sys.executable, "-m", "uvicorn", "api.app:serving_app", "--factory",
         "--port", str(port), "--log-level", "warning", "--no-access-log",
         "--workers", str(settings.api_workers)],
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


def _process_tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (uvicorn's worker processes)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return cpu_seconds(pid) + sum(cpu_seconds(int(child)) for child in children)


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _costed_run(
    base: str,
    scenario: Scenario,
    clients: int,
    seconds: float,
    seed: int,
    api_pid: int,
    server_pid: int | None,
) -> dict[str, Any]:
    """One run, with the CPU per request of the server (when its process is known), the API
    process and this load generator."""
    clocks = {
        "server": (lambda: cpu_seconds(server_pid)) if server_pid else None,
        "api": lambda: _process_tree_cpu(api_pid),
        "load_generator": _own_cpu,
    }
    before = {name: clock() for name, clock in clocks.items() if clock}
    run = asyncio.run(_run(base, scenario, clients, seconds, seed))
    run["cpu_ms_per_request"] = {
        name: round((clock() - before[name]) * 1000 / max(run["requests"], 1), 2)
        for name, clock in clocks.items()
        if clock
    }
    return run


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's median over repeated runs of one scenario and load (and the runs)."""
    if len(runs) == 1:
        return runs[0]
    keys = ("requests_per_second", "p50_ms", "p95_ms", "p99_ms")
    median = {k: round(statistics.median(r[k] for r in runs), 2) for k in keys}
    cpu = {
        name: round(statistics.median(r["cpu_ms_per_request"][name] for r in runs), 2)
        for name in runs[0]["cpu_ms_per_request"]
    }
    totals = {k: sum(r[k] for r in runs) for k in ("requests", "errors")}
    return {
        "clients": runs[0]["clients"], **totals, **median, "cpu_ms_per_request": cpu, "runs": runs,
    }  # fmt: skip


def hq_overview_after_change(gateway: Gateway) -> dict[str, float]:
    """What the first HQ request waits for once the stored overview is no longer current (the
    brand's counts changed, or it is too old: the same path; a maximum age of 0 makes it so),
    and the recomputation the API then runs after answering."""
    refresh_store_overview(gateway)
    deferred: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
    aged = gateway.settings.model_copy(update={"hq_overview_max_age_seconds": 0.0})
    with Gateway(aged) as stale:
        started = time.perf_counter()
        hq_overview(stale, limit=20, defer=lambda work, *args: deferred.append((work, args)))
        answered = time.perf_counter() - started
        started = time.perf_counter()
        for work, args in deferred:
            work(*args)
        recomputed = time.perf_counter() - started
    return {
        "hq_overview_after_change_ms": round(answered * 1000, 1),
        "hq_overview_recompute_s": round(recomputed, 2),
    }


def measure(
    gateway: Gateway,
    seconds: float,
    clients: list[int],
    repeat: int = 1,
    server_pid: int | None = None,
) -> dict[str, Any]:
    """Every scenario at each number of clients; `server_pid`: the Neo4j process, when it runs
    on this machine (its CPU per request is then recorded too)."""
    rng = random.Random(7)
    cases = scenarios(gateway, rng)
    biggest = gateway.read(
        "MATCH (s:Store) RETURN s.id AS id ORDER BY COUNT { (s)<-[:HOME]-() } DESC LIMIT 1"
    )[0]["id"]
    results: dict[str, Any] = {
        "people": gateway.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"],
        "seconds_per_run": seconds,
        "api_workers": gateway.settings.api_workers,
        "repeat": repeat,
    }
    results.update(hq_overview_after_change(gateway))
    with served(gateway.settings) as (base, process):
        for case in cases:  # warm up every route (caches, query plans)
            for _ in range(20):
                httpx.get(base + case.paths(rng), headers={"X-API-Key": KEY}, timeout=60)
        for case in cases:
            results[case.name] = [
                _median_run(
                    [
                        _costed_run(base, case, n, seconds, n + i, process.pid, server_pid)
                        for i in range(repeat)
                    ]
                )
                for n in clients
            ]
            print(case.name, [{k: v for k, v in r.items() if k != "runs"}
                              for r in results[case.name]], flush=True)  # fmt: skip
        page = map_page_seconds(base, biggest)
        results["map_page_drawn"] = {
            "store_id": biggest,
            "median_s": round(statistics.median(page), 3),
            "max_s": round(max(page), 3),
        }
        results["api_peak_rss_mib"] = peak_rss_mib(process.pid)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="small")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=10.0, help="Per scenario and load.")
    parser.add_argument("--clients", type=int, nargs="*", default=[1, 20])
    parser.add_argument("--repeat", type=int, default=3, help="Runs per scenario and load.")
    parser.add_argument("--heap", default="4g")
    parser.add_argument("--pagecache", default="6g")
    parser.add_argument(
        "--existing",
        action="store_true",
        help="Use the database the settings name, as is (the local server's memory settings "
        "are recorded).",
    )
    args = parser.parse_args()
    if args.existing:
        settings = get_settings()
        server = LocalNeo4j.from_settings(settings)
        pid = server.status().pid if server.serves(settings.neo4j_uri) else None
        memory = existing_memory(settings)
        with Gateway(settings) as gateway:
            result = measure(gateway, args.seconds, args.clients, args.repeat, pid)
        result["server_peak_rss_mib"] = peak_rss_mib(pid) if pid else None
    else:
        memory = {"heap": args.heap, "pagecache": args.pagecache}
        with fresh_server(args.heap, args.pagecache) as (gateway, server):
            load_files(gateway, [dataset(args.preset, "parquet", args.seed)])
            refresh_influence(gateway)
            pid = server.status().pid
            result = measure(gateway, args.seconds, args.clients, args.repeat, pid)
            result["server_peak_rss_mib"] = peak_rss_mib(pid) if pid else None
    path = record(
        f"api-{args.preset}",
        {"preset": args.preset, "existing": args.existing, "server": memory, **result},
    )
    print(f"recorded in {path}")


if __name__ == "__main__":
    main()
