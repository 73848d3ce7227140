"""Plotly network maps, the HTML pages that show them, and PNG export (DESIGN.md §6 "Maps").

Pages load plotly.js from the app itself (`/static/plotly.min.js`, the copy inside the
installed plotly package), never from a CDN, so they work with no internet. PNG export runs
kaleido v1 on Debian's Chromium (`scripts/install-browser.sh` installs it); one headless
browser is started on the first export and reused until the process exits.
"""

from __future__ import annotations

import atexit
import html
import math
import os
import threading
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import plotly.io as pio
from jinja2 import Environment, FileSystemLoader, select_autoescape

from fission.errors import ConfigurationError
from graph.network import NetworkNode, StoreNetwork
from graph.paths import IntroductionPath
from graph.roles import PLURAL
from graph.stores import HQOverviewPage

CHROMIUM = "/usr/bin/chromium"
# plotly.js comes from the installed plotly package (api.app mounts its folder at /static).
PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
PLOTLY_JS = f"/static/plotly.min.js?v={plotly.__version__}"

# One fixed colour per role, so every map reads the same way.
ROLE_COLOURS = {
    "store": "#111827",
    "staff": "#2563eb",
    "agent": "#d97706",
    "member": "#16a34a",
    "prospect": "#9ca3af",
    "other_store": "#e5e7eb",
}
ROLE_SYMBOLS = {"store": "square", "staff": "diamond"}
EDGE_STYLES: dict[str, dict[str, Any]] = {
    "referral": {"color": "#94a3b8", "width": 1.0},
    "works_at": {"color": "#93c5fd", "width": 1.5},
    "home": {"color": "#e5e7eb", "width": 0.8, "dash": "dot"},
    "aggregate": {"color": "#d1d5db", "width": 1.5, "dash": "dot"},
    "knows": {"color": "#c084fc", "width": 1.2, "dash": "dash"},
}
EDGE_NAMES = {
    "referral": "referrals",
    "works_at": "works at",
    "home": "first contact (no referrer drawn)",
    "aggregate": "not drawn one by one",
    "knows": "social ties",
}
PATH_COLOUR = "#dc2626"
MIN_SIZE, MAX_SIZE = 7.0, 34.0

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


# ----------------------------------------------------------------------------- figure


def _size(node: NetworkNode, top: float) -> float:
    if node.role == "store":
        return 30.0
    if node.count is not None:
        return 14.0 + 4.0 * math.log10(node.count + 1)
    share = math.sqrt(node.influence / top) if top > 0 else 0.0
    return MIN_SIZE + (MAX_SIZE - MIN_SIZE) * share


def _escape(text: str) -> str:
    """Plotly text is pseudo-HTML: escape tags and entities (quotes are fine as they are)."""
    return html.escape(text, quote=False)


def _hover(node: NetworkNode) -> str:
    e = _escape
    if node.role == "store":
        return f"<b>{e(node.label)}</b><br>store {e(node.id.removeprefix('store:'))}"
    if node.count is not None:
        return f"<b>{e(node.label)}</b><br>not drawn one by one"
    if node.role == "other_store":
        return f"<b>{e(node.label)}</b>"
    role = (node.staff_role or "staff") if node.role == "staff" else node.role
    pct = f" (above {node.influence_pct:.0f}% of the store)" if node.influence_pct else ""
    lines = [
        f"<b>{e(node.id)}</b>" + (f" · {e(node.label)}" if node.label != node.id else ""),
        f"role: {e(role)}" + ("" if node.in_network else " (another store)"),
        f"reach: {node.reach1} direct, {node.reach3} within 3 generations",
        f"influence: {node.influence:.4f}{pct}",
        "interests: " + (e(", ".join(node.top_interests)) or "none yet"),
    ]
    lines += [f"key node: {e(reason)}" for reason in node.key_reasons]
    return "<br>".join(lines)


def _text(node: NetworkNode, on_path: set[str]) -> str:
    labelled = node.role in ("store", "staff") or node.key or node.count is not None
    return _escape(node.label) if labelled or node.id in on_path else ""


def _lines(
    pairs: Sequence[tuple[str, str]], where: dict[str, NetworkNode]
) -> tuple[list[float | None], list[float | None]]:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for a, b in pairs:
        if a in where and b in where:
            xs += [where[a].x, where[b].x, None]
            ys += [where[a].y, where[b].y, None]
    return xs, ys


def network_figure(network: StoreNetwork, path: list[str] | None = None) -> go.Figure:
    """The store's network as a Plotly figure: one trace per role (fixed colour, one legend
    entry each), marker size by store influence, staff, key nodes and summary nodes labelled,
    hover cards with id, role, reach, influence and top interests. With `path` (person ids
    in order, e.g. an introduction path) its ties are drawn thick and its people outlined."""
    where = {n.id: n for n in network.nodes}
    on_path = [pid for pid in path or [] if pid in where]
    path_set = set(on_path)
    top = max((n.influence for n in network.nodes), default=0.0)
    fig = go.Figure()
    for kind, style in EDGE_STYLES.items():
        pairs = [(e.source, e.target) for e in network.edges if e.kind == kind]
        if not pairs:
            continue
        xs, ys = _lines(pairs, where)
        fig.add_trace(
            go.Scatter(
                x=xs, y=ys, mode="lines", line=style, hoverinfo="skip", name=EDGE_NAMES[kind],
                legendgroup="edges", showlegend=kind in ("referral", "knows"),
            )
        )  # fmt: skip
    if len(on_path) > 1:
        xs, ys = _lines(list(pairwise(on_path)), where)
        fig.add_trace(
            go.Scatter(
                x=xs, y=ys, mode="lines", line={"color": PATH_COLOUR, "width": 4},
                hoverinfo="skip", name="introduction path",
            )
        )  # fmt: skip
    for role, colour in ROLE_COLOURS.items():
        # Key and path nodes last: drawn on top, and the legend shows a plain node's style.
        nodes = sorted(
            (n for n in network.nodes if n.role == role),
            key=lambda n: (n.id in path_set, n.key),
        )
        if role == "other_store" and not nodes:
            continue  # only on paths shown to a store key: no legend entry otherwise
        outline = [
            PATH_COLOUR if n.id in path_set else "#111827" if n.key else "#ffffff" for n in nodes
        ]
        fig.add_trace(
            go.Scatter(
                x=[n.x for n in nodes],
                y=[n.y for n in nodes],
                mode="markers",
                name=PLURAL[role],
                hovertext=[_hover(n) for n in nodes],
                hovertemplate="%{hovertext}<extra></extra>",
                customdata=[n.id for n in nodes],
                marker={
                    "color": colour,
                    "size": [_size(n, top) for n in nodes],
                    "symbol": [
                        "circle-open" if n.count is not None else ROLE_SYMBOLS.get(role, "circle")
                        for n in nodes
                    ],
                    "opacity": 0.9,
                    "line": {
                        "color": outline,
                        "width": [
                            3.0 if n.id in path_set else 1.5 if n.key or n.count else 0.5
                            for n in nodes
                        ],
                    },
                },
            )
        )
    # Labels in one text-only trace over all markers, so no marker hides a label.
    labelled = [n for n in network.nodes if _text(n, path_set)]
    fig.add_trace(
        go.Scatter(
            x=[n.x for n in labelled],
            y=[n.y for n in labelled],
            mode="text",
            text=[_text(n, path_set) for n in labelled],
            textposition="top center",
            textfont={"size": 10, "color": "#1f2937", "shadow": "auto"},
            marker={"size": [_size(n, top) for n in labelled]},
            hoverinfo="skip",
            showlegend=False,
            name="labels",
        )
    )
    drawn = f"{network.drawn_people} of {network.people} people drawn"
    rest = ", ".join(where[a.node_id].label for a in network.aggregated)
    title = f"{network.name or network.store_id} ({network.store_id})"
    fig.update_layout(
        title={
            "text": f"{_escape(title)}<br><sup>{drawn}"
            f"{'; ' + rest if rest else ''}; {network.key_nodes} key nodes</sup>",
        },
        template="plotly_white",
        showlegend=True,
        legend={"orientation": "h", "y": -0.02, "yanchor": "top", "x": 0},
        hovermode="closest",
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1},
        height=760,
        font={"family": "Noto Sans, Noto Sans CJK SC, sans-serif"},
    )
    return fig


# ----------------------------------------------------------------------------- pages


def _figure_html(fig: go.Figure) -> str:
    return pio.to_html(
        fig,
        full_html=False,
        include_plotlyjs=False,
        div_id="network-map",
        config={"displaylogo": False, "responsive": True},
    )


def map_page(
    network: StoreNetwork,
    fig: go.Figure,
    *,
    path: IntroductionPath | None = None,
    hq: bool = False,
    query: str = "",
) -> str:
    """The store map page: the figure, what it shows, a form to highlight an introduction
    path, and links to the PNG (and, for HQ, back to the HQ page). `query` is the page's own
    query string (without any key), reused for the PNG link."""
    staff = sorted(
        (n for n in network.nodes if n.role == "staff" and n.in_network), key=lambda n: n.label
    )
    keys = sorted((n for n in network.nodes if n.key), key=lambda n: -n.influence)
    return _templates.get_template("map.html").render(
        network=network,
        figure=_figure_html(fig),
        path=path,
        hq=hq,
        staff=staff,
        key_nodes=keys,
        aggregate_labels=[n.label for n in network.nodes if n.count is not None],
        png_url=f"/stores/{network.store_id}/map.png" + (f"?{query}" if query else ""),
        plotly_js=PLOTLY_JS,
        colours=ROLE_COLOURS,
        role_names=PLURAL,
    )


HQ_COLUMNS: list[tuple[str, str]] = [
    ("store_id", "Store"),
    ("name", "Name"),
    ("customers", "Customers"),
    ("tier", "Tier"),
    ("prospects", "Prospects"),
    ("members", "Members"),
    ("agents", "Agents"),
    ("conversion_rate", "Conversion"),
    ("fission_ratio", "Fission ratio"),
    ("new_people_4w", "New (4 weeks)"),
    ("cascade_depth", "Cascade depth"),
]


def hq_page(page: HQOverviewPage) -> str:
    """The HQ page: every store of `page` with its overview figures, in a table sorted by
    `page.sort`; each column header re-sorts (server side), each store links to its map."""
    return _templates.get_template("hq.html").render(page=page, columns=HQ_COLUMNS)


# ----------------------------------------------------------------------------- PNG

_png_lock = threading.Lock()
_png_server = False


def _stop_png_server() -> None:
    import kaleido

    kaleido.stop_sync_server(silence_warnings=True)


def figure_png(fig: go.Figure, width: int = 1200, height: int = 900, scale: float = 1.0) -> bytes:
    """The figure as PNG bytes, rendered by kaleido in Debian's Chromium (BROWSER_PATH,
    /usr/bin/chromium unless set). The browser starts on the first call (a few seconds) and
    is reused; exports run one at a time."""
    global _png_server
    import kaleido
    from kaleido.errors import ChromeNotFoundError

    os.environ.setdefault("BROWSER_PATH", CHROMIUM)
    if not Path(os.environ["BROWSER_PATH"]).exists():
        raise ConfigurationError(
            f"No Chromium at {os.environ['BROWSER_PATH']} for PNG export: run "
            "scripts/install-browser.sh (or set BROWSER_PATH)."
        )
    with _png_lock:
        try:
            if not _png_server:
                # MathJax off: kaleido would fetch it from a CDN, and maps need no formulas.
                kaleido.start_sync_server(mathjax=False, silence_warnings=True)
                atexit.register(_stop_png_server)
                _png_server = True
            image: bytes = kaleido.calc_fig_sync(
                fig.to_dict(),
                opts={"format": "png", "width": width, "height": height, "scale": scale},
            )
        except ChromeNotFoundError as exc:
            raise ConfigurationError(f"Chromium not found for PNG export: {exc}") from exc
    return image
