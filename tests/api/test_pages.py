"""The pages over HTTP against the real Neo4j (the browser tests draw them in Chromium): access as
for the API, languages and their cookie, HTML error pages, the HQ table's paging, filters and
CSV at more than one page of stores, the figures each page shows equal to the API's JSON, the
"today" page after a note, the PDF report, and a complete message catalogue."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from pypdf import PdfReader

from api.app import create_app
from api.auth import hash_key
from api.i18n import CATALOGUE
from fission.settings import ApiKeyEntry, Settings
from graph.gateway import Gateway
from graph.influence import refresh_influence
from graph.value import refresh_value_snapshot
from loaders.pipeline import load_files
from synthetic import generate
from tests.api.conftest import api_settings
from tests.helpers import wipe, write_rows

ROOT = Path(__file__).resolve().parents[2]
PAGE_KEYS = {"hq": "key-hq", "s0001": "key-p-s0001", "s0002": "key-p-s0002", "ingest": "key-ingest"}
HTML = {"Accept": "text/html,application/xhtml+xml"}


def headers(who: str | None) -> dict[str, str]:
    return {"X-API-Key": PAGE_KEYS[who]} if who else {}


def page_settings(settings: Settings, tmp: Path) -> Settings:
    """The test keys plus store keys for the generated brand's stores S0001 and S0002."""
    base = api_settings(settings, tmp)
    extra = [
        ApiKeyEntry(name=f"{s}-app", role="store", store_id=s.upper(), sha256=hash_key(k))
        for s, k in PAGE_KEYS.items()
        if s.startswith("s0")
    ]
    return base.model_copy(update={"api_keys": [*base.api_keys, *extra]})


@pytest.fixture(scope="module")
def client(
    neo4j_settings: Settings, gateway: Gateway, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    settings = page_settings(neo4j_settings, tmp_path_factory.mktemp("pages-api"))
    with TestClient(create_app(settings, gateway)) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def no_cookies(client: TestClient) -> None:
    """Each test starts without the language and key cookies earlier pages set."""
    client.cookies.clear()


@pytest.fixture(scope="module")
def tiny_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-pages")
    generate("tiny", 11, folder, fmt="csv")
    return folder


@pytest.fixture
def tiny(gateway: Gateway, tiny_files: Path) -> Gateway:
    """The tiny brand, loaded again when a test here replaced it."""
    stores = gateway.read("MATCH (s:Store) RETURN collect(s.id) AS ids")[0]["ids"]
    people = gateway.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"]
    if sorted(stores) != ["S0001", "S0002"] or people == 0:
        wipe(gateway)
        load_files(gateway, [tiny_files])
        refresh_influence(gateway)
    return gateway


def get_json(client: TestClient, path: str, **params: object) -> dict:
    response = client.get(path, params=params, headers=headers("hq"))
    assert response.status_code == 200, (path, response.text)
    return response.json()


def a_staff_member(client: TestClient, store: str) -> str:
    credits = get_json(client, f"/stores/{store}/attribution")["credits"]
    return next(c["person_id"] for c in credits if c["kind"] == "staff" and c["store_id"] == store)


def a_customer(client: TestClient, store: str) -> str:
    return get_json(client, f"/stores/{store}/key-nodes")["items"][0]["person_id"]


def visible_text(page: str) -> str:
    """What a reader sees of a page: no scripts, styles or tags."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


# ----------------------------------------------------------------------------- access


@pytest.mark.parametrize(
    ("who", "expected"),
    [("hq", 200), ("s0001", 200), ("s0002", 404), ("ingest", 403), (None, 401)],
)
def test_page_access_matrix(
    client: TestClient, tiny: Gateway, who: str | None, expected: int
) -> None:
    staff, customer = a_staff_member(client, "S0001"), a_customer(client, "S0001")
    routes = [
        "/stores/S0001/dashboard",
        "/stores/S0001/map",
        "/stores/S0001/dashboard/seeds",
        f"/staff/{staff}/today",
        f"/staff/{staff}/today/list",
        f"/people/{customer}/panel",
    ]
    for route in routes:
        response = client.get(route, headers=headers(who))
        assert response.status_code == expected, route
        if expected != 200:
            assert "error" in response.json()  # an API client (Accept: */*) gets JSON
    if expected != 200:  # refused before anything is printed
        assert client.get("/stores/S0001/report.pdf", headers=headers(who)).status_code == expected
    home = client.get("/", headers=headers(who), follow_redirects=False)
    if who and who.startswith("s0"):
        assert home.status_code == 303
        assert home.headers["location"] == f"/stores/{who.upper()}/dashboard"
    else:
        assert home.status_code == expected
    table = client.get("/stores.csv", headers=headers(who))
    assert table.status_code == (200 if who and who != "ingest" else expected)
    if table.status_code == 200:
        ids = [row[0] for row in csv.reader(io.StringIO(table.text.lstrip("\ufeff")))][1:]
        assert ids == (["S0001", "S0002"] if who == "hq" else [who.upper()] if who else [])


def test_browser_errors_are_pages_in_the_readers_language(
    client: TestClient, tiny: Gateway
) -> None:
    missing = client.get("/stores/S0002/dashboard", headers={**HTML, **headers("s0001")})
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in missing.text and "未找到" in missing.text
    english = client.get(
        "/stores/S0002/dashboard", params={"lang": "en"}, headers={**HTML, **headers("s0001")}
    )
    assert english.status_code == 404 and "Not found" in english.text
    no_key = client.get("/", headers=HTML)
    assert no_key.status_code == 401 and "?key=" in no_key.text
    assert no_key.headers["www-authenticate"] == "APIKey"


# ----------------------------------------------------------------------------- languages


def test_language_from_query_cookie_and_browser(client: TestClient, tiny: Gateway) -> None:
    browser = TestClient(client.app)  # its own cookie jar
    first = browser.get("/", params={"key": PAGE_KEYS["hq"], "lang": "en"})
    assert first.status_code == 200 and '<html lang="en">' in first.text
    assert browser.cookies.get("fission_lang") == "en"
    assert browser.cookies.get("fission_key") == PAGE_KEYS["hq"]
    again = browser.get("/stores/S0001/dashboard")  # no key, no lang: both from cookies
    assert again.status_code == 200 and '<html lang="en">' in again.text
    assert 'href="/stores/S0001/dashboard?lang=zh"' in again.text  # the language switch
    assert "key=" not in again.text  # a key is never written into a page

    def lang_of(accept: str) -> str:
        page = client.get("/", headers={**headers("hq"), "Accept-Language": accept})
        return re.search(r'<html lang="([^"]+)">', page.text).group(1)  # type: ignore[union-attr]

    assert lang_of("zh-CN,zh;q=0.9,en;q=0.8") == "zh-CN"
    assert lang_of("en-US,en;q=0.9,zh-CN;q=0.5") == "en"
    assert lang_of("zh-TW;q=0.4, en;q=0.6") == "en"
    assert lang_of("fr-FR,fr;q=0.9") == "zh-CN"  # neither: the FISSION_PAGE_LANGUAGE default
    assert client.get("/", params={"lang": "fr"}, headers=headers("hq")).status_code == 422


def catalogue_ids() -> list[str]:
    with CATALOGUE.open("rb") as source:
        catalog = read_po(source)
    return [m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id]


@pytest.mark.parametrize(
    "route",
    ["/", "/stores/S0001/dashboard", "/stores/S0001/map", "STAFF_TODAY", "CUSTOMER_PANEL"],
)
def test_chinese_pages_have_no_english_left(client: TestClient, tiny: Gateway, route: str) -> None:
    route = route.replace("STAFF_TODAY", f"/staff/{a_staff_member(client, 'S0001')}/today")
    route = route.replace("CUSTOMER_PANEL", f"/people/{a_customer(client, 'S0001')}/panel")
    zh = visible_text(client.get(route, params={"lang": "zh"}, headers=headers("hq")).text)
    en = visible_text(client.get(route, params={"lang": "en"}, headers=headers("hq")).text)
    sentences = [
        m for m in catalogue_ids() if " " in m and "%(" not in m and len(m) > 12 and m in en
    ]
    assert sentences, "the English page shows catalogue messages"
    assert [m for m in sentences if m in zh] == []
    assert "年" in zh and "月" in zh  # dates in Chinese


# ----------------------------------------------------------------------------- HQ


def test_hq_table_pages_filters_and_downloads(
    client: TestClient, gateway: Gateway, tmp_path: Path
) -> None:
    """120 stores (no people yet) over three regions: 50 a page, filters, CSV."""
    regions = ["East", "North", "South"]
    write_rows(
        tmp_path,
        "stores",
        [
            {"store_id": f"T{i:03d}", "name": f"门店 {i}", "city": "上海", "region": regions[i % 3]}
            for i in range(120)
        ],
    )
    wipe(gateway)
    load_files(gateway, [tmp_path])
    first = client.get("/", params={"sort": "store_id", "desc": False}, headers=headers("hq"))
    rows = re.findall(r'<tr data-store="([^"]+)"', first.text)
    assert rows == [f"T{i:03d}" for i in range(50)]
    assert "1\N{EN DASH}50" in first.text and "120" in first.text and 'rel="next"' in first.text
    third = client.get(
        "/", params={"sort": "store_id", "desc": False, "page": 3}, headers=headers("hq")
    )
    assert re.findall(r'<tr data-store="([^"]+)"', third.text) == [
        f"T{i:03d}" for i in range(100, 120)
    ]
    assert 'rel="next"' not in third.text and 'rel="prev"' in third.text
    # The scatter has every store that passes the filters, not only this page's.
    scatter = third.text.split('id="store-scatter"')[1].split("</script>")[0]
    assert len(set(re.findall(r"T\d{3}", scatter))) == 120

    north = client.get("/", params={"region": "North", "tier": ""}, headers=headers("hq"))
    expected = get_json(client, "/stores", region="North", limit=1000)
    assert len(re.findall(r'<tr data-store="', north.text)) == min(50, expected["total"]) == 40
    assert 'href="/stores.csv?sort=customers&amp;desc=true&amp;region=North"' in north.text
    download = client.get(
        "/stores.csv", params={"region": "North", "lang": "en"}, headers=headers("hq")
    )
    assert download.headers["content-type"].startswith("text/csv")
    assert download.content.startswith("\ufeff".encode())
    table = list(csv.DictReader(io.StringIO(download.text.lstrip("\ufeff"))))
    assert [r["Store"] for r in table] == [r["store_id"] for r in expected["rows"]]
    assert {r["Tier"] for r in table} == {"starter"} and table[0]["Name"].startswith("门店")
    chinese = client.get("/stores.csv", params={"tier": "growing"}, headers=headers("hq"))
    assert chinese.text.lstrip("\ufeff").splitlines()[0].startswith("门店,名称,城市,区域,等级")
    assert len(chinese.text.splitlines()) == 1  # no growing store: the header only


# ----------------------------------------------------------------------------- pages = JSON


def figure(page: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]+)<', page)
    assert found, name
    return found.group(1).strip()


def test_hq_customer_value_reads_the_snapshot_only(client: TestClient, tiny: Gateway) -> None:
    """Without a window the HQ page never computes brand-wide value: it says how to get it
    until the snapshot exists, then draws it; with a window it computes it."""
    with tiny.driver.session(database=tiny.database) as session:
        session.run("MATCH (v:ValueSnapshot) DETACH DELETE v").consume()
    english = {**headers("hq"), "Accept-Language": "en"}
    missing = client.get("/", headers=english).text
    assert 'id="value-missing"' in missing and 'id="value-factors"' not in missing
    assert "fission value-snapshot" in missing
    refresh_value_snapshot(tiny)
    page = client.get("/", headers=english).text
    assert 'id="value-source"' in page and "From the precomputed figures of" in page
    by_gmv = get_json(client, "/brand/value", sort="amount", desc=True)
    assert by_gmv["precomputed"]
    assert re.findall(r'data-gmv-store="([^"]+)"', page) == [r["store_id"] for r in by_gmv["rows"]]
    for figure in ("factors", "retention", "sources", "funnel", "stores"):
        assert f'id="value-{figure}"' in page
    window = {"start": "2026-01-01T00:00:00Z", "end": "2026-02-01T00:00:00Z"}
    live = client.get("/", params=window, headers=english).text
    assert "Computed for this page at" in live and 'id="value-factors"' in live


def test_dashboard_shows_the_apis_figures(client: TestClient, tiny: Gateway) -> None:
    page = client.get("/stores/S0001/dashboard", params={"lang": "en"}, headers=headers("s0001"))
    assert page.status_code == 200
    d = get_json(client, "/stores/S0001")
    assert figure(page.text, "customers") == f"{d['customers']:,}"
    assert figure(page.text, "members") == f"{d['members']:,}"
    assert len(re.findall(r'<div class="plan-stage"', page.text)) == 3
    assert len(re.findall(r"<li data-rule=", page.text)) == len(d["suggestions"])
    keys = get_json(client, "/stores/S0001/key-nodes", limit=500)
    table = page.text.split('id="key-nodes"')[1].split("</table>")[0]
    assert len(re.findall(r'<tr data-person="', table)) == min(keys["total"], 50)
    credits = get_json(client, "/stores/S0001/attribution")["credits"]
    board = page.text.split('id="leaderboard"')[1].split("</table>")[0]
    assert re.findall(r'<tr data-person="([^"]+)"', board) == [c["person_id"] for c in credits]
    assert 'href="/stores/S0001/report.pdf?lang=en"' in page.text


def test_person_panel(client: TestClient, tiny: Gateway) -> None:
    customer = a_customer(client, "S0001")
    profile = get_json(client, f"/people/{customer}")
    panel = client.get(f"/people/{customer}/panel", params={"lang": "en"}, headers=headers("hq"))
    assert panel.status_code == 200 and f'data-person="{customer}"' in panel.text
    for interest in profile["interests"]:
        assert f'<td class="text">{interest["topic"]}</td>' in panel.text
    chain = panel.text.split("Referrer chain")[1].split("</p>")[0]
    if profile["referrer_id"]:
        assert re.findall(r'data-person="([^"]+)"', chain)[0] == profile["referrer_id"]
    cascade = get_json(client, f"/people/{customer}/cascade", max_depth=3, max_nodes=40)
    listed = panel.text.split("Cascade below them")[1]
    assert len(re.findall(r"<li ", listed)) == len(cascade["nodes"]) - 1
    other = a_customer(client, "S0002")
    assert client.get(f"/people/{other}/panel", headers=headers("s0001")).status_code == 404


def test_person_panel_gives_a_key_nodes_reasons(client: TestClient, tiny: Gateway) -> None:
    key = get_json(client, "/stores/S0001/key-nodes", limit=1)["items"][0]
    profile = get_json(client, f"/people/{key['person_id']}")
    panel = client.get(
        f"/people/{key['person_id']}/panel", params={"lang": "en"}, headers=headers("hq")
    )
    assert profile["key_node"] and ">key node<" in panel.text
    if key["top_influence"]:
        rank = f"(rank {key['influence_rank']} of {key['customers']})"
        assert f"influence in the store {rank}" in panel.text
    if key["high_reach"]:
        assert f"reaches {key['reach3']} " in panel.text
    customer = a_customer(client, "S0001")
    if not get_json(client, f"/people/{customer}")["key_node"]:
        plain = client.get(
            f"/people/{customer}/panel", params={"lang": "en"}, headers=headers("hq")
        )
        assert ">key node<" not in plain.text


def test_today_page_lists_contacts_and_a_note_takes_one_off(
    client: TestClient, tiny: Gateway
) -> None:
    staff = a_staff_member(client, "S0001")
    page = client.get(f"/staff/{staff}/today", params={"lang": "en"}, headers=headers("s0001"))
    assert page.status_code == 200
    listed = re.findall(r'<li class="contact" data-person="([^"]+)"', page.text)
    served = get_json(client, f"/staff/{staff}/recommendations", limit=10)["items"]
    assert listed == [r["person_id"] for r in served] and listed
    week = get_json(client, f"/staff/{staff}/figures")
    assert figure(page.text, "people_brought") == str(week["people_brought"])
    assert figure(page.text, "people_contacted") == str(week["people_contacted"])
    noted = client.post(
        f"/staff/{staff}/notes",
        json={"person_id": listed[0], "kind": "contacted"},
        headers=headers("s0001"),
    )
    assert noted.status_code == 201
    after = client.get(f"/staff/{staff}/today/list", headers=headers("s0001"))
    now_listed = re.findall(r'<li class="contact" data-person="([^"]+)"', after.text)
    assert listed[0] not in now_listed
    assert figure(after.text, "people_contacted") == str(week["people_contacted"] + 1)


# ----------------------------------------------------------------------------- report


def test_weekly_report_pdf(client: TestClient, tiny: Gateway) -> None:
    response = client.get(
        "/stores/S0001/report.pdf", params={"lang": "en"}, headers=headers("s0001")
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(p.extract_text() for p in reader.pages)
    d = get_json(client, "/stores/S0001")
    assert len(reader.pages) >= 2
    assert "Weekly report" in text and "S0001" in text and "Key nodes" in text
    assert f"{d['customers']:,}" in text


# ----------------------------------------------------------------------------- catalogue


def test_catalogue_has_every_message_translated() -> None:
    """Every message the pages use (as `make messages` extracts them) is in the catalogue,
    translated and not fuzzy, with the same placeholders; nothing obsolete is left."""
    extracted = {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(
            str(ROOT), method_map=[("api/**.py", "python"), ("api/templates/**.html", "jinja2")]
        )
    }
    with CATALOGUE.open("rb") as source:
        catalog = read_po(source)
    ids = set(catalogue_ids())
    assert extracted - ids == set(), "run `make messages` and translate the new entries"
    assert ids - extracted == set(), "obsolete entries: run `make messages`"
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {message.id!r}"
        source_ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(re.findall(r"%\(\w+\)s", source_ids[0]))
        assert all(set(re.findall(r"%\(\w+\)s", s)) == wanted for s in strings), message.id
    assert list(catalog.check()) == []
