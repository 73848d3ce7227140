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
from collections.abc import Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

import plotly.graph_objects as go

from api.i18n import N_, Text
from api.pages import wording
from api.pages.common import Chrome, render_page
from api.pages.figures import figure_html
from fission.errors import ConfigurationError
from graph.algorithms import MapOverlay
from graph.network import NetworkNode, StoreNetwork
from graph.paths import IntroductionPath

CHROMIUM = "/usr/bin/chromium"

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
    "referral": N_("referrals"),
    "works_at": N_("works at"),
    "home": N_("first contact (no referrer drawn)"),
    "aggregate": N_("not drawn one by one"),
    "knows": N_("social ties"),
}
ENGLISH = Text("en")
PATH_COLOUR = "#dc2626"
# Circles (graph.circles) in colour-by-circle mode: the largest ones get their own colour.
CIRCLE_COLOURS = (
    "#2563eb", "#16a34a", "#d97706", "#9333ea", "#0891b2", "#db2777", "#65a30d", "#b45309",
)  # fmt: skip
NO_CIRCLE = "#d1d5db"
SEED_COLOUR = "#f59e0b"
FLAG_COLOUR = "#b91c1c"
Colouring = Literal["role", "circle"]
MIN_SIZE, MAX_SIZE = 7.0, 34.0

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


def _hover(
    node: NetworkNode,
    t: Text,
    key_reasons: Mapping[str, list[str]],
    overlay: MapOverlay | None = None,
) -> str:
    e = _escape
    if node.role == "store":
        return f"<b>{e(node.label)}</b><br>" + e(
            t.gettext("store %(id)s") % {"id": node.id.removeprefix("store:")}
        )
    if node.count is not None:
        return f"<b>{e(_label(node, t))}</b><br>" + e(t.gettext("not drawn one by one"))
    if node.role == "other_store":
        return f"<b>{e(wording.person(t, node.label))}</b>"
    role = (
        wording.staff_role(t, node.staff_role)
        if node.role == "staff"
        else wording.role(t, node.role)
    )
    where = "" if node.in_network else " " + t.gettext("(another store)")
    pct = (
        " "
        + t.gettext("(above %(pct)s of the store)")
        % {"pct": t.percent(node.influence_pct / 100, 0)}
        if node.influence_pct
        else ""
    )
    interests = t.gettext(", ").join(node.top_interests) or t.gettext("none yet")
    lines = [
        f"<b>{e(node.id)}</b>" + (f" · {e(node.label)}" if node.label != node.id else ""),
        e(t.gettext("role: %(role)s") % {"role": role} + where),
        e(
            t.gettext("reach: %(direct)s direct, %(three)s within 3 generations")
            % {"direct": t.number(node.reach1), "three": t.number(node.reach3)}
        ),
        e(t.gettext("influence: %(score)s") % {"score": t.number(node.influence, 4)} + pct),
        e(t.gettext("interests: %(topics)s") % {"topics": interests}),
    ]
    reasons = key_reasons.get(node.id, node.key_reasons)
    lines += [e(t.gettext("key node: %(reason)s") % {"reason": reason}) for reason in reasons]
    mark = overlay.marks.get(node.id) if overlay else None
    if mark and mark.circle:
        circle = t.gettext("circle %(num)s") % {"num": mark.circle}
        bridge = " · " + t.gettext("bridge between circles") if mark.bridge else ""
        lines.append(e(circle + bridge))
    if mark and mark.seed_rank:
        lines.append(e(t.gettext("whom to seed: pick %(rank)s") % {"rank": mark.seed_rank}))
    if mark and mark.flags:
        kinds = t.gettext(", ").join(wording.flag_kind(t, kind) for kind in mark.flags)
        lines.append(e(t.gettext("fraud flag: %(kinds)s") % {"kinds": kinds}))
    return "<br>".join(lines)


def _label(node: NetworkNode, t: Text) -> str:
    """What the map writes for a node: a summary node's count in the page's language."""
    if node.count is None:
        return wording.person(t, node.label) if node.role == "other_store" else node.label
    return f"+ {t.number(node.count)} " + (
        wording.role_plural(t, node.role) if node.count != 1 else wording.role(t, node.role)
    )


def _text(node: NetworkNode, on_path: set[str], t: Text) -> str:
    labelled = node.role in ("store", "staff") or node.key or node.count is not None
    return _escape(_label(node, t)) if labelled or node.id in on_path else ""


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


def _groups(
    network: StoreNetwork, overlay: MapOverlay | None, colour: Colouring, t: Text
) -> list[tuple[str, str, list[NetworkNode]]]:
    """(legend name, colour, nodes) per marker trace: one per role, or in circle mode the store
    and summary nodes by role and people by circle (the largest circles each in a colour)."""
    if colour == "role" or overlay is None:
        # People of other stores appear only on paths shown to a store key: no empty legend.
        return [
            (wording.role_plural(t, role), c, nodes)
            for role, c in ROLE_COLOURS.items()
            if (nodes := [n for n in network.nodes if n.role == role]) or role != "other_store"
        ]
    marks = overlay.marks

    def circle(node: NetworkNode) -> int:
        """The node's circle, 0 for none."""
        mark = marks.get(node.id)
        return mark.circle or 0 if mark else 0

    people = [n for n in network.nodes if n.role != "store" and n.count is None]
    beyond = any(circle(n) > len(CIRCLE_COLOURS) for n in people)
    groups = [
        (wording.role_plural(t, "store"), ROLE_COLOURS["store"],
         [n for n in network.nodes if n.role == "store"]),
        *(
            (t.gettext("circle %(num)s") % {"num": i}, c,
             [n for n in people if circle(n) == i])
            for i, c in enumerate(CIRCLE_COLOURS, 1)
        ),
        (t.gettext("other circles") if beyond else t.gettext("no circle"), NO_CIRCLE,
         [n for n in people if not 0 < circle(n) <= len(CIRCLE_COLOURS)]),
        (t.gettext("not drawn one by one"), NO_CIRCLE,
         [n for n in network.nodes if n.count is not None]),
    ]  # fmt: skip
    return [g for g in groups if g[2]]


def _marks_trace(
    nodes: list[NetworkNode], name: str, symbol: str, colour: str, text: list[str] | None = None
) -> go.Scatter:
    return go.Scatter(
        x=[n.x for n in nodes], y=[n.y for n in nodes],
        mode="markers+text" if text else "markers", text=text, textposition="bottom center",
        textfont={"size": 10, "color": colour}, name=name, hoverinfo="skip",
        marker={"symbol": symbol, "size": 26, "color": "rgba(0,0,0,0)",
                "line": {"color": colour, "width": 2.5}},
    )  # fmt: skip


def network_figure(
    network: StoreNetwork,
    path: list[str] | None = None,
    text: Text | None = None,
    key_reasons: Mapping[str, list[str]] | None = None,
    overlay: MapOverlay | None = None,
    colour: Colouring = "role",
) -> go.Figure:
    """The store's network as a Plotly figure: one trace per role (fixed colour, one legend
    entry each; with `colour="circle"` and an `overlay`, one per circle instead), marker size
    by store influence, staff, key nodes and summary nodes labelled, hover cards with id, role,
    reach, influence and top interests. With `path` (person ids in order, e.g. an introduction
    path) its ties are drawn thick and its people outlined. With an `overlay` (graph.algorithms),
    seeds are ringed and numbered, people named by fraud flags crossed, and (by circle) bridges
    ringed. `text` is the language (default English); `key_reasons` words key nodes' reasons in
    it (by person id; default: the graph's English reasons)."""
    t = text or ENGLISH
    reasons = key_reasons or {}
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
                x=xs, y=ys, mode="lines", line=style, hoverinfo="skip",
                name=t.gettext(EDGE_NAMES[kind]),
                legendgroup="edges", showlegend=kind in ("referral", "knows"),
            )
        )  # fmt: skip
    if len(on_path) > 1:
        xs, ys = _lines(list(pairwise(on_path)), where)
        fig.add_trace(
            go.Scatter(
                x=xs, y=ys, mode="lines", line={"color": PATH_COLOUR, "width": 4},
                hoverinfo="skip", name=t.gettext("introduction path"),
            )
        )  # fmt: skip
    for name, fill, group in _groups(network, overlay, colour, t):
        # Key and path nodes last: drawn on top, and the legend shows a plain node's style.
        nodes = sorted(group, key=lambda n: (n.id in path_set, n.key))
        outline = [
            PATH_COLOUR if n.id in path_set else "#111827" if n.key else "#ffffff" for n in nodes
        ]
        fig.add_trace(
            go.Scatter(
                x=[n.x for n in nodes],
                y=[n.y for n in nodes],
                mode="markers",
                name=name,
                hovertext=[_hover(n, t, reasons, overlay) for n in nodes],
                hovertemplate="%{hovertext}<extra></extra>",
                customdata=[n.id for n in nodes],
                marker={
                    "color": fill,
                    "size": [_size(n, top) for n in nodes],
                    "symbol": [
                        "circle-open" if n.count is not None else ROLE_SYMBOLS.get(n.role, "circle")
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
    if overlay is not None:
        marks = overlay.marks
        seeds = sorted(
            (n for n in network.nodes if (m := marks.get(n.id)) and m.seed_rank),
            key=lambda n: marks[n.id].seed_rank or 0,
        )
        flagged = [n for n in network.nodes if (m := marks.get(n.id)) and m.flags]
        bridges = [n for n in network.nodes if (m := marks.get(n.id)) and m.bridge]
        if seeds:
            labels = [t.gettext("seed %(rank)s") % {"rank": marks[n.id].seed_rank} for n in seeds]
            fig.add_trace(
                _marks_trace(seeds, t.gettext("whom to seed"), "star-open", SEED_COLOUR, labels)
            )
        if flagged:
            fig.add_trace(_marks_trace(flagged, t.gettext("fraud flag"), "x-open", FLAG_COLOUR))
        if bridges and colour == "circle":
            fig.add_trace(_marks_trace(bridges, t.gettext("bridges"), "hexagon-open", "#111827"))
    # Labels in one text-only trace over all markers, so no marker hides a label.
    labelled = [n for n in network.nodes if _text(n, path_set, t)]
    fig.add_trace(
        go.Scatter(
            x=[n.x for n in labelled],
            y=[n.y for n in labelled],
            mode="text",
            text=[_text(n, path_set, t) for n in labelled],
            textposition="top center",
            textfont={"size": 10, "color": "#1f2937", "shadow": "auto"},
            marker={"size": [_size(n, top) for n in labelled]},
            hoverinfo="skip",
            showlegend=False,
            name="labels",
        )
    )
    drawn = t.gettext("%(drawn)s of %(people)s people drawn") % {
        "drawn": t.number(network.drawn_people),
        "people": t.number(network.people),
    }
    rest = t.gettext(", ").join(_label(where[a.node_id], t) for a in network.aggregated)
    keys = t.ngettext("%(num)s key node", "%(num)s key nodes", network.key_nodes) % {
        "num": t.number(network.key_nodes)
    }
    title = f"{network.name or network.store_id} ({network.store_id})"
    sep = t.gettext("; ")
    fig.update_layout(
        title={
            "text": f"{_escape(title)}<br><sup>{_escape(drawn)}"
            f"{sep + _escape(rest) if rest else ''}{sep}{_escape(keys)}</sup>",
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


def map_page(
    network: StoreNetwork,
    fig: go.Figure,
    chrome: Chrome,
    *,
    path: IntroductionPath | None = None,
    query: str = "",
    key_reasons: Mapping[str, list[str]] | None = None,
    overlay: MapOverlay | None = None,
    colour: Colouring = "role",
    toggles: Mapping[str, str] | None = None,
) -> str:
    """The store map page: the figure, what it shows, a form to highlight an introduction
    path, and links to the PNG and the store's dashboard. `query` is the page's own query
    string (without any key), reused for the PNG link; `key_reasons` words the key nodes'
    reasons in the page's language (by person id); `toggles` are the links that switch
    colouring and seeds; the overlay's seeds, bridges and flags are listed under the map."""
    t = chrome.text
    staff = sorted(
        (n for n in network.nodes if n.role == "staff" and n.in_network), key=lambda n: n.label
    )
    keys = sorted((n for n in network.nodes if n.key), key=lambda n: -n.influence)
    return render_page(
        "map.html",
        chrome,
        network=network,
        figure=figure_html(fig, "network-map", t),
        path=path,
        staff=staff,
        key_nodes=keys,
        aggregate_labels=[_label(n, t) for n in network.nodes if n.count is not None],
        png_url=f"/stores/{network.store_id}/map.png" + (f"?{query}" if query else ""),
        colours=ROLE_COLOURS,
        key_reasons=key_reasons or {},
        overlay=overlay,
        colour=colour,
        toggles=toggles or {},
    )


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
