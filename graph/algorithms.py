"""What a store's map shows from the graph algorithms, beside its network (graph.network): each
drawn person's circle and bridge mark (graph.circles), the fraud flags naming them
(graph.fraud), and, when asked for, whom to seed (graph.seeds). Seeds need Graph Data Science:
without it the overlay says why there are none instead of failing the map.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from fission.errors import FeatureUnavailable
from graph.circles import StoreCircles, circle_marks, store_circles
from graph.fraud import FlagPage, store_flags
from graph.gateway import Gateway
from graph.seeds import SeedPlan, store_seeds


class PersonMarks(BaseModel):
    circle: int | None = Field(None, description="Circle in the store (1 = largest).")
    bridge: bool = False
    flags: list[str] = Field(default_factory=list, description="Kinds of fraud flag naming them.")
    seed_rank: int | None = Field(None, description="Pick order among the seeds shown.")


class MapOverlay(BaseModel):
    marks: dict[str, PersonMarks] = Field(description="Per drawn person id.")
    circles: StoreCircles
    flags: FlagPage
    seeds: SeedPlan | None = None
    seeds_problem: str | None = Field(None, description="Why no seeds are shown, if asked.")


def map_overlay(
    gateway: Gateway, store_id: str, person_ids: Sequence[str], seeds: int = 0
) -> MapOverlay:
    """Circles, bridges, flags and (with `seeds` > 0) that many seeds for a store map's people."""
    marks = {
        pid: PersonMarks(circle=row["circle"], bridge=row["bridge"], flags=row["flags"])
        for pid, row in circle_marks(gateway, person_ids).items()
    }
    plan, problem = None, None
    if seeds:
        try:
            plan = store_seeds(gateway, store_id, k=seeds)
        except FeatureUnavailable as exc:
            problem = str(exc)
        for seed in plan.seeds if plan else []:
            marks.setdefault(seed.person_id, PersonMarks()).seed_rank = seed.rank
    return MapOverlay(
        marks=marks,
        circles=store_circles(gateway, store_id),
        flags=store_flags(gateway, store_id),
        seeds=plan,
        seeds_problem=problem,
    )
