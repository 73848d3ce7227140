"""Plotly figures of customer value (DESIGN.md §5 "Customer value", "Agent candidates"): pure
functions from graph.value's answers to figures, independent of any page, so the dashboards,
PNG export and notebooks can all place them. Every word goes through the message catalogue and
every number through `api.i18n.Text` (`t`, English unless given), as on the other charts.

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
- `stores_by_gmv`: the stores with the highest GMV, one bar each (HQ).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from api.i18n import N_, Text
from api.pages import wording
from graph.value import (
    BrandValue,
    Cohort,
    FactorMedians,
    FunnelStage,
    StoreValue,
    StoreValueRow,
    ValueGroup,
)

ENGLISH = Text("en")
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
FONT = {"family": "Noto Sans, Noto Sans CJK SC, sans-serif", "size": 12}
FACTORS: tuple[tuple[str, str], ...] = (
    ("people", N_("Active customers")),
    ("conversion", N_("Conversion (buyers / active)")),
    ("frequency", N_("Orders per buyer")),
    ("order_value", N_("Order value")),
)
FUNNEL_STAGES = {
    "acquired": N_("Acquired"),
    "activated": N_("Activated"),
    "retained": N_("Retained"),
    "bought": N_("Bought"),
    "referred": N_("Referred someone"),
}
NO_GROUP = {"source": N_("no referrer"), "generation": N_("no staff above")}


def _layout(fig: go.Figure, title: str, height: int, subtitle: str = "") -> go.Figure:
    text = f"{title}<br><sup>{subtitle}</sup>" if subtitle else title
    fig.update_layout(
        title={"text": text, "x": 0, "xanchor": "left", "font": {"size": 14}},
        template="plotly_white",
        height=height,
        margin={"l": 60, "r": 20, "t": 80 if subtitle else 60, "b": 50},
        font=FONT,
    )
    return fig


def _empty(fig: go.Figure, message: str) -> None:
    """A note across an empty chart, so that it reads as "nothing here" rather than broken."""
    fig.add_annotation(
        text=message,
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        showarrow=False,
        font={"color": "#6b7280", "size": 13},
    )


def _factor_text(t: Text, name: str, value: float | None) -> str:
    """A GMV factor as the page's language writes it."""
    if value is None:
        return "—"
    if name == "people":
        return t.number(value)
    if name == "conversion":
        return t.percent(value)
    if name == "frequency":
        return t.number(value, 2)
    return t.money(value)


def _window(t: Text, start: object, end: object) -> dict[str, str]:
    return {"start": t.date(start), "end": t.date(end)}  # type: ignore[arg-type]


def retention_heatmap(
    cohorts: Sequence[Cohort], title: str | None = None, *, t: Text = ENGLISH
) -> go.Figure:
    """Cohort x week offset heat map of retention rates (null: the week has not elapsed)."""
    offsets = [t.gettext("week +%(num)s") % {"num": k} for k in range(1, 9)]
    labels = [
        t.gettext("%(week)s (%(num)s)") % {"week": t.date(c.week_start), "num": t.number(c.people)}
        for c in cohorts
    ]
    rates = [[r * 100 if r is not None else None for r in c.rates] for c in cohorts]
    text = [
        [t.percent(r / 100, 0) if r is not None else "" for r in row] for row in rates
    ]  # blank cells stay blank
    hover = [
        [
            t.gettext("Cohort of %(week)s: %(num)s people") % {
                "week": t.date(c.week_start), "num": t.number(c.people)
            }
            + "<br>"
            + (
                t.gettext("week +%(k)s: %(back)s back (%(rate)s)") % {
                    "k": k, "back": t.number(n), "rate": t.percent(r / 100)
                }
                if n is not None and r is not None
                else t.gettext("week +%(k)s: not elapsed yet") % {"k": k}
            )
            for k, n, r in zip(range(1, 9), c.retained, row, strict=True)
        ]
        for c, row in zip(cohorts, rates, strict=True)
    ]  # fmt: skip
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
            colorbar={"title": {"text": t.gettext("% back")}},
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(side="top")
    if not any(c.people for c in cohorts):
        _empty(fig, t.gettext("No customer first appeared in these weeks."))
    return _layout(
        fig,
        title or t.gettext("Weekly retention"),
        max(360, 130 + 28 * len(cohorts)),
        t.gettext(
            "Share of each cohort (first week, people) active 1 to 8 weeks later; blank: not "
            "elapsed yet"
        ),
    )


def gmv_factor_bars(
    store: StoreValue, median: FactorMedians, title: str | None = None, *, t: Text = ENGLISH
) -> go.Figure:
    """The store's GMV factors beside the median store's, one small chart per factor."""
    fig = make_subplots(
        rows=1, cols=len(FACTORS), subplot_titles=[t.gettext(f[1]) for f in FACTORS]
    )
    names = [store.store_id, t.gettext("median store")]
    for i, (name, _) in enumerate(FACTORS, start=1):
        values = [getattr(store.factors, name), getattr(median, name)]
        fig.add_trace(
            go.Bar(
                x=names,
                y=[v if v is not None else 0 for v in values],
                marker_color=[STORE_COLOUR, MEDIAN_COLOUR],
                text=[_factor_text(t, name, v) for v in values],
                textposition="outside",
                cliponaxis=False,
                showlegend=False,
                hovertemplate="%{x}: %{text}<extra></extra>",
            ),
            row=1,
            col=i,
        )
    fig.update_yaxes(tickformat=".0%", row=1, col=2)
    fig.update_yaxes(rangemode="tozero")
    f = store.factors
    identity = "GMV %(amount)s = %(people)s × %(conversion)s × %(frequency)s × %(value)s"  # noqa: RUF001
    gmv = t.gettext(identity) % {
        "amount": t.money(store.amount),
        "people": t.number(f.people),
        "conversion": t.percent(f.conversion),
        "frequency": t.number(f.frequency, 2),
        "value": t.money(f.order_value),
    }
    heading = title or t.gettext("GMV factors beside the median store, %(start)s to %(end)s") % (
        _window(t, store.start, store.end)
    )
    return _layout(fig, heading, 380, gmv)


def factor_spread(brand: BrandValue, title: str | None = None, *, t: Text = ENGLISH) -> go.Figure:
    """Each GMV factor over every store in `brand.rows` (one box per factor, stores as
    points), where the factor is defined (conversion needs active customers, and so on)."""
    fig = make_subplots(
        rows=1, cols=len(FACTORS), subplot_titles=[t.gettext(f[1]) for f in FACTORS]
    )
    needs = {"people": None, "conversion": "active", "frequency": "buyers", "order_value": "orders"}
    for i, (name, _) in enumerate(FACTORS, start=1):
        rows = [r for r in brand.rows if needs[name] is None or getattr(r, needs[name] or "")]
        fig.add_trace(
            go.Box(
                y=[getattr(r.factors, name) for r in rows],
                text=[
                    f"{r.name or r.store_id} ({r.store_id}): "
                    + _factor_text(t, name, getattr(r.factors, name))
                    for r in rows
                ],
                boxpoints="all",
                jitter=0.4,
                marker_color=STORE_COLOUR,
                name=t.ngettext("%(num)s store", "%(num)s stores", len(rows))
                % {"num": t.number(len(rows))},
                showlegend=False,
                hoveron="points",
                hovertemplate="%{text}<extra></extra>",
            ),
            row=1,
            col=i,
        )
    fig.update_yaxes(tickformat=".0%", row=1, col=2)
    heading = title or t.gettext("GMV factors across stores, %(start)s to %(end)s") % _window(
        t, brand.start, brand.end
    )
    total = t.gettext("Brand GMV %(amount)s over %(stores)s stores") % {
        "amount": t.money(brand.brand.amount),
        "stores": t.number(brand.stores),
    }
    return _layout(fig, heading, 400, total)


def _group_bars(
    fig: go.Figure,
    groups: Sequence[ValueGroup],
    row: int,
    colours: Sequence[str],
    label: Callable[[str], str],
    t: Text,
) -> None:
    measures: tuple[tuple[str, Callable[[float], str]], ...] = (
        ("people", t.number),
        ("conversion", t.percent),
        ("mean_ltv", t.money),
    )
    for col, (measure, fmt) in enumerate(measures, start=1):
        values = [getattr(g, measure) for g in groups]
        fig.add_trace(
            go.Bar(
                x=[label(g.group) for g in groups],
                y=values,
                marker_color=list(colours),
                text=[fmt(v) for v in values],
                textposition="outside",
                cliponaxis=False,
                showlegend=False,
                hovertext=[
                    t.gettext("%(people)s people, %(buyers)s bought, %(orders)s orders, %(amount)s")
                    % {
                        "people": t.number(g.people),
                        "buyers": t.number(g.buyers),
                        "orders": t.number(g.orders),
                        "amount": t.money(g.amount),
                    }
                    for g in groups
                ],
                hovertemplate="%{x}: %{text}<br>%{hovertext}<extra></extra>",
            ),
            row=row,
            col=col,
        )


def value_by_source_bars(
    by_source: Sequence[ValueGroup],
    by_generation: Sequence[ValueGroup],
    title: str | None = None,
    *,
    t: Text = ENGLISH,
) -> go.Figure:
    """People, conversion and mean lifetime value by source (top) and by generation below
    the nearest staff ancestor (bottom)."""
    fig = make_subplots(
        rows=2,
        cols=3,
        subplot_titles=[
            t.gettext("People by source"),
            t.gettext("Conversion by source"),
            t.gettext("Mean lifetime value by source"),
            t.gettext("People by generation below staff"),
            t.gettext("Conversion by generation"),
            t.gettext("Mean lifetime value by generation"),
        ],
        vertical_spacing=0.22,
    )

    def source(name: str) -> str:
        return t.gettext(NO_GROUP["source"]) if name == "none" else wording.role(t, name)

    def generation(name: str) -> str:
        return t.gettext(NO_GROUP["generation"]) if name == "none" else name

    colours = [SOURCE_COLOURS.get(g.group, MEDIAN_COLOUR) for g in by_source]
    _group_bars(fig, by_source, 1, colours, source, t)
    _group_bars(fig, by_generation, 2, [GENERATION_COLOUR] * len(by_generation), generation, t)
    fig.update_yaxes(rangemode="tozero")
    for row in (1, 2):
        fig.update_yaxes(tickformat=".0%", row=row, col=2)
    if not any(g.people for g in by_source):
        _empty(fig, t.gettext("No customer first appeared in this window."))
    return _layout(fig, title or t.gettext("Value by acquisition source and generation"), 620)


def funnel_chart(
    stages: Sequence[FunnelStage], title: str | None = None, *, t: Text = ENGLISH
) -> go.Figure:
    """The funnel of the people acquired in the window, with each stage's share of them."""
    fig = go.Figure(
        go.Funnel(
            y=[t.gettext(FUNNEL_STAGES.get(s.stage, s.stage)) for s in stages],
            x=[s.people for s in stages],
            text=[f"{t.number(s.people)} ({t.percent(s.share_of_acquired, 0)})" for s in stages],
            textinfo="text",
            marker={"color": ["#1d4ed8", "#2563eb", "#3b82f6", "#16a34a", "#d97706"]},
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig = _layout(
        fig,
        title or t.gettext("Customer funnel"),
        340,
        t.gettext("Each stage as a share of those acquired, counted up to the window's end"),
    )
    fig.update_layout(margin={"l": 140, "r": 20, "t": 80, "b": 20})
    if not any(s.people for s in stages):
        _empty(fig, t.gettext("No customer first appeared in this window."))
    return fig


def stores_by_gmv(
    rows: Sequence[StoreValueRow], title: str | None = None, *, t: Text = ENGLISH
) -> go.Figure:
    """One bar per store (as given, highest GMV first), its GMV; each bar carries its store
    dashboard's address (customdata[0]) for click-through."""
    fig = go.Figure(
        go.Bar(
            x=[r.store_id for r in rows],
            y=[r.amount for r in rows],
            text=[t.money(r.amount) for r in rows],
            textposition="outside",
            cliponaxis=False,
            marker_color=STORE_COLOUR,
            customdata=[[f"/stores/{r.store_id}/dashboard", r.store_id] for r in rows],
            hovertext=[
                f"<b>{r.name or r.store_id}</b> ({r.store_id})<br>"
                + t.gettext("%(buyers)s buyers, %(orders)s orders, repeat rate %(repeat)s")
                % {
                    "buyers": t.number(r.buyers),
                    "orders": t.number(r.orders),
                    "repeat": t.percent(r.repeat_purchase_rate),
                }
                for r in rows
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    fig.update_yaxes(rangemode="tozero")
    fig.update_xaxes(type="category")
    return _layout(fig, title or t.gettext("Stores by GMV"), 340)
