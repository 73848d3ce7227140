"""Plotly figures of customer value (DESIGN.md §5 "Customer value", "Agent candidates"): pure
functions from graph.value's answers to figures, independent of any page, so the store and HQ
pages (api/templates/value.html), PNG export and dashboards can all place them.

- `retention_heatmap`: cohorts (rows, oldest first) by week offset 1..8 (columns), coloured
  by the share of the cohort active that week; blank where the week has not elapsed.
- `gmv_factor_bars`: the GMV identity's four factors of one store beside the median store,
  one small chart each (they have different units).
- `factor_spread`: how each factor spreads over every store (HQ), one box each.
- `value_by_source_bars`: people, conversion and mean lifetime value by acquisition source
  (top row) and by generation below the nearest staff ancestor (bottom row).
- `funnel_chart`: acquired -> activated -> retained -> bought -> referred, with the share of
  those acquired (each stage is a condition on the acquired, so a stage may exceed the one
  before it).
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from graph.value import BrandValue, Cohort, FactorMedians, FunnelStage, StoreValue, ValueGroup

STORE_COLOUR = "#2563eb"
MEDIAN_COLOUR = "#9ca3af"
SOURCE_COLOURS = {
    "staff": "#2563eb",
    "agent": "#d97706",
    "member": "#16a34a",
    "prospect": "#9ca3af",
    "none": "#6b7280",
}
GENERATION_COLOUR = "#7c3aed"
FONT = {"family": "Noto Sans, Noto Sans CJK SC, sans-serif"}
FACTORS: tuple[tuple[str, str, str], ...] = (
    ("people", "Active customers", ",.0f"),
    ("conversion", "Conversion (buyers / active)", ".1%"),
    ("frequency", "Orders per buyer", ".2f"),
    ("order_value", "Order value", ",.2f"),
)


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title},
        template="plotly_white",
        height=height,
        margin={"l": 60, "r": 20, "t": 110, "b": 50},
        font=FONT,
    )
    return fig


def retention_heatmap(cohorts: Sequence[Cohort], title: str = "Weekly retention") -> go.Figure:
    """Cohort x week offset heat map of retention rates (null: the week has not elapsed)."""
    offsets = [f"+{k}" for k in range(1, 9)]
    labels = [f"{c.week_start:%Y-%m-%d} ({c.people})" for c in cohorts]
    rates = [[r * 100 if r is not None else None for r in c.rates] for c in cohorts]
    text = [
        [f"{r:.0f}%" if r is not None else "" for r in row] for row in rates
    ]  # blank cells stay blank
    hover = [
        [
            f"cohort of {c.week_start:%Y-%m-%d}: {c.people} people<br>week +{k}: "
            + (f"{n} back ({r:.1f}%)" if n is not None and r is not None else "not elapsed")
            for k, n, r in zip(range(1, 9), c.retained, row, strict=True)
        ]
        for c, row in zip(cohorts, rates, strict=True)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=rates,
            x=offsets,
            y=labels,
            text=text,
            texttemplate="%{text}",
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            colorscale="Blues",
            zmin=0,
            zmax=max((r for row in rates for r in row if r is not None), default=0) or 1,
            colorbar={"title": {"text": "% back"}},
        )
    )
    fig.update_yaxes(
        title_text="cohort (first week, people)", autorange="reversed", type="category"
    )
    fig.update_xaxes(side="top")
    subtitle = "share of each cohort active 1..8 weeks after its first week; blank: not elapsed"
    return _layout(fig, f"{title}<br><sup>{subtitle}</sup>", max(360, 120 + 28 * len(cohorts)))


def gmv_factor_bars(
    store: StoreValue, median: FactorMedians, title: str | None = None
) -> go.Figure:
    """The store's GMV factors beside the median store's, one small chart per factor."""
    fig = make_subplots(rows=1, cols=len(FACTORS), subplot_titles=[f[1] for f in FACTORS])
    for i, (name, _, fmt) in enumerate(FACTORS, start=1):
        values = [getattr(store.factors, name), getattr(median, name)]
        fig.add_trace(
            go.Bar(
                x=[store.store_id, "median store"],
                y=[v if v is not None else 0 for v in values],
                marker_color=[STORE_COLOUR, MEDIAN_COLOUR],
                text=[format(v, fmt) if v is not None else "n/a" for v in values],
                textposition="outside",
                cliponaxis=False,
                showlegend=False,
                hovertemplate="%{x}: %{text}<extra></extra>",
            ),
            row=1,
            col=i,
        )
    fig.update_yaxes(tickformat=".0%", row=1, col=2)
    gmv = f"GMV {store.amount:,.2f} = {store.factors.people:,} x {store.factors.conversion:.1%}"
    gmv += f" x {store.factors.frequency:.2f} x {store.factors.order_value:,.2f}"
    window = f"{store.start:%Y-%m-%d} to {store.end:%Y-%m-%d}"
    heading = title or f"{store.name or store.store_id}: GMV factors, {window}"
    return _layout(fig, f"{heading}<br><sup>{gmv}</sup>", 420)


def factor_spread(brand: BrandValue, title: str | None = None) -> go.Figure:
    """Each GMV factor over every store in `brand.rows` (one box per factor, stores as
    points), where the factor is defined (conversion needs active customers, and so on)."""
    fig = make_subplots(rows=1, cols=len(FACTORS), subplot_titles=[f[1] for f in FACTORS])
    needs = {"people": None, "conversion": "active", "frequency": "buyers", "order_value": "orders"}
    for i, (name, _, _) in enumerate(FACTORS, start=1):
        rows = [r for r in brand.rows if needs[name] is None or getattr(r, needs[name] or "")]
        fig.add_trace(
            go.Box(
                y=[getattr(r.factors, name) for r in rows],
                text=[r.store_id for r in rows],
                boxpoints="all",
                jitter=0.4,
                marker_color=STORE_COLOUR,
                name=f"{len(rows)} stores",
                showlegend=False,
                hovertemplate="%{text}: %{y}<extra></extra>",
            ),
            row=1,
            col=i,
        )
    fig.update_yaxes(tickformat=".0%", row=1, col=2)
    heading = title or f"GMV factors across stores, {brand.start:%Y-%m-%d} to {brand.end:%Y-%m-%d}"
    total = f"brand GMV {brand.brand.amount:,.2f} over {brand.stores} stores"
    return _layout(fig, f"{heading}<br><sup>{total}</sup>", 440)


def _group_bars(
    fig: go.Figure, groups: Sequence[ValueGroup], row: int, colours: Sequence[str]
) -> None:
    measures: tuple[tuple[str, str], ...] = (
        ("people", ",.0f"),
        ("conversion", ".1%"),
        ("mean_ltv", ",.2f"),
    )
    for col, (measure, fmt) in enumerate(measures, start=1):
        values = [getattr(g, measure) for g in groups]
        fig.add_trace(
            go.Bar(
                x=[g.group for g in groups],
                y=values,
                marker_color=list(colours),
                text=[format(v, fmt) for v in values],
                textposition="outside",
                cliponaxis=False,
                showlegend=False,
                customdata=[[g.people, g.buyers, g.orders, g.amount] for g in groups],
                hovertemplate="%{x}: %{text}<br>people %{customdata[0]}, buyers "
                "%{customdata[1]}, orders %{customdata[2]}, amount %{customdata[3]:,.2f}"
                "<extra></extra>",
            ),
            row=row,
            col=col,
        )


def value_by_source_bars(
    by_source: Sequence[ValueGroup],
    by_generation: Sequence[ValueGroup],
    title: str = "Value by acquisition source and generation",
) -> go.Figure:
    """People, conversion and mean lifetime value by source (top) and by generation below
    the nearest staff ancestor (bottom)."""
    fig = make_subplots(
        rows=2,
        cols=3,
        subplot_titles=[
            "People by source",
            "Conversion by source",
            "Mean lifetime value by source",
            "People by generation",
            "Conversion by generation",
            "Mean LTV by generation",
        ],
        vertical_spacing=0.2,
    )
    _group_bars(fig, by_source, 1, [SOURCE_COLOURS.get(g.group, MEDIAN_COLOUR) for g in by_source])
    _group_bars(fig, by_generation, 2, [GENERATION_COLOUR] * len(by_generation))
    fig.update_yaxes(rangemode="tozero")
    for row in (1, 2):
        fig.update_yaxes(tickformat=".0%", row=row, col=2)
    return _layout(fig, title, 660)


def funnel_chart(stages: Sequence[FunnelStage], title: str = "Funnel") -> go.Figure:
    """The funnel of the people acquired in the window, with each stage's share of them."""
    fig = go.Figure(
        go.Funnel(
            y=[s.stage for s in stages],
            x=[s.people for s in stages],
            text=[f"{s.people:,} ({s.share_of_acquired:.0%})" for s in stages],
            textinfo="text",
            marker={"color": ["#1d4ed8", "#2563eb", "#3b82f6", "#16a34a", "#d97706"]},
            hovertemplate="%{y}: %{text} of those acquired<extra></extra>",
        )
    )
    return _layout(fig, title, 380)
