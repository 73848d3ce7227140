"""The pages at 1000 stores: a generated brand of 1000 stores (50 000 people by default), the
API in its own uvicorn process, and every page timed over HTTP (cold and warm) and drawn in
headless Chromium. DESIGN.md §7: the HQ overview of 1000 stores <= 1 s, a store's page <= 1 s.

The HQ page reads every store's overview row once and reuses it while the brand's counts stay
the same (FISSION_HQ_OVERVIEW_MAX_AGE_SECONDS); "cold" is the first page after the API
starts, "warm" every page after it (paging, filters, sorting, CSV).

Set up as `fission load` leaves a brand: influence, circles, fraud flags and the customer-value
snapshot the HQ page reads.

python -m benchmarks.pages                    # 1000 stores, 50 000 people
python -m benchmarks.pages --people 20000
python -m benchmarks.pages --preset small     # a generator preset instead (20 stores)
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.api import KEY, served
from benchmarks.common import fresh_database, record
from fission.settings import get_settings
from graph.circles import refresh_circles
from graph.fraud import refresh_flags
from graph.gateway import Gateway
from graph.influence import refresh_influence
from graph.stores import hq_overview
from graph.value import refresh_value_snapshot
from loaders.pipeline import load_files
from synthetic import Preset, generate

REPEAT = 5
STORES = 1000


def brand(people: int, seed: int, preset: str | None = None) -> Path:
    """The 1000-store brand (2 staff per store), or a generator preset, generated once."""
    name = f"pages-{preset}-{seed}" if preset else f"pages-{STORES}-stores-{people}-{seed}"
    folder = get_settings().var_dir / "bench-data" / name
    if not (folder / "summary.json").exists():
        shape = preset or Preset(stores=STORES, staff_per_store=2, people=people, contents=100)
        generate(shape, seed=seed, out=folder, fmt="parquet")
    return folder


def timed(client: httpx.Client, path: str, repeat: int = REPEAT) -> dict[str, Any]:
    seconds: list[float] = []
    size = 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code, response.text[:200])
        size = len(response.content)
    return {
        "median_s": round(statistics.median(seconds), 3),
        "max_s": round(max(seconds), 3),
        "bytes": size,
    }


def drawn_seconds(base: str, path: str, selector: str, runs: int = 3) -> list[float]:
    """Seconds from navigation until `selector` is drawn, in Chromium."""
    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    timings: list[float] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{base}{path}{'&' if '?' in path else '?'}key={KEY}")  # cookie, caches
        for _ in range(runs):
            started = time.perf_counter()
            page.goto(f"{base}{path}")
            page.wait_for_selector(selector)
            timings.append(time.perf_counter() - started)
        browser.close()
    return timings


def measure(gateway: Gateway) -> dict[str, Any]:
    started = time.perf_counter()
    overview = hq_overview(gateway, limit=None)  # what the API computes for its first HQ page
    compute = time.perf_counter() - started
    biggest = overview.rows[0].store_id
    region = next(r.region for r in overview.rows if r.region)
    staff = gateway.read(
        "MATCH (s:Staff {staff_store_id: $store}) RETURN s.id AS id ORDER BY id LIMIT 1",
        store=biggest,
    )[0]["id"]
    results: dict[str, Any] = {
        "stores": overview.total,
        "people": gateway.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"],
        "overview_compute_s": round(compute, 3),
    }
    with (
        served(gateway.settings) as (base, _),
        httpx.Client(base_url=base, headers={"X-API-Key": KEY}, timeout=300) as client,
    ):
        started = time.perf_counter()
        first = client.get("/")
        results["hq_page_cold_s"] = round(time.perf_counter() - started, 3)
        assert first.status_code == 200
        pages = {
            "hq_page": "/",
            "hq_page_7": "/?page=7",
            "hq_region_filter": f"/?region={region}",
            "hq_sorted_by_fission": "/?sort=fission_ratio&desc=false",
            "hq_csv": "/stores.csv",
            "brand_summary_json": "/brand/summary",
            "store_dashboard": f"/stores/{biggest}/dashboard",
            "store_map": f"/stores/{biggest}/map",
            "today": f"/staff/{staff}/today",
        }
        for name, path in pages.items():
            results[name] = timed(client, path)
            print(name, results[name], flush=True)
        results["report_pdf"] = timed(client, f"/stores/{biggest}/report.pdf", repeat=2)
        hq = drawn_seconds(base, "/", "#value-stores .main-svg")
        dashboard = drawn_seconds(base, f"/stores/{biggest}/dashboard", "#value-sources .main-svg")
        results["hq_page_drawn_median_s"] = round(statistics.median(hq), 3)
        results["dashboard_drawn_median_s"] = round(statistics.median(dashboard), 3)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--preset", help="A generator preset (e.g. small) instead of 1000 stores.")
    args = parser.parse_args()
    folder = brand(args.people, args.seed, args.preset)
    with fresh_database(heap="2g", pagecache="2g") as gateway:
        started = time.perf_counter()
        load_files(gateway, [folder])
        refresh_influence(gateway)
        refresh_circles(gateway)
        refresh_flags(gateway)
        refresh_value_snapshot(gateway)
        load_seconds = time.perf_counter() - started
        result = measure(gateway)
    name = f"pages-{args.preset}" if args.preset else f"pages-{STORES}-stores"
    target = {"preset": args.preset} if args.preset else {"people_target": args.people}
    path = record(name, {**target, "load_seconds": round(load_seconds, 1), **result})
    print(f"recorded in {path}")


if __name__ == "__main__":
    main()
