"""Erasure of a person on request (the right to be forgotten).

What goes: the Person node and all its relationships — their shares' authorship, visits,
friendships, notes about them, ties, interests, referral edges, home — and their id.
What stays, anonymised: their orders (amount, time, store: store revenue is unchanged, no
longer linked to anyone) and their shares (time, channel, content: other people's visits to
them stay valid). The people they referred become roots of their own trees, and their home
stores follow the usual rules from there (DESIGN.md §5 "Home store"). Held events that name the
person (waiting for something they name, loaders.held) are deleted too, even when the person
never reached the graph. A tombstone keeps only the SHA-256 of the id, so loads and ingestion
refuse the person's events afterwards, held ones included.
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel

from fission.errors import NotFound
from graph.derive import REACH3, derive_stale
from graph.gateway import Gateway, Row, Tx
from graph.queries import query

ERASE = query("erasure/erase_person")
ERASED_AMONG = query("erasure/erased_among")
ERASE_HELD = query("erasure/erase_held")


class ErasureReport(BaseModel):
    person_id: str
    orders_anonymised: int
    shares_anonymised: int
    referees_now_roots: list[str]
    relationships_deleted: int
    held_events_deleted: int = 0


def id_hash(person_id: str) -> str:
    return hashlib.sha256(person_id.encode()).hexdigest()


def erase_person(gateway: Gateway, person_id: str) -> ErasureReport:
    """Erases the person and the held events naming them; NotFound when neither exists."""
    tombstone = id_hash(person_id)
    held = gateway.write(ERASE_HELD, person_id=person_id, id_sha256=tombstone)[0]["held_deleted"]

    def erase(tx: Tx) -> list[Row]:
        rows = tx.run(ERASE, person_id=person_id, id_sha256=tombstone)
        if rows and rows[0]["referrer"] is not None:
            tx.run(REACH3, ids=[rows[0]["referrer"]])
        return rows

    rows = gateway.write_tx(erase)
    if not rows and not held:
        raise NotFound(f"No person {person_id}.")
    derive_stale(gateway)
    row = rows[0] if rows else {}
    return ErasureReport(
        person_id=person_id,
        orders_anonymised=row.get("orders_anonymised", 0),
        shares_anonymised=row.get("shares_anonymised", 0),
        referees_now_roots=sorted(row.get("referees", [])),
        relationships_deleted=row.get("relationships_deleted", 0),
        held_events_deleted=held,
    )


def erased_ids(gateway: Gateway, person_ids: set[str]) -> set[str]:
    """The ids among these that were erased on request."""
    if not person_ids:
        return set()
    by_hash = {id_hash(p): p for p in person_ids}
    rows = gateway.read(ERASED_AMONG, hashes=list(by_hash))
    return {by_hash[r["id_sha256"]] for r in rows}
