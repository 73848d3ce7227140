"""The pages in a real browser: headless Debian Chromium (driven by playwright, never a
downloaded browser build) against the app served by uvicorn on 127.0.0.1, on the generated
`tiny` brand. The HQ page lists every store, a store map draws as many nodes as the network
JSON has, an introduction path is drawn, and the console stays free of errors. Screenshots are
saved to artifacts/ (git-ignored) for people to look at. Fails, not skips, without Chromium:
run scripts/install-browser.sh (`make browser`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import ConsoleMessage, Page, sync_playwright

from api.app import create_app
from fission.localserver import free_ports
from fission.settings import Settings
from graph.gateway import Gateway
from graph.influence import refresh_influence
from loaders.pipeline import load_files
from synthetic import generate
from tests.api.conftest import api_settings, key
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
POINTS = "document.querySelectorAll('#network-map .scatterlayer .point').length"
# Points per trace from the figure's own data, and the names of its traces.
FIGURE = """() => {
  const gd = document.getElementById('network-map');
  return gd.data.map(t => ({name: t.name, mode: t.mode, n: t.x.length}));
}"""


@pytest.fixture(scope="module")
def server(
    neo4j_settings: Settings, gateway: Gateway, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The generated tiny brand, and the app on a real uvicorn in a background thread."""
    data = tmp_path_factory.mktemp("browser-data")
    generate("tiny", seed=11, out=data, fmt="parquet")
    wipe(gateway)
    load_files(gateway, [data])
    refresh_influence(gateway)
    settings = api_settings(neo4j_settings, tmp_path_factory.mktemp("browser-api"))
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
def browser_page(server: str) -> Iterator[tuple[Page, list[str]]]:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: run scripts/install-browser.sh"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        problems: list[str] = []

        def on_console(message: ConsoleMessage) -> None:
            if message.type in ("error", "warning"):
                problems.append(f"console {message.type}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url}"))
        yield page, problems
        browser.close()


def network_json(server: str, store_id: str, **params: str) -> dict:
    response = httpx.get(
        f"{server}/stores/{store_id}/network", params=params, headers=key("hq"), timeout=30
    )
    assert response.status_code == 200
    return response.json()


def test_hq_page_then_a_store_map(server: str, browser_page: tuple[Page, list[str]]) -> None:
    page, problems = browser_page
    stores = httpx.get(f"{server}/stores", headers=key("hq"), timeout=30).json()["rows"]
    page.goto(f"{server}/?key=key-hq")
    rows = page.locator("#stores tbody tr")
    assert rows.count() == len(stores) == 2
    assert rows.first.get_attribute("data-store") == stores[0]["store_id"]  # most customers
    page.screenshot(path=str(ARTIFACTS / "hq-page.png"), full_page=True)

    # Re-sort by clicking a header (the key is remembered in a cookie from here on).
    with page.expect_navigation():
        page.click("#stores th >> text=Store")
    assert page.url.endswith("/?sort=store_id&desc=false")
    order = [r.get_attribute("data-store") for r in rows.all()]
    assert order == sorted(order) and len(order) == 2

    store_id = stores[0]["store_id"]
    page.click(f'#stores tr[data-store="{store_id}"] td:first-child a')
    page.wait_for_url(f"**/stores/{store_id}/map")
    page.wait_for_selector("#network-map .scatterlayer .point")
    network = network_json(server, store_id)
    assert page.evaluate(POINTS) == len(network["nodes"])
    traces = page.evaluate(FIGURE)
    drawn = sum(t["n"] for t in traces if "markers" in (t["mode"] or ""))
    assert drawn == len(network["nodes"])
    assert [t["name"] for t in traces if "markers" in t["mode"]] == [
        "store", "staff", "agents", "members", "prospects",
    ]  # fmt: skip
    assert page.locator(".legend .traces").count() >= 5
    page.screenshot(path=str(ARTIFACTS / f"store-map-{store_id}.png"), full_page=True)
    assert problems == []


def test_introduction_path_drawn(server: str, browser_page: tuple[Page, list[str]]) -> None:
    page, problems = browser_page
    store_id = httpx.get(f"{server}/stores", headers=key("hq"), timeout=30).json()["rows"][0][
        "store_id"
    ]
    network = network_json(server, store_id)
    staff = next(n["id"] for n in network["nodes"] if n["role"] == "staff")
    target = max(
        (n for n in network["nodes"] if n["role"] not in ("store", "staff") and n["count"] is None),
        key=lambda n: (n["key"], n["influence"], n["id"]),
    )["id"]
    with_path = network_json(server, store_id, staff=staff, path_to=target)
    assert with_path["path"]["status"] in ("path", "already_friends")
    page.goto(f"{server}/stores/{store_id}/map?staff={staff}&path_to={target}")
    page.wait_for_selector("#network-map .scatterlayer .point")
    assert page.evaluate(POINTS) == len(with_path["nodes"])
    path_trace = [t for t in page.evaluate(FIGURE) if t["name"] == "introduction path"]
    hops = len(with_path["path"]["people"]) - 1
    assert path_trace and path_trace[0]["n"] == 3 * hops  # each tie: 2 points and a gap
    assert page.locator("#path-answer").inner_text().strip() != ""
    page.screenshot(path=str(ARTIFACTS / f"store-map-{store_id}-path.png"), full_page=True)
    assert problems == []
