"""The customer-value figures a page or PNG shows (DESIGN.md §5 "Customer value"), by name, in
the page's language: a store's beside the median store, or the brand's. The store and HQ
dashboards place them in their "customer value" section (api/pages/views.py), and the PNG
routes (api/routers/value.py) export any one of them; both draw them from the same report.
"""

from __future__ import annotations

import plotly.graph_objects as go

from api.charts import (
    factor_spread,
    funnel_chart,
    gmv_factor_bars,
    retention_heatmap,
    value_by_source_bars,
)
from api.i18n import N_, Text
from graph.value import BrandSources, BrandValueReport, StoreSources, StoreValueReport

FIGURES = ("factors", "retention", "sources", "funnel")


def _sources_title(t: Text, s: StoreSources | BrandSources) -> str:
    if s.start:
        return t.gettext(
            "Value by source and generation: customers first seen %(start)s to %(end)s"
        ) % {"start": t.date(s.start), "end": t.date(s.end)}
    return t.gettext(
        "Value by source and generation: every customer, lifetime value to %(end)s"
    ) % {"end": t.date(s.end)}


def _window_title(t: Text, message: str, start: object, end: object) -> str:
    return t.gettext(message) % {"start": t.date(start), "end": t.date(end)}  # type: ignore[arg-type]


RETENTION_TITLE = N_("Weekly retention, cohorts of %(start)s to %(end)s")
FUNNEL_TITLE = N_("Customer funnel of those acquired %(start)s to %(end)s")


def store_figures(report: StoreValueReport, t: Text) -> dict[str, go.Figure]:
    """The figures of the parts the report holds, by name (see FIGURES)."""
    figures: dict[str, go.Figure] = {}
    if report.comparison:
        c = report.comparison
        figures["factors"] = gmv_factor_bars(c.store, c.median, t=t)
    if report.retention:
        r = report.retention
        title = _window_title(t, RETENTION_TITLE, r.start, r.end)
        figures["retention"] = retention_heatmap(r.cohorts, title, t=t)
    if report.sources:
        s = report.sources
        figures["sources"] = value_by_source_bars(
            s.by_source, s.by_generation, _sources_title(t, s), t=t
        )
    if report.funnel:
        f = report.funnel
        title = _window_title(t, FUNNEL_TITLE, f.start, f.end)
        figures["funnel"] = funnel_chart(f.stages, title, t=t)
    return figures


def brand_figures(report: BrandValueReport, t: Text) -> dict[str, go.Figure]:
    """The brand's figures of the parts the report holds, by name (see FIGURES)."""
    figures: dict[str, go.Figure] = {}
    if report.value:
        figures["factors"] = factor_spread(report.value, t=t)
    if report.retention:
        r = report.retention
        title = _window_title(t, RETENTION_TITLE, r.start, r.end)
        figures["retention"] = retention_heatmap(r.cohorts, title, t=t)
    if report.sources:
        s = report.sources
        figures["sources"] = value_by_source_bars(
            s.brand.by_source, s.brand.by_generation, _sources_title(t, s), t=t
        )
    if report.funnel:
        f = report.funnel
        title = _window_title(t, FUNNEL_TITLE, f.start, f.end)
        figures["funnel"] = funnel_chart(f.stages, title, t=t)
    return figures
