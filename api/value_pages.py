"""The customer-value pages (DESIGN.md §5 "Customer value"): a store's or the brand's figures
from api/charts.py over one window, drawn with the app's own plotly.js (as the maps are), a
PNG link per figure, and a table (a store's agent candidates; HQ: every store's GMV)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import plotly
import plotly.graph_objects as go
import plotly.io as pio
from jinja2 import Environment, PackageLoader, select_autoescape

from api.charts import (
    factor_spread,
    funnel_chart,
    gmv_factor_bars,
    retention_heatmap,
    value_by_source_bars,
)
from graph.value import (
    BrandFunnel,
    BrandRetention,
    BrandSources,
    BrandValueReport,
    StoreFunnel,
    StoreRetention,
    StoreSources,
    StoreValueReport,
)

FIGURES = ("factors", "retention", "sources", "funnel")
# plotly.js from the app itself (api.app mounts the plotly package's copy at /static).
PLOTLY_JS = f"/static/plotly.min.js?v={plotly.__version__}"
_templates = Environment(loader=PackageLoader("api"), autoescape=select_autoescape(["html"]))


def _span(start: Any, end: Any) -> str:
    return f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC"


def _retention(name: str, r: StoreRetention | BrandRetention) -> go.Figure:
    return retention_heatmap(
        r.cohorts, f"{name}: weekly retention, cohorts of {_span(r.start, r.end)}"
    )


def _sources(name: str, s: StoreSources | BrandSources) -> go.Figure:
    since = (
        f"first seen {_span(s.start, s.end)}" if s.start else f"first seen before {s.end:%Y-%m-%d}"
    )
    figures = s.brand if isinstance(s, BrandSources) else s
    return value_by_source_bars(
        figures.by_source,
        figures.by_generation,
        f"{name}: value by source and generation ({since})",
    )


def _funnel(name: str, f: StoreFunnel | BrandFunnel) -> go.Figure:
    return funnel_chart(f.stages, f"{name}: funnel of those acquired {_span(f.start, f.end)}")


def store_figures(report: StoreValueReport) -> dict[str, go.Figure]:
    """The figures of the parts the report holds, by name (see FIGURES)."""
    name = report.name or report.store_id
    figures: dict[str, go.Figure] = {}
    if report.comparison:
        figures["factors"] = gmv_factor_bars(report.comparison.store, report.comparison.median)
    if report.retention:
        figures["retention"] = _retention(name, report.retention)
    if report.sources:
        figures["sources"] = _sources(name, report.sources)
    if report.funnel:
        figures["funnel"] = _funnel(name, report.funnel)
    return figures


def brand_figures(report: BrandValueReport) -> dict[str, go.Figure]:
    """The brand's figures of the parts the report holds, by name (see FIGURES)."""
    figures: dict[str, go.Figure] = {}
    if report.value:
        figures["factors"] = factor_spread(report.value)
    if report.retention:
        figures["retention"] = _retention("Brand", report.retention)
    if report.sources:
        figures["sources"] = _sources("Brand", report.sources)
    if report.funnel:
        figures["funnel"] = _funnel("Brand", report.funnel)
    return figures


def _html(figures: dict[str, go.Figure], png: str, query: str) -> list[dict[str, str]]:
    return [
        {
            "name": name,
            "html": pio.to_html(
                fig, full_html=False, include_plotlyjs=False, div_id=f"{name}-figure",
                config={"displaylogo": False, "responsive": True},
            ),
            "png": f"{png}/{name}.png" + (f"?{query}" if query else ""),
        }
        for name, fig in figures.items()
    ]  # fmt: skip


def _note(precomputed: bool, computed_at: Any) -> str:
    source = (
        f"the precomputed snapshot of {computed_at:%Y-%m-%d %H:%M} UTC"
        if precomputed
        else "figures computed for this page"
    )
    return (
        "Value and funnel cover the window (default: the 30 days before its end); retention the "
        "Monday weeks it overlaps (default: 12 weeks); sources every customer who first "
        f"appeared in it (default: all of them), lifetime value to its end. Median store: {source}."
    )


def store_value_page(report: StoreValueReport, *, hq: bool, query: str = "") -> str:
    """A store's customer-value page: GMV factors beside the median store, retention, value by
    source, the funnel, and its agent candidates. `query` is the page's window as a query
    string (reused for the PNG links)."""
    base = f"/stores/{quote(report.store_id)}"
    comparison = report.comparison
    candidates = report.candidates.candidates if report.candidates else []
    table = {
        "id": "agent-candidates",
        "title": "Agent candidates: members to invite to become agents",
        "columns": ["#", "Person", "Store influence", "Reach (3 gen.)", "Spend", "Why"],
        "text_columns": 2,
        "rows": [
            [c.rank, c.person_id, f"{c.store_influence:.4f}", c.reach3, f"{c.spend:,.2f}",
             "; ".join(c.reasons)]
            for c in candidates
        ],
    }  # fmt: skip
    links = [("Network map", f"{base}/map"), ("JSON", f"{base}/value")]
    if hq:
        links = [("All stores", "/brand/value/page"), *links]
    return _templates.get_template("value.html").render(
        heading=report.name or report.store_id,
        links=links,
        action=f"{base}/value/page",
        start=report.start.isoformat() if report.start else "",
        end=report.end.isoformat() if report.end and query else "",
        note=_note(
            comparison.brand_precomputed if comparison else False,
            comparison.brand_computed_at if comparison else None,
        ),
        figures=_html(store_figures(report), f"{base}/value", query),
        table=table if candidates else None,
        plotly_js=PLOTLY_JS,
    )


def brand_value_page(report: BrandValueReport, *, query: str = "") -> str:
    """HQ's customer-value page: the factors across stores, the brand's retention, value by
    source and funnel, and every store's GMV (linking to its page)."""
    rows = report.value.rows if report.value else []
    table = {
        "id": "stores",
        "title": "Stores by GMV",
        "columns": ["Store", "Name", "Active", "Buyers", "Orders", "GMV", "Conversion",
                    "Orders / buyer", "Order value", "At the store", "Repeat rate"],
        "text_columns": 2,
        "rows": [
            [{"text": r.store_id, "url": f"/stores/{quote(r.store_id)}/value/page"}, r.name or "",
             r.active, r.buyers, r.orders, f"{r.amount:,.2f}", f"{r.factors.conversion:.1%}",
             f"{r.factors.frequency:.2f}", f"{r.factors.order_value:,.2f}",
             f"{r.store_amount:,.2f}", f"{r.repeat_purchase_rate:.1%}"]
            for r in rows
        ],
    }  # fmt: skip
    return _templates.get_template("value.html").render(
        heading="Brand",
        links=[("HQ overview", "/"), ("JSON", "/brand/value")],
        action="/brand/value/page",
        start=report.start.isoformat() if report.start else "",
        end=report.end.isoformat() if report.end else "",
        note=_note(
            report.value.precomputed if report.value else False,
            report.value.computed_at if report.value else None,
        ),
        figures=_html(brand_figures(report), "/brand/value", query),
        table=table if rows else None,
        plotly_js=PLOTLY_JS,
    )
