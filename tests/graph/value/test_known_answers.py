"""Customer value and agent candidates (DESIGN.md §5 "Customer value", "Agent candidates")
against the real Neo4j, on one hand-built brand whose every figure is worked out by hand in
`build`'s docstring: a window with and without activity, a store without orders, cohort weeks
not yet elapsed, window boundaries, and referrers who became members or agents only after
they referred someone."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest

from fission.errors import FissionError, InvalidInput, NotFound
from graph.gateway import Gateway
from graph.stores import store_diagnosis
from graph.value import (
    Paging,
    StoreValueRow,
    agent_candidates,
    brand_agent_candidates,
    brand_funnel,
    brand_retention,
    brand_sources,
    brand_value,
    gmv_factors,
    refresh_value_snapshot,
    store_funnel,
    store_retention,
    store_sources,
    store_value,
)
from loaders.pipeline import load_files
from tests.helpers import CONTENT, STAFF, STORES, order, share, ts, visit, wipe, write_rows


def utc(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 5, day, hour, tzinfo=UTC)


WEEK_2 = (utc(11), utc(18))  # Monday 11 May to Monday 18 May, UTC
AS_OF = utc(26, 12)  # Tuesday 26 May: the week of 25 May has not elapsed


def agent(eid: str, person: str, store: str, at: str) -> dict:
    return {"event_id": eid, "person_id": person, "store_id": store, "invited_by": "M1", "at": at}


def build(folder: Path) -> None:
    """Times are China time (+08:00), so 08:00 on a Monday is Monday 00:00 UTC.

    S1: M1 (manager) -> P1, P2, P3 (2 May). P1 buys (3 May) and refers P4 (6 May) as a member.
    P3 refers P5 (9 May) as a prospect: P3 becomes an agent (20 May) and buys (21 May) only
    later, then refers A1 (22 May) as an agent. P5 buys at S2 and at S1 (13, 14 May), refers
    P6 (16 May, claims a coupon) as a member; P6 refers P7 (17 May) as a prospect. Imported
    member Q1 (a root) buys (12 May) and refers R1 (19 May). P2 visits at exactly 11 May
    00:00 UTC, P4 at exactly 18 May 00:00 UTC, P7 again on 20 May. Staff C1 buys at S1, and
    so does X1, a customer of S2.
    S2: M2 -> X1 (4 May), who buys at S1 (12 May). S3: M3 -> X3 (12 May), no orders at all.

    In [11 May, 18 May) UTC, S1: active P1, P2, P5, P6, P7, Q1 (6); buyers P1, P5, Q1 (3);
    orders 4; amount 50.50 + 80.25 + 19.99 + 30.00 = 180.74; at S1: P1, P5, Q1, C1 and X1's
    orders = 5, 150.49; repeat buyers by 18 May: P1, P5 of P1, P5, Q1.
    """
    write_rows(folder, "stores", [*STORES, {**STORES[1], "store_id": "S3", "name": "Third"}])
    write_rows(folder, "staff", [*STAFF, {"person_id": "M3", "store_id": "S3", "role": "manager"}])
    write_rows(folder, "content", CONTENT)
    write_rows(
        folder, "members", [{"person_id": "Q1", "store_id": "S1", "member_since": "2026-01-01"}]
    )
    write_rows(
        folder,
        "shares",
        [
            share("s1", "sh1", "M1", ts(2, 13)),
            share("s2", "sh2", "P1", ts(5, 10)),
            share("s3", "sh3", "P3", ts(9, 10)),
            share("s4", "sh4", "P5", ts(15, 10)),
            share("s5", "sh5", "P6", ts(16, 12)),
            share("s6", "sh6", "Q1", ts(19, 9)),
            share("s7", "sh7", "M2", ts(4, 10)),
            share("s8", "sh8", "P3", ts(22, 9)),
            share("s9", "sh9", "M3", ts(5, 10)),
        ],
    )
    write_rows(
        folder,
        "visits",
        [
            visit("v1", "sh1", "P1", ts(2, 14)),
            visit("v2", "sh1", "P2", ts(2, 15)),
            visit("v3", "sh1", "P3", ts(2, 16)),
            visit("v4", "sh2", "P4", ts(6, 10)),
            visit("v5", "sh3", "P5", ts(9, 11)),
            visit("v6", "sh4", "P6", ts(16, 10), "claim_coupon"),
            visit("v7", "sh5", "P7", ts(17, 10)),
            visit("v8", "sh1", "P2", ts(11, 8)),
            visit("v9", "sh1", "P4", ts(18, 8)),
            visit("v10", "sh6", "R1", ts(19, 10)),
            visit("v11", "sh1", "P7", ts(20, 10)),
            visit("v12", "sh8", "A1", ts(22, 10)),
            visit("v13", "sh7", "X1", ts(4, 10, 30)),
            visit("v14", "sh9", "X3", ts(12, 15)),
        ],
    )
    write_rows(
        folder,
        "orders",
        [
            order("o1", "P1", "S1", ts(3, 10), 100.00),
            order("o2", "P1", "S1", ts(12, 10), 50.50),
            order("o3", "P5", "S2", ts(13, 10), 80.25),
            order("o4", "P5", "S1", ts(14, 10), 19.99),
            order("o5", "Q1", "S1", ts(12, 12), 30.00),
            order("o6", "C1", "S1", ts(12, 13), 10.00),
            order("o7", "X1", "S1", ts(12, 14), 40.00),
            order("o8", "P3", "S1", ts(21, 10), 60.00),
        ],
    )
    write_rows(folder, "agents", [agent("a1", "P3", "S1", ts(20, 9))])


@pytest.fixture(scope="module")
def brand(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Gateway:
    """The hand-built brand, loaded once for this module (its tests only read)."""
    folder = tmp_path_factory.mktemp("value-brand")
    build(folder)
    wipe(gateway)
    assert load_files(gateway, [folder]).total("rejected") == 0
    return gateway


def exact_identity(active: int, buyers: int, orders: int, amount: float) -> bool:
    """people * conversion * frequency * order value == amount, in exact rationals."""
    cents = round(amount * 100)
    if not orders:
        return cents == 0
    return Fraction(active) * Fraction(buyers, active) * Fraction(orders, buyers) * Fraction(
        cents, 100 * orders
    ) == Fraction(cents, 100)


# ----------------------------------------------------------------------------- store value


def test_store_value_known_answers(brand: Gateway) -> None:
    v = store_value(brand, "S1", *WEEK_2)
    assert (v.start, v.end, v.name) == (*WEEK_2, "Jing'an")
    assert (v.customers, v.active, v.buyers, v.orders) == (8, 6, 3, 4)
    assert v.amount == 180.74
    f = v.factors
    assert (f.people, f.conversion, f.frequency) == (6, 0.5, pytest.approx(4 / 3))
    assert f.order_value == pytest.approx(45.185)
    assert f.product() == pytest.approx(v.amount, rel=1e-12)
    assert exact_identity(v.active, v.buyers, v.orders, v.amount)
    assert (v.store_orders, v.store_amount) == (5, 150.49)
    assert (v.ever_buyers, v.repeat_buyers, v.repeat_purchase_rate) == (3, 2, 2 / 3)


def test_a_store_without_orders_and_an_empty_window(brand: Gateway) -> None:
    s3 = store_value(brand, "S3", *WEEK_2)
    assert (s3.customers, s3.active, s3.buyers, s3.orders, s3.amount) == (1, 1, 0, 0, 0.0)
    assert s3.factors.model_dump() == {
        "people": 1, "conversion": 0.0, "frequency": 0.0, "order_value": 0.0
    }  # fmt: skip
    assert (s3.store_orders, s3.store_amount, s3.repeat_purchase_rate) == (0, 0.0, 0.0)
    empty = store_value(brand, "S1", utc(27), utc(30))
    assert (empty.active, empty.buyers, empty.orders, empty.amount) == (0, 0, 0, 0.0)
    assert empty.factors.product() == 0.0 and empty.store_orders == 0
    assert empty.customers == 10 and empty.repeat_buyers == 2  # P1, P5 (P3 bought once)


def test_brand_value_rows_totals_and_median(brand: Gateway) -> None:
    b = brand_value(brand, *WEEK_2)
    assert [r.store_id for r in b.rows] == ["S1", "S2", "S3"] and b.stores == b.total == 3
    s2 = b.rows[1]
    assert (s2.active, s2.buyers, s2.orders, s2.amount) == (1, 1, 1, 40.0)
    assert (s2.store_orders, s2.store_amount) == (1, 80.25)  # P5 of S1 bought at S2
    s1 = store_value(brand, "S1", *WEEK_2)
    assert b.rows[0] == StoreValueRow(**s1.model_dump(exclude={"start", "end"}))
    t = b.brand
    assert (t.active, t.buyers, t.orders, t.amount) == (8, 4, 5, 220.74)
    assert (t.store_orders, t.store_amount) == (6, 230.74)
    assert t.factors.product() == pytest.approx(t.amount, rel=1e-12)
    m = b.median
    assert (m.people, m.conversion, m.amount) == (1, 0.5, 40.0)
    assert m.frequency == pytest.approx((4 / 3 + 1) / 2)
    assert m.order_value == pytest.approx((45.185 + 40) / 2)
    by_amount = brand_value(brand, *WEEK_2, Paging("amount", True, offset=1, limit=1))
    assert [r.store_id for r in by_amount.rows] == ["S2"] and by_amount.total == 3
    with pytest.raises(InvalidInput, match="sort must be one of"):
        brand_value(brand, *WEEK_2, Paging("shoe_size"))


def test_the_gmv_identity_is_checked() -> None:
    assert gmv_factors(6, 3, 4, 18074).product() == pytest.approx(180.74, rel=1e-12)
    assert gmv_factors(0, 0, 0, 0).product() == 0.0
    for broken in [(2, 3, 3, 100), (5, 2, 1, 100), (5, 0, 0, 100)]:
        with pytest.raises(FissionError, match="GMV identity"):
            gmv_factors(*broken)


def test_windows_are_checked(brand: Gateway) -> None:
    with pytest.raises(InvalidInput, match="before end"):
        store_value(brand, "S1", utc(18), utc(11))
    with pytest.raises(InvalidInput, match="before end"):
        store_funnel(brand, "S1", utc(11), utc(11))
    with pytest.raises(InvalidInput, match="timezone"):
        store_retention(brand, "S1", datetime(2026, 5, 1), AS_OF)
    with pytest.raises(InvalidInput, match="timezone"):
        store_sources(brand, "S1", end=datetime(2026, 5, 1))
    for figure in (store_value, store_retention, store_sources, store_funnel):
        with pytest.raises(NotFound):
            figure(brand, "NOPE", *WEEK_2)
    with pytest.raises(NotFound):
        agent_candidates(brand, "NOPE")


# ----------------------------------------------------------------------------- retention


def test_retention_cohorts_known_answers(brand: Gateway) -> None:
    r = store_retention(brand, "S1", utc(1), AS_OF)
    weeks = [c.week_start for c in r.cohorts]
    assert weeks == [datetime(2026, 4, 27, tzinfo=UTC), utc(4), utc(11), utc(18), utc(25)]
    none = [None] * 8
    assert (
        [(c.people, c.retained) for c in r.cohorts]
        == [
            (3, [2, 2, 1, *none[:5]]),  # P1, P2, P3: offsets up to 3 elapsed
            (2, [1, 1, *none[:6]]),  # P4 (back at 18 May 00:00 UTC, offset 2), P5
            (2, [1, *none[:7]]),  # P6, P7 (back on 20 May)
            (2, none),  # R1, A1: no week after theirs has elapsed
            (0, none),
        ]
    )
    assert r.cohorts[0].rates[:4] == [2 / 3, 2 / 3, 1 / 3, None]
    assert r.offsets == list(range(1, 9))


def test_brand_retention_pools_cohorts(brand: Gateway) -> None:
    b = brand_retention(brand, utc(1), AS_OF)
    assert [c.people for c in b.cohorts] == [3, 3, 3, 2, 0]  # X1 (S2) in May 4, X3 (S3) May 11
    assert b.cohorts[1].retained[:2] == [2, 1]  # X1 bought the week after
    s1 = next(r for r in b.rows if r.store_id == "S1")
    assert s1.people == 9
    assert s1.eligible[:4] == [7, 5, 3, 0] and s1.retained[:4] == [4, 3, 1, 0]
    assert s1.rates[:4] == [4 / 7, 3 / 5, 1 / 3, None]
    first = brand_retention(brand, utc(1), AS_OF, Paging("week_1", descending=True))
    assert [r.store_id for r in first.rows] == ["S2", "S1", "S3"]  # 1/1, 4/7, 0/1


# ----------------------------------------------------------------------------- sources


def groups(rows: list) -> dict[str, tuple]:
    return {g.group: (g.people, g.buyers, g.orders, g.amount) for g in rows}


def test_value_by_source_and_generation(brand: Gateway) -> None:
    s = store_sources(brand, "S1", end=AS_OF)
    assert (s.start, s.end, s.people) == (None, AS_OF, 10)
    assert groups(s.by_source) == {
        "staff": (3, 2, 3, 210.50),  # P1, P2, P3
        "agent": (1, 0, 0, 0.0),  # A1: P3 was an agent by then
        "member": (3, 0, 0, 0.0),  # P4 (P1 had bought), P6 (P5 had bought), R1 (imported Q1)
        "prospect": (2, 1, 2, 100.24),  # P5 (P3 became agent and member later), P7
        "none": (1, 1, 1, 30.0),  # Q1
    }
    staff = s.by_source[0]
    assert (staff.conversion, staff.mean_orders, staff.mean_ltv) == (2 / 3, 1.0, 210.50 / 3)
    assert groups(s.by_generation) == {
        "1": (3, 2, 3, 210.50),
        "2": (3, 1, 2, 100.24),  # P4, P5, A1
        "3": (1, 0, 0, 0.0),  # P6
        "4+": (1, 0, 0, 0.0),  # P7
        "none": (2, 1, 1, 30.0),  # Q1, R1: no staff above them
    }
    since = store_sources(brand, "S1", utc(4), AS_OF)
    assert {g.group: g.people for g in since.by_source} == {
        "staff": 0, "agent": 1, "member": 3, "prospect": 2, "none": 0
    }  # fmt: skip
    before = store_sources(brand, "S1", end=utc(18))  # P3 had not bought: no LTV yet
    assert groups(before.by_source)["staff"] == (3, 1, 2, 150.50)


def test_brand_sources(brand: Gateway) -> None:
    b = brand_sources(brand, end=AS_OF)
    assert [r.people for r in b.rows] == [10, 1, 1]
    assert groups(b.brand.by_source)["staff"] == (5, 3, 4, 250.50)  # + X1 (S2) and X3 (S3)
    assert sum(g.people for g in b.brand.by_generation) == 12
    assert b.start is None and b.end == AS_OF


# ----------------------------------------------------------------------------- funnel


def stages(rows: list) -> list[int]:
    return [s.people for s in rows]


def test_funnel_known_answers(brand: Gateway) -> None:
    f = store_funnel(brand, "S1", utc(4), utc(18))
    # P4, P5, P6, P7 acquired; P5 bought, P6 claimed a coupon; only P5 came back in a later
    # week by 18 May (P4 at exactly 18 May 00:00 is outside); P5 and P6 referred someone.
    assert stages(f.stages) == [4, 2, 1, 1, 2]
    assert [s.share_of_acquired for s in f.stages] == [1.0, 0.5, 0.25, 0.25, 0.5]
    later = store_funnel(brand, "S1", utc(4), AS_OF)  # P4, P7 came back; R1, A1 acquired
    assert stages(later.stages) == [6, 2, 3, 1, 2]
    empty = store_funnel(brand, "S3", utc(20), AS_OF)
    assert stages(empty.stages) == [0, 0, 0, 0, 0]
    assert [s.share_of_acquired for s in empty.stages] == [0.0] * 5


def test_brand_funnel(brand: Gateway) -> None:
    b = brand_funnel(brand, utc(4), utc(18))
    assert [(r.store_id, stages(r.stages)) for r in b.rows] == [
        ("S1", [4, 2, 1, 1, 2]),
        ("S2", [1, 1, 1, 1, 0]),
        ("S3", [1, 0, 0, 0, 0]),
    ]
    assert stages(b.stages) == [6, 3, 2, 2, 2]
    by_bought = brand_funnel(brand, utc(4), utc(18), Paging("acquired", descending=True))
    assert [r.store_id for r in by_bought.rows] == ["S1", "S2", "S3"]


# ----------------------------------------------------------------------------- candidates


def test_agent_candidates_rank_by_influence_then_reach_then_spend(brand: Gateway) -> None:
    c = agent_candidates(brand, "S1")
    assert (c.members, c.agents, c.eligible) == (4, 1, 3)  # P3 is an agent already
    # No influence refreshed: all 0, so reach(p, 3) decides, then spend.
    assert [(x.person_id, x.reach3, x.spend) for x in c.candidates] == [
        ("P5", 2, 100.24),
        ("P1", 1, 150.50),
        ("Q1", 1, 30.0),
    ]
    assert c.candidates[1].reasons == [
        "brought 1 person within 3 generations",
        "spent 150.50 over 2 orders",
    ]
    assert [x.rank for x in c.candidates] == [1, 2, 3]
    assert [x.person_id for x in agent_candidates(brand, "S1", limit=1).candidates] == ["P5"]
    assert agent_candidates(brand, "S1", min_reach3=2).eligible == 1
    none = agent_candidates(brand, "S3")
    assert (none.members, none.eligible, none.candidates) == (0, 0, [])
    with pytest.raises(InvalidInput):
        agent_candidates(brand, "S1", limit=0)


def test_agent_candidates_follow_store_influence(brand: Gateway) -> None:
    scores = {"P1": 0.2, "Q1": 0.2, "P5": 0.1}
    with brand.driver.session(database=brand.database) as session:
        session.run(
            "UNWIND keys($scores) AS id MATCH (p:Person {id: id}) "
            "SET p.store_influence = $scores[id], p.store_influence_pct = 90.0",
            scores=scores,
        ).consume()
    try:
        c = agent_candidates(brand, "S1")
        assert [x.person_id for x in c.candidates] == ["P1", "Q1", "P5"]  # tie: then spend
        assert c.candidates[0].reasons[0] == "store influence 0.2000 (above 90% of the store)"
        b = brand_agent_candidates(brand, per_store=2)
        assert [(r.store_id, [x.person_id for x in r.candidates]) for r in b.rows] == [
            ("S1", ["P1", "Q1"]),
            ("S2", ["X1"]),  # a member by buying at S1
            ("S3", []),
        ]
        assert (b.members, b.agents, b.eligible) == (5, 1, 4)
        d = store_diagnosis(brand, "S1", AS_OF)
        invite = next(s for s in d.suggestions if s.rule == "invite_agents")
        assert invite.person_ids == ["P1", "Q1", "P5"]
        assert "P1, Q1, P5" in invite.text
    finally:
        with brand.driver.session(database=brand.database) as session:
            session.run(
                "MATCH (p:Person) REMOVE p.store_influence, p.store_influence_pct"
            ).consume()


# ----------------------------------------------------------------------------- snapshot


def test_brand_answers_without_a_window_come_from_the_snapshot(brand: Gateway) -> None:
    live = {
        "value": lambda **kw: brand_value(brand, end=AS_OF, **kw),
        "retention": lambda **kw: brand_retention(brand, end=AS_OF, **kw),
        "sources": lambda **kw: brand_sources(brand, end=AS_OF, **kw),
        "funnel": lambda **kw: brand_funnel(brand, end=AS_OF, **kw),
        "agent_candidates": lambda **kw: brand_agent_candidates(brand, use_snapshot=False, **kw),
    }
    stored = {
        "value": lambda **kw: brand_value(brand, **kw),
        "retention": lambda **kw: brand_retention(brand, **kw),
        "sources": lambda **kw: brand_sources(brand, **kw),
        "funnel": lambda **kw: brand_funnel(brand, **kw),
        "agent_candidates": lambda **kw: brand_agent_candidates(brand, **kw),
    }
    assert not stored["value"]().precomputed  # nothing stored yet: computed live
    report = refresh_value_snapshot(brand, AS_OF)
    assert set(report.seconds) == set(live) and report.as_of == AS_OF
    volatile = {"computed_at", "precomputed"}
    for figure in live:
        answer, expected = stored[figure](), live[figure]()
        assert answer.precomputed and not expected.precomputed, figure
        assert answer.model_dump(exclude=volatile) == expected.model_dump(exclude=volatile)
        paged = stored[figure](paging=Paging(descending=True, offset=1, limit=1))
        assert [r.store_id for r in paged.rows] == ["S2"] and paged.total == 3
    assert stored["value"]().end == AS_OF  # the window the snapshot covers
    assert not brand_value(brand, *WEEK_2).precomputed  # a window is always computed live
    assert not brand_agent_candidates(brand, per_store=1).precomputed
    stale = brand.settings.model_copy(update={"value_snapshot_max_hours": 0.0})
    assert not brand_value(Gateway(stale, driver=brand.driver)).precomputed  # shares the driver
