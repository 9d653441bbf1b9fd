"""The one rendering module: paths and neighbourhoods as interactive network HTML.

Everything the explorer draws goes through here, so pyvis (no release since
2023) can be swapped in one place. pyvis builds the node and edge lists; this
module renders them into a self-contained HTML page with vis-network inlined
(no CDN, no internet) and a legend beside the drawing.

* nodes are coloured by what they are to the bank (client, prospect, other
  company, closed 注销/吊销, black-listed, person, park) and shaped by label;
* edges are coloured by kind, labelled in the chosen language ("董事长",
  "持股 35%", "供货 ¥1.2亿", "担保 ¥5000万", "园区") and point in the
  relationship's true direction, whichever way a path walks them;
* physics (barnesHut, stabilisation capped, frozen after it for big views)
  keeps a few hundred nodes responsive; paths are laid out left to right,
  introducers on the left, the prospect on the right.

Pure functions, testable without a browser:

>>> from graph.model import Edge, Node, Path
>>> a = Node("Company:A", "Company", "A", "甲公司", {"is_client": True})
>>> b = Node("Company:B", "Company", "B", "乙公司")
>>> html = paths_graph_html([Path((a, b), (Edge("SUPPLIES", "Company:A", "Company:B", {"amount": 1.2e8}),), 0.8)], "zh")
>>> "甲公司" in html and "供货 ¥1.2亿" in html
True
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path as FilePath
from typing import Any, Literal

import pyvis
from jinja2 import DictLoader, Environment
from markupsafe import Markup
from pyvis.network import Network

from graph.model import Edge, Node, Path
from queries.explain import edge_label
from queries.format import kind, money, percent, status
from queries.guarantees import Circle, ExposureHit, GuaranteeChain, GuaranteeLink
from queries.ownership import BeneficialOwner, Controller
from queries.paths import ExplainedPath
from queries.supply_chain import Partner, SupplyChain, SupplyLink
from ui.i18n import Lang, t

Category = Literal["prospect", "client", "company", "closed", "blacklisted", "person", "park"]
Mark = Literal["endpoint", "centre", "core"]

CLOSED_STATUSES = frozenset({"revoked", "deregistered"})
FONT_FAMILY = "'Noto Sans CJK SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif"
#: a view with more nodes than this freezes its layout once stabilised
FREEZE_AFTER = 120
#: stabilisation iterations: enough for a few hundred nodes, capped so the page stays responsive
STABILISATION_ITERATIONS = 200


@dataclass(frozen=True)
class NodeStyle:
    """Colours of one node category (shape comes from the label)."""

    background: str
    border: str
    font: str
    dashes: bool = False


NODE_STYLES: dict[Category, NodeStyle] = {
    "prospect": NodeStyle("#ffe0b2", "#e65100", "#4e2600"),
    "client": NodeStyle("#c8e6c9", "#2e7d32", "#173d1a"),
    "company": NodeStyle("#e3f2fd", "#1e88e5", "#0d2a4a"),
    "closed": NodeStyle("#eeeeee", "#9e9e9e", "#616161", dashes=True),
    "blacklisted": NodeStyle("#c62828", "#7f0000", "#ffffff"),
    "person": NodeStyle("#f3e5f5", "#8e24aa", "#3a0d46"),
    "park": NodeStyle("#b2dfdb", "#00796b", "#00413a"),
}
SHAPES: dict[str, str] = {"Company": "box", "Person": "ellipse", "Park": "hexagon"}
#: the ring drawn around the entities a view was asked about
MARK_COLOUR = "#f9a825"
#: the ring of each mark: the entities asked about in amber, core partners in deep red
MARK_COLOURS: dict[Mark, str] = {"endpoint": MARK_COLOUR, "centre": MARK_COLOUR, "core": "#bf360c"}

EDGE_COLOURS: dict[str, str] = {
    "SERVES_AS": "#8e24aa",
    "HOLDS_SHARES": "#1e88e5",
    "SUPPLIES": "#ef6c00",
    "GUARANTEES": "#c62828",
    "LOCATED_IN": "#00897b",
}
OTHER_EDGE_COLOUR = "#757575"


# -- words ---------------------------------------------------------------------
def mask_id_number(value: object) -> str:
    """A national ID number with all but the first 3 and last 4 characters hidden.

    >>> mask_id_number("110101199003071234")
    '110***********1234'
    """
    text = str(value).strip()
    if len(text) <= 7:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def format_date(value: object, lang: Lang) -> str:
    """``2021年3月5日`` in Chinese, ``2021-03-05`` in English; other text unchanged."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else day.isoformat()


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in value.replace("；", ";").split(";") if p.strip()]
    if isinstance(value, Iterable):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return [str(value)]


def node_category(node: Node, target: str | None = None) -> Category:
    """What ``node`` is to the bank: black-listed and closed win over client and prospect."""
    if node.props.get("blacklisted"):
        return "blacklisted"
    if node.label == "Person":
        return "person"
    if node.label == "Park":
        return "park"
    if node.props.get("status") in CLOSED_STATUSES:
        return "closed"
    if node.is_client:
        return "client"
    if node.id == target:
        return "prospect"
    return "company"


def node_facts(node: Node, lang: Lang) -> list[tuple[str, str]]:
    """``(field, value)`` pairs a user reads about a node; a national ID only ever masked."""
    p = node.props
    facts: list[tuple[str, str]] = [(t(f"prop.key.{node.label}", lang) if node.label in SHAPES else "id", node.key)]
    if node.label == "Company":
        facts.append((t("prop.status", lang), status(p.get("status", "active"), lang)))
    if node.is_client:
        facts.append((t("prop.is_client", lang), t("yes", lang)))
        for prop in ("manager", "branch"):
            if p.get(prop):
                facts.append((t(f"prop.{prop}", lang), str(p[prop])))
        if p.get("client_since"):
            facts.append((t("prop.client_since", lang), format_date(p["client_since"], lang)))
    if p.get("blacklisted"):
        facts.append((t("prop.blacklisted", lang), t("yes", lang)))
    for prop in ("industry", "level"):
        if p.get(prop):
            facts.append((t(f"prop.{prop}", lang), str(p[prop])))
    for prop in ("tags", "industries", "former_names", "risk_flags"):
        items = _as_list(p.get(prop))
        if items:
            facts.append((t(f"prop.{prop}", lang), ("、" if lang == "zh" else ", ").join(items)))
    place = "".join if lang == "zh" else " ".join
    location = [str(p[k]) for k in ("province", "city", "district") if p.get(k)]
    if location:
        facts.append((t("prop.location", lang), place(dict.fromkeys(location))))
    if p.get("founded"):
        facts.append((t("prop.founded", lang), format_date(p["founded"], lang)))
    if p.get("registered_capital") is not None:
        facts.append((t("prop.registered_capital", lang), money(p["registered_capital"], lang)))
    if p.get("listed"):
        facts.append((t("prop.listed", lang), t("yes", lang)))
    if p.get("id_number"):
        facts.append((t("prop.id_number", lang), mask_id_number(p["id_number"])))
    return facts


def edge_details(edge: Edge, lang: Lang) -> list[str]:
    """Further facts of an edge (dates, year, product, strength) for tooltips and tables."""
    p = edge.props
    out: list[str] = []
    if p.get("since") is not None:
        out.append(t("edge.since", lang, date=format_date(p["since"], lang)))
    if p.get("until") is not None:
        out.append(t("edge.until", lang, date=format_date(p["until"], lang)))
    if p.get("start") is not None:
        out.append(t("edge.since", lang, date=format_date(p["start"], lang)))
    if p.get("end") is not None:
        out.append(t("edge.until", lang, date=format_date(p["end"], lang)))
    if p.get("year") is not None:
        out.append(t("edge.year", lang, year=p["year"]))
    for prop in ("product", "type"):
        if p.get(prop):
            out.append(str(p[prop]))
    out.append(t("edge.strength", lang, value=f"{edge.strength:.2f}"))
    return out


# -- building the network ---------------------------------------------------------
def _tooltip(lines: Iterable[str]) -> str:
    # vis-network shows a string title as plain text (never as HTML); newlines break lines
    return "\n".join(lines)


def _add_node(
    net: Network, node: Node, lang: Lang, category: Category, mark: Mark | None, id_: str | None = None, **extra: Any
) -> None:
    """Draw ``node`` (as ``id_`` when one node is drawn twice) in its category's colours, ringed by ``mark``."""
    style = NODE_STYLES[category]
    shape = SHAPES.get(node.label, "dot")
    border = MARK_COLOURS[mark] if mark else style.border
    colour = {
        "background": style.background,
        "border": border,
        "highlight": {"background": style.background, "border": "#212121"},
        "hover": {"background": style.background, "border": "#212121"},
    }
    label_inside = shape in ("box", "ellipse")
    font: dict[str, Any] = {
        "color": style.font if label_inside else "#263238",
        "face": FONT_FAMILY,
        "size": 15 if mark in ("endpoint", "centre") else 13,
    }
    options: dict[str, Any] = {
        "title": _tooltip([node.name, *(f"{k}: {v}" for k, v in node_facts(node, lang))]),
        "font": font,
        "borderWidth": (3 if mark == "core" else 4) if mark else (2 if category in ("client", "prospect") else 1),
        "shapeProperties": {"borderDashes": [5, 4] if style.dashes else False},
        "group_category": category,
    }
    if label_inside:
        options["widthConstraint"] = {"maximum": 150}
        options["margin"] = 8
    else:
        options["size"] = 22 if mark in ("endpoint", "centre") else 16
    if mark:
        options["mark"] = mark
    options.update(extra)
    net.add_node(node.id if id_ is None else id_, label=node.name, shape=shape, color=colour, **options)


def _add_edge(
    net: Network,
    edges: Sequence[Edge],
    lang: Lang,
    *,
    label: str | None = None,
    title: Sequence[str] | None = None,
    width: float | None = None,
    dashes: bool | None = None,
    smooth: Mapping[str, Any] | None = None,
) -> None:
    """One drawn edge for one or more relationships between the same ends in the same direction.

    ``label``, ``title`` (tooltip lines), ``width`` and ``dashes`` replace what
    is drawn by default (the labels of the relationships, their details, the
    strongest one's strength, dashed for parks); ``smooth`` bends this edge
    its own way.
    """
    strongest = max(edges, key=lambda e: e.strength)
    colour = EDGE_COLOURS.get(strongest.type, OTHER_EDGE_COLOUR)
    labels = list(dict.fromkeys(edge_label(e, lang) for e in edges))
    lines = [
        f"{kind(e.type, lang)}: {edge_label(e, lang)} ({', '.join(edge_details(e, lang))})"
        for e in sorted(edges, key=lambda e: -e.strength)
    ]
    net.add_edge(
        strongest.source,
        strongest.target,
        label=" · ".join(labels) if label is None else label,
        title=_tooltip(lines if title is None else title),
        color={"color": colour, "highlight": colour, "hover": colour},
        width=1 + 3 * strongest.strength if width is None else width,
        dashes=strongest.type == "LOCATED_IN" if dashes is None else dashes,
        font={"color": colour, "face": FONT_FAMILY, "size": 12, "strokeWidth": 3, "strokeColor": "#ffffff"},
        kinds=sorted({e.type for e in edges}),
        **({"smooth": dict(smooth)} if smooth is not None else {}),
    )


def _group_edges(edges: Iterable[Edge]) -> dict[tuple[str, str], list[Edge]]:
    groups: dict[tuple[str, str], list[Edge]] = {}
    seen: set[tuple[str, str, str, str]] = set()
    for e in edges:
        ident = (e.type, e.source, e.target, str(e.props.get("_key", "")))
        if ident in seen:
            continue
        seen.add(ident)
        groups.setdefault((e.source, e.target), []).append(e)
    return groups


def _options(
    *, hierarchical: bool, nodes: int, edges: int, fixed: Literal["horizontal", "vertical"] | None = None
) -> dict[str, Any]:
    """vis-network options: a right-to-left hierarchy (paths), a force layout (neighbourhoods), or,
    with ``fixed``, positions given with the nodes (columns or rows) and curves flowing that way."""
    options: dict[str, Any] = {
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "navigationButtons": False,
            "hideEdgesOnDrag": edges > 250,
            "hideEdgesOnZoom": edges > 250,
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
            "smooth": {"enabled": True, "type": "curvedCW", "roundness": 0.12},
            "selectionWidth": 2,
        },
        "nodes": {"shadow": False},
    }
    if hierarchical:
        options["layout"] = {
            "hierarchical": {
                "enabled": True,
                "direction": "RL",
                "levelSeparation": 210,
                "nodeSpacing": 80,
                "treeSpacing": 120,
                "blockShifting": True,
                "edgeMinimization": True,
                "parentCentralization": True,
            }
        }
        options["physics"] = {"enabled": False}
    elif fixed is not None:
        options["layout"] = {"hierarchical": {"enabled": False}}
        options["physics"] = {"enabled": False}
        options["edges"]["smooth"] = {"enabled": True, "type": "cubicBezier", "forceDirection": fixed, "roundness": 0.5}
    else:
        options["layout"] = {"improvedLayout": nodes <= 150, "randomSeed": 7}
        options["physics"] = {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -6000,
                "centralGravity": 0.25,
                "springLength": 150,
                "springConstant": 0.03,
                "damping": 0.35,
                "avoidOverlap": 0.3,
            },
            "stabilization": {
                "enabled": True,
                "iterations": STABILISATION_ITERATIONS,
                "updateInterval": 25,
                "fit": True,
            },
            "minVelocity": 1.0,
            "timestep": 0.5,
        }
    return options


def _new_network(height: int) -> Network:
    return Network(height=f"{height}px", width="100%", directed=True, cdn_resources="in_line")


# -- legend and page ----------------------------------------------------------------
@dataclass(frozen=True)
class LegendEdge:
    """One line of the legend's relationship part: colour, dashed or not, the words."""

    colour: str
    dashed: bool
    text: str


def _type_rows(types: Iterable[str], lang: Lang) -> list[LegendEdge]:
    return [
        LegendEdge(EDGE_COLOURS.get(type_, OTHER_EDGE_COLOUR), type_ == "LOCATED_IN", kind(type_, lang))
        for type_ in dict.fromkeys(types)
    ]


def legend_html(
    categories: Iterable[Category],
    types: Iterable[str],
    lang: Lang,
    marks: Iterable[Mark] = (),
    *,
    mark_text: Mapping[Mark, str] | None = None,
    edge_rows: Sequence[LegendEdge] | None = None,
) -> str:
    """The legend (HTML) for the node categories and relationship types drawn.

    ``mark_text`` words a mark differently from its default (``cat.<mark>``);
    ``edge_rows`` replaces the one-line-per-type relationship part.
    """
    rows = ['<div class="gx-legend-title">' + html.escape(t("legend.nodes", lang)) + "</div>"]
    shape_of = {"person": "ellipse", "park": "hexagon"}
    for cat in dict.fromkeys(categories):
        style = NODE_STYLES[cat]
        border = "dashed" if style.dashes else "solid"
        rows.append(
            f'<div class="gx-row"><span class="gx-swatch gx-{shape_of.get(cat, "box")}" '
            f'style="background:{style.background};border:2px {border} {style.border}"></span>'
            f"{html.escape(t('cat.' + cat, lang))}</div>"
        )
    for mark in dict.fromkeys(marks):
        text = (mark_text or {}).get(mark) or t("cat." + mark, lang)
        rows.append(
            f'<div class="gx-row"><span class="gx-swatch gx-box" '
            f'style="background:#fff;border:3px solid {MARK_COLOURS[mark]}"></span>'
            f"{html.escape(text)}</div>"
        )
    lines = _type_rows(types, lang) if edge_rows is None else list(edge_rows)
    if lines:
        rows.append('<div class="gx-legend-title">' + html.escape(t("legend.edges", lang)) + "</div>")
        for line in lines:
            dash = "dashed" if line.dashed else "solid"
            rows.append(
                f'<div class="gx-row"><span class="gx-line" style="border-top:3px {dash} {line.colour}"></span>'
                f'<span class="gx-arrow" style="color:{line.colour}">&#9654;</span>{html.escape(line.text)}</div>'
            )
    rows.append('<div class="gx-hint">' + html.escape(t("legend.hint", lang)) + "</div>")
    return "\n".join(rows)


_PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
<style>{{ vis_css }}</style>
<script>{{ vis_js }}</script>
<style>
  html, body { margin: 0; padding: 0; background: #ffffff; font-family: {{ font }}; }
  .gx-wrap { display: flex; gap: 10px; height: {{ height }}; }
  .gx-wrap.gx-below { flex-direction: column; gap: 4px; height: auto; }
  .gx-below .gx-legend { flex: none; display: flex; flex-wrap: wrap; align-items: center; gap: 2px 14px;
                         overflow: visible; padding: 0 4px; }
  .gx-below .gx-legend-title { margin: 0; }
  .gx-below .gx-hint { margin: 0; }
  #mynetwork { flex: 1 1 auto; min-width: 0; height: {{ height }}; border: 1px solid #e0e0e0;
               border-radius: 8px; background: #fcfcfc; }
  .gx-legend { flex: 0 0 200px; font-size: 12px; color: #37474f; overflow-y: auto; padding: 4px 2px; }
  .gx-legend-title { font-weight: 600; margin: 8px 0 4px; }
  .gx-row { display: flex; align-items: center; gap: 6px; margin: 3px 0; line-height: 1.3; }
  .gx-swatch { display: inline-block; width: 22px; height: 13px; box-sizing: border-box; flex: none; }
  .gx-box { border-radius: 3px; }
  .gx-ellipse { border-radius: 50%; }
  .gx-hexagon { clip-path: polygon(25% 0, 75% 0, 100% 50%, 75% 100%, 25% 100%, 0 50%); }
  .gx-line { display: inline-block; width: 16px; height: 0; flex: none; }
  .gx-arrow { font-size: 9px; margin-left: -7px; flex: none; }
  .gx-hint { color: #78909c; margin-top: 10px; }
  div.vis-tooltip { white-space: pre-line; font-family: {{ font }}; font-size: 12px; max-width: 360px; }
  @media (max-width: 560px) { .gx-legend { display: none; } }
</style>
</head>
<body data-nodes="{{ node_count }}" data-edges="{{ edge_count }}">
<div class="gx-wrap{% if legend_below %} gx-below{% endif %}">
  <div id="mynetwork" role="img" aria-label="{{ title }}"></div>
  <aside class="gx-legend">{{ legend }}</aside>
</div>
<script>
  var nodes = new vis.DataSet({{ nodes|tojson }});
  var edges = new vis.DataSet({{ edges|tojson }});
  var options = {{ options }};
  var network = new vis.Network(document.getElementById("mynetwork"), {nodes: nodes, edges: edges}, options);
  window.gxNetwork = network;
  network.once("afterDrawing", function () { document.body.setAttribute("data-drawn", String(nodes.length)); });
  network.once("stabilizationIterationsDone", function () {
    {% if freeze %}network.setOptions({physics: {enabled: false}});{% endif %}
    network.fit();
  });
</script>
</body>
</html>
"""


@cache
def _environment() -> Environment:
    env = Environment(loader=DictLoader({"page.html": _PAGE}), autoescape=True)
    # names stay readable in the HTML (and findable by tests); tojson still escapes < > & '
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}
    return env


@cache
def _vis_assets() -> tuple[Markup, Markup]:
    """vis-network's CSS and JavaScript as shipped inside pyvis, for inlining."""
    lib = FilePath(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    css = (lib / "vis-network.css").read_text(encoding="utf-8")
    js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
    return Markup(css), Markup(js.replace("</script", "<\\/script"))


def _page(net: Network, legend: str, title: str, lang: Lang, *, freeze: bool, legend_below: bool = False) -> str:
    nodes, edges, _heading, height, _width, options = net.get_network_data()
    vis_css, vis_js = _vis_assets()
    return (
        _environment()
        .get_template("page.html")
        .render(
            lang=lang,
            title=title,
            height=height,
            nodes=nodes,
            edges=edges,
            node_count=len(nodes),
            edge_count=len(edges),
            options=Markup(options),
            legend=Markup(legend),
            vis_css=vis_css,
            vis_js=vis_js,
            font=Markup(FONT_FAMILY),
            freeze=freeze,
            legend_below=legend_below,
        )
    )


def _as_path(p: ExplainedPath | Path) -> Path:
    return p.path if isinstance(p, ExplainedPath) else p


def _levels(paths: Sequence[Path]) -> dict[str, int]:
    """Each node's distance (in hops along its paths) from the target; the least where it is on several."""
    level: dict[str, int] = {}
    for p in paths:
        for i, n in enumerate(p.nodes):
            level[n.id] = min(level.get(n.id, p.hops - i), p.hops - i)
    return level


def paths_graph_height(paths: Sequence[ExplainedPath] | Sequence[Path]) -> int:
    """A drawing height (px) that suits the paths: taller when many nodes share a column."""
    level = _levels([_as_path(p) for p in paths])
    widest = max(Counter(level.values()).values(), default=1)
    return max(300, min(720, 110 + 80 * widest))


def paths_graph_html(
    paths: Sequence[ExplainedPath] | Sequence[Path],
    lang: Lang,
    *,
    endpoints: bool = False,
    height: int | None = None,
) -> str:
    """The paths drawn together: introducers on the left, the target on the right.

    ``paths`` all end at the same target (as an introductions or connections
    answer does). With ``endpoints`` the first node(s) and the target get a
    ring and keep their own colours (connections); otherwise the target is
    coloured as the prospect (introductions).
    """
    plain = [_as_path(p) for p in paths]
    target = plain[0].nodes[-1].id if plain else None
    starts = {p.nodes[0].id for p in plain}
    if endpoints:
        marked: dict[str, Mark] = dict.fromkeys(starts, "endpoint")
        if target is not None:
            marked[target] = "endpoint"
        return _paths_page(plain, lang, prospect=None, marked=marked, far_starts=True, height=height)
    return _paths_page(plain, lang, prospect=target, marked={}, far_starts=False, height=height)


def _paths_page(
    plain: Sequence[Path],
    lang: Lang,
    *,
    prospect: str | None,
    marked: Mapping[str, Mark],
    far_starts: bool,
    height: int | None,
    title: str | None = None,
) -> str:
    """Paths ending at one target, laid out right to left from it; ``marked`` nodes ringed."""
    net = _new_network(paths_graph_height(plain) if height is None else height)
    level = _levels(plain)
    if far_starts and level:
        # one start for every path: put it at the far left, whatever the length of its shortest path
        far = max(level.values())
        level.update(dict.fromkeys({p.nodes[0].id for p in plain}, far))
    nodes = {n.id: n for p in plain for n in p.nodes}
    categories: list[Category] = []
    marks: list[Mark] = []
    for nid, n in nodes.items():
        category = node_category(n, prospect)
        mark = marked.get(nid)
        categories.append(category)
        if mark:
            marks.append(mark)
        _add_node(net, n, lang, category, mark, level=level[nid])
    groups = _group_edges(e for p in plain for e in p.edges)
    for group in groups.values():
        _add_edge(net, group, lang)
    net.options = _options(hierarchical=True, nodes=len(nodes), edges=len(groups))
    legend = legend_html(_ordered(categories), _types_drawn(groups), lang, marks)
    return _page(net, legend, title or t("graph.title", lang), lang, freeze=False)


def _types_drawn(groups: Mapping[tuple[str, str], Sequence[Edge]]) -> list[str]:
    """The relationship types among ``groups``, in the legend's order."""
    present = {e.type for g in groups.values() for e in g}
    return [t_ for t_ in EDGE_COLOURS if t_ in present] + sorted(present - set(EDGE_COLOURS))


def neighbourhood_html(
    nodes: Mapping[str, Node] | Sequence[Node],
    edges: Sequence[Edge],
    centre: str,
    lang: Lang,
    *,
    height: int = 620,
    legend_below: bool = False,
) -> str:
    """A neighbourhood: ``nodes`` and the ``edges`` among them, ``centre`` ringed.

    Edges with an end outside ``nodes`` are left out; several relationships
    between the same two nodes in the same direction are drawn as one edge
    with all their labels (e.g. "董事长 · 持股 35%"). ``legend_below`` puts the
    legend under the drawing (a narrow column), taking :data:`LEGEND_BELOW` more.
    """
    by_id = dict(nodes) if isinstance(nodes, Mapping) else {n.id: n for n in nodes}
    net = _new_network(height)
    categories: list[Category] = []
    for nid, n in by_id.items():
        category = node_category(n)
        categories.append(category)
        _add_node(net, n, lang, category, "centre" if nid == centre else None, mass=3 if nid == centre else 1)
    groups = _group_edges(e for e in edges if e.source in by_id and e.target in by_id)
    for group in groups.values():
        _add_edge(net, group, lang)
    present = {e.type for g in groups.values() for e in g}
    types = [t_ for t_ in EDGE_COLOURS if t_ in present] + sorted(present - set(EDGE_COLOURS))
    net.options = _options(hierarchical=False, nodes=len(by_id), edges=len(groups))
    marks: list[Mark] = ["centre"] if centre in by_id else []
    legend = legend_html(_ordered(categories), types, lang, marks)
    name = by_id[centre].name if centre in by_id else ""
    return _page(net, legend, name, lang, freeze=len(by_id) > FREEZE_AFTER, legend_below=legend_below)


# -- drawings in columns or rows --------------------------------------------------------
#: pixels between the columns of a supply chain and between its rows
SUPPLY_COLUMN_GAP = 250
SUPPLY_ROW_GAP = 58
#: pixels between the rows of an ownership drawing and between the boxes in a row
OWNERSHIP_ROW_GAP = 120
OWNERSHIP_BOX_GAP = 185
#: the height (px) of a legend drawn below the drawing instead of beside it
LEGEND_BELOW = 64


def layered_positions(
    level: Mapping[str, int],
    anchor: str,
    links: Iterable[tuple[str, str]],
    priority: Mapping[str, float] | None = None,
) -> dict[str, tuple[int, float]]:
    """Each node's level and place across it, for a drawing in columns (or rows).

    Levels are filled outward from the anchor's; in each level the nodes are
    ordered by the mean place of their neighbours already placed (so a node
    sits near what it links to and lines cross little), then by
    ``priority`` (smaller first), and spread evenly, centred on the anchor.
    Places are in units of one slot.
    """
    neighbours: dict[str, set[str]] = {nid: set() for nid in level}
    for a, b in links:
        if a in neighbours and b in neighbours:
            neighbours[a].add(b)
            neighbours[b].add(a)
    rank = priority or {}
    placed: dict[str, float] = {anchor: 0.0}
    by_level: dict[int, list[str]] = {}
    for nid, lv in level.items():
        by_level.setdefault(lv, []).append(nid)
    home = level[anchor]
    for lv in sorted(by_level, key=lambda x: (abs(x - home), x)):
        ids = [nid for nid in by_level[lv] if nid not in placed]

        def centre(nid: str) -> float:
            near = [placed[n] for n in neighbours[nid] if n in placed]
            return sum(near) / len(near) if near else 0.0

        ids.sort(key=lambda nid: (centre(nid), rank.get(nid, 0.0), nid))
        taken = [placed[nid] for nid in by_level[lv] if nid in placed]
        start = -(len(ids) - 1) / 2 + (max(taken) + 1 if taken else 0.0)
        for i, nid in enumerate(ids):
            placed[nid] = start + i
    return {nid: (level[nid], placed[nid]) for nid in level}


# -- supply chains ---------------------------------------------------------------------
@dataclass(frozen=True)
class DrawnLink:
    """A supply relationship as drawn: between two drawn boxes (see :class:`SupplyView`), on which side."""

    source: str
    target: str
    link: SupplyLink
    upstream: bool


@dataclass(frozen=True)
class SupplyView:
    """What a supply-chain drawing holds: the boxes, the links among them, how many partners were left out.

    Boxes are keyed by a drawing id: the company's node id, except for a
    customer that is also drawn as a supplier, whose second box is
    ``<node id>@customer`` (goods keep flowing left to right). ``level``
    places each box in a column: suppliers of tier ``n`` at ``tiers - n``,
    the company at ``tiers``, customers of tier ``n`` at ``tiers + n``.
    """

    company: Node
    partners: tuple[Partner, ...]
    nodes: Mapping[str, Node]
    level: Mapping[str, int]
    links: tuple[DrawnLink, ...]
    hidden: int


def _near_end(link: SupplyLink, partner: Partner) -> str:
    """The end of ``link`` nearer the company than ``partner``."""
    return link.customer.id if link.supplier.id == partner.company.id else link.supplier.id


def supply_view(chain: SupplyChain, per_tier: int = 12) -> SupplyView:
    """The partners a drawing of ``chain`` shows: per side and tier the ``per_tier`` largest by
    amount among those linked to a partner drawn one tier nearer (so every drawn partner hangs
    off the drawing); a company on both sides gets a box on each side."""
    company = chain.company
    nodes: dict[str, Node] = {company.id: company}
    level: dict[str, int] = {company.id: chain.tiers}
    drawn: list[Partner] = []
    links: list[DrawnLink] = []
    hidden = 0
    for side, sign in ((chain.suppliers, -1), (chain.customers, 1)):
        box = {company.id: company.id}  # node id -> drawing id on this side
        near = {company.id}
        for tier in range(1, chain.tiers + 1):
            here = [p for p in side if p.tier == tier]
            usable = [p for p in here if any(_near_end(lk, p) in near for lk in p.links)]
            usable.sort(key=lambda p: (p.amount is None, -(p.amount or 0.0), p.company.id))
            kept = usable[: max(1, per_tier)]
            hidden += len(here) - len(kept)
            for p in kept:
                drawn.append(p)
                key = p.company.id if p.company.id not in nodes else f"{p.company.id}@customer"
                box[p.company.id] = key
                nodes[key] = p.company
                level[key] = chain.tiers + sign * tier
                for lk in p.links:
                    if _near_end(lk, p) in near:
                        links.append(DrawnLink(box[lk.supplier.id], box[lk.customer.id], lk, sign < 0))
            near = {p.company.id for p in kept}
    return SupplyView(company, tuple(drawn), nodes, level, tuple(links), hidden)


def _short_money(amount: float, lang: Lang) -> str:
    """An amount rounded to three significant digits, for a label: ¥3480万, ¥14.4亿, ¥34.8m."""
    return money(float(f"{amount:.3g}"), lang)


def _share_text(share: float | None) -> str:
    return "" if share is None else percent(round(share, 3))


def supply_chain_height(view: SupplyView, width: int = 980) -> int:
    """A drawing height (px) that fits the tallest column of ``view`` when the drawing is scaled to
    ``width`` pixels (the legend below not included)."""
    widest = max(Counter(view.level.values()).values(), default=1)
    columns = len(set(view.level.values()))
    scale = min(1.0, width / ((columns - 1) * SUPPLY_COLUMN_GAP + 160))
    return max(280, min(1000, round(80 + SUPPLY_ROW_GAP * widest * scale)))


def supply_chain_html(
    chain: SupplyChain,
    lang: Lang,
    *,
    core_share: float = 0.1,
    per_tier: int = 12,
    height: int | None = None,
) -> str:
    """Suppliers (left) and customers (right) of ``chain.company``, tier by tier, amounts on the arrows.

    ``height`` is the drawing's; the legend below it takes :data:`LEGEND_BELOW` more.

    Each arrow runs supplier → customer labelled with the annual amount and
    its share of the nearer company's purchases or sales; its width grows
    with the share. Tier-1 partners with at least ``core_share`` of the
    company's purchases or sales (its core suppliers and customers, as
    :func:`queries.supply_chain.core_partners` has them) get a deep red
    ring; the company an amber one. At most ``per_tier`` partners per side
    and tier are drawn (see :func:`supply_view`).
    """
    view = supply_view(chain, per_tier)
    net = _new_network(supply_chain_height(view) if height is None else height)
    biggest = {
        p.company.id: float(i)
        for i, p in enumerate(sorted(view.partners, key=lambda p: (p.amount is None, -(p.amount or 0.0))))
    }
    priority = {key: biggest.get(n.id, 0.0) for key, n in view.nodes.items()}
    places = layered_positions(view.level, chain.company.id, ((d.source, d.target) for d in view.links), priority)
    core = {p.company.id for p in view.partners if p.tier == 1 and p.share is not None and p.share >= core_share}
    categories: list[Category] = []
    marks: list[Mark] = []
    for key, n in view.nodes.items():
        category = node_category(n)
        mark: Mark | None = "centre" if key == chain.company.id else ("core" if n.id in core else None)
        categories.append(category)
        if mark:
            marks.append(mark)
        column, row = places[key]
        _add_node(
            net,
            n,
            lang,
            category,
            mark,
            id_=key,
            x=(column - chain.tiers) * SUPPLY_COLUMN_GAP,
            y=row * SUPPLY_ROW_GAP,
            widthConstraint={"maximum": 140},
        )
    for drawn in view.links:
        lk = drawn.link
        props = {"amount": lk.amount, "year": lk.year, "product": lk.product}
        edge = Edge("SUPPLIES", drawn.source, drawn.target, {k: v for k, v in props.items() if v is not None})
        share = _share_text(lk.share)
        amount = _short_money(lk.amount, lang) if lk.amount is not None else t("edge.supplies_plain", lang)
        details = edge_details(edge, lang)[:-1]
        if share:
            key = "supply.share_of_purchases" if drawn.upstream else "supply.share_of_sales"
            nearer = lk.customer if drawn.upstream else lk.supplier
            details.insert(0, t(key, lang, share=share, name=nearer.name))
        # the arrows at the company have room for the share; further out only the amount fits
        first = chain.company.id in (drawn.source, drawn.target)
        _add_edge(
            net,
            [edge],
            lang,
            label=f"{amount} · {share}" if share and first else amount,
            title=[f"{lk.supplier.name} → {lk.customer.name}", edge_label(edge, lang), *details],
            width=1.0 + 5.0 * min(1.0, lk.share or 0.0),
        )
    net.options = _options(hierarchical=False, nodes=len(view.nodes), edges=len(view.links), fixed="horizontal")
    text: dict[Mark, str] = {"core": t("legend.core_partner", lang, share=percent(core_share))}
    legend = legend_html(_ordered(categories), ["SUPPLIES"], lang, _marks_in_order(marks), mark_text=text)
    return _page(net, legend, chain.company.name, lang, freeze=False, legend_below=True)


def _marks_in_order(marks: Iterable[Mark]) -> list[Mark]:
    present = set(marks)
    return [m for m in MARK_COLOURS if m in present]


# -- ownership --------------------------------------------------------------------------
@dataclass(frozen=True)
class _Holdings:
    nodes: dict[str, Node]
    ratios: dict[tuple[str, str], float]
    depth: dict[str, int]


def _holdings(company: Node, owners: Sequence[BeneficialOwner], controller: Controller | None) -> _Holdings:
    """The holdings on the owners' chains and the control chain; each node's height above the company."""
    ratios: dict[tuple[str, str], float] = {}
    nodes: dict[str, Node] = {company.id: company}
    depth: dict[str, int] = {company.id: 0}

    def hold(holder: Node, held: Node, ratio: float, distance: int) -> None:
        nodes.setdefault(holder.id, holder)
        nodes.setdefault(held.id, held)
        ratios.setdefault((holder.id, held.id), ratio)
        depth[holder.id] = max(depth.get(holder.id, 0), distance)
        depth.setdefault(held.id, 0)

    for owner in owners:
        for chain in owner.chains:
            hops = len(chain.ratios)
            for i, ratio in enumerate(chain.ratios):
                hold(chain.nodes[i], chain.nodes[i + 1], ratio, hops - i)
    if controller is not None:
        for i, step in enumerate(controller.chain):
            hold(step.holder, step.company, step.ratio, i + 1)
    return _Holdings(nodes, ratios, depth)


def ownership_height(company: Node, owners: Sequence[BeneficialOwner], controller: Controller | None) -> int:
    """A drawing height (px) for :func:`ownership_html`: a row per level of holdings."""
    levels = max(_holdings(company, owners, controller).depth.values(), default=0) + 1
    return max(260, min(760, 80 + OWNERSHIP_ROW_GAP * levels))


def ownership_html(
    company: Node,
    owners: Sequence[BeneficialOwner],
    controller: Controller | None,
    lang: Lang,
    *,
    height: int | None = None,
) -> str:
    """The equity chains behind the beneficial owners and the actual controller: owners on top,
    ``company`` at the bottom, each arrow a holding with its ratio; owners and the controller ringed.

    Owners found by control or as managers without a chain of holdings are
    not drawn; an empty string when there is no holding to draw.
    """
    found = _holdings(company, owners, controller)
    if not found.ratios:
        return ""
    marked = {o.owner.id for o in owners}
    if controller is not None and controller.controller is not None:
        marked.add(controller.controller.id)
    net = _new_network(ownership_height(company, owners, controller) if height is None else height)
    places = layered_positions(found.depth, company.id, found.ratios)
    categories: list[Category] = []
    marks: list[Mark] = []
    for nid, n in found.nodes.items():
        category = node_category(n)
        mark: Mark | None = "centre" if nid == company.id else ("core" if nid in marked else None)
        categories.append(category)
        if mark:
            marks.append(mark)
        row, place = places[nid]
        _add_node(net, n, lang, category, mark, x=place * OWNERSHIP_BOX_GAP, y=-row * OWNERSHIP_ROW_GAP)
    for (holder, held), ratio in found.ratios.items():
        edge = Edge("HOLDS_SHARES", holder, held, {"ratio": ratio}, min(1.0, max(0.05, ratio)))
        names = f"{found.nodes[holder].name} → {found.nodes[held].name}"
        # a holding that skips a row would run straight through the boxes between: bend it
        skips = found.depth[holder] - found.depth[held] > 1
        bend = {"enabled": True, "type": "curvedCW", "roundness": 0.3} if skips else None
        _add_edge(net, [edge], lang, title=[names, edge_label(edge, lang)], smooth=bend)
    net.options = _options(hierarchical=False, nodes=len(found.nodes), edges=len(found.ratios), fixed="vertical")
    text: dict[Mark, str] = {"core": t("legend.owner", lang)}
    legend = legend_html(_ordered(categories), ["HOLDS_SHARES"], lang, _marks_in_order(marks), mark_text=text)
    return _page(net, legend, company.name, lang, freeze=False)


# -- guarantees -------------------------------------------------------------------------
def _guarantee_edge(link: GuaranteeLink) -> Edge:
    props = {"amount": link.amount, "start": link.start, "end": link.end, "guarantee_type": link.type}
    return Edge("GUARANTEES", link.guarantor.id, link.borrower.id, {k: v for k, v in props.items() if v is not None})


def guarantee_height(circles: Sequence[Circle], chains: Sequence[GuaranteeChain]) -> int:
    """A drawing height (px) for :func:`guarantee_html`: low for a pair, taller for a circle and chains."""
    ids = {m.id for c in circles for m in c.members} | {n.id for c in chains for n in c.nodes}
    return 300 if len(ids) <= 3 else (420 if len(ids) <= 8 else 540)


def guarantee_html(
    company: Node,
    circles: Sequence[Circle],
    chains: Sequence[GuaranteeChain],
    lang: Lang,
    *,
    height: int = 520,
) -> str:
    """Guarantee circles and chains around ``company``: every guarantee an arrow guarantor → borrower
    with its amount; guarantees inside a circle solid and thick, those only on a chain dashed.
    An empty string when there is nothing to draw."""
    nodes: dict[str, Node] = {company.id: company}
    in_circle: dict[tuple[str, str, str, str], GuaranteeLink] = {}
    on_chain: dict[tuple[str, str, str, str], GuaranteeLink] = {}

    def ident(lk: GuaranteeLink) -> tuple[str, str, str, str]:
        return (lk.guarantor.id, lk.borrower.id, str(lk.start), str(lk.amount))

    for circle in circles:
        nodes.update((m.id, m) for m in circle.members)
        in_circle.update((ident(lk), lk) for lk in circle.links)
    for chain in chains:
        nodes.update((n.id, n) for n in chain.nodes)
        for hop in chain.links:
            for lk in hop:
                nodes.setdefault(lk.guarantor.id, lk.guarantor)
                nodes.setdefault(lk.borrower.id, lk.borrower)
                if ident(lk) not in in_circle:
                    on_chain[ident(lk)] = lk
    if not in_circle and not on_chain:
        return ""
    net = _new_network(height)
    categories: list[Category] = []
    for nid, n in nodes.items():
        category = node_category(n)
        categories.append(category)
        _add_node(net, n, lang, category, "centre" if nid == company.id else None, mass=3 if nid == company.id else 1)
    pairs: dict[tuple[str, str], list[tuple[GuaranteeLink, bool]]] = {}
    for lk in in_circle.values():
        pairs.setdefault((lk.guarantor.id, lk.borrower.id), []).append((lk, True))
    for lk in on_chain.values():
        pairs.setdefault((lk.guarantor.id, lk.borrower.id), []).append((lk, False))
    for (guarantor, borrower), found in pairs.items():
        circular = any(c for _, c in found)
        edges = [_guarantee_edge(lk) for lk, _ in found]
        lines = [f"{nodes[guarantor].name} → {nodes[borrower].name}"]
        lines += [", ".join([edge_label(e, lang), *edge_details(e, lang)[:-1]]) for e in edges]
        _add_edge(
            net,
            edges,
            lang,
            title=lines,
            width=3.5 if circular else 1.5,
            dashes=not circular,
            # a mutual guarantee is two arrows between one pair: bent apart, each keeps its label readable
            smooth={"enabled": True, "type": "curvedCW", "roundness": 0.25},
        )
    net.options = _options(hierarchical=False, nodes=len(nodes), edges=len(pairs))
    colour = EDGE_COLOURS["GUARANTEES"]
    rows = []
    if in_circle:
        rows.append(LegendEdge(colour, False, t("legend.in_circle", lang)))
    if on_chain:
        rows.append(LegendEdge(colour, True, t("legend.on_chain", lang)))
    legend = legend_html(_ordered(categories), [], lang, ["centre"], edge_rows=rows)
    return _page(net, legend, company.name, lang, freeze=len(nodes) > FREEZE_AFTER)


# -- parks ------------------------------------------------------------------------------
def _ring_slots(count: int) -> list[tuple[float, float]]:
    """Places on rings of ellipses around the centre: 8 on the first ring, 6 more on each next one."""
    slots: list[tuple[float, float]] = []
    ring = 1
    while len(slots) < count:
        size = min(8 + 6 * (ring - 1), count - len(slots))
        rx, ry = 80 + 150 * ring, 45 + 95 * ring
        for i in range(size):
            angle = -math.pi / 2 + 2 * math.pi * i / size + (math.pi / size if ring % 2 == 0 else 0.0)
            slots.append((rx * math.cos(angle), ry * math.sin(angle)))
        ring += 1
    return slots


def park_height(companies: int) -> int:
    """A drawing height (px) for :func:`park_html` with this many companies."""
    if companies == 0:
        return 200
    return 380 if companies <= 8 else 480


def park_html(park: Node, companies: Sequence[Node], lang: Lang, *, height: int = 460) -> str:
    """A park in the middle and its companies around it on rings, in the given order (the first
    ones, say the clients, on the inner ring)."""
    net = _new_network(height)
    categories: list[Category] = [node_category(park)]
    _add_node(net, park, lang, categories[0], "centre", x=0, y=0)
    for company, (x, y) in zip(companies, _ring_slots(len(companies)), strict=True):
        category = node_category(company)
        categories.append(category)
        _add_node(net, company, lang, category, None, x=round(x), y=round(y), widthConstraint={"maximum": 120})
    for company in companies:
        edge = Edge("LOCATED_IN", company.id, park.id, {}, 0.2)
        bend = {"enabled": True, "type": "curvedCW", "roundness": 0.12}  # clear of the boxes on inner rings
        _add_edge(net, [edge], lang, label="", title=[f"{company.name} → {park.name}"], smooth=bend)
    net.options = _options(hierarchical=False, nodes=len(companies) + 1, edges=len(companies), fixed="vertical")
    legend = legend_html(_ordered(categories), ["LOCATED_IN"] if companies else [], lang, ["centre"])
    return _page(net, legend, park.name, lang, freeze=False)


# -- exposure ---------------------------------------------------------------------------
def _exposure_paths(hits: Sequence[ExposureHit]) -> list[Path]:
    """Each hit's path turned round: from the flagged entity to the company."""
    return [Path(tuple(reversed(h.nodes)), tuple(reversed(h.edges)), 1.0) for h in hits if h.edges]


def exposure_height(hits: Sequence[ExposureHit]) -> int:
    """A drawing height (px) for :func:`exposure_html`: taller than a path drawing may be, as a risk
    officer reads every flagged entity in its column."""
    level = _levels(_exposure_paths(hits))
    widest = max(Counter(level.values()).values(), default=1)
    return max(300, min(960, 110 + 70 * widest))


def exposure_html(hits: Sequence[ExposureHit], lang: Lang, *, height: int | None = None) -> str:
    """The paths from the company to black-listed or closed entities: the flagged ones on the
    left, the company on the right (ringed), each relationship in its true direction.
    An empty string when there are no hits."""
    plain = _exposure_paths(hits)
    if not plain:
        return ""
    company = hits[0].company.id
    return _paths_page(
        plain,
        lang,
        prospect=None,
        marked={company: "centre"},
        far_starts=False,
        height=height,
        title=t("graph.exposure", lang),
    )


def _ordered(categories: Iterable[Category]) -> list[Category]:
    present = set(categories)
    return [c for c in NODE_STYLES if c in present]


def graph_json(html_text: str) -> dict[str, Any]:
    """The node and edge lists embedded in a page made here (for tests and debugging)."""
    out: dict[str, Any] = {}
    for name in ("nodes", "edges"):
        marker = f"var {name} = new vis.DataSet("
        start = html_text.index(marker) + len(marker)
        end = html_text.index(");\n", start)
        out[name] = json.loads(html_text[start:end])
    return out
