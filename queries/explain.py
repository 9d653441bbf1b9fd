"""One sentence per path that a relationship manager can read aloud.

Each hop is told in its true direction (the shareholder holds, the person
serves, the supplier supplies), whichever way the path walks it; clauses with
the same subject are merged, so a shared chairman reads as
"张三 is chairman of client A and a director of the prospect B".
"""

from __future__ import annotations

from collections.abc import Mapping

from graph.model import Edge, Node, Path
from graph.schema import KindSpec, load_schema
from graph.warmth import Weights
from queries.format import Lang, fill, is_former, kind, kind_spec, uses


def _tag(node: Node, first: Node, last: Node, lang: Lang, last_word: str) -> str:
    if node.id == first.id and node.is_client:
        return f"客户{node.name}" if lang == "zh" else f"client {node.name}"
    if node.id == last.id and last_word:
        return f"{last_word}{node.name}" if lang == "zh" else f"the {last_word} {node.name}"
    return node.name


def _predicate(edge: Edge, target: str, lang: Lang, kinds: Mapping[str, KindSpec] | None = None) -> str:
    """What the source of ``edge`` does, told from the schema's sentence templates of its kind."""
    spec = kind_spec(edge.type) if kinds is None else kinds.get(edge.type)
    text = None
    if spec is not None:
        use = "former_sentence" if is_former(spec, edge.props) else "sentence"
        text = fill(spec, use, edge.props, lang, {"target": target})
    if text is not None:
        return text
    return f"与{target}有{edge.type}关系" if lang == "zh" else f"has a {edge.type} relationship with {target}"


def clause(edge: Edge, source: str, target: str, lang: Lang = "zh", reverse: bool = False) -> str:
    """One relationship as a whole clause: the source as subject, or (``reverse``) the target as subject.

    >>> e = Edge("HOLDS_SHARES", "Person:p", "Company:b", {"ratio": 0.3}, 0.75)
    >>> clause(e, "张三", "乙公司"), clause(e, "Zhang San", "B Ltd", "en", reverse=True)
    ('张三持有乙公司 30%股权', 'B Ltd is 30% held by Zhang San')
    """
    spec = kind_spec(edge.type)
    names = {"source": source, "target": target}
    if reverse and spec is not None:
        former = is_former(spec, edge.props)
        text = fill(spec, "former_reverse" if former else "reverse", edge.props, lang, names)
        if text is None and former:
            text = fill(spec, "reverse", edge.props, lang, names)
        if text is not None:
            return text
    predicate = _predicate(edge, target, lang)
    return f"{source}{predicate}" if lang == "zh" else f"{source} {predicate}"


def _shared(
    edge: Edge, after: Edge | None, names: dict[str, str], lang: Lang, kinds: Mapping[str, KindSpec]
) -> str | None:
    """Two sources tied to one target by a kind that says so in one clause ("A and B are both in P")."""
    if after is None or edge.type != after.type or edge.target != after.target or edge.source == after.source:
        return None
    spec = kinds.get(edge.type)
    if spec is None or "shared" not in spec.texts:
        return None
    given = {"a": names[edge.source], "b": names[after.source], "target": names[edge.target]}
    return fill(spec, "shared", edge.props, lang, given)


def sentence(path: Path, lang: Lang = "zh", last_word: str | None = None) -> str:
    """The path as one plain sentence in Chinese (``zh``) or English (``en``).

    ``last_word`` names the role of the last node (default 潜客 / prospect).
    """
    word = ("潜客" if lang == "zh" else "prospect") if last_word is None else last_word
    kinds = load_schema().kinds  # once per sentence: the look-up is on the hot path of every answer
    first, last = path.nodes[0], path.nodes[-1]
    names = {n.id: _tag(n, first, last, lang, word) for n in path.nodes}
    clauses: list[tuple[str, list[str]]] = []
    edges = list(path.edges)
    i = 0
    while i < len(edges):
        edge = edges[i]
        after = edges[i + 1] if i + 1 < len(edges) else None
        shared = _shared(edge, after, names, lang, kinds)
        if shared is not None:
            # two companies in one park: "A and B are both in P"
            clauses.append((shared, []))
            i += 2
            continue
        i += 1
        subject = names[edge.source]
        pred = _predicate(edge, names[edge.target], lang, kinds)
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
    return hop_reasons(edge, weights, (lang,))[0]


def hop_reasons(edge: Edge, weights: Weights, langs: tuple[Lang, ...] = ("zh", "en")) -> tuple[str, ...]:
    """:func:`hop_reason` in each of ``langs``, the rule and its band worked out once for all of them.

    >>> from graph.warmth import load_weights
    >>> hop_reasons(Edge("HOLDS_SHARES", "Company:a", "Company:b", {"ratio": 0.3}, 0.75), load_weights())
    ('股权 30%（持股 ≥ 25%）', 'equity 30% (stake ≥ 25%)')
    """
    rule = weights.rules.get(edge.type)
    spec = rule.spec if rule is not None and rule.spec is not None else kind_spec(edge.type)
    if spec is None or rule is None:
        return tuple(kind(edge.type, lang) for lang in langs)
    former = is_former(spec, edge.props)
    use = "former_reason" if former and "former_reason" in spec.texts else "reason"
    if use not in spec.texts:
        return tuple(spec.name(lang) for lang in langs)
    bands: tuple[str, str] | None = None
    out: list[str] = []
    for lang in langs:
        names: dict[str, str] = {}
        if uses(spec, use, lang, "band"):  # the band is worded only where a template says it
            if bands is None:
                bands = rule.why(edge.props)
            names["band"] = bands[0] if lang == "zh" else bands[1]
        if uses(spec, use, lang, "former_factor"):
            names["former_factor"] = f"{rule.former_factor or 1:g}"
        out.append(fill(spec, use, edge.props, lang, names) or spec.name(lang))
    return tuple(out)


def edge_label(edge: Edge, lang: Lang = "zh") -> str:
    """The short label of a relationship: ``董事长``, ``持股 35%``, ``供货 ¥1.2亿``, ``担保 ¥5000万``, ``园区``.

    >>> edge_label(Edge("HOLDS_SHARES", "Person:p", "Company:b", {"ratio": 0.35}, 0.75), "en")
    'holds 35%'
    """
    spec = kind_spec(edge.type)
    if spec is None:
        return kind(edge.type, lang)
    use = "former_label" if is_former(spec, edge.props) and "former_label" in spec.texts else "label"
    return fill(spec, use, edge.props, lang) or kind(edge.type, lang)


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
