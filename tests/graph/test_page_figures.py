"""The figures the pages show beyond the diagnosis, against the real Neo4j: the conversion
funnel, the brand summary and the HQ overview's filters and cache, a staff member's figures
for a period, person briefs and referrer chains. Known answers on hand-built stores, then on
the generated `tiny` brand: the funnel recomputed from the raw files with pandas, the brand
summary as sums of the overview, and a staff member's all-time figures equal to their row of
the store's sales attribution."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from fission.errors import InvalidInput, NotFound
from graph.attribution import staff_figures, store_attribution
from graph.gateway import Gateway
from graph.influence import refresh_influence
from graph.people import person_briefs
from graph.reach import referrer_chain
from graph.stores import brand_summary, conversion_funnel, hq_overview, store_diagnosis
from loaders.pipeline import load_files
from synthetic import generate
from tests.graph.reference import referral_forest
from tests.graph.test_stores import NOW, basic_store, note
from tests.helpers import order, reference_files, share, ts, visit, wipe, write_rows


def load(gw: Gateway, folder: Path) -> None:
    assert load_files(gw, [folder]).total("rejected") == 0


# ----------------------------------------------------------------------------- funnel


def funnel_store(folder: Path) -> None:
    """M1 shares sh1 on day 2; M2 (store S2) shares sh2. In the window [day 3, day 10):
    A views, claims a coupon, then orders (all in it); B contacts sales and claims a coupon;
    C views and orders without engaging; D first appears ordering at S1 on day 2, claims a
    coupon on day 6 and orders no more; E claimed a coupon before the window and only views in
    it; F visits after the window; G claims a coupon and then orders at S2; clerk C1 claims a
    coupon (staff are no customers); X is S2's customer."""
    reference_files(folder)
    write_rows(
        folder,
        "shares",
        [share("e01", "sh1", "M1", ts(2, 9)), share("e02", "sh2", "M2", ts(2, 9))],
    )
    write_rows(
        folder,
        "visits",
        [
            visit("v01", "sh1", "A", ts(3, 10)),
            visit("v02", "sh1", "A", ts(4, 10), "claim_coupon"),
            visit("v03", "sh1", "B", ts(3, 11), "contact_sales"),
            visit("v04", "sh1", "B", ts(3, 13), "claim_coupon"),
            visit("v05", "sh1", "C", ts(3, 12)),
            visit("v06", "sh1", "D", ts(6, 10), "claim_coupon"),
            visit("v07", "sh1", "E", ts(2, 20), "claim_coupon"),
            visit("v08", "sh1", "E", ts(4, 12)),
            visit("v09", "sh1", "F", ts(12, 10), "contact_sales"),
            visit("v10", "sh1", "G", ts(4, 9), "claim_coupon"),
            visit("v11", "sh1", "C1", ts(4, 9), "claim_coupon"),
            visit("v12", "sh2", "X", ts(4, 9), "claim_coupon"),
        ],
    )
    write_rows(
        folder,
        "orders",
        [
            order("o1", "A", "S1", ts(5, 10)),
            order("o2", "C", "S1", ts(4, 10)),
            order("o3", "D", "S1", ts(2, 8)),
            order("o4", "G", "S2", ts(5, 10)),
            order("o5", "X", "S2", ts(5, 10)),
        ],
    )


def test_conversion_funnel_known_answers(graph: Gateway, tmp_path: Path) -> None:
    funnel_store(tmp_path)
    load(graph, tmp_path)
    start, end = datetime.fromisoformat(ts(3, 0)), datetime.fromisoformat(ts(10, 0))
    f = conversion_funnel(graph, "S1", start, end)
    assert (f.visited, f.claimed_coupon, f.contacted_sales, f.engaged, f.ordered) == (6, 4, 1, 4, 2)
    assert (f.start, f.end) == (start, end)
    s2 = conversion_funnel(graph, "S2", start, end)
    assert (s2.visited, s2.engaged, s2.ordered) == (1, 1, 1)
    # Default window: the 28 days before `end`.
    default = conversion_funnel(graph, "S1", end=end)
    assert default.start == end - timedelta(days=28)
    assert (default.visited, default.claimed_coupon) == (6, 5)  # E's earlier claim counts now
    with pytest.raises(NotFound):
        conversion_funnel(graph, "NOPE", start, end)
    with pytest.raises(InvalidInput):
        conversion_funnel(graph, "S1", end, start)
    with pytest.raises(InvalidInput):
        conversion_funnel(graph, "S1", datetime(2026, 5, 3), end)


# ----------------------------------------------------------------------------- brand, filters


def test_brand_summary_and_overview_filters(graph: Gateway, tmp_path: Path) -> None:
    basic_store(tmp_path)
    load(graph, tmp_path)
    brand = brand_summary(graph, NOW)
    assert (brand.stores, brand.customers, brand.prospects, brand.members, brand.agents) == (
        2, 8, 6, 2, 1,
    )  # fmt: skip
    assert brand.conversion_rate == pytest.approx(2 / 8)
    assert brand.fission_ratio == pytest.approx(3 / 3)
    assert brand.stores_by_tier == {"starter": 2, "growing": 0, "established": 0, "large": 0}
    assert brand.regions == ["East", "North"]
    s1 = store_diagnosis(graph, "S1", NOW)
    assert brand.new_people_per_week == s1.new_people_per_week  # S2 has nobody new
    east = hq_overview(graph, NOW, region="East")
    assert (east.total, [r.store_id for r in east.rows], east.region) == (1, ["S1"], "East")
    assert hq_overview(graph, NOW, tier_name="growing").total == 0
    assert hq_overview(graph, NOW, tier_name="starter", region="North").total == 1
    with pytest.raises(InvalidInput):
        hq_overview(graph, NOW, tier_name="huge")  # type: ignore[arg-type]


def test_overview_cache_follows_the_brand(graph: Gateway, tmp_path: Path) -> None:
    basic_store(tmp_path)
    load(graph, tmp_path)
    first = brand_summary(graph)
    again = hq_overview(graph)
    assert again.as_of == first.as_of  # reused: nothing changed
    assert again.total == 2 and first.customers == 8
    write_rows(tmp_path / "more", "visits", [visit("e99", "sh1", "P9", ts(28, 9))])
    load(graph, tmp_path / "more")
    fresh = brand_summary(graph)
    assert fresh.customers == 9 and fresh.as_of > first.as_of


# ----------------------------------------------------------------------------- staff figures


def test_staff_figures_known_answers(graph: Gateway, tmp_path: Path) -> None:
    """basic_store: M1 brought P1, P2, P3 (day 2), P4, P5 (day 9, via P1) and P6 (day 16);
    agent P3 brought P7; P1 became a member buying at S1 on day 3 (credited to M1)."""
    basic_store(tmp_path)
    write_rows(
        tmp_path,
        "notes",
        [
            note("n1", "C1", "P2", ts(5)),
            note("n2", "C1", "P2", ts(6), kind="visited"),
            note("n3", "C1", "P3", ts(6), kind="tag"),
        ],
    )
    load(graph, tmp_path)
    early = staff_figures(graph, "M1", datetime.fromisoformat(ts(1)), datetime.fromisoformat(ts(8)))
    assert (early.people_brought, early.members_brought, early.orders, early.sales_amount) == (
        3, 1, 1, 100.0,
    )  # fmt: skip
    assert (early.store_id, early.role, early.display_name) == ("S1", "manager", "Ma")
    late = staff_figures(graph, "M1", datetime.fromisoformat(ts(8)), NOW)
    assert (late.people_brought, late.members_brought, late.orders) == (3, 0, 0)
    clerk = staff_figures(graph, "C1", datetime.fromisoformat(ts(1)), NOW)
    assert (clerk.people_brought, clerk.orders, clerk.people_contacted) == (0, 0, 1)
    week = staff_figures(graph, "M1", end=NOW)
    assert week.start == NOW - timedelta(days=7)
    with pytest.raises(NotFound):
        staff_figures(graph, "P1", end=NOW)  # not staff
    with pytest.raises(InvalidInput):
        staff_figures(graph, "M1", NOW, NOW)


# ----------------------------------------------------------------------------- people


def test_briefs_and_referrer_chain(graph: Gateway, tmp_path: Path) -> None:
    basic_store(tmp_path)
    write_rows(
        tmp_path,
        "notes",
        [note("n1", "C1", "P2", ts(5)), note("n2", "M1", "P2", ts(6), kind="tag")],
    )
    load(graph, tmp_path)
    briefs = person_briefs(graph, ["P2", "NOPE", "P7"], NOW)
    assert list(briefs) == ["P2", "P7"]
    p2 = briefs["P2"]
    assert {i.topic for i in p2.interests} == {"coffee", "baby"}  # content K1
    assert p2.last_note is not None
    assert (p2.last_note.kind, p2.last_note.staff_id, p2.last_note.tag) == ("tag", "M1", "vip")
    assert p2.manual_tags == ["vip"]
    assert briefs["P7"].last_note is None and briefs["P7"].manual_tags == []
    assert person_briefs(graph, []) == {}

    chain = referrer_chain(graph, "P6")
    assert [link.person_id for link in chain] == ["P4", "P1", "M1"]
    assert chain[0].referred_at == datetime.fromisoformat(ts(16, 14))  # P4 referred P6
    assert (chain[1].member, chain[2].staff, chain[2].display_name) == (True, True, "Ma")
    assert referrer_chain(graph, "M1") == []
    with pytest.raises(NotFound):
        referrer_chain(graph, "NOPE")


# ----------------------------------------------------------------------------- generated

TINY_SEED = 11
EVER = datetime.fromisoformat("2000-01-01T00:00Z")


@pytest.fixture(scope="module")
def tiny_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-page-figures")
    generate("tiny", TINY_SEED, folder, fmt="csv")
    return folder


@pytest.fixture
def tiny(gateway: Gateway, tiny_files: Path) -> Gateway:
    wipe(gateway)
    load(gateway, tiny_files)
    refresh_influence(gateway)
    return gateway


def reference_funnel(folder: Path, store: str, start: datetime, end: datetime) -> tuple:
    """The funnel of one store from the raw files (homes from the reference forest)."""
    forest = referral_forest(folder)
    customers = {p for p, a in forest.nodes(data=True) if a["home"] == store and not a["staff"]}
    visits = pd.read_csv(folder / "visits.csv", dtype=str, keep_default_na=False)
    orders = pd.read_csv(folder / "orders.csv", dtype=str, keep_default_na=False)
    visits["at"] = pd.to_datetime(visits["at"], utc=True, format="ISO8601")
    orders["at"] = pd.to_datetime(orders["at"], utc=True, format="ISO8601")
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    window = visits[(visits["at"] >= lo) & (visits["at"] < hi)]
    window = window[window.visitor_id.isin(customers)]
    engaging = window[window.action.isin(["claim_coupon", "contact_sales"])]
    first = engaging.groupby("visitor_id")["at"].min()
    ordered = sum(
        bool(((orders.person_id == p) & (orders["at"] >= at) & (orders["at"] < hi)).any())
        for p, at in first.items()
    )
    return (
        window.visitor_id.nunique(),
        engaging[engaging.action == "claim_coupon"].visitor_id.nunique(),
        engaging[engaging.action == "contact_sales"].visitor_id.nunique(),
        len(first),
        ordered,
    )


def test_generated_page_figures(tiny: Gateway, tiny_files: Path) -> None:
    end = datetime.fromisoformat(json.loads((tiny_files / "summary.json").read_text())["end"])
    start = end - timedelta(days=200)  # the whole generated half-year
    overview = hq_overview(tiny, end, limit=1000).rows
    brand = brand_summary(tiny, end)
    assert brand.customers == sum(r.customers for r in overview)
    assert brand.members == sum(r.members for r in overview)
    weekly = [0] * 8
    orders_after_engaging = 0
    for row in overview:
        d = store_diagnosis(tiny, row.store_id, end)
        weekly = [a + w.new_people for a, w in zip(weekly, d.new_people_per_week, strict=True)]
        f = conversion_funnel(tiny, row.store_id, start, end)
        got = (f.visited, f.claimed_coupon, f.contacted_sales, f.engaged, f.ordered)
        assert got == reference_funnel(tiny_files, row.store_id, start, end)
        assert f.visited >= f.engaged >= f.ordered
        orders_after_engaging += f.ordered
        # A staff member's all-time figures are their row of the store's attribution.
        credits = {c.person_id: c for c in store_attribution(tiny, row.store_id).credits}
        for s in d.staff:
            mine = staff_figures(tiny, s.person_id, EVER, end)
            credit = credits[s.person_id]
            assert (mine.people_brought, mine.members_brought, mine.orders) == (
                credit.people_brought,
                credit.members_brought,
                credit.orders,
            )
            assert mine.sales_amount == pytest.approx(credit.sales_amount)
    assert [w.new_people for w in brand.new_people_per_week] == weekly
    assert orders_after_engaging > 0
