"""The explorer's drawings, importable from one place: paths, neighbourhoods, supply chains,
ownership, guarantees, exposure and parks as interactive network HTML.

Each picture has its own module (``ui/draw_*.py``); what they share (colours,
words, legend, placing) is :mod:`ui.drawing`, the geometry is :mod:`ui.layout`,
and :mod:`ui.pyvis_net` is the only module that touches pyvis, so it can be
swapped in one place. Every drawing is laid out in Python (physics off in the
browser), so that labels stay legible and edges clear of unrelated boxes, and
works offline (vis-network inlined, or served by the explorer itself).

>>> from graph.model import Edge, Node, Path
>>> a = Node("Company:A", "Company", "A", "甲公司", {"is_client": True})
>>> b = Node("Company:B", "Company", "B", "乙公司")
>>> html = paths_graph_html([Path((a, b), (Edge("SUPPLIES", "Company:A", "Company:B", {"amount": 1.2e8}),), 0.8)], "zh")
>>> "甲公司" in html and "供货 ¥1.2亿" in html
True
"""

from __future__ import annotations

from ui.draw_guarantee import guarantee_height, guarantee_html
from ui.draw_neighbourhood import FIRST_RING, PER_NODE, neighbourhood_html
from ui.draw_ownership import ownership_height, ownership_html
from ui.draw_park import park_height, park_html
from ui.draw_paths import exposure_height, exposure_html, paths_graph_height, paths_graph_html
from ui.draw_supply import LEGEND_BELOW, DrawnLink, SupplyView, supply_chain_height, supply_chain_html, supply_view
from ui.drawing import (
    CLOSED_STATUSES,
    EDGE_COLOURS,
    MARK_COLOUR,
    MARK_COLOURS,
    NODE_STYLES,
    Category,
    LegendEdge,
    Mark,
    edge_details,
    format_date,
    legend_html,
    mask_id_number,
    node_category,
    node_facts,
)
from ui.layout import layered_positions
from ui.pyvis_net import graph_json

__all__ = [
    "CLOSED_STATUSES",
    "EDGE_COLOURS",
    "FIRST_RING",
    "LEGEND_BELOW",
    "MARK_COLOUR",
    "MARK_COLOURS",
    "NODE_STYLES",
    "PER_NODE",
    "Category",
    "DrawnLink",
    "LegendEdge",
    "Mark",
    "SupplyView",
    "edge_details",
    "exposure_height",
    "exposure_html",
    "format_date",
    "graph_json",
    "guarantee_height",
    "guarantee_html",
    "layered_positions",
    "legend_html",
    "mask_id_number",
    "neighbourhood_html",
    "node_category",
    "node_facts",
    "ownership_height",
    "ownership_html",
    "park_height",
    "park_html",
    "paths_graph_height",
    "paths_graph_html",
    "supply_chain_height",
    "supply_chain_html",
    "supply_view",
]
