"""Guarantee circles and chains around a company: every guarantee an arrow guarantor → borrower
with its amount, those inside a circle solid and thick, those only on a chain dashed; the
company in the middle column, the others in columns by their distance from it."""

from __future__ import annotations

from collections.abc import Sequence

from graph.model import Edge, Node
from queries.explain import edge_label
from queries.guarantees import Circle, GuaranteeChain, GuaranteeLink
from ui.draw_neighbourhood import centred_positions, keep, sides, untangle
from ui.drawing import (
    EDGE_COLOURS,
    Category,
    LegendEdge,
    add_edge,
    add_node,
    arrange_spread,
    edge_details,
    legend_html,
    node_category,
    ordered,
)
from ui.i18n import Lang, t
from ui.pyvis_net import Network, page


def _guarantee_edge(link: GuaranteeLink) -> Edge:
    props = {"amount": link.amount, "start": link.start, "end": link.end, "type": link.type}
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
    net = Network(height)
    categories: list[Category] = []
    for nid, n in nodes.items():
        category = node_category(n)
        categories.append(category)
        add_node(net, n, lang, category, "centre" if nid == company.id else None)
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
        add_edge(
            net,
            edges,
            lang,
            title=lines,
            width=3.5 if circular else 1.5,
            dashes=not circular,
        )
    near: dict[str, dict[str, float]] = {nid: {} for nid in nodes}
    for a, b in pairs:
        near[a][b] = near[b][a] = 1.0
    many = len(nodes)
    kept = keep(list(nodes), company.id, near, first_ring=many, per_node=many, most=many)
    side = sides(kept, company.id, near)
    column = {nid: side[nid] * kept.distance[nid] for nid in nodes}
    untangle(column, list(pairs), company.id)
    # a mutual guarantee is two arrows between one pair: the router bends the second clear of the first
    arrange_spread(net, lambda spread: centred_positions(net, company.id, column, {}, spread), "horizontal")
    colour = EDGE_COLOURS["GUARANTEES"]
    rows = []
    if in_circle:
        rows.append(LegendEdge(colour, False, t("legend.in_circle", lang)))
    if on_chain:
        rows.append(LegendEdge(colour, True, t("legend.on_chain", lang)))
    legend = legend_html(ordered(categories), [], lang, ["centre"], edge_rows=rows)
    return page(net, legend, company.name, lang)
