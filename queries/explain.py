"""One sentence per path that a relationship manager can read aloud.

Each hop is told in its true direction (the shareholder holds, the person
serves, the supplier supplies), whichever way the path walks it; clauses with
the same subject are merged, so a shared chairman reads as
"张三 is chairman of client A and a director of the prospect B".
"""

from __future__ import annotations

from graph.model import Edge, Node, Path
from graph.warmth import Weights
from queries.format import Lang, kind, money, percent, role


def _tag(node: Node, first: Node, last: Node, lang: Lang, last_word: str) -> str:
    if node.id == first.id and node.is_client:
        return f"客户{node.name}" if lang == "zh" else f"client {node.name}"
    if node.id == last.id and last_word:
        return f"{last_word}{node.name}" if lang == "zh" else f"the {last_word} {node.name}"
    return node.name


def _predicate(edge: Edge, target: str, lang: Lang) -> str:
    p = edge.props
    if edge.type == "SERVES_AS":
        title = str(p.get("role_text") or role(p.get("role"), "zh")) if lang == "zh" else role(p.get("role"), "en")
        former = p.get("until") is not None
        if lang == "zh":
            return f"{'曾任' if former else '任'}{target}{title}"
        return f"{'was' if former else 'is'} {title} of {target}"
    if edge.type == "HOLDS_SHARES":
        ratio = p.get("ratio")
        if lang == "zh":
            return f"持有{target} {percent(ratio)}股权" if ratio is not None else f"是{target}的股东"
        return f"holds {percent(ratio)} of {target}" if ratio is not None else f"is a shareholder of {target}"
    if edge.type == "SUPPLIES":
        amount = p.get("amount")
        if lang == "zh":
            return f"向{target}供货" + (f"(年{money(amount, 'zh')})" if amount is not None else "")
        return f"supplies {target}" + (f" ({money(amount, 'en')} a year)" if amount is not None else "")
    if edge.type == "GUARANTEES":
        amount = p.get("amount")
        if lang == "zh":
            return f"为{target}提供担保" + (f"({money(amount, 'zh')})" if amount is not None else "")
        return f"guarantees {target}'s loans" + (f" ({money(amount, 'en')})" if amount is not None else "")
    if edge.type == "LOCATED_IN":
        return f"位于{target}" if lang == "zh" else f"is located in {target}"
    return f"与{target}有{edge.type}关系" if lang == "zh" else f"has a {edge.type} relationship with {target}"


def sentence(path: Path, lang: Lang = "zh", last_word: str | None = None) -> str:
    """The path as one plain sentence in Chinese (``zh``) or English (``en``).

    ``last_word`` names the role of the last node (default 潜客 / prospect).
    """
    word = ("潜客" if lang == "zh" else "prospect") if last_word is None else last_word
    first, last = path.nodes[0], path.nodes[-1]
    names = {n.id: _tag(n, first, last, lang, word) for n in path.nodes}
    clauses: list[tuple[str, list[str]]] = []
    edges = list(path.edges)
    i = 0
    while i < len(edges):
        edge = edges[i]
        after = edges[i + 1] if i + 1 < len(edges) else None
        if (
            after is not None
            and edge.type == after.type == "LOCATED_IN"
            and edge.target == after.target
            and edge.source != after.source
        ):
            # two companies in one park: "A and B are both in P"
            a, b, park = names[edge.source], names[after.source], names[edge.target]
            clauses.append((f"{a}与{b}同在{park}" if lang == "zh" else f"{a} and {b} are both in {park}", []))
            i += 2
            continue
        i += 1
        subject = names[edge.source]
        pred = _predicate(edge, names[edge.target], lang)
        if clauses and clauses[-1][0] == subject:
            if lang == "en" and pred.startswith("is ") and clauses[-1][1][0].startswith("is "):
                pred = pred[3:]  # "is chairman of A and a director of B"
            clauses[-1][1].append(pred)
        else:
            clauses.append((subject, [pred]))
    if lang == "zh":
        parts = [subject + "，并".join(preds) for subject, preds in clauses]
        return "；".join(parts) + "。"
    parts = [(subject + " " + " and ".join(preds)) if preds else subject for subject, preds in clauses]
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def hop_reason(edge: Edge, weights: Weights, lang: Lang = "zh") -> str:
    """Why one hop has its strength, in words: the role, the stake or the amount, and the band it fell in.

    >>> from graph.warmth import load_weights
    >>> e = Edge("HOLDS_SHARES", "Company:a", "Company:b", {"ratio": 0.3}, 0.75)
    >>> hop_reason(e, load_weights(), "en")
    'equity 30% (stake ≥ 25%)'
    """
    p = edge.props
    zh = lang == "zh"
    if edge.type == "SERVES_AS":
        title = str(p.get("role_text") or role(p.get("role"), "zh")) if zh else role(p.get("role"), "en")
        if p.get("until") is not None:
            return (
                f"{title}（已离任 × {weights.former_factor:g}）"
                if zh
                else f"former {title} (× {weights.former_factor:g})"
            )
        return title
    band_zh, band_en = weights.why(edge.type, p)
    if edge.type == "HOLDS_SHARES":
        value = percent(p.get("ratio")) if p.get("ratio") is not None else ""
        return f"股权 {value}（{band_zh}）" if zh else f"equity {value} ({band_en})"
    if edge.type == "SUPPLIES":
        value = money(p.get("amount"), lang) if p.get("amount") is not None else ""
        return f"供货 {value}（{band_zh}）" if zh else f"supply {value} ({band_en})"
    return kind(edge.type, lang)


def _role_word(edge: Edge, lang: Lang) -> str:
    p = edge.props
    former = p.get("until") is not None
    if lang == "zh":
        word = str(p.get("role_text") or role(p.get("role"), "zh"))
        return ("曾任" + word) if former else word
    word = role(p.get("role"), "en").removeprefix("a ").removeprefix("an ")
    return ("former " + word) if former else word


def edge_label(edge: Edge, lang: Lang = "zh") -> str:
    """The short label of a relationship: ``董事长``, ``持股 35%``, ``供货 ¥1.2亿``, ``担保 ¥5000万``, ``园区``.

    >>> edge_label(Edge("HOLDS_SHARES", "Person:p", "Company:b", {"ratio": 0.35}, 0.75), "en")
    'holds 35%'
    """
    p = edge.props
    zh = lang == "zh"
    if edge.type == "SERVES_AS":
        return _role_word(edge, lang)
    if edge.type == "HOLDS_SHARES":
        if p.get("ratio") is None:
            return "股东" if zh else "shareholder"
        return f"持股 {percent(p.get('ratio'))}" if zh else f"holds {percent(p.get('ratio'))}"
    if edge.type in ("SUPPLIES", "GUARANTEES"):
        verb = {"SUPPLIES": ("供货", "supplies"), "GUARANTEES": ("担保", "guarantees")}[edge.type][0 if zh else 1]
        return verb if p.get("amount") is None else f"{verb} {money(p.get('amount'), lang)}"
    if edge.type == "LOCATED_IN":
        return "园区" if zh else "park"
    return kind(edge.type, lang)


def path_text(path: Path, lang: Lang = "zh") -> str:
    """The path on one line with each relationship and its true direction, for tables and exports.

    >>> from graph.model import Node
    >>> a = Node("Company:a", "Company", "a", "甲公司")
    >>> p = Node("Person:p", "Person", "p", "张三")
    >>> b = Node("Company:b", "Company", "b", "乙公司")
    >>> e1 = Edge("SERVES_AS", "Person:p", "Company:a", {"role": "chairman"}, 0.9)
    >>> e2 = Edge("HOLDS_SHARES", "Person:p", "Company:b", {"ratio": 0.3}, 0.75)
    >>> path_text(Path((a, p, b), (e1, e2), 0.675))
    '甲公司 ←董事长— 张三 —持股 30%→ 乙公司'
    """
    parts = [path.nodes[0].name]
    for node, edge in zip(path.nodes[1:], path.edges, strict=True):
        label = edge_label(edge, lang)
        forward = edge.target == node.id
        parts.append(f"—{label}→ {node.name}" if forward else f"←{label}— {node.name}")
    return " ".join(parts)
