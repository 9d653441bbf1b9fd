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
from queries.format import kind, money, percent, role, status
from queries.paths import ExplainedPath
from ui.i18n import Lang, t

Category = Literal["prospect", "client", "company", "closed", "blacklisted", "person", "park"]
Mark = Literal["endpoint", "centre"]

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


def _role_word(edge: Edge, lang: Lang) -> str:
    p = edge.props
    if lang == "zh":
        word = str(p.get("role_text") or role(p.get("role"), "zh"))
        return ("曾任" + word) if p.get("until") is not None else word
    word = role(p.get("role"), "en")
    for article in ("a ", "an "):
        if word.startswith(article):
            word = word[len(article) :]
    return ("former " + word) if p.get("until") is not None else word


def edge_label(edge: Edge, lang: Lang) -> str:
    """The short label drawn on an edge: ``董事长``, ``持股 35%``, ``供货 ¥1.2亿``, ``担保 ¥5000万``, ``园区``."""
    p = edge.props
    if edge.type == "SERVES_AS":
        return _role_word(edge, lang)
    if edge.type == "HOLDS_SHARES":
        ratio = p.get("ratio")
        return t("edge.shares", lang, ratio=percent(ratio)) if ratio is not None else t("edge.shareholder", lang)
    if edge.type == "SUPPLIES":
        amount = p.get("amount")
        return (
            t("edge.supplies", lang, amount=money(amount, lang))
            if amount is not None
            else t("edge.supplies_plain", lang)
        )
    if edge.type == "GUARANTEES":
        amount = p.get("amount")
        return (
            t("edge.guarantees", lang, amount=money(amount, lang))
            if amount is not None
            else t("edge.guarantees_plain", lang)
        )
    if edge.type == "LOCATED_IN":
        return t("edge.park", lang)
    return kind(edge.type, lang)


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


def _add_node(net: Network, node: Node, lang: Lang, category: Category, mark: Mark | None, **extra: Any) -> None:
    style = NODE_STYLES[category]
    shape = SHAPES.get(node.label, "dot")
    border = MARK_COLOUR if mark else style.border
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
        "size": 15 if mark else 13,
    }
    options: dict[str, Any] = {
        "title": _tooltip([node.name, *(f"{k}: {v}" for k, v in node_facts(node, lang))]),
        "font": font,
        "borderWidth": 4 if mark else (2 if category in ("client", "prospect") else 1),
        "shapeProperties": {"borderDashes": [5, 4] if style.dashes else False},
        "group_category": category,
    }
    if label_inside:
        options["widthConstraint"] = {"maximum": 150}
        options["margin"] = 8
    else:
        options["size"] = 22 if mark else 16
    if mark:
        options["mark"] = mark
    options.update(extra)
    net.add_node(node.id, label=node.name, shape=shape, color=colour, **options)


def _add_edge(net: Network, edges: Sequence[Edge], lang: Lang) -> None:
    """One drawn edge for one or more relationships between the same ends in the same direction."""
    strongest = max(edges, key=lambda e: e.strength)
    colour = EDGE_COLOURS.get(strongest.type, OTHER_EDGE_COLOUR)
    labels = list(dict.fromkeys(edge_label(e, lang) for e in edges))
    title = [
        f"{kind(e.type, lang)}: {edge_label(e, lang)} ({', '.join(edge_details(e, lang))})"
        for e in sorted(edges, key=lambda e: -e.strength)
    ]
    net.add_edge(
        strongest.source,
        strongest.target,
        label=" · ".join(labels),
        title=_tooltip(title),
        color={"color": colour, "highlight": colour, "hover": colour},
        width=1 + 3 * strongest.strength,
        dashes=strongest.type == "LOCATED_IN",
        font={"color": colour, "face": FONT_FAMILY, "size": 12, "strokeWidth": 3, "strokeColor": "#ffffff"},
        kinds=sorted({e.type for e in edges}),
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


def _options(*, hierarchical: bool, nodes: int, edges: int) -> dict[str, Any]:
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
def legend_html(categories: Iterable[Category], types: Iterable[str], lang: Lang, marks: Iterable[Mark] = ()) -> str:
    """The legend (HTML) for the node categories and relationship types drawn."""
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
        rows.append(
            f'<div class="gx-row"><span class="gx-swatch gx-box" '
            f'style="background:#fff;border:3px solid {MARK_COLOUR}"></span>'
            f"{html.escape(t('cat.' + mark, lang))}</div>"
        )
    types = list(dict.fromkeys(types))
    if types:
        rows.append('<div class="gx-legend-title">' + html.escape(t("legend.edges", lang)) + "</div>")
        for type_ in types:
            colour = EDGE_COLOURS.get(type_, OTHER_EDGE_COLOUR)
            dash = "dashed" if type_ == "LOCATED_IN" else "solid"
            rows.append(
                f'<div class="gx-row"><span class="gx-line" style="border-top:3px {dash} {colour}"></span>'
                f'<span class="gx-arrow" style="color:{colour}">&#9654;</span>{html.escape(kind(type_, lang))}</div>'
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
<div class="gx-wrap">
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


def _page(net: Network, legend: str, title: str, lang: Lang, *, freeze: bool) -> str:
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
    net = _new_network(paths_graph_height(plain) if height is None else height)
    target = plain[0].nodes[-1].id if plain else None
    starts = {p.nodes[0].id for p in plain}
    level = _levels(plain)
    if endpoints and level:
        # one start for every path: put it at the far left, whatever the length of its shortest path
        far = max(level.values())
        level.update(dict.fromkeys(starts, far))
    nodes = {n.id: n for p in plain for n in p.nodes}
    categories: list[Category] = []
    marks: list[Mark] = []
    for nid, n in nodes.items():
        category = node_category(n, None if endpoints else target)
        mark: Mark | None = "endpoint" if endpoints and (nid == target or nid in starts) else None
        categories.append(category)
        if mark:
            marks.append(mark)
        _add_node(net, n, lang, category, mark, level=level[nid])
    groups = _group_edges(e for p in plain for e in p.edges)
    for group in groups.values():
        _add_edge(net, group, lang)
    types = [t_ for t_ in EDGE_COLOURS if any(e.type == t_ for g in groups.values() for e in g)]
    types += sorted({e.type for g in groups.values() for e in g} - set(types))
    net.options = _options(hierarchical=True, nodes=len(nodes), edges=len(groups))
    legend = legend_html(_ordered(categories), types, lang, marks)
    title = t("graph.title", lang)
    return _page(net, legend, title, lang, freeze=False)


def neighbourhood_html(
    nodes: Mapping[str, Node] | Sequence[Node],
    edges: Sequence[Edge],
    centre: str,
    lang: Lang,
    *,
    height: int = 620,
) -> str:
    """A neighbourhood: ``nodes`` and the ``edges`` among them, ``centre`` ringed.

    Edges with an end outside ``nodes`` are left out; several relationships
    between the same two nodes in the same direction are drawn as one edge
    with all their labels (e.g. "董事长 · 持股 35%").
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
    return _page(net, legend, name, lang, freeze=len(by_id) > FREEZE_AFTER)


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
