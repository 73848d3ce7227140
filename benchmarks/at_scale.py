"""The answer benchmarks at one preset in one go: generate it, build it with the bulk import
into a throwaway server (derived data and influence included, minutes where the online load
takes an hour at `large`), then record the API (`benchmarks.api`), influence
(`benchmarks.influence`) and per-step answer (`benchmarks.answers`) figures on it.

    flock /tmp/fission-heavy.lock .venv/bin/python -m benchmarks.at_scale --preset large
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from pydantic import SecretStr

from benchmarks import answers, api, influence
from benchmarks.common import dataset, peak_rss_mib, record
from fission.localserver import throwaway_server
from fission.settings import get_settings
from graph.gateway import Gateway
from loaders.bulk import bulk_import


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="medium")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--heap", default="4g")
    parser.add_argument("--pagecache", default="6g")
    parser.add_argument("--seconds", type=float, default=5.0, help="API: per scenario and run.")
    parser.add_argument("--repeat", type=int, default=3, help="API runs and influence refreshes.")
    parser.add_argument("--skip", nargs="*", default=[], choices=["api", "influence", "answers"])
    parser.add_argument("--no-networkx", action="store_true", help="Influence: leave it out.")
    args = parser.parse_args()
    folder = dataset(args.preset, "parquet", args.seed)
    base = get_settings()
    memory = {"heap": args.heap, "pagecache": args.pagecache}
    with (
        tempfile.TemporaryDirectory(prefix="fission-scale-") as home,
        throwaway_server(base, Path(home), heap=args.heap, pagecache=args.pagecache) as server,
    ):
        settings = base.model_copy(
            update={"neo4j_uri": server.bolt_uri, "neo4j_password": SecretStr(server.password())}
        )
        bulk_import(
            settings, [folder], server=server, reject_path=Path(home) / "rejects.csv",
            work_dir=Path(home) / "import", progress=print,
        )  # fmt: skip
        with Gateway(settings) as gateway:
            if "api" not in args.skip:
                pid = server.status().pid
                result = api.measure(gateway, args.seconds, [1, 20], args.repeat, pid)
                result["server_peak_rss_mib"] = peak_rss_mib(pid) if pid else None
                record(
                    f"api-{args.preset}",
                    {"preset": args.preset, "existing": False, "server": memory, **result},
                )
            if "answers" not in args.skip:
                record(
                    f"answers-{args.preset}",
                    {"preset": args.preset, **answers.measure(gateway, answers.SAMPLE)},
                )
            if "influence" not in args.skip:
                record(
                    f"influence-{args.preset}",
                    {
                        "preset": args.preset,
                        **memory,
                        "note": influence.NOTE,
                        **influence.measure(gateway, args.repeat, not args.no_networkx),
                    },
                )


if __name__ == "__main__":
    main()
