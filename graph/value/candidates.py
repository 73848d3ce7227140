"""Agent candidates (DESIGN.md §5 "Agent candidates"; definitions in graph.value): a store's
members who are not agents, ranked by store influence, then reach(p, 3), then spend — the
people the seed's third conversion action ("invite them to become an agent") is about."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from fission.errors import InvalidInput
from graph.gateway import Gateway, Row
from graph.queries import query
from graph.value.common import ALL, BrandAnswer, Paging, live, money, page, precomputed, stores

AGENT_CANDIDATES = query("value/agent_candidates")

DEFAULT_LIMIT = 5
MAX_LIMIT = 100


class AgentCandidate(BaseModel):
    """A member who is not an agent, with why they rank where they do."""

    rank: int = Field(description="1 = the strongest candidate of the store.")
    person_id: str
    store_influence: float = Field(description="PageRank within the store network.")
    store_influence_pct: float | None = Field(
        description="Percent of the store's network with a lower store influence."
    )
    reach3: int = Field(description="reach(p, 3): people referred within 3 generations.")
    orders: int = Field(description="Orders ever placed.")
    spend: float = Field(description="Their amount.")
    reasons: list[str]


class StoreAgentCandidates(BaseModel):
    store_id: str
    name: str | None
    members: int = Field(description="Members among the store's customers (agents included).")
    agents: int = Field(description="Agents among the store's customers.")
    eligible: int = Field(description="Members who are not agents and reach >= min_reach3.")
    min_reach3: int = Field(description="The least reach(p, 3) a candidate needs (0: none).")
    candidates: list[AgentCandidate] = Field(description="The strongest first.")


class BrandAgentCandidates(BrandAnswer):
    """Each store's strongest agent candidates."""

    per_store: int
    min_reach3: int
    members: int
    agents: int
    eligible: int
    rows: list[StoreAgentCandidates]


def _reasons(c: Row) -> list[str]:
    reasons = []
    if c["store_influence"] > 0:
        pct = c["store_influence_pct"]
        above = f" (above {pct:.0f}% of the store)" if pct is not None else ""
        reasons.append(f"store influence {c['store_influence']:.4f}{above}")
    if c["reach3"]:
        people = "person" if c["reach3"] == 1 else "people"
        reasons.append(f"brought {c['reach3']} {people} within 3 generations")
    if c["orders"]:
        plural = "order" if c["orders"] == 1 else "orders"
        reasons.append(f"spent {money(c['cents']):.2f} over {c['orders']} {plural}")
    return reasons or ["a member who is not an agent yet"]


def _store(row: Row, name: str | None, min_reach3: int) -> StoreAgentCandidates:
    return StoreAgentCandidates(
        store_id=row["store_id"],
        name=name,
        members=row["members"],
        agents=row["agents"],
        eligible=row["eligible"],
        min_reach3=min_reach3,
        candidates=[
            AgentCandidate(
                rank=rank,
                person_id=c["id"],
                store_influence=c["store_influence"],
                store_influence_pct=c["store_influence_pct"],
                reach3=c["reach3"],
                orders=c["orders"],
                spend=money(c["cents"]),
                reasons=_reasons(c),
            )
            for rank, c in enumerate(row["candidates"], start=1)
        ],
    )


def _check(limit: int, min_reach3: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}")
    if min_reach3 < 0:
        raise InvalidInput("min_reach3 must be >= 0")


def agent_candidates(
    gateway: Gateway, store_id: str, limit: int = DEFAULT_LIMIT, min_reach3: int = 0
) -> StoreAgentCandidates:
    """The store's `limit` strongest agent candidates: members who are not agents (with
    reach(p, 3) >= `min_reach3`), by store influence (as last refreshed), then reach(p, 3),
    then spend, then id. Unknown store -> NotFound."""
    _check(limit, min_reach3)
    store = stores(gateway, store_id)[0]
    row = gateway.read(AGENT_CANDIDATES, store_id=store_id, limit=limit, min_reach3=min_reach3)[0]
    return _store(row, store["name"], min_reach3)


SORTS: dict[str, Callable[[StoreAgentCandidates], Any]] = {
    "store_id": lambda r: r.store_id,
    "name": lambda r: r.name or "",
    "members": lambda r: r.members,
    "agents": lambda r: r.agents,
    "eligible": lambda r: r.eligible,
}


def brand_agent_candidates(
    gateway: Gateway,
    per_store: int = DEFAULT_LIMIT,
    min_reach3: int = 0,
    paging: Paging = ALL,
    *,
    use_snapshot: bool = True,
) -> BrandAgentCandidates:
    """Every store's `per_store` strongest agent candidates, in one query.

    With the default `per_store` and `min_reach3`, and `use_snapshot`, the answer comes from the
    stored snapshot while it is fresh (graph.value.snapshot).
    """
    if use_snapshot and (per_store, min_reach3) == (DEFAULT_LIMIT, 0):
        stored = precomputed(gateway, "agent_candidates", BrandAgentCandidates, SORTS, paging)
        if stored is not None:
            return stored
    _check(per_store, min_reach3)
    names = {s["store_id"]: s["name"] for s in stores(gateway, None)}
    found = gateway.read(AGENT_CANDIDATES, store_id=None, limit=per_store, min_reach3=min_reach3)
    rows = [_store(r, names.get(r["store_id"]), min_reach3) for r in found]
    info, shown = page(rows, SORTS, paging)
    return BrandAgentCandidates(
        **live(info),
        per_store=per_store,
        min_reach3=min_reach3,
        members=sum(r.members for r in rows),
        agents=sum(r.agents for r in rows),
        eligible=sum(r.eligible for r in rows),
        rows=shown,
    )
