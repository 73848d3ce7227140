"""Reach, cascades and structural virality of the referral forest (DESIGN.md §5 "Reach",
"Structural virality").

The referral forest is the derived `(:Person)-[:REFERRED]->(:Person)` graph: at most one
referrer per person, so every descendant of a person is reached by exactly one path.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from fission.errors import InvalidInput, NotFound
from graph.access import masker
from graph.forest import structural_virality
from graph.gateway import Gateway
from graph.queries import query

DEPTH_COUNTS = query("reach/depth_counts")
PROFILE = query("reach/profile")
CASCADE = query("reach/cascade")
TREE_EDGES = query("reach/tree_edges")
REFERRER_CHAIN = query("reach/referrer_chain")

MAX_K = 6


class CascadeNode(BaseModel):
    person_id: str = Field(description="Or 'someone from another store #n' (graph.access).")
    depth: int = Field(description="Generations below the root (the root is 0).")
    parent_id: str | None = Field(description="Referrer within the tree; None for the root.")
    referred_at: datetime | None = Field(description="When the parent referred this person.")
    staff: bool
    member: bool
    agent: bool
    other_store: bool = Field(False, description="Someone from another store: roles hidden.")


class CascadeTree(BaseModel):
    """A person's referral cascade, breadth first, bounded in depth and size."""

    root_id: str
    nodes: list[CascadeNode] = Field(description="Root first, then generation by generation.")
    cascade_size: int = Field(description="All descendants of the root (DESIGN.md §5 Reach).")
    truncated: int = Field(description="Descendants left out by max_depth / max_nodes.")

    @property
    def edges(self) -> list[tuple[str, str]]:
        """(parent, child) pairs of the kept tree."""
        return [(n.parent_id, n.person_id) for n in self.nodes if n.parent_id is not None]


class ChainLink(BaseModel):
    """One person up a referrer chain."""

    person_id: str
    display_name: str | None = Field(description="Staff members' display name.")
    staff: bool
    member: bool
    agent: bool
    referred_at: datetime = Field(description="When they referred the next person down.")


def referrer_chain(gateway: Gateway, person_id: str) -> list[ChainLink]:
    """The person's referrer, the referrer's referrer, ... up to the root of their referral
    tree (DESIGN.md §5 "Referrer"), nearest first; empty for a root. Unknown person ->
    NotFound."""
    row = gateway.read(REFERRER_CHAIN, person_id=person_id)[0]
    if not row["found"]:
        raise NotFound(f"person {person_id}")
    return [
        ChainLink(
            person_id=link["id"],
            display_name=link["display_name"],
            staff=link["staff"],
            member=link["member"],
            agent=link["agent"],
            referred_at=link["referred_at"],
        )
        for link in row["chain"]
    ]


def reach(gateway: Gateway, person_id: str, k: int) -> int:
    """`reach(p, k)`: distinct descendants of p within k generations (DESIGN.md §5 Reach).

    k = 1 counts direct referrals; 1 <= k <= 6. Unknown person -> NotFound.
    """
    if not 1 <= k <= MAX_K:
        raise InvalidInput(f"k must be between 1 and {MAX_K}, got {k}")
    rows = gateway.read(DEPTH_COUNTS, person_id=person_id)
    if not rows[0]["found"]:
        raise NotFound(f"person {person_id}")
    return sum(d["people"] for d in rows[0]["depths"] if d["depth"] <= k)


def reach_profile(gateway: Gateway, person_id: str) -> dict[int | str, int | float]:
    """Reach for k = 1, 2, 3 plus cascade size and network revenue (DESIGN.md §5 Reach).

    Returns `{1: reach1, 2: reach2, 3: reach3, "cascade_size": int, "network_revenue": float}`.
    Unknown person -> NotFound.
    """
    row = gateway.read(PROFILE, person_id=person_id)[0]
    if not row["found"]:
        raise NotFound(f"person {person_id}")
    return {
        1: row["reach1"],
        2: row["reach2"],
        3: row["reach3"],
        "cascade_size": row["cascade_size"],
        "network_revenue": float(row["network_revenue"]),
    }


def cascade_tree(
    gateway: Gateway,
    person_id: str,
    max_depth: int = 4,
    max_nodes: int = 500,
    scope: str | None = None,
) -> CascadeTree:
    """The person's referral cascade (DESIGN.md §5 Reach), bounded.

    Keeps at most `max_depth` generations below the person and `max_nodes` nodes in all (the
    person included), breadth first (by depth, then referral time, then id), so the kept part
    is a tree; `truncated` counts the descendants left out. With `scope` (a store key's
    store), people of other stores are hidden (graph.access). Unknown person -> NotFound.
    """
    if max_depth < 0 or max_nodes < 1:
        raise InvalidInput("max_depth must not be negative and max_nodes must be at least 1")
    row = gateway.read(
        CASCADE, person_id=person_id, max_depth=max_depth, max_descendants=max_nodes - 1
    )[0]
    if not row["found"]:
        raise NotFound(f"person {person_id}")
    mask = masker(gateway, scope, [n["id"] for n in row["nodes"]])
    nodes = [
        CascadeNode(
            person_id=mask.id(n["id"]),
            depth=n["depth"],
            parent_id=mask.optional_id(n["parent"]),
            referred_at=n["at"],
            staff=n["staff"] and not mask.hides(n["id"]),
            member=n["member"] and not mask.hides(n["id"]),
            agent=n["agent"] and not mask.hides(n["id"]),
            other_store=mask.hides(n["id"]),
        )
        for n in row["nodes"]
    ]
    return CascadeTree(
        root_id=person_id,
        nodes=nodes,
        cascade_size=row["total"],
        truncated=row["total"] - (len(nodes) - 1),
    )


def tree_virality(gateway: Gateway, root_id: str) -> float | None:
    """Structural virality of the referral tree under `root_id` (DESIGN.md §5); None when the
    person referred nobody. Unknown person -> NotFound."""
    row = gateway.read(TREE_EDGES, person_id=root_id)[0]
    if not row["found"]:
        raise NotFound(f"person {root_id}")
    return structural_virality(zip(row["parents"], row["children"], strict=True))
