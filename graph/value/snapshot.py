"""Precomputed brand-wide customer value for HQ (issue 13: fast at 1000 stores).

Every store's figures at once read every customer's events, which takes seconds to minutes at
the `large` preset (benchmarks/results/value-large.json). So `refresh_value_snapshot` computes
the five brand-wide answers — value, retention, sources, funnel, agent candidates — for their
default windows ending at `as_of` (default: now), and stores each, unpaged, as JSON on a
`(:ValueSnapshot {figure})` node. The `brand_*` functions answer from it when asked without a
window (agent candidates: with the default per-store count and no reach threshold) while it is
at most `value_snapshot_max_hours` old, sorting and paging its rows as asked, and compute live
otherwise; each answer says which (`precomputed`, `computed_at`), and its `start` / `end` say
which window it covers. `fission load` refreshes the snapshot after influence, `fission
value-snapshot` on demand: schedule it like `fission influence` where events are streamed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from graph.clock import aware
from graph.gateway import Gateway
from graph.queries import query
from graph.value.candidates import brand_agent_candidates
from graph.value.common import BrandAnswer
from graph.value.funnel import brand_funnel
from graph.value.gmv import brand_value
from graph.value.retention import brand_retention
from graph.value.sources import brand_sources

WRITE_SNAPSHOT = query("value/write_snapshot")


class SnapshotReport(BaseModel):
    as_of: datetime = Field(description="Where the default windows end.")
    computed_at: datetime
    seconds: dict[str, float] = Field(description="Time each figure took.")


def refresh_value_snapshot(gateway: Gateway, as_of: datetime | None = None) -> SnapshotReport:
    """Computes every brand-wide customer-value answer for its default window ending at
    `as_of` (default: now) and stores them for `brand_*` to answer from."""
    as_of = aware(as_of, "as_of") if as_of is not None else datetime.now(UTC)
    figures: dict[str, Callable[[], BrandAnswer]] = {
        "value": lambda: brand_value(gateway, end=as_of, use_snapshot=False),
        "retention": lambda: brand_retention(gateway, end=as_of, use_snapshot=False),
        "sources": lambda: brand_sources(gateway, end=as_of, use_snapshot=False),
        "funnel": lambda: brand_funnel(gateway, end=as_of, use_snapshot=False),
        "agent_candidates": lambda: brand_agent_candidates(gateway, use_snapshot=False),
    }
    rows, seconds = [], {}
    for figure, compute in figures.items():
        started = time.perf_counter()
        answer = compute()
        seconds[figure] = round(time.perf_counter() - started, 3)
        rows.append(
            {
                "figure": figure,
                "as_of": as_of,
                "computed_at": answer.computed_at,
                "payload": answer.model_dump_json(),
            }
        )
    gateway.write(WRITE_SNAPSHOT, rows=rows)
    return SnapshotReport(as_of=as_of, computed_at=datetime.now(UTC), seconds=seconds)
