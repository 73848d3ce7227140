"""Fraud flags (graph.fraud) on the `small` brand with every pattern planted (synthetic.fraud):
every planted case is flagged with its people, the clean part of the brand raises (almost) no
flag (the measured rate is printed and kept in the README), attribution can leave flagged
credit out, and flags reach a store's and a person's answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fission.errors import NotFound
from graph.attribution import store_attribution
from graph.fraud import FLAGS, Flag, person_flags, refresh_flags, store_flags
from graph.gateway import Gateway
from loaders.pipeline import load_files
from synthetic import FRAUD_PATTERNS, generate
from tests.helpers import plan_operators, wipe

PARTS = {"sharer": "sharer", "accounts": "account", "members": "member", "agent": "agent",
         "puppets": "buyer"}  # fmt: skip


@pytest.fixture(scope="module")
def planted(
    gateway: Gateway, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Gateway, list[dict[str, Any]], list[Flag]]:
    folder: Path = tmp_path_factory.mktemp("fraud-small")
    generate("small", 7, folder, fmt="parquet", plant=FRAUD_PATTERNS)
    wipe(gateway)
    assert load_files(gateway, [folder]).total("rejected") == 0
    report = refresh_flags(gateway)
    assert report.skipped == []
    cases = json.loads((folder / "planted.json").read_text())
    stores = {r["id"] for r in gateway.read("MATCH (s:Store) RETURN s.id AS id")}
    flags = [f for s in sorted(stores) for f in store_flags(gateway, s).flags]
    yield gateway, cases, flags
    wipe(gateway)


def test_every_planted_case_is_flagged(
    planted: tuple[Gateway, list[dict[str, Any]], list[Flag]],
) -> None:
    _, cases, flags = planted
    assert {c["kind"] for c in cases} == set(FRAUD_PATTERNS) and len(cases) == 9
    for case in cases:
        wanted = {(pid, PARTS[part]) for part, ids in case["people"].items() for pid in ids}
        matches = [
            f
            for f in flags
            if f.kind == case["kind"] and wanted <= {(p.person_id, p.part) for p in f.people}
        ]
        assert len(matches) == 1, case
        assert matches[0].store_id == case["store_id"] and matches[0].reason


def test_few_false_flags_on_the_clean_brand(
    planted: tuple[Gateway, list[dict[str, Any]], list[Flag]],
) -> None:
    gateway, _, flags = planted
    clean_people = gateway.read(
        "MATCH (p:Person) WHERE NOT p.id STARTS WITH 'PF' RETURN count(p) AS n"
    )[0]["n"]
    false = [f for f in flags if any(not p.person_id.startswith("PF") for p in f.people
                                     if p.part not in ("agent",))]  # fmt: skip
    # The planted cases' entry shares are by real staff, who are never named; so a flag naming
    # any clean person is a false flag.
    falsely_named = {p.person_id for f in false for p in f.people}
    rate = len(falsely_named) / clean_people
    print(f"\nfalse flags on the clean part of `small`: {len(false)} flags naming "
          f"{len(falsely_named)} of {clean_people} people ({rate:.3%})")  # fmt: skip
    assert rate <= 0.001 and len(false) <= 2


def test_flags_reach_people_and_attribution_can_exclude_them(
    planted: tuple[Gateway, list[dict[str, Any]], list[Flag]],
) -> None:
    gateway, cases, _ = planted
    case = next(c for c in cases if c["kind"] == "self_referral")
    agent, buyers = case["people"]["agent"][0], case["people"]["puppets"]
    assert [f.kind for f in person_flags(gateway, buyers[0])] == ["self_referral"]
    assert person_flags(gateway, "nobody") == []
    plain = store_attribution(gateway, case["store_id"])
    strict = store_attribution(gateway, case["store_id"], exclude_flagged=True)
    amount = gateway.read(
        "MATCH (p:Person)-[:PLACED]->(o:Order) WHERE p.id IN $ids RETURN sum(o.amount) AS a",
        ids=buyers,
    )[0]["a"]
    credit = {c.person_id: c for c in plain.credits}
    strict_credit = {c.person_id: c for c in strict.credits}
    assert set(buyers) <= set(strict.excluded_people) and strict.flagged_credit_excluded
    assert strict.excluded_amount >= amount - 1e-6
    assert credit[agent].sales_amount - strict_credit[agent].sales_amount == pytest.approx(amount)
    assert strict.total_amount == pytest.approx(plain.total_amount)
    assert plain.excluded_amount == 0.0 and not plain.flagged_credit_excluded
    with pytest.raises(NotFound):
        store_flags(gateway, "nope")


def test_flag_lookups_start_from_the_store_index_or_the_person(
    planted: tuple[Gateway, list[dict[str, Any]], list[Flag]],
) -> None:
    """Neither lookup reads every flag (with 1 000 flags at `large`, a profile's flag lookup
    read 17 004 db hits, now 19), and both give every flag of their store or person."""
    gateway, _, _ = planted
    for params in ({"store_id": "S0001", "person_id": None}, {"store_id": None, "person_id": "P1"}):
        operators = plan_operators(gateway, FLAGS, **params)
        assert "NodeByLabelScan" not in operators, (params, operators)
    assert "NodeIndexSeek" in plan_operators(gateway, FLAGS, store_id="S0001", person_id=None)
    named = gateway.read("MATCH (f:Flag)-[:NAMES]->(p) RETURN collect(DISTINCT p.id) AS ids")
    every = gateway.read("MATCH (f:Flag) RETURN collect(f.id) AS ids")[0]["ids"]
    found = {f.id for p in named[0]["ids"] for f in person_flags(gateway, p)}
    assert every and found == set(every)
