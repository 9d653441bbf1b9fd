"""Paths drawn together (introductions, connections, exposure): introducers in the left column,
the target in the right one, a column per hop and a row per path.

A node on several paths is drawn once, at the median row of its paths, so
each path reads left to right along its own row.

>>> from graph.model import Edge, Node, Path
>>> a = Node("Company:A", "Company", "A", "甲公司", {"is_client": True})
>>> b = Node("Company:B", "Company", "B", "乙公司")
>>> html = paths_graph_html([Path((a, b), (Edge("SUPPLIES", "Company:A", "Company:B", {"amount": 1.2e8}),), 0.8)], "zh")
>>> "甲公司" in html and "供货 ¥1.2亿" in html
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from graph.model import Path
from queries.guarantees import ExposureHit
from queries.paths import ExplainedPath
from ui.drawing import (
    Category,
    Mark,
    add_edge,
    add_node,
    arrange_spread,
    drawing_height,
    edge_ends,
    group_edges,
    legend_html,
    node_category,
    node_sizes,
    ordered,
    types_drawn,
)
from ui.i18n import Lang, t
from ui.layout import Point, layer_coordinates, layer_gaps, median_rows
from ui.pyvis_net import Network, page

#: the least room (px) between two columns of a path drawing
PATH_GAP = 110
#: the least and most height (px) of a path drawing
LEAST_HEIGHT = 300
MOST_HEIGHT = 720


def _as_path(p: ExplainedPath | Path) -> Path:
    return p.path if isinstance(p, ExplainedPath) else p


def _levels(paths: Sequence[Path]) -> dict[str, int]:
    """Each node's distance (in hops along its paths) from the target; the least where it is on several."""
    level: dict[str, int] = {}
    for p in paths:
        for i, n in enumerate(p.nodes):
            level[n.id] = min(level.get(n.id, p.hops - i), p.hops - i)
    return level


def _rows(paths: Sequence[Path]) -> dict[str, float]:
    rows: dict[str, list[int]] = {}
    for row, p in enumerate(paths):
        for n in p.nodes:
            rows.setdefault(n.id, [])
            if row not in rows[n.id]:
                rows[n.id].append(row)
    return median_rows(rows)


def paths_graph_height(paths: Sequence[ExplainedPath] | Sequence[Path]) -> int:
    """A drawing height (px) that suits the paths: a row per path (or per node of the fullest column)."""
    plain = [_as_path(p) for p in paths]
    widest = max(Counter(_levels(plain).values()).values(), default=1)
    return max(LEAST_HEIGHT, min(MOST_HEIGHT, 80 + 50 * max(widest, len(plain))))


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
        return paths_page(plain, lang, prospect=None, marked=marked, far_starts=True, height=height)
    return paths_page(plain, lang, prospect=target, marked={}, far_starts=False, height=height)


def path_positions(
    plain: Sequence[Path], level: Mapping[str, int], net: Network, spread: float = 1.0
) -> dict[str, Point]:
    """Columns by ``level`` (0, the target, on the right), rows by path."""
    far = max(level.values(), default=0)
    column = {nid: far - lv for nid, lv in level.items()}
    # wide gaps keep a line between rows far apart shallow, so it clears the boxes beside its ends
    gaps = layer_gaps(column, edge_ends(net), least=PATH_GAP * spread)
    return layer_coordinates(column, _rows(plain), node_sizes(net), gaps=gaps, spacing=26 * spread)


def paths_page(
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
    level = _levels(plain)
    if far_starts and level:
        # one start for every path: put it at the far left, whatever the length of its shortest path
        far = max(level.values())
        level.update(dict.fromkeys({p.nodes[0].id for p in plain}, far))
    nodes = {n.id: n for p in plain for n in p.nodes}
    net = Network(height or LEAST_HEIGHT)
    categories: list[Category] = []
    marks: list[Mark] = []
    for nid, n in nodes.items():
        category = node_category(n, prospect)
        mark = marked.get(nid)
        categories.append(category)
        if mark:
            marks.append(mark)
        add_node(net, n, lang, category, mark, level=level[nid])
    groups = group_edges(e for p in plain for e in p.edges)
    for group in groups.values():
        add_edge(net, group, lang)
    positions = arrange_spread(net, lambda spread: path_positions(plain, level, net, spread), "horizontal")
    if height is None:
        net.height = drawing_height(positions, node_sizes(net), LEAST_HEIGHT, MOST_HEIGHT)
    legend = legend_html(ordered(categories), types_drawn(groups), lang, marks)
    return page(net, legend, title or t("graph.title", lang), lang)


# -- exposure ---------------------------------------------------------------------------
def _exposure_paths(hits: Sequence[ExposureHit]) -> list[Path]:
    """Each hit's path turned round: from the flagged entity to the company."""
    return [Path(tuple(reversed(h.nodes)), tuple(reversed(h.edges)), 1.0) for h in hits if h.edges]


def exposure_height(hits: Sequence[ExposureHit]) -> int:
    """A drawing height (px) for :func:`exposure_html`: taller than a path drawing may be, as a risk
    officer reads every flagged entity in its column."""
    plain = _exposure_paths(hits)
    widest = max(Counter(_levels(plain).values()).values(), default=1)
    return max(300, min(960, 80 + 50 * max(widest, len(plain))))


def exposure_html(hits: Sequence[ExposureHit], lang: Lang, *, height: int | None = None) -> str:
    """The paths from the company to black-listed or closed entities: the flagged ones on the
    left, the company on the right (ringed), each relationship in its true direction.
    An empty string when there are no hits."""
    plain = _exposure_paths(hits)
    if not plain:
        return ""
    company = hits[0].company.id
    return paths_page(
        plain,
        lang,
        prospect=None,
        marked={company: "centre"},
        far_starts=False,
        height=height,
        title=t("graph.exposure", lang),
    )
