"""A supply chain: suppliers in the columns on the left, tier by tier, customers on the right,
the company in the middle; amounts and shares on the arrows, core partners ringed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from graph.model import Edge, Node
from queries.explain import edge_label
from queries.format import money, percent
from queries.supply_chain import Partner, SupplyChain, SupplyLink
from ui.drawing import (
    Category,
    Mark,
    add_edge,
    add_node,
    arrange_spread,
    edge_details,
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

#: the height (px) of a legend drawn below the drawing instead of beside it
LEGEND_BELOW = 64
#: the height (px) of one row of boxes and the width (px) a column takes, for sizing the drawing
SUPPLY_ROW_GAP = 48
SUPPLY_COLUMN_GAP = 330


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
    net = Network(supply_chain_height(view) if height is None else height)
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
        add_node(net, n, lang, category, mark, id_=key)
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
        label = f"{amount} · {share}" if share and first else amount
        if lk.paid is not None:  # the bank's own transactions confirm the tie
            label = f"✓ {label}"
            details.insert(0, lk.paid.text(lang))
        add_edge(
            net,
            [edge],
            lang,
            label=label,
            title=[f"{lk.supplier.name} → {lk.customer.name}", edge_label(edge, lang), *details],
            width=1.0 + 5.0 * min(1.0, lk.share or 0.0),
        )
    across = {key: place for key, (_, place) in places.items()}
    sizes = node_sizes(net)

    def layout(spread: float) -> dict[str, Point]:
        gaps = layer_gaps(view.level, edge_ends(net), least=60 * spread)
        return layer_coordinates(view.level, across, sizes, gaps=gaps, spacing=26 * spread)

    arrange_spread(net, layout, "horizontal")
    text: dict[Mark, str] = {"core": t("legend.core_partner", lang, share=percent(core_share))}
    legend = legend_html(ordered(categories), ["SUPPLIES"], lang, marks_in_order(marks), mark_text=text)
    return page(net, legend, chain.company.name, lang, legend_below=True)
