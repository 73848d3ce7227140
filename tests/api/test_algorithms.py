"""The graph-algorithm routes (seeds, circles, flags) and the map's overlay, on a hand-made
brand in the real database: answers, the store-scope access matrix, validation, and the map
coloured by circle with seeds, bridges and flags shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph.circles import refresh_circles
from graph.fraud import refresh_flags
from graph.gateway import Gateway
from graph.influence import refresh_influence
from loaders.pipeline import load_files
from tests.api.conftest import key
from tests.helpers import friendship, reference_files, share, ts, visit, wipe, write_rows

ROUTES = ["/stores/S1/seeds?k=2", "/stores/S1/circles", "/stores/S1/flags"]


@pytest.fixture(scope="module")
def brand(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """S1: M1 shares a coupon; P1 opens it and re-shares it; 9 new accounts F1..F9 claim it
    within minutes and do nothing else (a coupon farm). Two friend groups (A*, B*) are joined
    by P1. S2: M2 -> X."""
    folder = tmp_path_factory.mktemp("algorithms-brand")
    reference_files(folder)
    write_rows(
        folder,
        "shares",
        [
            share("e01", "sh1", "M1", ts(1, 9)),
            share("e02", "sh2", "P1", ts(1, 11), parent="sh1"),
            share("e03", "sh3", "M2", ts(1, 9)),
        ],
    )
    claims = [visit(f"e1{i}", "sh2", f"F{i}", ts(1, 11, 2 + i), "claim_coupon") for i in range(9)]
    groups = [f"A{i}" for i in range(4)] + [f"B{i}" for i in range(4)]
    write_rows(
        folder,
        "visits",
        [
            visit("e09", "sh1", "P1", ts(1, 10)),
            *claims,
            *(visit(f"e2{i}", "sh1", p, ts(2, 9, i)) for i, p in enumerate(groups)),
            visit("e30", "sh3", "X", ts(1, 10)),
        ],
    )
    ties = [(f"{g}{i}", f"{g}{j}") for g in "AB" for i in range(4) for j in range(i + 1, 4)]
    ties += [("A0", "P1"), ("P1", "B0")]
    write_rows(
        folder,
        "friendships",
        [friendship(f"f{i}", a, b, ts(3, 9, i)) for i, (a, b) in enumerate(ties)],
    )
    wipe(gateway)
    load_files(gateway, [folder])
    refresh_influence(gateway)
    refresh_circles(gateway)
    refresh_flags(gateway)
    yield folder
    wipe(gateway)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    ("who", "status"), [("hq", 200), ("s1", 200), ("s2", 404), ("ingest", 403), (None, 401)]
)
def test_access_matrix(
    app_client: TestClient, brand: Path, route: str, who: str | None, status: int
) -> None:
    response = app_client.get(route, headers=key(who) if who else {})
    assert response.status_code == status, response.text


def test_seeds_answer(app_client: TestClient, brand: Path) -> None:
    plan = app_client.get("/stores/S1/seeds?k=2&p=0.5", headers=key("s1")).json()
    assert plan["k"] == 2 and plan["propagation_probability"] == 0.5
    assert [s["rank"] for s in plan["seeds"]] == [1, 2]
    # M1 reaches P1 and the 8 friends (1 + 4.5 + 9 * 0.25 = 7.75 expected), then P1 adds
    # itself and its 9 accounts whenever M1 did not reach it (0.5 * 5.5).
    assert [s["person_id"] for s in plan["seeds"]] == ["M1", "P1"]
    assert plan["expected_spread"] == pytest.approx(7.75 + 2.75, abs=0.3)
    assert plan["expected_spread"] == pytest.approx(
        sum(s["marginal_gain"] for s in plan["seeds"]), abs=1e-3
    )
    for bad in ("k=0", "k=51", "p=0", "p=1.5", "k=x"):
        response = app_client.get(f"/stores/S1/seeds?{bad}", headers=key("hq"))
        assert response.status_code == 422, bad
    assert app_client.get("/stores/nope/seeds", headers=key("hq")).status_code == 404


def test_circles_and_flags_answers(app_client: TestClient, brand: Path) -> None:
    circles = app_client.get("/stores/S1/circles", headers=key("hq")).json()
    # Ties are friendships, referrals and visits: M1, P1, the 9 accounts and the 8 friends.
    assert len(circles["circles"]) >= 2 and circles["people"] == 19
    assert "P1" in {b["person_id"] for b in circles["bridges"]}
    flags = app_client.get("/stores/S1/flags", headers=key("s1")).json()
    assert flags["total"] == 1
    (farm,) = flags["flags"]
    assert farm["kind"] == "coupon_farm" and farm["evidence"]["accounts"] == 9
    assert {p["person_id"] for p in farm["people"] if p["part"] == "account"} == {
        f"F{i}" for i in range(9)
    }
    assert app_client.get("/stores/S2/flags", headers=key("hq")).json()["total"] == 0
    profile = app_client.get("/people/F3", headers=key("hq")).json()
    assert [f["kind"] for f in profile["flags"]] == ["coupon_farm"]
    diagnosis = app_client.get("/stores/S1", headers=key("hq")).json()
    assert [f["kind"] for f in diagnosis["flags"]] == ["coupon_farm"]
    assert "review_flags" in [s["rule"] for s in diagnosis["suggestions"]]


def test_map_by_circle_with_seeds_bridges_and_flags(app_client: TestClient, brand: Path) -> None:
    english = {**key("hq"), "Accept-Language": "en"}
    page = app_client.get("/stores/S1/map?colour=circle&seeds=2", headers=english).text
    assert "circle 1" in page and "circle 2" in page
    assert 'id="seeds"' in page and 'id="bridges"' in page and 'id="flags"' in page
    assert "whom to seed" in page and "fraud flag" in page
    plain = app_client.get("/stores/S1/map", headers=english).text
    assert 'id="seeds"' not in plain and "show 5 seeds" in plain
    bad = app_client.get("/stores/S1/map?colour=rainbow", headers=key("hq"))
    assert bad.status_code == 422


def test_recommendations_say_when_someone_is_a_bridge(app_client: TestClient, brand: Path) -> None:
    answer = app_client.get("/staff/C1/recommendations", headers=key("hq")).json()
    reasons = {r["person_id"]: r["reason"] for r in answer["items"]}
    assert "P1" in reasons and "a good introducer" in reasons["P1"]
