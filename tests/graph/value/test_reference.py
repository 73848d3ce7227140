"""Every customer-value figure and the agent candidates of the generated `tiny` brand agree
with an independent pandas recomputation from its raw files (tests/graph/value/reference.py),
for several windows; the GMV identity holds exactly for every store and the brand."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest

from graph.gateway import Gateway
from graph.value import (
    agent_candidates,
    brand_agent_candidates,
    brand_funnel,
    brand_retention,
    brand_sources,
    brand_value,
    store_funnel,
    store_retention,
    store_sources,
    store_value,
)
from graph.value.sources import GENERATIONS, SOURCES
from tests.graph import reference
from tests.graph.value.reference import Brand
from tests.graph.value.reference import agent_candidates as reference_candidates
from tests.graph.value.reference import funnel as reference_funnel
from tests.graph.value.reference import retention as reference_retention
from tests.graph.value.reference import sources as reference_sources
from tests.graph.value.reference import value as reference_value

tiny, tiny_files = reference.tiny, reference.tiny_files
DAY = timedelta(days=1)


@pytest.fixture(scope="module")
def raw(tiny_files: Path) -> tuple[Brand, datetime]:
    end = datetime.fromisoformat(json.loads((tiny_files / "summary.json").read_text())["end"])
    return Brand.read(tiny_files), end


def windows(end: datetime) -> list[tuple[datetime, datetime]]:
    """The default 30 days, an older stretch, and one that ends mid-week, mid-day."""
    odd = end - 17.5 * DAY
    return [(end - 30 * DAY, end), (end - 150 * DAY, end - 60 * DAY), (odd - 45 * DAY, odd)]


def cents(amount: float) -> int:
    return round(amount * 100)


def test_value_agrees_with_the_raw_files(
    tiny: tuple[Gateway, Path], raw: tuple[Brand, datetime]
) -> None:
    gw, _ = tiny
    brand, end = raw
    busy = 0
    for start, stop in windows(end):
        rows = {r.store_id: r for r in brand_value(gw, start, stop).rows}
        assert sorted(rows) == brand.stores
        for store in brand.stores:
            v = store_value(gw, store, start, stop)
            got = {
                "customers": v.customers, "active": v.active, "buyers": v.buyers,
                "orders": v.orders, "cents": cents(v.amount), "store_orders": v.store_orders,
                "store_cents": cents(v.store_amount), "ever_buyers": v.ever_buyers,
                "repeat_buyers": v.repeat_buyers,
            }  # fmt: skip
            assert got == reference_value(brand, store, start, stop), (store, start)
            assert rows[store].model_dump() == v.model_dump(exclude={"start", "end"})
            busy += v.buyers
    assert busy >= 3  # the windows hold real purchases, not only zeros


def test_the_gmv_identity_holds_exactly(
    tiny: tuple[Gateway, Path], raw: tuple[Brand, datetime]
) -> None:
    gw, _ = tiny
    _, end = raw
    for start, stop in windows(end):
        answer = brand_value(gw, start, stop)
        for figures in [*answer.rows, answer.brand]:
            f = figures.factors
            assert f.people == figures.active
            if figures.orders:
                product = (
                    Fraction(figures.active)
                    * Fraction(figures.buyers, figures.active)
                    * Fraction(figures.orders, figures.buyers)
                    * Fraction(cents(figures.amount), 100 * figures.orders)
                )
                assert product == Fraction(cents(figures.amount), 100)
                assert (f.conversion, f.frequency) == (
                    figures.buyers / figures.active,
                    figures.orders / figures.buyers,
                )
            assert f.product() == pytest.approx(figures.amount, rel=1e-12, abs=1e-12)


def test_retention_agrees_with_the_raw_files(
    tiny: tuple[Gateway, Path], raw: tuple[Brand, datetime]
) -> None:
    gw, _ = tiny
    brand, end = raw
    for start, stop in [(end - 84 * DAY, end), (end - 100 * DAY, end - 17.5 * DAY)]:
        expected_brand: dict[datetime, list] = {}
        for store in brand.stores:
            r = store_retention(gw, store, start, stop)
            expected = reference_retention(brand, store, start, stop)
            assert [(c.week_start, c.people, c.retained) for c in r.cohorts] == expected
            for week, people, retained in expected:
                total = expected_brand.setdefault(week, [0, [0 if n is not None else None
                                                             for n in retained]])  # fmt: skip
                total[0] += people
                total[1] = [
                    t + n if n is not None else None
                    for t, n in zip(total[1], retained, strict=True)
                ]
        b = brand_retention(gw, start, stop)
        assert [(c.week_start, [c.people, c.retained]) for c in b.cohorts] == list(
            expected_brand.items()
        )
        assert sum(n or 0 for c in b.cohorts for n in c.retained) > 0


def test_sources_agree_with_the_raw_files(
    tiny: tuple[Gateway, Path], raw: tuple[Brand, datetime]
) -> None:
    gw, _ = tiny
    brand, end = raw
    for start, stop in [(None, end), (end - 60 * DAY, end), (None, end - 40 * DAY)]:
        rows = {r.store_id: r for r in brand_sources(gw, start, stop).rows}
        for store in brand.stores:
            s = store_sources(gw, store, start, stop)
            expected = reference_sources(brand, store, stop, start)
            for kind, groups, names in (
                ("source", s.by_source, SOURCES),
                ("generation", s.by_generation, GENERATIONS),
            ):
                assert [g.group for g in groups] == list(names)
                got = {g.group: (g.people, g.buyers, g.orders, cents(g.amount))
                       for g in groups if g.people}  # fmt: skip
                assert got == expected[kind], (store, kind, start, stop)
            assert rows[store].by_source == s.by_source
    everyone = store_sources(gw, brand.stores[0], end=end).by_source
    assert sum(1 for g in everyone if g.people) >= 3  # several sources are represented


def test_funnel_agrees_with_the_raw_files(
    tiny: tuple[Gateway, Path], raw: tuple[Brand, datetime]
) -> None:
    gw, _ = tiny
    brand, end = raw
    for start, stop in [(end - 90 * DAY, end), (end - 120 * DAY, end - 20.5 * DAY)]:
        totals = [0] * 5
        for store in brand.stores:
            f = store_funnel(gw, store, start, stop)
            expected = reference_funnel(brand, store, start, stop)
            assert [s.people for s in f.stages] == expected, (store, start)
            totals = [t + n for t, n in zip(totals, expected, strict=True)]
        assert [s.people for s in brand_funnel(gw, start, stop).stages] == totals
        assert all(totals), totals  # every stage is reached by someone


def test_agent_candidates_agree_with_the_raw_files(
    tiny: tuple[Gateway, Path], raw: tuple[Brand, datetime]
) -> None:
    gw, _ = tiny
    brand, _ = raw
    influence = {
        r["id"]: r["score"]
        for r in gw.read("MATCH (p:Person) RETURN p.id AS id, p.store_influence AS score")
        if r["score"] is not None
    }
    b = {r.store_id: r for r in brand_agent_candidates(gw, per_store=100).rows}
    for store in brand.stores:
        expected = reference_candidates(brand, store, influence)
        c = agent_candidates(gw, store, limit=100)
        assert c.eligible == len(expected) > 0
        assert [(x.person_id, x.reach3, x.orders, cents(x.spend)) for x in c.candidates] == expected
        assert b[store].candidates == c.candidates
        top = agent_candidates(gw, store, limit=2, min_reach3=1)
        assert [x.person_id for x in top.candidates] == [r[0] for r in expected if r[1] >= 1][:2]
