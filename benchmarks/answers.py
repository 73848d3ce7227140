"""Where the time of each per-person answer goes: every round trip of the person profile, reach,
the introduction path and recommended contacts timed on its own, in-process (no HTTP), over
sampled people and staff of a loaded database; p50 / p95 per step, and the server-side
planner's rows and db hits of each query (`PROFILE`) for one sample. It records the measured
causes behind the API figures of `benchmarks/api.py`.

    flock /tmp/fission-heavy.lock .venv/bin/python -m benchmarks.answers --preset large
      (against the database the settings name: load or `fission import` it first)
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.common import record
from fission.settings import get_settings
from graph.access import staff_store
from graph.circles import circle_marks
from graph.fraud import person_flags
from graph.gateway import Gateway
from graph.keynodes import key_node, key_nodes
from graph.paths import INTRODUCTION, introduction_paths
from graph.people import PROFILE
from graph.reach import DEPTH_COUNTS
from graph.recommend import CANDIDATES, recommended_contacts

SAMPLE = 60
NOTED_DAYS, ACTIVE_DAYS = 14, 30


def _summary(runs: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(runs, n=20) if len(runs) > 1 else runs * 19
    return {
        "p50_ms": round(statistics.median(runs) * 1000, 2),
        "p95_ms": round(cuts[18] * 1000, 2),
        "n": len(runs),
    }


def _profiled(gateway: Gateway, text: str, **params: Any) -> dict[str, int]:
    """Rows and db hits the planner reports for one run of a query (PROFILE)."""
    with gateway.driver.session(database=gateway.database) as session:
        summary = session.run("PROFILE " + text, params).consume()
    plan = summary.profile or {}

    def total(node: dict[str, Any], key: str) -> int:
        return int(node.get(key, 0)) + sum(total(c, key) for c in node.get("children", []))

    return {"db_hits": total(plan, "dbHits"), "rows": total(plan, "rows")}


def measure(gateway: Gateway, sample: int) -> dict[str, Any]:
    rng = random.Random(7)
    people = [
        r["id"]
        for r in gateway.read(
            "MATCH (p:Person)-[:HOME]->(s:Store) WHERE NOT p:Staff "
            "RETURN p.id AS id, s.id AS store ORDER BY p.id"
        )
    ]
    people = rng.sample(people, min(sample, len(people)))
    staff = [r["id"] for r in gateway.read("MATCH (s:Staff) RETURN s.id AS id ORDER BY id")]
    staff = rng.sample(staff, min(sample, len(staff)))
    now = datetime.now(UTC)
    steps: dict[str, list[float]] = {}

    @contextmanager
    def step(name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        steps.setdefault(name, []).append(time.perf_counter() - started)

    for person in people:
        with step("profile: profile query"):
            row = gateway.read(PROFILE, person_id=person, store_id=None)[0]
        with step("profile: key-node test"):
            key_node(gateway, row["store_id"], person)
        with step("profile: fraud flags"):
            person_flags(gateway, person)
        with step("reach: depth counts"):
            gateway.read(DEPTH_COUNTS, person_id=person)
    for member in staff:
        with step("recommendations: staff store"):
            store = staff_store(gateway, member)
        with step("recommendations: key nodes of the store"):
            ids = sorted(n.person_id for n in key_nodes(gateway, store))
        with step("recommendations: candidates"):
            rows = gateway.read(
                CANDIDATES,
                staff_id=member,
                ids=ids,
                now=now,
                noted_since=now - timedelta(days=NOTED_DAYS),
                active_since=now - timedelta(days=ACTIVE_DAYS),
                topic=None,
            )
        chosen = [r["id"] for r in rows][:10]
        with step("recommendations: introduction paths (10 targets)"):
            introduction_paths(gateway, member, chosen)
        with step("recommendations: circle marks"):
            circle_marks(gateway, chosen)
        with step("recommendations: whole (recommended_contacts)"):
            recommended_contacts(gateway, member, now=now)
        if chosen:
            with step("introduction path: one target"):
                introduction_paths(gateway, member, chosen[:1])
    sample_person, sample_staff = people[0], staff[0]
    return {
        "people_sampled": len(people),
        "staff_sampled": len(staff),
        "steps": {name: _summary(runs) for name, runs in steps.items()},
        "profiled": {
            "profile": _profiled(gateway, PROFILE.text, person_id=sample_person, store_id=None),
            "reach": _profiled(gateway, DEPTH_COUNTS.text, person_id=sample_person),
            "introduction path": _profiled(
                gateway, INTRODUCTION.text, staff_id=sample_staff, target_ids=[sample_person]
            ),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="large", help="Names the results file only.")
    parser.add_argument("--sample", type=int, default=SAMPLE)
    args = parser.parse_args()
    with Gateway(get_settings()) as gateway:
        result = measure(gateway, args.sample)
    for name, figures in result["steps"].items():
        print(f"{name:55} {figures}")
    print(result["profiled"])
    path = record(f"answers-{args.preset}", {"preset": args.preset, **result})
    print(f"recorded in {path}")


if __name__ == "__main__":
    main()
