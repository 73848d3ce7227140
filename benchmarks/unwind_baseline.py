"""The plain-UNWIND baseline the online loader is measured against (issue 8).

On a fresh database (heap 2g, page cache 2g, the project's schema), one client sends a preset's
shares and then its visits in batches of 10 000 with the plainest write that stores them
(cypher/baseline/): no validation, no checks, no derived data. Then it sends the visits again
with a duplicate check through the VISITED event_id index (nothing is written). Rows are read
into memory before the clock starts; the time is the client's wall clock, packing included.

flock /tmp/fission-heavy.lock .venv/bin/python -m benchmarks.unwind_baseline --preset medium
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from benchmarks.common import cpu_seconds, dataset, fresh_server, record
from graph.gateway import Gateway, batched
from graph.queries import query
from graph.schema import apply_schema

SHARES = query("baseline/shares")
VISITS = query("baseline/visits")
VISITS_RESENT = query("baseline/visits_resent")
BATCH = 10_000
SHARE_COLUMNS = ["event_id", "share_id", "sharer_id", "content_id", "channel", "at"]
VISIT_COLUMNS = ["event_id", "share_id", "visitor_id", "at", "action"]


def read_rows(folder: Path, name: str, columns: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(
        folder / f"{name}.parquet", columns=columns
    ).to_pylist()
    return rows


def timed_batches(gateway: Gateway, rows: list[dict[str, Any]], write: Any) -> float:
    started = time.perf_counter()
    for batch in batched(rows, BATCH):
        gateway.write(write, rows=batch)
    return time.perf_counter() - started


def one_run(folder: Path, heap: str, pagecache: str) -> dict[str, Any]:
    shares = read_rows(folder, "shares", SHARE_COLUMNS)
    visits = read_rows(folder, "visits", VISIT_COLUMNS)
    with fresh_server(heap, pagecache) as (gateway, server):
        apply_schema(gateway)
        pid = server.status().pid
        assert pid is not None
        cpu_before = cpu_seconds(pid)
        share_s = timed_batches(gateway, shares, SHARES)
        visit_s = timed_batches(gateway, visits, VISITS)
        server_cpu = cpu_seconds(pid) - cpu_before
        resent_s = timed_batches(gateway, visits, VISITS_RESENT)
        stored = gateway.read("MATCH ()-[v:VISITED]->() RETURN count(v) AS n")[0]["n"]
    if stored != len(visits):
        raise AssertionError(f"{stored} visits stored, {len(visits)} sent")
    return {
        "shares_seconds": round(share_s, 2),
        "visits_seconds": round(visit_s, 2),
        "resent_visits_seconds": round(resent_s, 2),
        "shares_per_second": round(len(shares) / share_s),
        "visits_per_second": round(len(visits) / visit_s),
        "shares_and_visits_per_second": round((len(shares) + len(visits)) / (share_s + visit_s)),
        "resent_visits_per_second": round(len(visits) / resent_s),
        "server_cpu_us_per_event": round(server_cpu / (len(shares) + len(visits)) * 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="small")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=1, help="Repeat on fresh servers; medians.")
    parser.add_argument("--heap", default="2g")
    parser.add_argument("--pagecache", default="2g")
    args = parser.parse_args()

    folder = dataset(args.preset, "parquet", args.seed)
    counts = json.loads((folder / "summary.json").read_text())["counts"]
    runs = [one_run(folder, args.heap, args.pagecache) for _ in range(args.runs)]
    medians = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    result = {
        "preset": args.preset,
        "shares": counts["shares"],
        "visits": counts["visits"],
        "server": {"heap": args.heap, "pagecache": args.pagecache},
        "batch_rows": BATCH,
        "clients": 1,
        "note": "medians of fresh-server runs",
        "median": medians,
        "runs": runs,
    }
    path = record(f"unwind-baseline-{args.preset}", result)
    print(json.dumps(medians, indent=2))
    print(f"recorded in {path}")


if __name__ == "__main__":
    main()
