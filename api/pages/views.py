"""The pages' content: each gathers the graph's answers a page shows and renders them. No
figure is computed here; every number is a field of a graph model.

- `hq_page`: how fresh the data is (loaders.status, with its warnings), brand figures, stores
  by tier, new people per week, the conversion-vs-fission scatter, and the filtered, sorted,
  paged store table;
  HQ's customer value (GMV factors across stores, retention, sources, funnel, stores by GMV;
  only from the precomputed snapshot unless a window is asked for);
- `store_dashboard` (and the weekly report, the same content printed): diagnosis, plan,
  weekly chart, funnel, suggestions, map, key nodes, circles, bridges, seeds and fraud flags,
  the sales leaderboard, and the store's customer value beside the median store;
- `person_panel`: one person's profile, interests, notes, referrer chain, cascade;
- `today_page`: a staff member's recommended contacts and their own figures of the week.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

import plotly.graph_objects as go

from api.charts import stores_by_gmv
from api.i18n import N_, Text, render
from api.maps import network_figure
from api.pages import figures, wording
from api.pages.common import Chrome, render_page
from api.value_pages import brand_figures, store_figures
from fission.errors import FeatureUnavailable
from graph import Defer
from graph.attribution import StoreAttribution, staff_figures, store_attribution
from graph.circles import StoreCircles, store_circles
from graph.followthrough import ServedLog, serve_recommendations
from graph.gateway import Gateway
from graph.keynodes import KeyNode, KeyNodeRule, key_nodes
from graph.network import StoreNetwork
from graph.paths import IntroductionPath
from graph.people import PersonBrief, person_briefs, profile_and_key_node
from graph.reach import CascadeNode, cascade_tree, referrer_chain
from graph.seeds import store_seeds
from graph.stores import (
    TIER_NAMES,
    ConversionFunnel,
    HQOverviewPage,
    StoreDiagnosis,
    brand_summary,
    conversion_funnel,
    store_diagnosis,
)
from graph.value import StoreValueReport, brand_report, precomputed_brand_report, store_report
from loaders.status import operations_status

KEY_NODE_ROWS = 50
PANEL_DEPTH = 3
PANEL_NODES = 40
CONTACTS = 10
SEEDS = 5
GMV_STORES = 20  # the HQ dashboard's "stores by GMV": the top ones (all are in /brand/value)
HQ_COLUMNS: list[tuple[str, str]] = [
    ("store_id", N_("Store")),
    ("name", N_("Name")),
    ("customers", N_("Customers")),
    ("tier", N_("Tier")),
    ("prospects", N_("Prospects")),
    ("members", N_("Members")),
    ("agents", N_("Agents")),
    ("conversion_rate", N_("Conversion rate")),
    ("fission_ratio", N_("Fission ratio")),
    ("new_people_4w", N_("New (4 weeks)")),
    ("cascade_depth", N_("Cascade depth")),
]
# A customer-value window asked for on a dashboard: (start, end); None for the defaults.
Window = tuple[datetime | None, datetime | None] | None
TEXT_COLUMNS = ("store_id", "name")  # sorted A to Z first; the rest largest first


def top_share(gateway: Gateway) -> float:
    return KeyNodeRule.from_settings(gateway.settings).top_share


def key_reason_texts(
    gateway: Gateway, t: Text, store_id: str, nodes: list[KeyNode] | None = None
) -> dict[str, list[str]]:
    """Why each key node of the store qualifies, in the page's language, by person id."""
    share = top_share(gateway)
    found = nodes if nodes is not None else key_nodes(gateway, store_id)
    return {k.person_id: wording.key_reasons(t, k, share) for k in found}


# ----------------------------------------------------------------------------- HQ


def hq_page(
    gateway: Gateway,
    frame: Chrome,
    page: HQOverviewPage,
    every_row: HQOverviewPage,
    csv_url: str,
    window: Window = None,
    defer: Defer | None = None,
) -> str:
    """The HQ dashboard around `page` (the table's rows) and `every_row` (every store that
    passes the filters, for the scatter), with the brand's customer value over `window`
    (start, end; default: each figure's own, from the precomputed snapshot). `defer` as in
    `hq_overview`."""
    t = frame.text
    brand = brand_summary(gateway, defer=defer)
    status = operations_status(gateway)
    start, end = window or (None, None)
    # Without a window the section only reads the snapshot, so the page never computes the
    # brand-wide figures on a request (seconds to minutes at 1000 stores).
    value = (
        brand_report(gateway, start, end, parts=["factors", "retention", "sources", "funnel"])
        if start or end
        else precomputed_brand_report(gateway)
    )
    gmv_rows = value.value.rows[:GMV_STORES] if value and value.value else []
    sort_urls = {
        key: frame.url(
            sort=key,
            desc=str(not page.descending if page.sort == key else key not in TEXT_COLUMNS).lower(),
            page=None,
        )
        for key, _ in HQ_COLUMNS
    }
    number = page.offset // page.limit + 1 if page.limit else 1
    return render_page(
        "hq.html",
        frame,
        brand=brand,
        status=status,
        page=page,
        tiers=TIER_NAMES,
        columns=[(key, t.gettext(title)) for key, title in HQ_COLUMNS],
        sort_urls=sort_urls,
        previous_url=frame.url(page=number - 1) if page.offset > 0 else None,
        next_url=frame.url(page=number + 1) if page.offset + page.limit < page.total else None,
        csv_url=csv_url,
        tier_chart=figures.figure_html(figures.tier_bars(t, brand), "tier-chart", t),
        weekly_chart=figures.figure_html(
            figures.weekly_bars(
                t, brand.new_people_per_week, t.gettext("New customers per week, every store")
            ),
            "weekly-chart",
            t,
        ),
        scatter=figures.figure_html(figures.store_scatter(t, every_row.rows), "store-scatter", t),
        value=value,
        value_figures=value_figures(t, brand_figures(value, t), "/brand/value", window)
        if value
        else {},
        gmv_rows=gmv_rows,
        gmv_chart=figures.figure_html(stores_by_gmv(gmv_rows, t=t), "value-stores", t)
        if value
        else None,
        max_hours=gateway.settings.value_snapshot_max_hours,
    )


def window_query(window: Window) -> str:
    """A customer-value window as a query string ("" for the default windows)."""
    start, end = window or (None, None)
    given = {"start": start.isoformat() if start else None, "end": end.isoformat() if end else None}
    return urlencode({k: v for k, v in given.items() if v})


def value_figures(
    t: Text, drawn: dict[str, go.Figure], png: str, window: Window, *, static: bool = False
) -> dict[str, dict[str, str]]:
    """The customer-value figures for a page by name (div id `value-<name>`), each with its
    PNG link (same window and language)."""
    query = window_query(window)
    query = f"{query}&lang={t.lang}" if query else f"lang={t.lang}"
    return {
        name: {
            "name": name,
            "html": figures.figure_html(fig, f"value-{name}", t, static=static),
            "png": f"{png}/{name}.png?{query}",
        }
        for name, fig in drawn.items()
    }


CSV_COLUMNS: list[tuple[str, str]] = [
    ("store_id", N_("Store")),
    ("name", N_("Name")),
    ("city", N_("City")),
    ("region", N_("Region")),
    ("tier", N_("Tier")),
    ("customers", N_("Customers")),
    ("prospects", N_("Prospects")),
    ("members", N_("Members")),
    ("agents", N_("Agents")),
    ("conversion_rate", N_("Conversion rate")),
    ("fission_ratio", N_("Fission ratio")),
    ("new_people_4w", N_("New (4 weeks)")),
    ("cascade_depth", N_("Cascade depth")),
]


def overview_csv(t: Text, page: HQOverviewPage) -> str:
    """The overview's rows as CSV, headers in the page's language, values as numbers (rates as
    fractions) so that a spreadsheet can compute with them; tiers worded."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t.gettext(title) for _, title in CSV_COLUMNS])
    for row in page.rows:
        values = row.model_dump()
        values["tier"] = wording.tier(t, row.tier)
        writer.writerow(["" if values[k] is None else values[k] for k, _ in CSV_COLUMNS])
    return out.getvalue()


# ----------------------------------------------------------------------------- store


@dataclass(frozen=True)
class StoreDashboard:
    """What a store's dashboard (and its weekly report) shows, from the graph."""

    diagnosis: StoreDiagnosis
    funnel: ConversionFunnel
    attribution: StoreAttribution
    key_nodes: list[KeyNode]
    network: StoreNetwork
    path: IntroductionPath | None
    briefs: dict[str, PersonBrief]
    value: StoreValueReport
    window: Window
    circles: StoreCircles


def seeds_panel(gateway: Gateway, t: Text, store_id: str) -> str:
    """Whom to seed for a campaign (a fragment the store dashboard loads once it is shown:
    the first plan after the store's network changes takes seconds), or why there are none
    (no Graph Data Science)."""
    plan, problem = None, None
    try:
        plan = store_seeds(gateway, store_id, k=SEEDS)
    except FeatureUnavailable as exc:
        problem = str(exc)
    names = {s.person_id: s.display_name for s in (plan.seeds if plan else []) if s.display_name}
    return render("seeds_panel.html", t, w=wording, names=names, seeds=plan, seeds_problem=problem)


def store_dashboard(
    gateway: Gateway,
    store_id: str,
    network: StoreNetwork,
    path: IntroductionPath | None = None,
    window: Window = None,
) -> StoreDashboard:
    """The dashboard's answers, all as of one time, the customer value over `window` (start,
    end; default: each figure's own); whom to seed comes separately (`seeds_panel`). They
    are independent reads, so they run side by side (the driver is shared by threads)."""
    now = datetime.now(UTC)
    start, end = window or (None, None)
    with ThreadPoolExecutor(max_workers=6) as pool:
        value = pool.submit(store_report, gateway, store_id, start, end)
        diagnosis = pool.submit(store_diagnosis, gateway, store_id, now)
        keys = pool.submit(key_nodes, gateway, store_id)
        funnel = pool.submit(conversion_funnel, gateway, store_id, None, now)
        attribution = pool.submit(store_attribution, gateway, store_id)
        circles = pool.submit(store_circles, gateway, store_id)
        shown = [k.person_id for k in keys.result()[:KEY_NODE_ROWS]]
        briefs = pool.submit(person_briefs, gateway, shown, now)
        return StoreDashboard(
            diagnosis=diagnosis.result(),
            funnel=funnel.result(),
            attribution=attribution.result(),
            key_nodes=keys.result(),
            network=network,
            path=path,
            briefs=briefs.result(),
            value=value.result(),
            window=window,
            circles=circles.result(),
        )


def dashboard_html(
    gateway: Gateway, frame: Chrome, data: StoreDashboard, *, report: bool = False, **extra: Any
) -> str:
    """The store dashboard page, or (`report`) its printable weekly report: the same sections
    and charts, drawn static."""
    t = frame.text
    d = data.diagnosis
    reasons = key_reason_texts(gateway, t, d.store_id, data.key_nodes)
    highlight = [p.person_id for p in data.path.people] if data.path else None
    names = {s.person_id: s.display_name for s in d.staff if s.display_name}
    names |= {c.person_id: c.display_name for c in data.attribution.credits if c.display_name}
    names |= {b.person_id: b.display_name for b in data.circles.bridges if b.display_name}
    staff = sorted(
        (n for n in data.network.nodes if n.role == "staff" and n.in_network),
        key=lambda n: n.label,
    )
    weekly = figures.weekly_bars(t, d.new_people_per_week, t.gettext("New customers per week"))
    return render_page(
        "report.html" if report else "dashboard.html",
        frame,
        d=d,
        key_count=len(data.key_nodes),
        keys=data.key_nodes[:KEY_NODE_ROWS],
        reasons=reasons,
        briefs=data.briefs,
        names=names,
        staff=staff,
        network=data.network,
        path=data.path,
        attribution=data.attribution,
        min_reach3=gateway.settings.key_node_min_reach3,
        weekly_chart=figures.figure_html(weekly, "weekly-chart", t, static=report),
        funnel_chart=figures.figure_html(
            figures.funnel_chart(t, data.funnel), "funnel-chart", t, static=report
        ),
        map_figure=figures.figure_html(
            network_figure(data.network, highlight, t, reasons), "network-map", t, static=report
        ),
        value=data.value,
        value_figures=value_figures(
            t,
            store_figures(data.value, t),
            f"/stores/{quote(d.store_id)}/value",
            data.window,
            static=report,
        ),
        circles=data.circles,
        **extra,
    )


# ----------------------------------------------------------------------------- person


def _depth_first(nodes: list[CascadeNode]) -> list[CascadeNode]:
    """A breadth-first cascade in depth-first order, for an indented list."""
    children: dict[str | None, list[CascadeNode]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)
    ordered: list[CascadeNode] = []
    stack = list(reversed(children[None]))
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(children[node.person_id]))
    return ordered


def person_panel(gateway: Gateway, t: Text, person_id: str, scope: str | None) -> str:
    """One person's panel (a fragment loaded into the dashboard). `scope` is a store key's
    store: a person of another store is NotFound, as in the API."""
    profile, found = profile_and_key_node(gateway, person_id, store_id=scope)
    key = wording.key_reasons(t, found, top_share(gateway)) if found else []
    tree = cascade_tree(gateway, person_id, max_depth=PANEL_DEPTH, max_nodes=PANEL_NODES)
    return render(
        "person_panel.html",
        t,
        w=wording,
        p=profile,
        key=key,
        chain=referrer_chain(gateway, person_id),
        tree=tree,
        tree_order=_depth_first(tree.nodes),
    )


# ----------------------------------------------------------------------------- today


NOTE_WORDS = {
    "contacted": N_("Noted as contacted"),
    "visited": N_("Noted as visited"),
    "tag": N_("Tag added"),
    "failed": N_("Could not record the note:"),
}


def today_context(
    gateway: Gateway,
    t: Text,
    staff_id: str,
    topic: str | None = None,
    scope: str | None = None,
    served: ServedLog | None = None,
) -> dict[str, Any]:
    """A staff member's figures of the last 7 days and whom to contact today (the list served
    is recorded for follow-through, as the API's is, through `served` when given; people of
    other stores are hidden from a `scope`d caller)."""
    week = staff_figures(gateway, staff_id)
    contacts = serve_recommendations(
        gateway, staff_id, topic=topic, limit=CONTACTS, now=week.end, scope=scope, served=served
    )
    share = top_share(gateway)
    return {
        "figures": week,
        "recommendations": contacts,
        "reasons": {r.person_id: wording.recommendation_reasons(t, r, share) for r in contacts},
        "briefs": person_briefs(gateway, [r.person_id for r in contacts], week.end),
        "topic": topic,
        "note_words": {kind: t.gettext(text) for kind, text in NOTE_WORDS.items()},
    }
