"""Ownership: the equity chains behind the beneficial owners and the actual controller, owners in
the top rows, the company at the bottom, each arrow a holding with its ratio."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from graph.model import Edge, Node
from queries.explain import edge_label
from queries.ownership import CONCERT, FAMILY, IN_CONCERT, BeneficialOwner, Controller
from ui.drawing import (
    Category,
    Mark,
    add_edge,
    add_node,
    arrange_spread,
    edge_ends,
    legend_html,
    marks_in_order,
    node_category,
    node_sizes,
    ordered,
)
from ui.i18n import Lang, t
from ui.layout import Point, layer_coordinates, layer_gaps, layered_positions
from ui.pyvis_net import Network, page

#: pixels a row of an ownership drawing takes, for sizing the drawing
OWNERSHIP_ROW_GAP = 110


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
            if not step.party:
                hold(step.holder, step.company, step.ratio, i + 1)
            for member in step.party:  # a controlling family: each member's own stake, not their sum
                if member.ratio is not None:
                    hold(member.person, step.company, member.ratio, i + 1)
    return _Holdings(nodes, ratios, depth)


def _family_ties(controller: Controller | None, drawn: Mapping[str, Node]) -> list[Edge]:
    """The family and concert ties that make a controlling party one (each member to the first), as drawn."""
    ties: list[Edge] = []
    for step in controller.chain if controller is not None else ():
        lead = step.party[0].person.id if step.party else ""
        for member in step.party[1:]:
            if member.relation is None or member.person.id not in drawn or lead not in drawn:
                continue
            if member.relation == IN_CONCERT:
                ties.append(Edge(CONCERT, member.person.id, lead, {}, 0.85))
            else:
                ties.append(Edge(FAMILY, member.person.id, lead, {"relation": member.relation}, 0.9))
    return ties


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
    if controller is not None:
        marked.update(n.id for n in controller.controllers)
    net = Network(ownership_height(company, owners, controller) if height is None else height)
    places = layered_positions(found.depth, company.id, found.ratios)
    categories: list[Category] = []
    marks: list[Mark] = []
    for nid, n in found.nodes.items():
        category = node_category(n)
        mark: Mark | None = "centre" if nid == company.id else ("core" if nid in marked else None)
        categories.append(category)
        if mark:
            marks.append(mark)
        add_node(net, n, lang, category, mark)
    for (holder, held), ratio in found.ratios.items():
        edge = Edge("HOLDS_SHARES", holder, held, {"ratio": ratio}, min(1.0, max(0.05, ratio)))
        names = f"{found.nodes[holder].name} → {found.nodes[held].name}"
        add_edge(net, [edge], lang, title=[names, edge_label(edge, lang)])
    ties = _family_ties(controller, found.nodes)
    for tie in ties:
        names = f"{found.nodes[tie.source].name} — {found.nodes[tie.target].name}"
        add_edge(net, [tie], lang, title=[names, edge_label(tie, lang)])
    # rows from the top: the deepest owners first, the company last; a holding that skips a row is bent
    top = max(found.depth.values())
    row = {nid: top - d for nid, d in found.depth.items()}
    across = {nid: place for nid, (_, place) in places.items()}
    sizes = node_sizes(net)

    def layout(spread: float) -> dict[str, Point]:
        gaps = layer_gaps(row, edge_ends(net), vertical=True, least=60 * spread)
        return layer_coordinates(row, across, sizes, gaps=gaps, vertical=True, spacing=24 * spread)

    arrange_spread(net, layout, "vertical")
    text: dict[Mark, str] = {"core": t("legend.owner", lang)}
    legend = legend_html(
        ordered(categories),
        ["HOLDS_SHARES", *dict.fromkeys(e.type for e in ties)],
        lang,
        marks_in_order(marks),
        mark_text=text,
    )
    return page(net, legend, company.name, lang)
