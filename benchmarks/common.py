"""Shared benchmark plumbing: a throwaway Neo4j, generated data, recorded results."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from fission.localserver import LocalNeo4j, throwaway_server
from fission.settings import Settings, get_settings
from graph.gateway import Gateway
from synthetic import generate

RESULTS = Path(__file__).resolve().parent / "results"


def dataset(preset: str, fmt: str, seed: int = 7) -> Path:
    """The generated files for a preset (made once, reused by later runs)."""
    folder = get_settings().var_dir / "bench-data" / f"{preset}-{fmt}-{seed}"
    if not (folder / "summary.json").exists():
        generate(preset, seed=seed, out=folder, fmt=fmt)  # type: ignore[arg-type]
    return folder


@contextmanager
def fresh_database(heap: str = "4g", pagecache: str = "6g") -> Iterator[Gateway]:
    """A new, empty Neo4j on free ports for one benchmark run."""
    with fresh_server(heap, pagecache) as (gateway, _):
        yield gateway


@contextmanager
def fresh_server(heap: str, pagecache: str) -> Iterator[tuple[Gateway, LocalNeo4j]]:
    """`fresh_database`, with the server (for its process id: CPU time, memory)."""
    base = get_settings()
    with (
        tempfile.TemporaryDirectory(prefix="fission-bench-") as home,
        throwaway_server(base, Path(home), heap=heap, pagecache=pagecache) as server,
    ):
        settings: Settings = base.model_copy(
            update={"neo4j_uri": server.bolt_uri, "neo4j_password": SecretStr(server.password())}
        )
        with Gateway(settings) as gateway:
            yield gateway, server


def existing_memory(settings: Settings) -> dict[str, str]:
    """Heap and page cache of the server the settings name: what the local server was started
    with, or the settings' values for another server."""
    server = LocalNeo4j.from_settings(settings)
    if server.serves(settings.neo4j_uri) and server.status().running:
        return server.configured_memory()
    return {"heap": settings.local_heap, "pagecache": settings.local_pagecache}


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (Linux /proc): a measure that, unlike wall
    time, does not grow when other work shares the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine() -> dict[str, Any]:
    """The machine, and how busy it was when the result was recorded (the 1-minute load
    average: above the cores, other work shared them and wall times are inflated)."""
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    models = [
        line.split(":", 1)[1].strip()
        for line in Path("/proc/cpuinfo").read_text().splitlines()
        if line.startswith("model name")
    ]
    return {
        "cpus": os.cpu_count(),
        "cpu_model": models[0] if models else platform.processor(),
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "load_average": round(os.getloadavg()[0], 2),
    }


def peak_rss_mib(pid: int) -> float | None:
    """Peak resident memory of a running process (Linux /proc), in MiB."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def record(name: str, result: dict[str, Any]) -> Path:
    """Writes the result to benchmarks/results/<name>.json (committed: the recorded figures)."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {
        "benchmark": name,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **result,
    }
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return path
