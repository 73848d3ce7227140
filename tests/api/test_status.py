"""GET /status and the HQ page's freshness banner, against the real database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.gateway import Gateway
from graph.influence import refresh_influence
from loaders.runs import run_load
from loaders.stream import ingest
from tests.api.conftest import api_settings, key
from tests.helpers import reference_files, share, ts, visit, write_rows


@pytest.fixture
def loaded(graph: Gateway, tmp_path: Path) -> str:
    reference_files(tmp_path)
    write_rows(tmp_path, "shares", [share("e1", "sh1", "M1", ts(1))])
    write_rows(tmp_path, "visits", [visit("v1", "sh1", "P1", ts(1, 13))])
    run_id = run_load(graph, [tmp_path]).run_id
    ingest(graph, [{"type": "visit", **visit("h1", "sh-later", "P2", ts(2))}])
    return run_id


@pytest.mark.parametrize(
    ("who", "expected"), [("hq", 200), ("s1", 403), ("ingest", 403), (None, 401), ("bad", 401)]
)
def test_access(app_client: TestClient, loaded: str, who: str | None, expected: int) -> None:
    headers = {"X-API-Key": "not-a-key"} if who == "bad" else key(who) if who else {}
    response = app_client.get("/status", headers=headers)
    assert response.status_code == expected
    if expected != 200:
        assert set(response.json()["error"]) >= {"code", "message"}


def test_status_reports_the_last_load_and_what_waits(app_client: TestClient, loaded: str) -> None:
    body = app_client.get("/status", headers=key("hq")).json()
    last = body["last_load"]
    assert (last["id"], last["status"], last["source"]) == (loaded, "done", "load")
    assert (last["read"], last["accepted"], last["rejected"]) == (9, 9, 0)
    assert body["data_as_of"] == last["finished_at"]
    assert body["held"]["count"] == 1
    assert body["held"]["by_reason"][0]["waiting_for"] == "unknown share_id"
    assert body["stale_people"] == 0
    assert body["influence"]["refreshed_at"] is None
    assert body["database"]["people"] == 4  # M1, C1, M2, P1 (P2's visit is held)
    assert body["warnings"] == ["Influence has never been computed: run `fission influence`."]


def test_health_stays_cheap(app_client: TestClient) -> None:
    assert set(app_client.get("/health").json()) == {
        "status", "version", "neo4j_reachable", "neo4j_version", "database", "problem",
        "gds_version", "apoc_version", "influence_engine",
    }  # fmt: skip


def test_hq_page_shows_as_of_and_warnings(graph: Gateway, loaded: str, tmp_path: Path) -> None:
    settings = api_settings(graph.settings, tmp_path).model_copy(update={"held_warn_count": 1})
    strict = Gateway(settings, driver=graph.driver)
    with TestClient(create_app(settings, strict)) as client:
        page = client.get("/", params={"lang": "en"}, headers=key("hq")).text
        banner = re.search(r'<section id="freshness" class="([^"]*)">(.*?)</section>', page, re.S)
        assert banner is not None
        assert banner.group(1) == "freshness warn"
        assert re.search(r"Data as of <strong>\w{3} \d+, 20\d\d", banner.group(2))
        assert "Influence as of <strong>never</strong>" in banner.group(2)
        assert "Events held waiting for what they name: 1, the oldest since" in banner.group(2)
        assert "Influence has never been computed" in banner.group(2)
        chinese = client.get("/", params={"lang": "zh"}, headers=key("hq")).text
        assert "尚未计算影响力" in chinese and "数据时间" in chinese

        refresh_influence(graph)
        graph.driver.execute_query("MATCH (h:HeldEvent) DELETE h", database_=graph.database)
        calm = client.get("/", params={"lang": "en"}, headers=key("hq")).text
        assert '<section id="freshness" class="freshness">' in calm
        assert "Influence as of <strong>never" not in calm
        assert '<ul class="warnings">' not in calm
