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
from queries.explain import sentence


@dataclass(frozen=True)
class PathOptions:
    """User-facing options of a path question; ``None`` means the configured default."""

    k: int | None = None
    max_hops: int | None = None
    kinds: Sequence[str] | None = None
    min_warmth: float | None = None
    include_closed: bool = False
    include_blacklisted: bool = False


@dataclass(frozen=True)
class ExplainedPath:
    """A ranked path with what a user reads: warmth, hops and two sentences."""

    rank: int
    path: Path
    sentence_zh: str
    sentence_en: str
    introducer: Node
    manager: str | None = None
    branch: str | None = None

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

    def to_dict(self) -> dict[str, object]:
        return {
            "target": {"id": self.target.id, "name": self.target.name, "label": self.target.label},
            "source": None if self.source is None else {"id": self.source.id, "name": self.source.name},
            "paths": [p.to_dict() for p in self.paths],
            "notes": self.notes,
        }


def resolve_kinds(store: GraphStore, kinds: Sequence[str] | None) -> tuple[str, ...]:
    """Relationship types from names a user may give (``SERVES_AS``, ``officer``, ``任职``)."""
    if kinds is None:
        return store.schema.types
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
    manager: str | None = None,
    branch: str | None = None,
) -> PathQuery:
    """Check ``options`` and build the store-level query; InvalidParameter names the bad one."""
    w = store.weights
    k = w.k if options.k is None else options.k
    hops = w.max_hops if options.max_hops is None else options.max_hops
    min_warmth = w.min_warmth if options.min_warmth is None else options.min_warmth
    for name, value, lo, hi in (("k", k, 1, 200), ("max_hops", hops, 1, 6)):
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise InvalidParameter(name, f"must be a whole number from {lo} to {hi}, got {value!r}")
    if isinstance(min_warmth, bool) or not isinstance(min_warmth, int | float) or not 0 <= min_warmth <= 1:
        raise InvalidParameter("min_warmth", f"must be a number from 0 to 1, got {min_warmth!r}")
    try:
        return PathQuery(
            target=target.id,
            sources=sources,
            manager=manager,
            branch=branch,
            types=resolve_kinds(store, options.kinds),
            max_hops=hops,
            k=k,
            min_warmth=float(min_warmth),
            exclude_statuses=() if options.include_closed else w.exclude_statuses,
            exclude_blacklisted=w.exclude_blacklisted and not options.include_blacklisted,
        )
    except ValidationError as exc:
        raise InvalidParameter("query", str(exc)) from None


def explain(paths: Sequence[Path], last_word_zh: str = "潜客", last_word_en: str = "prospect") -> list[ExplainedPath]:
    """Rank numbers and sentences for paths already in order."""
    out: list[ExplainedPath] = []
    for i, p in enumerate(paths, start=1):
        first = p.nodes[0]
        out.append(
            ExplainedPath(
                rank=i,
                path=p,
                sentence_zh=sentence(p, "zh", last_word_zh),
                sentence_en=sentence(p, "en", last_word_en),
                introducer=first,
                manager=first.manager,
                branch=first.branch,
            )
        )
    return out
