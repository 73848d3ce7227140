"""Bulk import speed: a preset's files to a queryable graph (derived data and influence
included) through `fission import`'s steps, each timed; recorded in
benchmarks/results/bulk-import-<preset>-<format>.json (medians over --repeat runs).

Each run imports into a new throwaway server home. Heavy presets (medium, large) must hold the
machine-wide lock:

flock /tmp/fission-heavy.lock .venv/bin/python -m benchmarks.bulk_import --preset large
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from benchmarks.common import dataset, record
from fission.localserver import throwaway_server
from fission.settings import get_settings
from graph.gateway import Gateway
from loaders.bulk import bulk_import


def one_run(folder: Path, heap: str, pagecache: str) -> dict[str, Any]:
    base = get_settings()
    with (
        tempfile.TemporaryDirectory(prefix="fission-bulk-") as home,
        throwaway_server(base, Path(home), heap=heap, pagecache=pagecache) as server,
    ):
        settings = base.model_copy(
            update={"neo4j_uri": server.bolt_uri, "neo4j_password": SecretStr(server.password())}
        )
        started = time.perf_counter()
        report = bulk_import(
            settings, [folder], server=server, reject_path=Path(home) / "rejects.csv",
            work_dir=Path(home) / "import", progress=print,
        )  # fmt: skip
        wall = time.perf_counter() - started
        with Gateway(settings) as gateway:
            queried = time.perf_counter()
            people = gateway.read("MATCH (p:Person) WHERE p.influence > 0 RETURN count(p) AS n")
            first_query = time.perf_counter() - queried
    return {
        "wall_seconds": round(wall, 1),
        "step_seconds": report.step_seconds,
        "report": report.to_dict(),
        "people_with_influence": people[0]["n"],
        "first_query_seconds": round(first_query, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="small")
    parser.add_argument("--format", default="parquet", choices=["csv", "jsonl", "parquet"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--heap", default="4g", help="Server heap after the import.")
    parser.add_argument("--pagecache", default="6g", help="Server page cache after the import.")
    args = parser.parse_args()

    folder = dataset(args.preset, args.format, args.seed)
    summary = json.loads((folder / "summary.json").read_text())
    runs = [one_run(folder, args.heap, args.pagecache) for _ in range(args.repeat)]
    steps = runs[0]["step_seconds"].keys()
    settings = get_settings()
    result = {
        "preset": args.preset,
        "format": args.format,
        "rows": sum(summary["counts"].values()),
        "generated": summary,
        "server": {"heap": args.heap, "pagecache": args.pagecache},
        "importer": {
            "heap": settings.import_heap,
            "max_off_heap": settings.import_max_off_heap,
            "threads": settings.import_threads,
        },
        "runs": len(runs),
        "median_wall_seconds": statistics.median(r["wall_seconds"] for r in runs),
        "median_step_seconds": {
            s: round(statistics.median(r["step_seconds"][s] for r in runs), 2) for s in steps
        },
        "python_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "target_seconds": 300,
        "runs_detail": runs,
        "note": "Wall times; the load average recorded says whether other work shared the cores.",
    }
    path = record(f"bulk-import-{args.preset}-{args.format}", result)
    print(
        json.dumps(
            {k: v for k, v in result.items() if k not in ("generated", "runs_detail")}, indent=2
        )
    )
    print(f"recorded in {path}")


if __name__ == "__main__":
    main()
