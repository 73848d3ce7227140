"""Online-load throughput: generate a preset, load it into an empty Neo4j, record events/s.

Derivation is included: the loader folds it into each batch's transaction (graph.derive.fold)
and finishes what is left after each type (derive_stale); `events_per_second_with_derive` is
events over the whole `load_files` call. The server is sized like the plain-UNWIND baseline
(benchmarks/unwind_baseline.py: heap 2g, page cache 2g) so the two compare. Besides wall time,
the server's and this process's CPU seconds are recorded: on a machine shared with other work
they show the cost per event that wall time hides.

flock /tmp/fission-heavy.lock .venv/bin/python -m benchmarks.load --preset medium
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.common import cpu_seconds, dataset, fresh_server, record
from loaders.models import REFERENCE_KINDS
from loaders.pipeline import load_files


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one_run(folder: Path, heap: str, pagecache: str, batch_rows: int | None) -> dict[str, Any]:
    with fresh_server(heap, pagecache) as (gateway, server):
        if batch_rows:
            gateway.settings = gateway.settings.model_copy(update={"load_batch_rows": batch_rows})
        pid = server.status().pid
        assert pid is not None
        server_before, client_before = cpu_seconds(pid), client_cpu()
        started = time.perf_counter()
        report = load_files(gateway, [folder])
        wall = time.perf_counter() - started
        server_cpu, client = cpu_seconds(pid) - server_before, client_cpu() - client_before
        nodes = gateway.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    events = sum(s.read for k, s in report.stats.items() if k not in REFERENCE_KINDS)
    return {
        "load": report.to_dict(),
        "derive_steps": report.derive.step_seconds if report.derive else {},
        "events": events,
        "wall_seconds": round(wall, 1),
        "events_per_second_with_derive": round(events / wall, 1),
        "events_per_second_load_only": round(events / report.load_seconds, 1),
        "server_cpu_us_per_event": round(server_cpu / events * 1e6, 1),
        "client_cpu_us_per_event": round(client / events * 1e6, 1),
        "nodes_in_graph": nodes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="small")
    parser.add_argument("--format", default="parquet", choices=["csv", "jsonl", "parquet"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch-rows", type=int, default=None)
    parser.add_argument("--runs", type=int, default=1, help="Repeat on fresh servers; medians.")
    parser.add_argument("--heap", default="2g")
    parser.add_argument("--pagecache", default="2g")
    args = parser.parse_args()

    folder = dataset(args.preset, args.format, args.seed)
    summary = json.loads((folder / "summary.json").read_text())
    runs = [one_run(folder, args.heap, args.pagecache, args.batch_rows) for _ in range(args.runs)]
    figures = [k for k, v in runs[0].items() if isinstance(v, int | float)]
    result = {
        "preset": args.preset,
        "format": args.format,
        "server": {"heap": args.heap, "pagecache": args.pagecache},
        "note": "medians of fresh-server runs; CPU per event does not grow when other work "
        "shares the machine, wall time does",
        "median": {k: statistics.median(run[k] for run in runs) for k in figures},
        "generated": summary,
        "runs": runs,
    }
    path = record(f"load-{args.preset}-{args.format}", result)
    print(json.dumps(result["median"], indent=2))
    print(f"recorded in {path}")


if __name__ == "__main__":
    main()
