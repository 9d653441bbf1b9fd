"""A park in the middle and its companies on rings around it, in the given order (the first
ones, say the clients, on the inner ring); the rings as far apart as the widest name needs."""

from __future__ import annotations

import math
from collections.abc import Sequence

from graph.model import Edge, Node
from ui.drawing import Category, add_edge, add_node, arrange, legend_html, node_category, node_sizes, ordered
from ui.i18n import Lang
from ui.layout import CLEARANCE
from ui.pyvis_net import Network, page


def ring_slots(count: int, width: float, height: float) -> list[tuple[float, float]]:
    """Places on rings of ellipses around the centre: 8 on the first ring, 6 more on each next one,
    spaced so that boxes of ``width`` × ``height`` px neither touch each other nor the centre's."""
    step_x, step_y = width + 4 * CLEARANCE, height + 4 * CLEARANCE
    slots: list[tuple[float, float]] = []
    ring, reach = 1, 0.0
    while len(slots) < count:
        size = min(8 + 6 * (ring - 1), count - len(slots))
        full = 8 + 6 * (ring - 1)
        reach = max(reach + 1.3, 1.1 / math.sin(2 * math.pi / full) if full > 2 else 1.5)
        for i in range(size):
            angle = -math.pi / 2 + 2 * math.pi * i / size + (math.pi / size if ring % 2 == 0 else 0.0)
            slots.append((reach * step_x * math.cos(angle), reach * step_y * math.sin(angle)))
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
    net = Network(height)
    categories: list[Category] = [node_category(park)]
    add_node(net, park, lang, categories[0], "centre")
    for company in companies:
        category = node_category(company)
        categories.append(category)
        add_node(net, company, lang, category, None)
    for company in companies:
        edge = Edge("LOCATED_IN", company.id, park.id, {}, 0.2)
        add_edge(net, [edge], lang, label="", title=[f"{company.name} → {park.name}"])
    sizes = node_sizes(net)
    width = max((w for w, _ in sizes.values()), default=0.0)
    tall = max((h for _, h in sizes.values()), default=0.0)
    positions = {park.id: (0.0, 0.0)}
    slots = ring_slots(len(companies), width, tall)
    positions.update((c.id, (round(x), round(y))) for c, (x, y) in zip(companies, slots, strict=True))
    arrange(net, positions)
    legend = legend_html(ordered(categories), ["LOCATED_IN"] if companies else [], lang, ["centre"])
    return page(net, legend, park.name, lang)
