"""Where things go in a drawing, computed in Python so that it can be tested.

vis-network draws what it is given with physics off: every node at the place
computed here, every edge straight or bent by one of vis-network's curves,
its label at the curve's middle. This module sizes the boxes from their
labels (one line, never wrapped: a CJK character counts as two), puts them
in layers (columns or rows) ordered so that lines cross little, and routes
each edge so that neither the edge nor its label runs over a box other than
its ends, and labels keep clear of one another.

>>> text_units("苏州AB")
6
>>> Box(0, 0, 10, 10).overlaps(Box(9, 0, 10, 10)), Box(0, 0, 10, 10).overlaps(Box(11, 0, 10, 10))
(True, False)
>>> segment_hits_box((-10, 0), (10, 0), Box(0, 0, 4, 4)), segment_hits_box((-10, 5), (10, 5), Box(0, 0, 4, 4))
(True, False)
"""

from __future__ import annotations

import math
import statistics
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

Point = tuple[float, float]
CurveType = Literal["straight", "curvedCW", "curvedCCW", "horizontal", "vertical"]

#: width of a half-width character as a share of the font size (generous, so a label is never cut)
CHAR_WIDTH = 0.62
#: the space (px) inside a node's box around its label
NODE_MARGIN = 8
#: edge labels' font size (px)
EDGE_FONT = 12
#: the gap (px) kept between boxes and around edge labels
CLEARANCE = 6
#: room (px) for an arrowhead between a label and the box it points at
ARROW_ROOM = 16
#: the curves tried, in order, when a straight edge would run over a box or a label
ROUNDNESS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def text_units(text: str) -> int:
    """The width of ``text`` in half-width characters: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def text_width(text: str, size: float) -> float:
    """An upper estimate of the width (px) of ``text`` on one line at font ``size``."""
    return text_units(text) * CHAR_WIDTH * size


def node_size(label: str, size: float) -> tuple[float, float]:
    """The box (width, height, px) a node label at font ``size`` needs on one line."""
    return (math.ceil(text_width(label, size) + 2 * NODE_MARGIN + 4), math.ceil(size * 1.2 + 2 * NODE_MARGIN))


def label_size(label: str, size: float = EDGE_FONT) -> tuple[float, float]:
    """The box (width, height, px) of an edge label at font ``size``, a line for each ``\\n``."""
    lines = label.split("\n")
    return (math.ceil(max(text_width(line, size) for line in lines) + 4), math.ceil(size * 1.3 * len(lines) + 2))


@dataclass(frozen=True)
class Box:
    """An axis-aligned box by its centre and size."""

    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: Box, pad: float = 0.0) -> bool:
        """Whether the two boxes, each grown by ``pad`` on every side, overlap."""
        return (
            abs(self.x - other.x) * 2 < self.w + other.w + 4 * pad
            and abs(self.y - other.y) * 2 < self.h + other.h + 4 * pad
        )


def segment_hits_box(p: Point, q: Point, box: Box, pad: float = 0.0) -> bool:
    """Whether the segment ``p``–``q`` passes through ``box`` grown by ``pad`` (Liang–Barsky clipping)."""
    x0, x1 = box.x - box.w / 2 - pad, box.x + box.w / 2 + pad
    y0, y1 = box.y - box.h / 2 - pad, box.y + box.h / 2 + pad
    dx, dy = q[0] - p[0], q[1] - p[1]
    lo, hi = 0.0, 1.0
    for d, start, low, high in ((dx, p[0], x0, x1), (dy, p[1], y0, y1)):
        if d == 0:
            if start < low or start > high:
                return False
            continue
        t0, t1 = (low - start) / d, (high - start) / d
        if t0 > t1:
            t0, t1 = t1, t0
        lo, hi = max(lo, t0), min(hi, t1)
        if lo > hi:
            return False
    return True


# -- curves as vis-network draws them ------------------------------------------------------------
@dataclass(frozen=True)
class Curve:
    """How an edge is drawn: straight; bent clockwise or anticlockwise by ``roundness``; or an S
    (vis-network's cubic Bézier) that leaves and enters its boxes ``horizontal`` or ``vertical``."""

    type: CurveType = "straight"
    roundness: float = 0.0

    def smooth(self) -> dict[str, object]:
        """The edge's ``smooth`` option for vis-network."""
        if self.type == "straight":
            return {"enabled": False}
        if self.type in ("horizontal", "vertical"):
            return {"enabled": True, "type": "cubicBezier", "forceDirection": self.type, "roundness": self.roundness}
        return {"enabled": True, "type": self.type, "roundness": self.roundness}


def via_points(a: Point, b: Point, curve: Curve) -> list[Point]:
    """The control points of the edge from ``a`` to ``b``, as vis-network 9.1 computes them."""
    if curve.type == "straight":
        return []
    if curve.type in ("horizontal", "vertical"):
        dx, dy, r = a[0] - b[0], a[1] - b[1], curve.roundness
        if curve.type == "horizontal":
            return [(a[0] - r * dx, a[1]), (b[0] + r * dx, b[1])]
        return [(a[0], a[1] - r * dy), (b[0], b[1] + r * dy)]
    dx, dy = b[0] - a[0], a[1] - b[1]
    radius = math.hypot(dx, dy)
    r = curve.roundness if curve.type == "curvedCW" else -curve.roundness
    angle = (math.atan2(dy, dx) + (0.5 * r + 0.5) * math.pi) % (2 * math.pi)
    reach = (0.5 * curve.roundness + 0.5) * radius
    return [(a[0] + reach * math.sin(angle), a[1] + reach * math.cos(angle))]


def curve_point(a: Point, b: Point, curve: Curve, t: float) -> Point:
    """The point at ``t`` (0 to 1) along the edge (a Bézier curve through its control points)."""
    points = [a, *via_points(a, b, curve), b]
    while len(points) > 1:  # de Casteljau
        points = [(p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t) for p, q in pairwise(points)]
    return points[0]


def curve_polyline(a: Point, b: Point, curve: Curve, steps: int = 24) -> list[Point]:
    """The edge as a polyline of ``steps`` segments."""
    if curve.type == "straight":
        return [a, b]
    return [curve_point(a, b, curve, i / steps) for i in range(steps + 1)]


@dataclass(frozen=True)
class EdgeRoute:
    """An edge as routed: its curve and its label's box (``None`` without a label)."""

    curve: Curve
    label: Box | None
    conflicts: int


def _conflicts(
    boxes: Mapping[str, Box], ends: tuple[str, str], line: Sequence[Point], label: Box | None, labels: Iterable[Box]
) -> int:
    count = 0
    pad = CLEARANCE / 2
    xs, ys = [p[0] for p in line], [p[1] for p in line]
    span = Box((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2, max(xs) - min(xs), max(ys) - min(ys))
    for nid, box in boxes.items():
        if label is not None and label.overlaps(box, pad):
            count += 1
        if nid in ends or not span.overlaps(box, pad):
            continue
        if any(segment_hits_box(p, q, box, pad) for p, q in pairwise(line)):
            count += 1
    if label is not None:
        count += sum(1 for other in labels if label.overlaps(other, CLEARANCE / 2))
    return count


def route_edges(
    boxes: Mapping[str, Box],
    edges: Sequence[tuple[str, str, tuple[float, float] | None]],
    flow: Literal["horizontal", "vertical"] | None = None,
) -> list[EdgeRoute]:
    """Curves for ``edges`` (source, target, label size) that keep them and their labels clear.

    Each edge is drawn straight if it can be; otherwise bent one way or the
    other, a little, then more. Its label sits at the curve's middle (where
    vis-network puts it) and must clear every box, including its ends (so
    no arrowhead covers it), and the labels routed before it. An edge that
    no curve clears gets the one with the fewest conflicts. In a drawing in
    columns (rows), ``flow`` tries S-curves that leave a box sideways (up or
    down) first, as they keep clear of the boxes beside (above) its ends.
    """
    candidates = [Curve()]
    if flow is not None:
        candidates += [Curve(flow, r) for r in (0.5, 0.35, 0.65, 0.2, 0.8)]
    candidates += [Curve(kind, r) for r in ROUNDNESS for kind in ("curvedCW", "curvedCCW")]
    routes: list[EdgeRoute] = []
    for source, target, size in edges:
        routes.append(_best_route(boxes, source, target, size, candidates, [r.label for r in routes if r.label]))
    # then again, each tangled edge against all the others, so one that could not move lets another move
    for _ in range(3):
        changed = False
        for i, (source, target, size) in enumerate(edges):
            others = [r.label for j, r in enumerate(routes) if j != i and r.label is not None]
            a, b = (boxes[source].x, boxes[source].y), (boxes[target].x, boxes[target].y)
            now = _conflicts(boxes, (source, target), curve_polyline(a, b, routes[i].curve), routes[i].label, others)
            if now == 0:
                continue
            better = _best_route(boxes, source, target, size, candidates, others)
            if better.conflicts < now:
                routes[i] = better
                changed = True
        if not changed:
            break
    # what is left, each edge against all the others
    final = []
    for i, (source, target, _) in enumerate(edges):
        others = [r.label for j, r in enumerate(routes) if j != i and r.label is not None]
        a, b = (boxes[source].x, boxes[source].y), (boxes[target].x, boxes[target].y)
        line = curve_polyline(a, b, routes[i].curve)
        final.append(
            EdgeRoute(
                routes[i].curve, routes[i].label, _conflicts(boxes, (source, target), line, routes[i].label, others)
            )
        )
    return final


def _best_route(
    boxes: Mapping[str, Box],
    source: str,
    target: str,
    size: tuple[float, float] | None,
    candidates: Sequence[Curve],
    labels: Sequence[Box],
) -> EdgeRoute:
    a, b = (boxes[source].x, boxes[source].y), (boxes[target].x, boxes[target].y)
    best: EdgeRoute | None = None
    for curve in candidates:
        mid = curve_point(a, b, curve, 0.5)
        label = Box(mid[0], mid[1], size[0], size[1]) if size else None
        found = EdgeRoute(curve, label, _conflicts(boxes, (source, target), curve_polyline(a, b, curve), label, labels))
        if best is None or found.conflicts < best.conflicts:
            best = found
        if found.conflicts == 0:
            break
    assert best is not None
    return best


# -- layers ------------------------------------------------------------------------------------
def barycentre_order(
    layer: Mapping[str, int], links: Iterable[tuple[str, str]], start: Mapping[str, float], sweeps: int = 4
) -> dict[str, float]:
    """Each node's place across its layer after ``sweeps`` barycentre sweeps (down, then up, ...).

    A node moves to the mean place of its neighbours in the layer just
    swept; ties keep the ``start`` order. Places are 0, 1, 2 ... per layer,
    centred on 0.
    """
    neighbours: dict[str, set[str]] = {n: set() for n in layer}
    for a, b in links:
        if a in neighbours and b in neighbours and a != b:
            neighbours[a].add(b)
            neighbours[b].add(a)
    levels = sorted(set(layer.values()))
    members = {lv: sorted((n for n in layer if layer[n] == lv), key=lambda n: (start.get(n, 0.0), n)) for lv in levels}

    def places() -> dict[str, float]:
        return {n: i - (len(ns) - 1) / 2 for ns in members.values() for i, n in enumerate(ns)}

    place = places()
    for sweep in range(sweeps):
        order = levels[1:] if sweep % 2 == 0 else levels[-2::-1]
        for lv in order:
            previous = lv - 1 if sweep % 2 == 0 else lv + 1
            keys = {n: _barycentre(n, previous, place, neighbours, layer) for n in members[lv]}
            members[lv].sort(key=keys.__getitem__)
            place = places()
    return place


def _barycentre(
    n: str, previous: int, place: Mapping[str, float], neighbours: Mapping[str, set[str]], layer: Mapping[str, int]
) -> tuple[float, float, str]:
    near = [place[m] for m in neighbours[n] if layer[m] == previous]
    return (statistics.fmean(near) if near else place[n], place[n], n)


def layer_coordinates(
    layer: Mapping[str, int],
    across: Mapping[str, float],
    sizes: Mapping[str, tuple[float, float]],
    *,
    gaps: Mapping[int, float],
    vertical: bool = False,
    spacing: float = 26.0,
) -> dict[str, Point]:
    """Centres for nodes in layers: layer ``n`` a column (a row when ``vertical``), the next one
    ``gaps[n]`` px further (right, or down) beyond the widest box of each, every node at its
    ``across`` place (in slots of the tallest box) pushed along just enough to clear the one before."""
    along_extent = {n: (sizes[n][1] if vertical else sizes[n][0]) for n in layer}
    across_extent = {n: (sizes[n][0] if vertical else sizes[n][1]) for n in layer}
    levels = sorted(set(layer.values()))
    widest = {lv: max(along_extent[n] for n in layer if layer[n] == lv) for lv in levels}
    main: dict[int, float] = {}
    at = 0.0
    for i, lv in enumerate(levels):
        if i:
            before = levels[i - 1]
            at += widest[before] / 2 + gaps.get(before, 0.0) + widest[lv] / 2
        main[lv] = at
    slot = max(across_extent.values(), default=0.0) + spacing
    out: dict[str, Point] = {}
    for lv in levels:
        ids = sorted((n for n in layer if layer[n] == lv), key=lambda n: (across.get(n, 0.0), n))
        cross: list[float] = []
        for i, n in enumerate(ids):
            want = across.get(n, 0.0) * slot
            if i:
                prev = ids[i - 1]
                want = max(want, cross[-1] + (across_extent[prev] + across_extent[n]) / 2 + spacing)
            cross.append(want)
        wanted = [across.get(n, 0.0) * slot for n in ids]
        offset = (sum(wanted) - sum(cross)) / len(ids)  # pushed apart, but centred where they were wanted
        for n, c in zip(ids, cross, strict=True):
            out[n] = (c + offset, main[lv]) if vertical else (main[lv], c + offset)
    return out


def layer_gaps(
    layer: Mapping[str, int],
    edges: Iterable[tuple[str, str, tuple[float, float] | None]],
    *,
    vertical: bool = False,
    least: float = 60.0,
) -> dict[int, float]:
    """The room (px) after each layer: enough for the widest label (tallest, in rows) of the edges
    that start or end in it, with an arrowhead's room on each side."""
    gaps: dict[int, float] = {}
    for a, b, size in edges:
        if a not in layer or b not in layer:
            continue
        need = least
        if size is not None:
            need = max(need, (size[1] if vertical else size[0]) + 2 * (ARROW_ROOM + CLEARANCE))
        for lv in range(min(layer[a], layer[b]), max(layer[a], layer[b])):
            gaps[lv] = max(gaps.get(lv, least), need)
    return gaps


def median_rows(memberships: Mapping[str, Sequence[int]]) -> dict[str, float]:
    """Each node's row: the median of the rows (paths) it is on, so a shared node sits among them."""
    return {n: float(statistics.median(rows)) for n, rows in memberships.items() if rows}


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
