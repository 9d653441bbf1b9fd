"""A neighbourhood: the entity asked about in the middle column, its neighbours in the columns
either side, their neighbours further out; a crowded one is cut to its strongest ties with a
"+M more" box where some were left out, so a 2-hop view stays readable at its full size."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from graph.model import Edge, Node
from ui.drawing import (
    Category,
    Mark,
    add_edge,
    add_more_node,
    add_node,
    arrange_spread,
    edge_ends,
    group_edges,
    legend_html,
    node_category,
    node_sizes,
    ordered,
    types_drawn,
)
from ui.i18n import Lang
from ui.layout import Point, barycentre_order, layer_coordinates, layer_gaps
from ui.pyvis_net import Network, page

#: at most this many direct neighbours are drawn, the strongest ties first
FIRST_RING = 8
#: at most this many further neighbours hang off each drawn node
PER_NODE = 2
#: at most this many entities are drawn in all (the "+M more" boxes aside)
MOST = 28
#: the colour of the line to a "+M more" box
MORE_COLOUR = "#bdbdbd"


@dataclass(frozen=True)
class Kept:
    """What a capped neighbourhood draws: each kept node's distance and side, and who was cut."""

    distance: dict[str, int]
    parent: dict[str, str]
    hidden: dict[str, int]  # drawn node id -> how many of its further neighbours were left out


def _adjacency(
    ids: Iterable[str], pairs: Iterable[tuple[str, str]], weight: Mapping[tuple[str, str], float]
) -> dict[str, dict[str, float]]:
    near: dict[str, dict[str, float]] = {n: {} for n in ids}
    for a, b in pairs:
        if a in near and b in near and a != b:
            w = weight.get((a, b), 0.0)
            near[a][b] = max(near[a].get(b, 0.0), w)
            near[b][a] = max(near[b].get(a, 0.0), w)
    return near


def keep(
    ids: Sequence[str],
    centre: str,
    near: Mapping[str, Mapping[str, float]],
    *,
    first_ring: int = FIRST_RING,
    per_node: int = PER_NODE,
    most: int = MOST,
) -> Kept:
    """The nodes a readable drawing keeps: breadth first from ``centre``, at most ``first_ring``
    direct neighbours and ``per_node`` new ones under each kept node, ``most`` in all, the strongest
    tie (then the best connected) first. Nodes not linked to the centre at all are kept one column further out."""
    distance = {centre: 0}
    parent: dict[str, str] = {}
    cut: dict[str, list[str]] = {}
    queue = deque([centre])
    while queue:
        here = queue.popleft()
        fresh = [n for n in near[here] if n not in distance]
        fresh.sort(key=lambda n: (-near[here][n], -len(near[n]), n))
        limit = max(0, min(first_ring if here == centre else per_node, most - len(distance)))
        for n in fresh[:limit]:
            distance[n] = distance[here] + 1
            parent[n] = here
            queue.append(n)
        cut[here] = fresh[limit:]
    # a node cut under one node may be drawn under another; the rest are counted once, where first cut
    counted: set[str] = set()
    hidden: dict[str, int] = {}
    for here, nodes in cut.items():
        left_out = [n for n in nodes if n not in distance and n not in counted]
        counted.update(left_out)
        if left_out:
            hidden[here] = len(left_out)
    # nodes cut everywhere stay cut; nodes with no link to the centre are drawn apart
    reachable = _reachable(centre, near)
    far = max(distance.values(), default=0) + 1
    for n in ids:
        if n not in reachable and n not in distance:
            distance[n] = far
    return Kept(distance, parent, hidden)


def _reachable(centre: str, near: Mapping[str, Mapping[str, float]]) -> set[str]:
    seen = {centre}
    stack = [centre]
    while stack:
        for m in near[stack.pop()]:
            if m not in seen:
                seen.add(m)
                stack.append(m)
    return seen


def sides(kept: Kept, centre: str, near: Mapping[str, Mapping[str, float]]) -> dict[str, int]:
    """+1 (right) or -1 (left) for each node: direct neighbours shared out so both sides hold about
    as many nodes, but linked ones on one side (a line between the sides would cross the centre);
    further ones on the side of the node they hang off."""
    below: dict[str, int] = {}
    for n in sorted(kept.distance, key=lambda n: -kept.distance[n]):
        if n in kept.parent:
            below[kept.parent[n]] = below.get(kept.parent[n], 0) + 1 + below.get(n, 0)
    side: dict[str, int] = {centre: 0}
    load = {1: 0, -1: 0}
    for n in (n for n in kept.distance if kept.distance[n] == 1):
        linked = [side[m] for m in near[n] if m != centre and kept.distance.get(m) == 1 and m in side]
        s = linked[0] if linked else (1 if load[1] <= load[-1] else -1)
        side[n] = s
        load[s] += 1 + below.get(n, 0) + (1 if n in kept.hidden else 0)
    for n in sorted(kept.distance, key=lambda n: kept.distance[n]):
        if n not in side:
            side[n] = side.get(kept.parent.get(n, ""), 1) or 1
    return side


def untangle(column: dict[str, int], links: Sequence[tuple[str, str]], centre: str, rounds: int = 4) -> None:
    """Move a node one column outward when it is linked to a node in its own column (a line down a
    column runs through the boxes between), the later of the two in ``links`` order."""
    for _ in range(rounds):
        moved = False
        for a, b in links:
            if a == b or centre in (a, b) or a not in column or b not in column or column[a] != column[b]:
                continue
            column[b] += 1 if column[b] > 0 else -1
            moved = True
        if not moved:
            return


def side_by_side(
    column: Mapping[str, int], across: Mapping[str, float], links: Sequence[tuple[str, str]]
) -> dict[str, float]:
    """Places across the columns with each pair linked inside one column next to each other (the
    second moved just after the first), so the line between them crosses no other box."""
    order: dict[int, list[str]] = {}
    for n in sorted(column, key=lambda n: (across.get(n, 0.0), n)):
        order.setdefault(column[n], []).append(n)
    for a, b in links:
        if a == b or a not in column or b not in column or column[a] != column[b]:
            continue
        ids = order[column[a]]
        if abs(ids.index(a) - ids.index(b)) > 1:
            ids.remove(b)
            ids.insert(ids.index(a) + 1, b)
    return {n: i - (len(ids) - 1) / 2 for ids in order.values() for i, n in enumerate(ids)}


def centred_positions(
    net: Network, centre: str, column: Mapping[str, int], start: Mapping[str, float], spread: float = 1.0
) -> dict[str, Point]:
    """Positions for a drawing in signed columns around ``centre`` (column 0), ordered by barycentre sweeps."""
    links = [(str(e["from"]), str(e["to"])) for e in net.edges]
    across = side_by_side(column, barycentre_order(column, links, start), links)
    gaps = layer_gaps(column, edge_ends(net), least=60 * spread)
    return layer_coordinates(column, across, node_sizes(net), gaps=gaps, spacing=26 * spread)


def neighbourhood_html(
    nodes: Mapping[str, Node] | Sequence[Node],
    edges: Sequence[Edge],
    centre: str,
    lang: Lang,
    *,
    height: int = 620,
    legend_below: bool = False,
    first_ring: int = FIRST_RING,
    per_node: int = PER_NODE,
) -> str:
    """A neighbourhood: ``nodes`` and the ``edges`` among them, ``centre`` ringed in the middle.

    Edges with an end outside ``nodes`` are left out; several relationships
    between the same two nodes in the same direction are drawn as one edge
    with all their labels (e.g. "董事长 · 持股 35%"). At most ``first_ring``
    direct neighbours and ``per_node`` further ones under each drawn node are
    drawn (strongest ties first); a grey "+M more" box says how many were
    left out. ``legend_below`` puts the legend under the drawing. When the
    whole is too wide to read (a 2-hop view), the page opens on the centre
    and its direct neighbours at a legible zoom, the rest a pan away.
    """
    by_id = dict(nodes) if isinstance(nodes, Mapping) else {n.id: n for n in nodes}
    groups = group_edges(e for e in edges if e.source in by_id and e.target in by_id)
    weight = {pair: max(e.strength for e in group) for pair, group in groups.items()}
    near = _adjacency(by_id, groups, weight)
    if centre in by_id:
        kept = keep(list(by_id), centre, near, first_ring=first_ring, per_node=per_node, most=MOST)
    else:
        kept = Kept(dict.fromkeys(by_id, 1), {}, {})
    side = sides(kept, centre, near) if centre in by_id else dict.fromkeys(by_id, 1)
    net = Network(height)
    categories: list[Category] = []
    for nid, n in by_id.items():
        if nid not in kept.distance:
            continue
        category = node_category(n)
        categories.append(category)
        add_node(net, n, lang, category, "centre" if nid == centre else None)
    drawn = {pair: g for pair, g in groups.items() if pair[0] in kept.distance and pair[1] in kept.distance}
    for group in drawn.values():
        add_edge(net, group, lang)
    column = {nid: side[nid] * d for nid, d in kept.distance.items()}
    untangle(column, list(drawn), centre)
    for nid, count in kept.hidden.items():
        more = f"more:{nid}"
        add_more_node(net, more, count, lang)
        outward = side[nid] or (
            1 if sum(1 for s in side.values() if s > 0) <= sum(1 for s in side.values() if s < 0) else -1
        )
        column[more] = column[nid] + outward
        net.add_edge(nid, more, label="", color={"color": MORE_COLOUR}, dashes=True, width=1, arrows="")
    start = {nid: -max(near.get(nid, {}).values(), default=0.0) for nid in column}
    arrange_spread(net, lambda spread: centred_positions(net, centre, column, start, spread), "horizontal")
    marks: list[Mark] = ["centre"] if centre in by_id else []
    legend = legend_html(ordered(categories), types_drawn(drawn), lang, marks)
    name = by_id[centre].name if centre in by_id else ""
    # too wide to read whole (a 2-hop view): it opens on the centre and its direct neighbours
    focus = [nid for nid, d in kept.distance.items() if d <= 1] if centre in by_id else []
    return page(net, legend, name, lang, legend_below=legend_below, focus=focus, centre=centre)
