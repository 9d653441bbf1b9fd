"""Shared plumbing for path questions: checking options, building the store query.

Both :mod:`queries.introductions` and :mod:`queries.connections` take the
same options (relationship kinds, hops, warmth, exclusions); this module
checks them once and turns them into a :class:`~graph.model.PathQuery`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import ValidationError

from graph.errors import InvalidParameter, SchemaError
from graph.model import Node, Path, PathQuery
from graph.store import GraphStore
from graph.warmth import Weights
from queries.explain import hop_reasons, sentence
from queries.format import Lang
from queries.messages import note_dict
from queries.ranking import DISTINCT_MODES, Distinct


def _whole(name: str, value: object, lo: int, hi: int) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi):
        raise InvalidParameter(name, f"must be a whole number from {lo} to {hi}, got {value!r}")


@dataclass(frozen=True)
class PathOptions:
    """Every option of a path question, checked when made: the one object CLI, explorer, batch and queries pass.

    ``None`` means the configured default (``graph/warmth.yaml``). ``kinds``
    are relationship kinds as a user names them (``officer``, ``任职``,
    ``SERVES_AS``; a comma-separated string is split), resolved against the
    store's schema by :func:`build_query`. ``manager`` and ``branch`` narrow
    the introducing clients; ``distinct`` and ``include_state_holders`` are the
    introduction rules of :mod:`queries.ranking`. A bad value raises
    :class:`~graph.errors.InvalidParameter` naming it.

    >>> PathOptions(k=3, kinds="officer, equity").kinds
    ('officer', 'equity')
    >>> PathOptions(max_hops=9)
    Traceback (most recent call last):
    ...
    graph.errors.InvalidParameter: parameter 'max_hops': must be a whole number from 1 to 6, got 9
    """

    k: int | None = None
    max_hops: int | None = None
    kinds: Sequence[str] | None = None
    min_warmth: float | None = None
    include_closed: bool = False
    include_blacklisted: bool = False
    manager: str | None = None
    branch: str | None = None
    distinct: Distinct = "introducer"
    include_state_holders: bool = False

    def __post_init__(self) -> None:
        _whole("k", self.k, 1, 200)
        _whole("max_hops", self.max_hops, 1, 6)
        w = self.min_warmth
        if w is not None and (isinstance(w, bool) or not isinstance(w, int | float) or not 0 <= w <= 1):
            raise InvalidParameter("min_warmth", f"must be a number from 0 to 1, got {w!r}")
        kinds = self.kinds
        if kinds is not None:
            if isinstance(kinds, str):
                kinds = [part.strip() for part in kinds.replace("，", ",").split(",") if part.strip()]
            elif not isinstance(kinds, Sequence) or not all(isinstance(x, str) for x in kinds):
                raise InvalidParameter("kinds", f"must be relationship kind names, got {kinds!r}")
            if not kinds:
                raise InvalidParameter("kinds", "choose at least one relationship kind")
            object.__setattr__(self, "kinds", tuple(kinds))
        for name in ("include_closed", "include_blacklisted", "include_state_holders"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidParameter(name, f"must be true or false, got {getattr(self, name)!r}")
        for name in ("manager", "branch"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise InvalidParameter(name, "must be a non-empty name")
        if self.distinct not in DISTINCT_MODES:
            raise InvalidParameter("distinct", f"must be one of {', '.join(DISTINCT_MODES)}, got {self.distinct!r}")


def path_options(options: PathOptions | None = None, **given: object) -> PathOptions:
    """``options``, or the options given one by one (keywords left at their default are not given).

    A question takes either the one object or keywords, not both:

    >>> path_options(PathOptions(k=3), k=5)
    Traceback (most recent call last):
    ...
    graph.errors.InvalidParameter: parameter 'options': give one PathOptions or keywords, not both (k)
    """
    defaults = PathOptions()
    changed = {name: value for name, value in given.items() if value != getattr(defaults, name)}
    if options is None:
        return PathOptions(**changed)  # type: ignore[arg-type]
    if not isinstance(options, PathOptions):
        raise InvalidParameter("options", f"must be a PathOptions, got {type(options).__name__}")
    if changed:
        raise InvalidParameter("options", f"give one PathOptions or keywords, not both ({', '.join(changed)})")
    return options


@dataclass(frozen=True)
class Factor:
    """One factor of a path's warmth: a hop's strength or an interior node's hub discount."""

    kind: Literal["hop", "hub"]
    value: float
    why_zh: str
    why_en: str

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "value": round(self.value, 6), "why_zh": self.why_zh, "why_en": self.why_en}


@dataclass(frozen=True)
class Arithmetic:
    """A path's warmth as the product it is: each hop's strength and why, each interior node's discount.

    >>> a = Arithmetic((Factor("hop", 0.9, "董事长", "chairman"), Factor("hub", 1.0, "张某", "张某"),
    ...                 Factor("hop", 0.7, "董事", "director")), 0.63)
    >>> a.text("en")
    'chairman 0.9 × director 0.7 = 0.63'
    """

    factors: tuple[Factor, ...]
    warmth: float

    def text(self, lang: Lang = "zh") -> str:
        """One line: the factors that matter (discounts of 1 are left out) and the product."""
        shown = [f for f in self.factors if f.kind == "hop" or f.value < 1.0]
        parts = [f"{f.why_zh if lang == 'zh' else f.why_en} {f.value:.2g}" for f in shown]
        return " × ".join(parts) + f" = {self.warmth:.3g}"

    def to_dict(self) -> dict[str, object]:
        return {"factors": [f.to_dict() for f in self.factors], "warmth": round(self.warmth, 6)}


def arithmetic(path: Path, weights: Weights, degrees: dict[str, int]) -> Arithmetic:
    """The factors of ``path``'s warmth in the order :func:`graph.warmth.path_warmth` multiplies them."""
    factors: list[Factor] = []
    for i, edge in enumerate(path.edges):
        if i:
            node = path.nodes[i]
            degree = degrees.get(node.id, 0)
            factors.append(
                Factor(
                    "hub",
                    weights.discount(degree),
                    f"经{node.name}（{degree} 条关系）",
                    f"via {node.name} ({degree} links)",
                )
            )
        zh, en = hop_reasons(edge, weights)
        factors.append(Factor("hop", edge.strength, zh, en))
    return Arithmetic(tuple(factors), path.warmth)


@dataclass(frozen=True)
class ExplainedPath:
    """A ranked path with what a user reads: warmth, hops, two sentences, and the arithmetic.

    ``more`` holds the further paths through the same introducer (or first
    contact), folded under this one; ``arithmetic`` is set where the question
    computed it (introductions and connections do).
    """

    rank: int
    path: Path
    sentence_zh: str
    sentence_en: str
    introducer: Node
    manager: str | None = None
    branch: str | None = None
    arithmetic: Arithmetic | None = None
    more: tuple[ExplainedPath, ...] = ()

    @property
    def warmth(self) -> float:
        return self.path.warmth

    @property
    def hops(self) -> int:
        return self.path.hops

    def to_dict(self) -> dict[str, object]:
        """Plain data for ``--json`` and downloads."""
        return {
            "rank": self.rank,
            "introducer": {"id": self.introducer.id, "name": self.introducer.name},
            "manager": self.manager,
            "branch": self.branch,
            "warmth": round(self.warmth, 6),
            "hops": self.hops,
            "sentence_zh": self.sentence_zh,
            "sentence_en": self.sentence_en,
            "warmth_explained": None if self.arithmetic is None else self.arithmetic.to_dict(),
            "more_ways": len(self.more),
            "more": [m.to_dict() for m in self.more],
            "nodes": [{"id": n.id, "label": n.label, "name": n.name} for n in self.path.nodes],
            "edges": [
                {
                    "type": e.type,
                    "source": e.source,
                    "target": e.target,
                    "strength": e.strength,
                    **{k: v for k, v in e.props.items() if not k.startswith("_")},
                }
                for e in self.path.edges
            ],
        }


@dataclass(frozen=True)
class PathAnswer:
    """The answer to a path question, with notes that explain an empty result."""

    target: Node
    paths: list[ExplainedPath]
    notes: list[str] = field(default_factory=list)
    source: Node | None = None

    def to_dict(self, lang: Lang | None = None) -> dict[str, object]:
        """The answer for ``--json``; notes with their text in ``lang`` (both languages when None)."""
        return {
            "target": {"id": self.target.id, "name": self.target.name, "label": self.target.label},
            "source": None if self.source is None else {"id": self.source.id, "name": self.source.name},
            "paths": [p.to_dict() for p in self.paths],
            "notes": [note_dict(n, lang) for n in self.notes],
        }


def resolve_kinds(store: GraphStore, kinds: Sequence[str] | None) -> tuple[str, ...]:
    """Relationship types from names a user may give (``SERVES_AS``, ``officer``, ``任职``); by default
    the kinds the schema lets stand inside an introduction path (``in_paths``)."""
    if kinds is None:
        return store.schema.flagged("in_paths")
    if isinstance(kinds, str):
        kinds = [k for k in kinds.replace("，", ",").split(",") if k.strip()]
    types: list[str] = []
    for k in kinds:
        try:
            t = store.schema.kind(k.strip()).type
        except SchemaError as exc:
            raise InvalidParameter("kinds", str(exc)) from None
        if t not in types:
            types.append(t)
    if not types:
        raise InvalidParameter("kinds", "choose at least one relationship kind")
    return tuple(types)


def build_query(
    store: GraphStore,
    target: Node,
    options: PathOptions,
    *,
    sources: Literal["clients"] | tuple[str, ...] = "clients",
) -> PathQuery:
    """The store-level query of checked ``options``: defaults filled in, kinds resolved; InvalidParameter
    names a bad kind. ``manager`` and ``branch`` count only when the sources are the clients."""
    w = store.weights
    k = w.k if options.k is None else options.k
    hops = w.max_hops if options.max_hops is None else options.max_hops
    min_warmth = w.min_warmth if options.min_warmth is None else options.min_warmth
    for name, value, lo, hi in (("k", k, 1, 200), ("max_hops", hops, 1, 6)):  # the warmth file's defaults
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise InvalidParameter(name, f"must be a whole number from {lo} to {hi}, got {value!r}")
    if isinstance(min_warmth, bool) or not isinstance(min_warmth, int | float) or not 0 <= min_warmth <= 1:
        raise InvalidParameter("min_warmth", f"must be a number from 0 to 1, got {min_warmth!r}")
    clients = sources == "clients"
    try:
        return PathQuery(
            target=target.id,
            sources=sources,
            manager=options.manager if clients else None,
            branch=options.branch if clients else None,
            types=resolve_kinds(store, options.kinds),
            max_hops=hops,
            k=k,
            min_warmth=float(min_warmth),
            exclude_statuses=() if options.include_closed else w.exclude_statuses,
            exclude_blacklisted=w.exclude_blacklisted and not options.include_blacklisted,
        )
    except ValidationError as exc:
        raise InvalidParameter("query", str(exc)) from None


def explain(
    paths: Sequence[Path],
    last_word_zh: str = "潜客",
    last_word_en: str = "prospect",
    *,
    weights: Weights | None = None,
    degrees: dict[str, int] | None = None,
    more: Sequence[Sequence[Path]] | None = None,
) -> list[ExplainedPath]:
    """Rank numbers, sentences and (given ``weights`` and interior ``degrees``) the arithmetic of ranked paths.

    ``more[i]`` are the paths folded under ``paths[i]`` (same introducer).
    """

    def one(rank: int, p: Path, folded: Sequence[Path] = ()) -> ExplainedPath:
        first = p.nodes[0]
        return ExplainedPath(
            rank=rank,
            path=p,
            sentence_zh=sentence(p, "zh", last_word_zh),
            sentence_en=sentence(p, "en", last_word_en),
            introducer=first,
            manager=first.manager,
            branch=first.branch,
            arithmetic=None if weights is None else arithmetic(p, weights, degrees or {}),
            more=tuple(one(rank, m) for m in folded),
        )

    return [one(i, p, more[i - 1] if more else ()) for i, p in enumerate(paths, start=1)]
