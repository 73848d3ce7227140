"""Planted fraud patterns (off by default): a switch of `generate` adds, on top of the clean
brand, a few cases of each pattern graph.fraud detects, with the ground truth in
`planted.json`. Planted people, shares and events have ids of their own (`PF…`, `SHF…`,
`E-PLANT-…`) and their own random generator, so the clean brand's files are the same with or
without them.

- `coupon_farm`: a staff member shares a coupon; a new person opens it, then re-shares it, and
  `FARM_ACCOUNTS` brand-new people claim the coupon within minutes and never do anything else.
- `ring`: a new person comes in through a staff share and brings `RING_SIZE - 1` others; then
  they only share to each other: every member shares once and most members open (and some
  re-share) each other's shares.
- `self_referral`: a new person buys, becomes an agent of the store, shares once, and
  `PUPPETS` "new" people open only that share and buy at the store within the hour, so that the
  agent is credited with their orders.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from synthetic.arrays import Arr, iso_times
from synthetic.presets import CHANNELS, DAY

PATTERNS: tuple[str, ...] = ("coupon_farm", "ring", "self_referral")
CASES = 3  # cases of each pattern
FARM_ACCOUNTS = 12
RING_SIZE = 6
PUPPETS = 4
MINUTE, HOUR = 60, 3600

Ids = Callable[[Arr], Arr]


class _Plant:
    """Rows of planted events, per file type, and the ground truth."""

    def __init__(self, seed: int, end: int, person: Ids, store: Ids, content: Ids) -> None:
        self.rng = np.random.default_rng([seed, 0xF4A0D])
        self.end = end
        self.person, self.store, self.content = person, store, content
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.cases: list[dict[str, Any]] = []
        self.events = 0

    def _event(self, kind: str, row: dict[str, Any]) -> None:
        self.events += 1
        self.rows.setdefault(kind, []).append({"event_id": f"E-PLANT-{self.events:06d}", **row})

    def share(self, share_id: str, sharer: str, content: str, at: int, parent: str | None) -> None:
        self._event(
            "shares",
            {"share_id": share_id, "sharer_id": sharer, "content_id": content,
             "channel": CHANNELS[0], "at": _at(at), "parent_share_id": parent},
        )  # fmt: skip

    def visit(self, share_id: str, visitor: str, at: int, action: str = "view") -> None:
        self._event(
            "visits", {"share_id": share_id, "visitor_id": visitor, "at": _at(at), "action": action}
        )

    def order(self, person: str, store: str, at: int) -> None:
        amount = float(np.round(self.rng.uniform(150, 400), 2))
        self._event(
            "orders",
            {"person_id": person, "store_id": store, "amount": amount, "currency": "CNY",
             "at": _at(at)},
        )  # fmt: skip

    def agent(self, person: str, store: str, invited_by: str, at: int) -> None:
        self._event(
            "agents",
            {"person_id": person, "store_id": store, "invited_by": invited_by, "at": _at(at)},
        )


def _at(seconds: int) -> str:
    return str(iso_times(np.array([seconds]))[0])


def plant(
    patterns: Sequence[str],
    seed: int,
    end: int,
    stores: int,
    staff_start: Arr,
    coupon: int,
    person: Ids,
    store: Ids,
    content: Ids,
) -> tuple[dict[str, pd.DataFrame], list[dict[str, Any]]]:
    """Planted rows per file type (loader columns) and the cases, for the given patterns."""
    unknown = set(patterns) - set(PATTERNS)
    if unknown:
        raise ValueError(f"unknown fraud patterns {sorted(unknown)}; choose from {PATTERNS}")
    p = _Plant(seed, end, person, store, content)
    coupon_id = str(content(np.array([coupon]))[0])
    for pattern in PATTERNS:
        if pattern not in patterns:
            continue
        for case in range(1, CASES + 1):
            s = int(p.rng.integers(0, stores))
            store_id = str(store(np.array([s]))[0])
            staff_id = str(person(np.array([staff_start[s]]))[0])
            t0 = end - int(p.rng.integers(20, 60)) * DAY
            tag = f"{pattern[0].upper()}{case}"
            entry = f"SHF{tag}-0"
            p.share(entry, staff_id, coupon_id, t0, None)
            people: dict[str, list[str]]
            if pattern == "coupon_farm":
                farmer = f"PF{tag}-00"
                p.visit(entry, farmer, t0 + 30 * MINUTE)
                p.share(f"SHF{tag}-1", farmer, coupon_id, t0 + HOUR, entry)
                accounts = [f"PF{tag}-{i:02d}" for i in range(1, FARM_ACCOUNTS + 1)]
                for account in accounts:
                    at = t0 + HOUR + int(p.rng.integers(1, 20)) * MINUTE
                    p.visit(f"SHF{tag}-1", account, at, "claim_coupon")
                people = {"sharer": [farmer], "accounts": accounts}
            elif pattern == "ring":
                members = [f"PF{tag}-{i:02d}" for i in range(RING_SIZE)]
                p.visit(entry, members[0], t0 + 10 * MINUTE)
                p.share(f"SHF{tag}-1", members[0], coupon_id, t0 + HOUR, entry)
                for i, member in enumerate(members[1:], 1):
                    p.visit(f"SHF{tag}-1", member, t0 + HOUR + i * MINUTE, "claim_coupon")
                for i, member in enumerate(members[1:], 1):
                    own = f"SHF{tag}-R{i}"
                    p.share(own, member, coupon_id, t0 + DAY + i * HOUR, f"SHF{tag}-1")
                    for j, other in enumerate(members):
                        if other != member and p.rng.random() < 0.85:
                            p.visit(own, other, t0 + DAY + i * HOUR + (j + 1) * MINUTE,
                                    "claim_coupon")  # fmt: skip
                people = {"members": members}
            else:
                agent = f"PF{tag}-00"
                p.visit(entry, agent, t0 + 10 * MINUTE)
                p.order(agent, store_id, t0 + DAY)
                p.agent(agent, store_id, staff_id, t0 + 2 * DAY)
                p.share(f"SHF{tag}-1", agent, coupon_id, t0 + 3 * DAY, None)
                puppets = [f"PF{tag}-{i:02d}" for i in range(1, PUPPETS + 1)]
                for i, puppet in enumerate(puppets):
                    at = t0 + 3 * DAY + (i + 1) * 2 * HOUR
                    p.visit(f"SHF{tag}-1", puppet, at, "claim_coupon")
                    p.order(puppet, store_id, at + int(p.rng.integers(20, 60)) * MINUTE)
                people = {"agent": [agent], "puppets": puppets}
            p.cases.append({"kind": pattern, "store_id": store_id, "people": people})
    return {kind: pd.DataFrame(rows) for kind, rows in p.rows.items()}, p.cases
