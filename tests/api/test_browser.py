"""The pages in a real browser: headless Debian Chromium (driven by playwright, never a
downloaded browser build) against the app served by uvicorn on 127.0.0.1, on the generated
`tiny` brand ending today (so the last weeks have people, visits and orders).

For each page, in Chinese and in English (the browser's language, then ?lang=), with an HQ key
and store keys: every chart, table and list on the page has exactly what the API's JSON says
(bars, dots, rows, figures); clicks do what they say (a scatter dot opens its store, a key
node is ringed on the map and opens its person panel, a map node opens its panel, the "today"
buttons write notes that the API then shows and the list refreshes); a store key cannot open
another store's dashboard or staff page; the console stays free of errors. Screenshots go to
artifacts/ (git-ignored). Fails, not skips, without Chromium: run scripts/install-browser.sh
(`make browser`)."""

from __future__ import annotations

import csv
import io
import math
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pandas as pd
import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from api.app import create_app
from api.auth import hash_key
from fission.localserver import free_ports
from fission.settings import ApiKeyEntry, Settings
from graph.circles import refresh_circles
from graph.fraud import refresh_flags
from graph.gateway import Gateway
from graph.influence import refresh_influence
from graph.value import refresh_value_snapshot
from loaders.pipeline import load_files
from synthetic import generate
from synthetic.fraud import PATTERNS
from tests.api.conftest import api_settings
from tests.helpers import wipe

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
HQ_KEY = "key-hq"
STORE_KEYS = {"S0001": "key-browser-s0001", "S0002": "key-browser-s0002"}


def staff_key(staff_id: str) -> str:
    """Every staff member of the brand has a staff key (their phone)."""
    return f"key-browser-staff-{staff_id}"


LOCALES = {"zh": "zh-CN", "en": "en-US"}
HTML_LANG = {"zh": "zh-CN", "en": "en"}
# Points per trace of a Plotly figure, from the figure's own data.
TRACES = """id => document.getElementById(id).data.map(t => ({
  name: t.name, type: t.type, mode: t.mode || null, n: (t.x || []).length,
  x: Array.from(t.x || []), y: Array.from(t.y || []),
  customdata: t.customdata ? Array.from(t.customdata) : null}))"""


@pytest.fixture(scope="module")
def server(
    neo4j_settings: Settings, gateway: Gateway, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The generated tiny brand ending today, and the app on a real uvicorn in a thread."""
    data = tmp_path_factory.mktemp("browser-data")
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    generate("tiny", seed=11, out=data, fmt="parquet", end=today, plant=PATTERNS)
    wipe(gateway)
    load_files(gateway, [data])
    refresh_influence(gateway)
    refresh_circles(gateway)
    refresh_flags(gateway)
    refresh_value_snapshot(gateway)
    base = api_settings(neo4j_settings, tmp_path_factory.mktemp("browser-api"))
    stores = [
        ApiKeyEntry(name=f"{s} app", role="store", store_id=s, sha256=hash_key(k))
        for s, k in STORE_KEYS.items()
    ]
    staff = pd.read_parquet(data / "staff.parquet")
    phones = [
        ApiKeyEntry(
            name=f"{p} phone", role="staff", store_id=s, staff_id=p, sha256=hash_key(staff_key(p))
        )
        for p, s in zip(staff["person_id"], staff["store_id"], strict=True)
    ]
    settings = base.model_copy(update={"api_keys": [*base.api_keys, *stores, *phones]})
    (port,) = free_ports(1)
    config = uvicorn.Config(
        create_app(settings, gateway),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=1,
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: run scripts/install-browser.sh"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


Opener = Callable[..., tuple[Page, list[str]]]


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Opener]:
    """Opens a page in a fresh browser profile with the language `lang` (Accept-Language) and
    a viewport; returns it with the list its console errors and failed requests go to."""
    contexts = []

    def opener(
        lang: str, width: int = 1400, height: int = 1000, **extra: bool
    ) -> tuple[Page, list[str]]:
        context = browser.new_context(
            locale=LOCALES[lang], viewport={"width": width, "height": height}, **extra
        )
        contexts.append(context)
        page = context.new_page()
        problems: list[str] = []

        def on_console(message: ConsoleMessage) -> None:
            if message.type in ("error", "warning"):
                problems.append(f"console {message.type}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url}"))
        return page, problems

    yield opener
    for context in contexts:
        context.close()


def api(server: str, path: str, key: str = HQ_KEY, **params: object) -> dict:
    response = httpx.get(f"{server}{path}", params=params, headers={"X-API-Key": key}, timeout=60)
    assert response.status_code == 200, (path, response.text)
    return response.json()


def traces(page: Page, div_id: str) -> list[dict]:
    page.wait_for_selector(f"#{div_id} .main-svg")
    return page.evaluate(TRACES, div_id)


def rendered(page: Page, selector: str) -> int:
    return page.locator(selector).count()


def rows(page: Page, table: str, attribute: str = "data-person") -> list[str | None]:
    return [r.get_attribute(attribute) for r in page.locator(f"#{table} tbody tr").all()]


def number(value: float) -> str:
    """Grouped digits as both languages write them (CLDR: zh and en group by thousands)."""
    return f"{value:,.0f}"


def charts_fit(page: Page) -> bool:
    """Every chart is drawn (soon after the page loads) at the width of its box on the laid-out
    page, not wider."""
    page.wait_for_function(
        """() => [...document.querySelectorAll(".js-plotly-plot")].every(
             chart => chart._fullLayout.width <= chart.getBoundingClientRect().width + 1)""",
        timeout=10_000,
    )
    return True


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


# ----------------------------------------------------------------------------- HQ


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hq_dashboard(server: str, open_page: Opener, lang: str) -> None:
    page, problems = open_page(lang)
    page.goto(f"{server}/?key={HQ_KEY}")  # the language comes from the browser
    assert page.get_attribute("html", "lang") == HTML_LANG[lang]
    brand = api(server, "/brand/summary")
    stores = api(server, "/stores", limit=50)

    assert page.inner_text('[data-figure="customers"]') == number(brand["customers"])
    assert page.inner_text('[data-figure="stores"]') == number(brand["stores"])
    assert [r.get_attribute("data-store") for r in page.locator("#stores tbody tr").all()] == [
        r["store_id"] for r in stores["rows"]
    ]
    tier_bars = traces(page, "tier-chart")
    assert tier_bars[0]["y"] == list(brand["stores_by_tier"].values())
    assert rendered(page, "#tier-chart .barlayer .point") == 4
    weekly = traces(page, "weekly-chart")
    assert weekly[0]["y"] == [w["new_people"] for w in brand["new_people_per_week"]]
    assert rendered(page, "#weekly-chart .barlayer .point") == 8
    assert sum(weekly[0]["y"]) > 0  # the brand ends today: people joined in the last weeks
    dots = traces(page, "store-scatter")
    drawn = {
        c[1]: (x, y) for t in dots for c, x, y in zip(t["customdata"], t["x"], t["y"], strict=True)
    }
    assert drawn == {
        r["store_id"]: (r["conversion_rate"], r["fission_ratio"]) for r in stores["rows"]
    }
    assert rendered(page, "#store-scatter .scatterlayer .point") == stores["total"]

    # Customer value, from the precomputed snapshot as the brand routes answer without a window.
    by_gmv = api(server, "/brand/value", sort="amount", desc="true", limit=20)
    assert by_gmv["precomputed"]
    gmv = traces(page, "value-stores")
    assert gmv[0]["x"] == [r["store_id"] for r in by_gmv["rows"]]
    assert gmv[0]["y"] == [r["amount"] for r in by_gmv["rows"]]
    assert rendered(page, "#value-stores .barlayer .point") == len(by_gmv["rows"])
    assert rows(page, "gmv-stores", "data-gmv-store") == [r["store_id"] for r in by_gmv["rows"]]
    spread = traces(page, "value-factors")
    assert len(spread) == 4 and len(spread[0]["y"]) == by_gmv["stores"]  # people: every store
    retention = api(server, "/brand/retention")
    assert len(traces(page, "value-retention")[0]["y"]) == len(retention["cohorts"])
    funnel = api(server, "/brand/funnel")
    assert traces(page, "value-funnel")[0]["x"] == [s["people"] for s in funnel["stages"]]
    assert rendered(page, "#value-funnel .funnellayer .point") == 5
    sources = api(server, "/brand/sources")["brand"]
    assert traces(page, "value-sources")[0]["y"] == [g["people"] for g in sources["by_source"]]
    assert charts_fit(page)
    shot(page, f"hq-{lang}")

    # The CSV has the table's stores; the region filter narrows the table to the API's answer.
    with page.expect_download() as download:
        page.click("#csv-link")
    table = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    # Chromium reports a navigation that became a download as an aborted request.
    problems[:] = [p for p in problems if not p.startswith(f"request failed: {server}/stores.csv")]
    assert [row[0] for row in table[1:]] == [r["store_id"] for r in stores["rows"]]
    region = brand["regions"][0]
    page.select_option('#filters select[name="region"]', region)
    with page.expect_navigation():
        page.click('#filters button[type="submit"]')
    in_region = api(server, "/stores", region=region, limit=50)
    assert [r.get_attribute("data-store") for r in page.locator("#stores tbody tr").all()] == [
        r["store_id"] for r in in_region["rows"]
    ]
    assert rendered(page, "#store-scatter .scatterlayer .point") == in_region["total"]

    # A click on a dot opens that store's dashboard.
    spots = [
        {"id": r["store_id"], "x": r["conversion_rate"], "y": r["fission_ratio"]}
        for r in in_region["rows"]
    ]
    target = loneliest(spots)["id"]
    box = point_box(page, "store-scatter", target)
    with page.expect_navigation():
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.url.endswith(f"/stores/{target}/dashboard")
    assert problems == []


# ----------------------------------------------------------------------------- store


def point_box(page: Page, div_id: str, who: str) -> dict:
    """Where a marker is on screen: its trace and index in the figure's data (customdata is
    the person id, or [address, store id] on the HQ scatter), then its SVG element."""
    found = page.evaluate(
        """([id, who]) => {
          const data = document.getElementById(id).data;
          for (let t = 0; t < data.length; t++) {
            if (data[t].mode !== "markers") continue;
            const ids = (data[t].customdata || []).map(c => Array.isArray(c) ? c[1] : c);
            const i = ids.indexOf(who);
            if (i >= 0) return [t, i];
          }
          return null;
        }""",
        [div_id, who],
    )
    assert found, who
    trace, index = found
    marker = page.locator(f"#{div_id} .scatterlayer .trace").nth(trace).locator(".point").nth(index)
    marker.scroll_into_view_if_needed()
    box = marker.bounding_box()
    assert box is not None
    return box


def loneliest(nodes: list[dict]) -> dict:
    """The person (or store) drawn farthest from every other marker: a click on it can only
    mean them."""
    people = [n for n in nodes if n.get("role") != "store" and n.get("count") is None]

    def gap(node: dict) -> float:
        return min(
            math.dist((node["x"], node["y"]), (o["x"], o["y"])) for o in nodes if o is not node
        )

    return max(people, key=gap)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_store_dashboard(server: str, open_page: Opener, lang: str) -> None:
    page, problems = open_page(lang)
    key = STORE_KEYS["S0001"]
    page.goto(f"{server}/?key={key}&lang={lang}")  # a store key lands on its dashboard
    assert page.url.endswith("/stores/S0001/dashboard")
    assert page.get_attribute("html", "lang") == HTML_LANG[lang]
    d = api(server, "/stores/S0001", key)
    assert page.inner_text('[data-figure="customers"]') == number(d["customers"])
    assert page.inner_text('[data-figure="members"]') == number(d["members"])
    stages = page.locator("#plan [role=progressbar]").all()
    assert [int(s.get_attribute("aria-valuenow") or -1) for s in stages] == [
        s["actual"] for s in d["plan"]
    ]
    weekly = traces(page, "weekly-chart")
    assert weekly[0]["y"] == [w["new_people"] for w in d["new_people_per_week"]]
    assert rendered(page, "#weekly-chart .barlayer .point") == 8
    funnel = api(server, "/stores/S0001/conversion-funnel", key)
    assert traces(page, "funnel-chart")[0]["x"] == [
        funnel["visited"], funnel["engaged"], funnel["ordered"],
    ]  # fmt: skip
    assert rendered(page, "#funnel-chart .funnellayer .point") == 3
    assert funnel["visited"] > 0  # the brand ends today: people visited in the last 4 weeks
    assert rendered(page, "#suggestions li") == len(d["suggestions"])
    network = api(server, "/stores/S0001/network", key)
    assert rendered(page, "#network-map .scatterlayer .point") == len(network["nodes"])
    keys = api(server, "/stores/S0001/key-nodes", key, limit=500)
    assert rendered(page, "#key-nodes tbody tr") == min(keys["total"], 50) > 0
    credits = api(server, "/stores/S0001/attribution", key)["credits"]
    board = page.locator("#leaderboard tbody tr").all()
    assert [r.get_attribute("data-person") for r in board] == [c["person_id"] for c in credits]
    assert charts_fit(page)
    shot(page, f"store-dashboard-{lang}")

    # A key node's row rings them on the map and opens their panel.
    first = keys["items"][0]["person_id"]
    page.click(f'#key-nodes tbody tr[data-person="{first}"] td:nth-child(3)')
    page.wait_for_selector(f'#person-panel section[data-person="{first}"]')
    ring = [t for t in traces(page, "network-map") if t["name"] == "highlight"]
    node = next(n for n in network["nodes"] if n["id"] == first)
    assert len(ring) == 1 and (ring[0]["x"], ring[0]["y"]) == ([node["x"]], [node["y"]])
    profile = api(server, f"/people/{first}", key)
    chain = page.locator("#person-panel .chain button.person")
    if profile["referrer_id"]:
        assert chain.first.get_attribute("data-person") == profile["referrer_id"]
    assert rendered(page, "#person-panel table.interests tr") == len(profile["interests"])
    shot(page, f"store-dashboard-panel-{lang}")

    # A click on a map node opens that person's panel (the open panel is closed first: it
    # covers the right of the page).
    page.click("#panel-close")
    lonely = loneliest(network["nodes"])
    box = point_box(page, "network-map", lonely["id"])
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(f'#person-panel section[data-person="{lonely["id"]}"]')

    # "Introduction path from ..." draws the path from the chosen staff member.
    page.keyboard.press("Escape")  # closes the panel
    staff = page.input_value("#path-staff")
    with page.expect_navigation():
        page.click(f'#key-nodes tbody tr[data-person="{first}"] a.path-from')
    path = api(server, "/stores/S0001/network", key, staff=staff, path_to=first)["path"]
    name = {"zh": "引荐路径", "en": "introduction path"}[lang]
    drawn = [t["n"] for t in traces(page, "network-map") if t["name"] == name]
    ties = len(path["people"]) - 1
    assert drawn == ([3 * ties] if ties > 0 else [])  # each tie: 2 points and a gap
    assert page.inner_text("#path-answer").strip()

    # The weekly report link answers with a PDF.
    report = page.request.get(server + str(page.get_attribute("#report-link", "href")))
    assert report.status == 200 and report.headers["content-type"] == "application/pdf"
    assert report.body().startswith(b"%PDF")
    assert problems == []

    # Another store's dashboard is not there for this key.
    missing = page.goto(f"{server}/stores/S0002/dashboard")
    assert missing is not None and missing.status == 404
    assert ("未找到" if lang == "zh" else "Not found") in page.inner_text("h1")
    assert all("404" in p for p in problems)  # only the browser's note of the 404 itself


def value_window() -> dict[str, str]:
    """The 12 weeks before today (the brand ends today), as a customer-value window."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return {"start": (today - timedelta(weeks=12)).isoformat(), "end": today.isoformat()}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_store_value_and_algorithms(server: str, open_page: Opener, lang: str) -> None:
    """The store dashboard's customer value (reached through the former value page's address,
    window kept) and its circles, bridges, seeds and fraud flags, against the API's JSON."""
    key = STORE_KEYS["S0001"]
    page, problems = open_page(lang)
    window = value_window()
    page.goto(f"{server}/stores/S0001/value/page?{urlencode({**window, 'key': key})}")
    assert page.url.split("?")[0] == f"{server}/stores/S0001/dashboard"
    assert page.url.endswith("#value")
    value = api(server, "/stores/S0001/value", key, **window)
    median = api(server, "/brand/value", **window)["median"]
    factors = ["people", "conversion", "frequency", "order_value"]
    assert [t["y"] for t in traces(page, "value-factors")] == [
        [value["factors"][f], median[f] or 0] for f in factors
    ]
    assert rendered(page, "#value-factors .barlayer .point") == 8
    retention = api(server, "/stores/S0001/retention", key, **window)
    assert len(traces(page, "value-retention")[0]["y"]) == len(retention["cohorts"]) > 0
    sources = api(server, "/stores/S0001/sources", key, **window)
    bars = traces(page, "value-sources")
    assert [t["y"] for t in bars[:3]] == [
        [g[m] for g in sources["by_source"]] for m in ("people", "conversion", "mean_ltv")
    ]
    assert bars[3]["y"] == [g["people"] for g in sources["by_generation"]]
    funnel = api(server, "/stores/S0001/funnel", key, **window)
    assert funnel["stages"][0]["people"] > 0  # people first appeared in these 12 weeks
    assert traces(page, "value-funnel")[0]["x"] == [s["people"] for s in funnel["stages"]]
    assert rendered(page, "#value-funnel .funnellayer .point") == 5
    candidates = api(server, "/stores/S0001/agent-candidates", key)["candidates"]
    assert rows(page, "agent-candidates") == [c["person_id"] for c in candidates]

    circles = api(server, "/stores/S0001/circles", key)
    assert rows(page, "circles", "data-circle") == [str(c["circle"]) for c in circles["circles"]]
    assert rows(page, "bridges") == [b["person_id"] for b in circles["bridges"]]
    seeds = api(server, "/stores/S0001/seeds", key, k=5)["seeds"]
    page.wait_for_selector('#seeds-panel[data-loaded="1"]')  # loaded after the page
    assert rows(page, "seeds") == [s["person_id"] for s in seeds] != []
    flags = api(server, "/stores/S0001/flags", key, limit=500)
    assert [f.get_attribute("data-flag") for f in page.locator("#flags li").all()] == [
        f["id"] for f in flags["flags"]
    ]
    assert charts_fit(page)
    shot(page, f"store-value-{lang}")

    # The section links to the map's overlays: coloured by circle, and with the seeds.
    page.click("#map-circles")
    page.wait_for_selector("#network-map .main-svg")
    names = {t["name"] for t in traces(page, "network-map") if t["mode"] == "markers"}
    circle = {"zh": "圈子", "en": "circle"}[lang]
    assert sum(circle in str(name) for name in names) >= min(len(circles["circles"]), 1)
    page.go_back()
    page.click("#map-seeds")
    assert page.locator("#seeds tbody tr td:nth-child(2)").all_inner_texts() == [
        s["display_name"] or s["person_id"] for s in seeds
    ]
    assert problems == []


def test_map_page_and_introduction_path(server: str, open_page: Opener) -> None:
    page, problems = open_page("en")
    store_id = "S0001"
    network = api(server, f"/stores/{store_id}/network")
    staff = next(n["id"] for n in network["nodes"] if n["role"] == "staff")
    target = max(
        (n for n in network["nodes"] if n["role"] not in ("store", "staff") and n["count"] is None),
        key=lambda n: (n["key"], n["influence"], n["id"]),
    )["id"]
    with_path = api(server, f"/stores/{store_id}/network", staff=staff, path_to=target)
    assert with_path["path"]["status"] in ("path", "already_friends")
    page.goto(f"{server}/stores/{store_id}/map?key={HQ_KEY}&staff={staff}&path_to={target}")
    figure = traces(page, "network-map")
    markers = [t for t in figure if t["mode"] == "markers"]
    assert [t["name"] for t in markers[:5]] == ["store", "staff", "agents", "members", "prospects"]
    assert sum(t["n"] for t in markers[:5]) == len(with_path["nodes"])
    # The planted fraud cases: the people flags name are crossed (one more marker each).
    named = {
        p["person_id"]
        for store in STORE_KEYS
        for f in api(server, f"/stores/{store}/flags", limit=500)["flags"]
        for p in f["people"]
    }
    crossed = len(named & {n["id"] for n in with_path["nodes"]})
    assert [t["n"] for t in markers[5:]] == ([crossed] if crossed else [])
    assert rendered(page, "#network-map .scatterlayer .point") == len(with_path["nodes"]) + crossed
    path_trace = [t for t in figure if t["name"] == "introduction path"]
    hops = len(with_path["path"]["people"]) - 1
    assert path_trace and path_trace[0]["n"] == 3 * hops  # each tie: 2 points and a gap
    assert page.inner_text("#path-answer").strip() != ""
    shot(page, f"store-map-{store_id}-path")
    assert problems == []


# ----------------------------------------------------------------------------- today


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_today_page_on_a_phone(server: str, open_page: Opener, lang: str) -> None:
    key = STORE_KEYS["S0001"]
    credits = api(server, "/stores/S0001/attribution", key)["credits"]
    staff_ids = [
        c["person_id"] for c in credits if c["kind"] == "staff" and c["store_id"] == "S0001"
    ]
    # Another staff member per language, each with someone to contact (a contact note takes
    # a person off that staff member's list for 14 days).
    lengths = {s: len(api(server, f"/staff/{s}/recommendations", key)["items"]) for s in staff_ids}
    staff = sorted(staff_ids, key=lambda s: (-lengths[s], s))[list(LOCALES).index(lang)]
    assert lengths[staff] >= 1
    page, problems = open_page(lang, width=390, height=844, is_mobile=True, has_touch=True)
    page.goto(f"{server}/staff/{staff}/today?key={key}")
    assert page.get_attribute("html", "lang") == HTML_LANG[lang]
    cards = page.locator("#contacts li.contact")
    listed = [c.get_attribute("data-person") for c in cards.all()]
    expected = api(server, f"/staff/{staff}/recommendations", key)["items"]
    assert listed == [r["person_id"] for r in expected]
    for card, rec in zip(cards.all(), expected, strict=True):
        if rec["path"]["status"] in ("path", "already_friends"):
            assert card.locator(".chain .hop").count() == len(rec["path"]["people"])
    week = api(server, f"/staff/{staff}/figures", key)
    assert page.inner_text('[data-figure="people_brought"]') == number(week["people_brought"])
    assert page.inner_text('[data-figure="members_brought"]') == number(week["members_brought"])
    contacted_before = week["people_contacted"]
    shot(page, f"today-{lang}")

    # A tag writes a note through the API; the list comes back, the person still on it with
    # the tag shown.
    person = listed[0]
    tag = "爱喝咖啡" if lang == "zh" else "coffee lover"
    page.fill(f'#contacts li[data-person="{person}"] input[name="tag"]', tag)
    page.click(f'#contacts li[data-person="{person}"] button[data-kind="tag"]')
    page.wait_for_selector('#today[data-refreshed="1"]')
    card = page.locator(f'#contacts li[data-person="{person}"]')
    assert tag in card.locator(".tag.manual").all_inner_texts()
    assert tag in [t["tag"] for t in api(server, f"/people/{person}", key)["manual_tags"]]
    assert page.locator("#toast").is_visible()

    # "Contacted" writes a note; the list comes back without that person.
    page.click(f'#contacts li[data-person="{person}"] button[data-kind="contacted"]')
    page.wait_for_selector('#today[data-refreshed="2"]')
    assert person not in [c.get_attribute("data-person") for c in cards.all()]
    notes = api(server, f"/people/{person}", key)["notes"]
    assert (notes[0]["kind"], notes[0]["staff_id"]) == ("contacted", staff)
    assert page.inner_text('[data-figure="people_contacted"]') == str(contacted_before + 1)
    shot(page, f"today-after-notes-{lang}")
    assert problems == []

    # A store key cannot open a staff page of another store.
    other_store = page.context.new_page()
    missing = other_store.goto(f"{server}/staff/{staff}/today?key={STORE_KEYS['S0002']}")
    assert missing is not None and missing.status == 404


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_staff_key_opens_its_own_today_page_only(
    server: str, open_page: Opener, lang: str
) -> None:
    credits = api(server, "/stores/S0001/attribution")["credits"]
    staff_ids = sorted(
        c["person_id"] for c in credits if c["kind"] == "staff" and c["store_id"] == "S0001"
    )
    lengths = {s: len(api(server, f"/staff/{s}/recommendations")["items"]) for s in staff_ids}
    staff = max(staff_ids, key=lambda s: (lengths[s], s))
    assert lengths[staff] >= 1
    key = staff_key(staff)
    page, problems = open_page(lang, width=390, height=844, is_mobile=True, has_touch=True)
    page.goto(f"{server}/?key={key}")  # a staff key lands on its own "today" page
    assert page.url == f"{server}/staff/{staff}/today"
    assert page.get_attribute("html", "lang") == HTML_LANG[lang]
    expected = api(server, f"/staff/{staff}/recommendations", key)["items"]
    listed = [c.get_attribute("data-person") for c in page.locator("#contacts li.contact").all()]
    assert listed == [r["person_id"] for r in expected]
    week = api(server, f"/staff/{staff}/figures", key)
    assert page.inner_text('[data-figure="people_brought"]') == number(week["people_brought"])

    # A tag is recorded as this staff member's note, and the list comes back with it.
    person = listed[0]
    tag = "会员日" if lang == "zh" else "member day"
    page.fill(f'#contacts li[data-person="{person}"] input[name="tag"]', tag)
    page.click(f'#contacts li[data-person="{person}"] button[data-kind="tag"]')
    page.wait_for_selector('#today[data-refreshed="1"]')
    notes = api(server, f"/people/{person}")["notes"]
    assert (notes[0]["kind"], notes[0]["staff_id"], notes[0]["tag"]) == ("tag", staff, tag)
    shot(page, f"today-staff-key-{lang}")
    assert problems == []

    # Nothing of other staff, the store as a whole or other stores.
    colleague = next(s for s in staff_ids if s != staff)
    elsewhere = next(
        c["person_id"]
        for c in api(server, "/stores/S0002/attribution")["credits"]
        if c["kind"] == "staff" and c["store_id"] == "S0002"
    )
    refused = {
        f"/staff/{colleague}/today": 404,
        f"/staff/{elsewhere}/today": 404,
        "/stores/S0001/dashboard": 403,
        "/stores/S0001/map": 403,
        f"/people/{person}/panel": 403,
        "/stores/S0002/dashboard": 403,
    }
    for path, status in refused.items():
        response = page.goto(server + path)
        assert response is not None and response.status == status, path
    assert all(" 40" in p for p in problems)  # only the browser's notes of those answers
