"""What every drawing shares: colours and shapes, the words on nodes and edges, the legend, and
the step that places the boxes and routes the edges (see :mod:`ui.layout`).

* nodes are coloured by what they are to the bank (client, prospect, other
  company, closed 注销/吊销, black-listed, person, park) and shaped by label
  (boxes for companies and parks, rounded for people), their names on one line;
* edges are coloured by kind, labelled in the chosen language ("董事长",
  "持股 35%", "供货 ¥1.2亿", "担保 ¥5000万", "园区") and point in the
  relationship's true direction, whichever way a path walks them;
* positions are computed here, physics is off in the browser.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from graph.model import Edge, Node
from graph.schema import load_schema
from queries.explain import edge_label
from queries.format import kind, money, status
from ui.i18n import Lang, t
from ui.layout import EDGE_FONT, Box, Point, label_size, node_size, route_edges
from ui.pyvis_net import FONT_FAMILY, Network

Category = Literal["prospect", "client", "company", "closed", "blacklisted", "person", "park", "ip", "association"]
Mark = Literal["endpoint", "centre", "core"]

CLOSED_STATUSES = frozenset({"revoked", "deregistered"})


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
    "ip": NodeStyle("#f9fbe7", "#827717", "#33300b"),
    "association": NodeStyle("#e8f5e9", "#43a047", "#1b5e20", dashes=True),
}
#: node labels drawn in a category of their own (a middle node two members share), by label
LABEL_CATEGORIES: dict[str, Category] = {"Park": "park", "IPRight": "ip", "Association": "association"}
#: every node is a box, so its label sits inside on one line; people get round ends, parks square corners
SHAPES: dict[str, str] = {"Company": "box", "Person": "box", "Park": "box", "IPRight": "box", "Association": "box"}
CORNERS: dict[str, float] = {"Company": 4, "Person": 16, "Park": 0, "IPRight": 0, "Association": 0}
#: the ring drawn around the entities a view was asked about
MARK_COLOUR = "#f9a825"
#: the ring of each mark: the entities asked about in amber, core partners in deep red
MARK_COLOURS: dict[Mark, str] = {"endpoint": MARK_COLOUR, "centre": MARK_COLOUR, "core": "#bf360c"}


class _KindColours(Mapping[str, str]):
    """Relationship type → its colour, as the schema in use declares it (in the schema's order)."""

    def __getitem__(self, type_: str) -> str:
        return load_schema().kinds[type_].colour

    def __iter__(self) -> Iterator[str]:
        return iter(load_schema().kinds)

    def __len__(self) -> int:
        return len(load_schema().kinds)


EDGE_COLOURS: Mapping[str, str] = _KindColours()
OTHER_EDGE_COLOUR = "#757575"


def dashed(type_: str) -> bool:
    """Whether a relationship type is drawn dashed (the schema's ``dashed``: a referral-only tie, a park)."""
    spec = load_schema().kinds.get(type_)
    return spec is not None and spec.dashed


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
    if node.label in LABEL_CATEGORIES:
        return LABEL_CATEGORIES[node.label]
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


def font_size(mark: Mark | None) -> int:
    """A node label's font size (px): larger for the entities a view was asked about."""
    return 15 if mark in ("endpoint", "centre") else 13


def add_node(
    net: Network, node: Node, lang: Lang, category: Category, mark: Mark | None, id_: str | None = None, **extra: Any
) -> None:
    """Draw ``node`` (as ``id_`` when one node is drawn twice) in its category's colours, ringed by ``mark``.

    The box is as wide as the name needs on one line (see :func:`ui.layout.node_size`)."""
    style = NODE_STYLES[category]
    border = MARK_COLOURS[mark] if mark else style.border
    colour = {
        "background": style.background,
        "border": border,
        "highlight": {"background": style.background, "border": "#212121"},
        "hover": {"background": style.background, "border": "#212121"},
    }
    size = font_size(mark)
    width, height = node_size(node.name, size)
    options: dict[str, Any] = {
        "title": _tooltip([node.name, *(f"{k}: {v}" for k, v in node_facts(node, lang))]),
        "font": {"color": style.font, "face": FONT_FAMILY, "size": size},
        "borderWidth": (3 if mark == "core" else 4) if mark else (2 if category in ("client", "prospect") else 1),
        "shapeProperties": {
            "borderDashes": [5, 4] if style.dashes else False,
            "borderRadius": CORNERS.get(node.label, 4),
        },
        "group_category": category,
        "margin": 8,
        "widthConstraint": {"minimum": width},
        "heightConstraint": {"minimum": height, "valign": "middle"},
    }
    if mark:
        options["mark"] = mark
    options.update(extra)
    net.add_node(
        node.id if id_ is None else id_, label=node.name, shape=SHAPES.get(node.label, "box"), color=colour, **options
    )


def add_more_node(net: Network, node_id: str, hidden: int, lang: Lang) -> None:
    """A grey "+M more" box standing for ``hidden`` neighbours left out of a crowded drawing."""
    label = t("graph.more", lang, n=hidden)
    width, height = node_size(label, 12)
    net.add_node(
        node_id,
        label=label,
        shape="box",
        color={"background": "#fafafa", "border": "#bdbdbd"},
        font={"color": "#616161", "face": FONT_FAMILY, "size": 12},
        borderWidth=1,
        shapeProperties={"borderDashes": [3, 3], "borderRadius": 4},
        title=t("graph.more_hint", lang, n=hidden),
        margin=8,
        widthConstraint={"minimum": width},
        heightConstraint={"minimum": height, "valign": "middle"},
        more=hidden,
    )


def add_edge(
    net: Network,
    edges: Sequence[Edge],
    lang: Lang,
    *,
    label: str | None = None,
    title: Sequence[str] | None = None,
    width: float | None = None,
    dashes: bool | None = None,
    source: str | None = None,
    target: str | None = None,
) -> None:
    """One drawn edge for one or more relationships between the same ends in the same direction.

    ``label``, ``title`` (tooltip lines), ``width`` and ``dashes`` replace what
    is drawn by default (the labels of the relationships, their details, the
    strongest one's strength, dashed for parks); ``source`` and ``target``
    the drawn ends (a node drawn twice).
    """
    strongest = max(edges, key=lambda e: e.strength)
    colour = EDGE_COLOURS.get(strongest.type, OTHER_EDGE_COLOUR)
    labels = list(dict.fromkeys(edge_label(e, lang) for e in edges))
    lines = [
        f"{kind(e.type, lang)}: {edge_label(e, lang)} ({', '.join(edge_details(e, lang))})"
        for e in sorted(edges, key=lambda e: -e.strength)
    ]
    net.add_edge(
        strongest.source if source is None else source,
        strongest.target if target is None else target,
        # several relationships between one pair: a line each, so the label stays narrow between columns
        label="\n".join(labels) if label is None else label,
        title=_tooltip(lines if title is None else title),
        color={"color": colour, "highlight": colour, "hover": colour},
        width=1 + 3 * strongest.strength if width is None else width,
        dashes=dashed(strongest.type) if dashes is None else dashes,
        font={
            "color": colour,
            "face": FONT_FAMILY,
            "size": EDGE_FONT,
            "strokeWidth": 4,
            "strokeColor": "#ffffff",
            "align": "horizontal",
        },
        kinds=sorted({e.type for e in edges}),
    )


def group_edges(edges: Iterable[Edge]) -> dict[tuple[str, str], list[Edge]]:
    """The relationships by (source, target), each once."""
    groups: dict[tuple[str, str], list[Edge]] = {}
    seen: set[tuple[str, str, str, str]] = set()
    for e in edges:
        ident = (e.type, e.source, e.target, str(e.props.get("_key", "")))
        if ident in seen:
            continue
        seen.add(ident)
        groups.setdefault((e.source, e.target), []).append(e)
    return groups


def node_sizes(net: Network) -> dict[str, tuple[float, float]]:
    """Each drawn node's box (width, height, px)."""
    return {
        str(n["id"]): (float(n["widthConstraint"]["minimum"]), float(n["heightConstraint"]["minimum"]))
        for n in net.nodes
    }


def edge_ends(net: Network) -> list[tuple[str, str, tuple[float, float] | None]]:
    """Each drawn edge's ends and its label's box (width, height), ``None`` without a label."""
    return [(str(e["from"]), str(e["to"]), label_size(e["label"]) if e.get("label") else None) for e in net.edges]


def options(*, edges: int) -> dict[str, Any]:
    """vis-network options: positions given with the nodes, physics off, straight edges unless bent."""
    return {
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "navigationButtons": False,
            "hideEdgesOnDrag": edges > 250,
            "hideEdgesOnZoom": edges > 250,
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.6}},
            "smooth": {"enabled": False},
            "selectionWidth": 2,
        },
        "nodes": {"shadow": False},
        "layout": {"hierarchical": {"enabled": False}, "improvedLayout": False},
        "physics": {"enabled": False},
    }


def arrange(net: Network, positions: Mapping[str, Point], flow: Literal["horizontal", "vertical"] | None = None) -> int:
    """Put every node at its position and route every edge clear of the boxes and labels
    (see :func:`ui.layout.route_edges`, ``flow`` says whether the layers are columns or rows);
    physics off. The number of conflicts no route could avoid (0 for a clean drawing)."""
    sizes = node_sizes(net)
    boxes = {nid: Box(positions[nid][0], positions[nid][1], w, h) for nid, (w, h) in sizes.items()}
    for n in net.nodes:
        x, y = positions[str(n["id"])]
        n["x"], n["y"] = round(x, 1), round(y, 1)
        n["physics"] = False
    ends = edge_ends(net)
    # short edges first: they have the least room to bend, the long ones go round them
    order = sorted(
        range(len(ends)),
        key=lambda i: (
            (boxes[ends[i][0]].x - boxes[ends[i][1]].x) ** 2 + (boxes[ends[i][0]].y - boxes[ends[i][1]].y) ** 2
        ),
    )
    routes = route_edges(boxes, [ends[i] for i in order], flow)
    for i, route in zip(order, routes, strict=True):
        net.edges[i]["smooth"] = route.curve.smooth()
    net.options = options(edges=len(net.edges))
    return sum(r.conflicts for r in routes)


#: how much more room a drawing is given, in turn, until every edge and label is clear
SPREADS = (1.0, 1.6, 2.4, 3.5)


def arrange_spread(
    net: Network, layout: Callable[[float], Mapping[str, Point]], flow: Literal["horizontal", "vertical"] | None
) -> Mapping[str, Point]:
    """:func:`arrange` with the positions ``layout(spread)`` gives, spreading the drawing out (see
    :data:`SPREADS`) until no edge or label runs over anything; the cleanest if none is clean."""
    best: tuple[int, float] | None = None
    for spread in SPREADS:
        left = arrange(net, layout(spread), flow)
        if left == 0:
            return layout(spread)
        if best is None or left < best[0]:
            best = (left, spread)
    assert best is not None
    positions = layout(best[1])
    arrange(net, positions, flow)
    return positions


def drawing_height(
    positions: Mapping[str, Point], sizes: Mapping[str, tuple[float, float]], least: int, most: int
) -> int:
    """A drawing height (px) showing the laid-out boxes at full size when it can, within bounds."""
    if not positions:
        return least
    top = min(positions[n][1] - sizes[n][1] / 2 for n in positions)
    bottom = max(positions[n][1] + sizes[n][1] / 2 for n in positions)
    return max(least, min(most, round(bottom - top + 60)))


def types_drawn(groups: Mapping[tuple[str, str], Sequence[Edge]]) -> list[str]:
    """The relationship types among ``groups``, in the legend's order."""
    present = {e.type for g in groups.values() for e in g}
    return [t_ for t_ in EDGE_COLOURS if t_ in present] + sorted(present - set(EDGE_COLOURS))


def ordered(categories: Iterable[Category]) -> list[Category]:
    """The categories drawn, in the legend's order."""
    present = set(categories)
    return [c for c in NODE_STYLES if c in present]


def marks_in_order(marks: Iterable[Mark]) -> list[Mark]:
    """The marks drawn, in the legend's order."""
    present = set(marks)
    return [m for m in MARK_COLOURS if m in present]


# -- legend and page ----------------------------------------------------------------
@dataclass(frozen=True)
class LegendEdge:
    """One line of the legend's relationship part: colour, dashed or not, the words."""

    colour: str
    dashed: bool
    text: str


def _type_rows(types: Iterable[str], lang: Lang) -> list[LegendEdge]:
    return [
        LegendEdge(EDGE_COLOURS.get(type_, OTHER_EDGE_COLOUR), dashed(type_), kind(type_, lang))
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
    shape_of = {"person": "ellipse", "park": "square", "ip": "square", "association": "square"}
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
