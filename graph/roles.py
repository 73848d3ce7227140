"""A person's role in a store network (DESIGN.md §2 glossary, §6 "Maps": nodes coloured by
role): staff, agent, member or prospect, first that applies. Every answer that shows a role —
maps, introduction paths, profiles — takes it from here.
"""

from __future__ import annotations

from typing import Literal

Role = Literal["staff", "agent", "member", "prospect"]
ROLES: tuple[Role, ...] = ("staff", "agent", "member", "prospect")
PLURAL: dict[str, str] = {
    "store": "store",
    "staff": "staff",
    "agent": "agents",
    "member": "members",
    "prospect": "prospects",
    "other_store": "people from other stores",
}


def role_of(*, staff: bool, agent: bool, member: bool) -> Role:
    """The first role that applies, in the order of `ROLES`."""
    if staff:
        return "staff"
    return "agent" if agent else "member" if member else "prospect"


def roles_of(*, staff: bool, agent: bool, member: bool) -> list[Role]:
    """Every role that applies (a staff member may also be a member); prospect when none."""
    held: list[tuple[Role, bool]] = [("staff", staff), ("member", member), ("agent", agent)]
    return [name for name, has in held if has] or ["prospect"]
