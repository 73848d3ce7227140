"""Online-load throughput: generate a preset, load it into an empty Neo4j, record events/s.

python -m benchmarks.load --preset small --format parquet
"""

from __future__ import annotations

import argparse
import json

from benchmarks.common import dataset, fresh_database, record
from loaders.pipeline import load_files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="small")
    parser.add_argument("--format", default="parquet", choices=["csv", "jsonl", "parquet"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch-rows", type=int, default=None)
    args = parser.parse_args()

    folder = dataset(args.preset, args.format, args.seed)
    summary = json.loads((folder / "summary.json").read_text())
    with fresh_database() as gateway:
        if args.batch_rows:
            gateway.settings = gateway.settings.model_copy(
                update={"load_batch_rows": args.batch_rows}
            )
        report = load_files(gateway, [folder])
        nodes = gateway.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    events = sum(
        report.stats[k].read
        for k in report.stats
        if k not in ("stores", "staff", "content", "members")
    )
    result = {
        "preset": args.preset,
        "format": args.format,
        "generated": summary,
        "load": report.to_dict(),
        "derive_steps": report.derive.step_seconds if report.derive else {},
        "events": events,
        "events_per_second_load_only": round(events / report.load_seconds, 1),
        "events_per_second_with_derive": round(events / report.seconds, 1),
        "nodes_in_graph": nodes,
    }
    path = record(f"load-{args.preset}-{args.format}", result)
    print(json.dumps({k: v for k, v in result.items() if k not in ("generated", "load")}, indent=2))
    print(f"recorded in {path}")


if __name__ == "__main__":
    main()
