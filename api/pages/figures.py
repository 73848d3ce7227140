"""The dashboards' charts (Plotly), drawn from the graph's answers as they are: every number on
a chart is a field of a graph model, only labelled and formatted in the page's language.

The network map is `api.maps.network_figure`; these are the small charts around it. Charts are
SVG (never WebGL), so they draw the same in a headless browser and in the printed report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from api.i18n import N_, Text
from api.pages import wording
from graph.stores import BrandSummary, ConversionFunnel, StoreOverviewRow
from graph.stores.model import PLAN_CONVERSION, WeekCount
from graph.stores.suggestions import LOW_FISSION_RATIO

FONT = {"family": "Noto Sans, Noto Sans CJK SC, sans-serif", "size": 12}
BAR_COLOUR = "#2563eb"
TIER_COLOURS = {
    "starter": "#9ca3af",
    "growing": "#16a34a",
    "established": "#2563eb",
    "large": "#d97706",
}
TARGET_COLOUR = "#dc2626"
# Plotly's own interface strings that a page can show (mode bar, hints), in the catalogue so
# that Chinese pages register them as Plotly's zh-CN locale.
PLOTLY_INTERFACE = [
    N_("Zoom"),
    N_("Pan"),
    N_("Zoom in"),
    N_("Zoom out"),
    N_("Autoscale"),
    N_("Reset axes"),
    N_("Box Select"),
    N_("Lasso Select"),
    N_("Download plot as a png"),
    N_("Double-click to zoom back out"),
    N_("Double-click on legend to isolate one trace"),
    N_("Click to enter Plot title"),
    N_("Click to enter X axis title"),
    N_("Click to enter Y axis title"),
]
PLOTLY_LOCALE = {"zh": "zh-CN", "en": "en"}


def plotly_locale(t: Text) -> dict[str, Any] | None:
    """Plotly's locale module for the page's language (its interface strings translated);
    None for English, Plotly's own (registering it again would replace its formats)."""
    if t.lang == "en":
        return None
    return {
        "moduleType": "locale",
        "name": PLOTLY_LOCALE[t.lang],
        "dictionary": {s: t.gettext(s) for s in PLOTLY_INTERFACE},
    }


def _layout(fig: go.Figure, title: str, height: int = 300) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 14}},
        template="plotly_white",
        height=height,
        margin={"l": 50, "r": 20, "t": 45, "b": 40},
        font=FONT,
        showlegend=False,
    )
    return fig


def weekly_bars(t: Text, weeks: Sequence[WeekCount], title: str) -> go.Figure:
    """New people per week: one bar per week, oldest first, labelled by the week's first day."""
    fig = go.Figure(
        go.Bar(
            x=[t.day(w.week_start) for w in weeks],
            y=[w.new_people for w in weeks],
            text=[t.number(w.new_people) for w in weeks],
            textposition="outside",
            marker_color=BAR_COLOUR,
            hovertext=[
                t.gettext("%(start)s to %(end)s: %(num)s new")
                % {
                    "start": t.date(w.week_start),
                    "end": t.date(w.week_end),
                    "num": t.number(w.new_people),
                }
                for w in weeks
            ],
            hovertemplate="%{hovertext}<extra></extra>",
            cliponaxis=False,
        )
    )
    fig.update_yaxes(rangemode="tozero")
    return _layout(fig, title)


def funnel_chart(t: Text, funnel: ConversionFunnel) -> go.Figure:
    """The conversion funnel: visited -> claimed a coupon or contacted sales -> ordered."""
    stages = [
        (t.gettext("Visited a shared link"), funnel.visited, ""),
        (
            t.gettext("Claimed a coupon or contacted sales"),
            funnel.engaged,
            t.gettext("%(coupons)s claimed a coupon, %(sales)s contacted sales")
            % {
                "coupons": t.number(funnel.claimed_coupon),
                "sales": t.number(funnel.contacted_sales),
            },
        ),
        (t.gettext("Then ordered"), funnel.ordered, ""),
    ]
    fig = go.Figure(
        go.Funnel(
            y=[name for name, _, _ in stages],
            x=[count for _, count, _ in stages],
            text=[t.number(count) for _, count, _ in stages],
            textinfo="text",
            hovertext=[f"{name}: {t.number(count)}<br>{more}" for name, count, more in stages],
            hovertemplate="%{hovertext}<extra></extra>",
            marker={"color": ["#93c5fd", "#3b82f6", "#16a34a"]},
            connector={"fillcolor": "#eff6ff"},
        )
    )
    title = t.gettext("Conversion funnel, %(start)s to %(end)s") % {
        "start": t.date(funnel.start),
        "end": t.date(funnel.end),
    }
    fig = _layout(fig, title)
    fig.update_layout(margin={"l": 210, "r": 20, "t": 45, "b": 20})
    if not funnel.visited:
        fig.add_annotation(
            text=t.gettext("Nobody visited a shared link in these days."),
            xref="paper",
            yref="paper",
            x=1,
            xanchor="right",
            y=0,
            yanchor="bottom",
            showarrow=False,
            font={"color": "#6b7280"},
        )
    return fig


def tier_bars(t: Text, brand: BrandSummary) -> go.Figure:
    """Stores per tier, every tier shown (also those with none)."""
    tiers = list(brand.stores_by_tier)
    fig = go.Figure(
        go.Bar(
            x=[wording.tier(t, name) for name in tiers],
            y=[brand.stores_by_tier[name] for name in tiers],
            text=[t.number(brand.stores_by_tier[name]) for name in tiers],
            textposition="outside",
            marker_color=[TIER_COLOURS[name] for name in tiers],
            hovertemplate="%{x}: %{y}<extra></extra>",
            cliponaxis=False,
        )
    )
    fig.update_yaxes(rangemode="tozero")
    return _layout(fig, t.gettext("Stores by tier"))


def store_scatter(t: Text, rows: Sequence[StoreOverviewRow]) -> go.Figure:
    """One dot per store: conversion rate (x) against fission ratio (y), coloured by tier and
    sized by customers; dashed lines at the plan's conversion target and the fission ratio
    below which the diagnosis asks members to share, so stuck stores (bottom left) stand out.
    Each dot carries its dashboard's address (customdata[0]) for click-through."""
    fig = go.Figure()
    for name, colour in TIER_COLOURS.items():
        group = [r for r in rows if r.tier == name]
        if not group:
            continue
        fig.add_trace(
            go.Scatter(
                x=[r.conversion_rate for r in group],
                y=[r.fission_ratio for r in group],
                mode="markers",
                name=wording.tier(t, name),
                marker={
                    "color": colour,
                    "size": [6 + 2 * math.log10(r.customers + 1) for r in group],
                    "line": {"color": "#ffffff", "width": 0.5},
                    "opacity": 0.85,
                },
                customdata=[[f"/stores/{r.store_id}/dashboard", r.store_id] for r in group],
                hovertext=[
                    f"<b>{r.name or r.store_id}</b> ({r.store_id})<br>{r.city or ''}<br>"
                    + t.gettext("conversion %(rate)s, fission ratio %(ratio)s")
                    % {"rate": t.percent(r.conversion_rate), "ratio": t.number(r.fission_ratio, 2)}
                    for r in group
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    fig.add_vline(x=PLAN_CONVERSION, line={"color": TARGET_COLOUR, "dash": "dash", "width": 1})
    fig.add_hline(y=LOW_FISSION_RATIO, line={"color": TARGET_COLOUR, "dash": "dash", "width": 1})
    fig.add_annotation(
        x=0,
        y=0,
        xref="paper",
        yref="paper",
        xanchor="left",
        yanchor="bottom",
        showarrow=False,
        text=t.gettext("stuck: low conversion and low fission"),
        font={"color": TARGET_COLOUR, "size": 11},
    )
    fig = _layout(
        fig, t.gettext("Conversion vs fission ratio, one dot per store (click to open)"), 380
    )
    fig.update_layout(
        showlegend=True,
        legend={"orientation": "h", "y": -0.18, "x": 0},
        margin={"l": 50, "r": 20, "t": 45, "b": 70},
    )
    fig.update_xaxes(title=t.gettext("Conversion rate"), tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(title=t.gettext("Fission ratio"), rangemode="tozero")
    return fig


def figure_html(fig: go.Figure, div_id: str, t: Text, *, static: bool = False) -> str:
    """A figure as a <div> for a page (plotly.js comes from the page itself). `static` draws it
    without interaction, for the printed report."""
    config: dict[str, Any] = {
        "displaylogo": False,
        "responsive": not static,
        "locale": PLOTLY_LOCALE[t.lang],
        "staticPlot": static,
    }
    if div_id != "network-map":
        config["displayModeBar"] = False
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=config)
