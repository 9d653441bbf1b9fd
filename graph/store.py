"""The store interface both graph stores implement.

A store keeps nodes and relationships and answers questions about them. The
interface is shaped for a database that answers natively (Neo4j) as much as
for an in-memory graph: reads take and return whole batches, and path search
is one call (:meth:`GraphStore.top_paths`): the one search of
:mod:`queries.search` over the store's ``expand(ids)`` seam, or a native
search proven to give the same answers.

Writing is idempotent: a node is keyed by label and key, a relationship by
type, both ends and the identity properties the schema names, so writing the
same batch twice leaves the graph unchanged.
"""

from __future__ import annotations

import contextlib
import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import TracebackType
from typing import Concatenate, ParamSpec, TypeVar

from graph.model import Edge, GraphStats, Node, Path, PathQuery, RecordBatch
from graph.schema import Schema, load_schema
from graph.warmth import Weights, load_weights


class GraphStore(ABC):
    """Base class of the embedded (NetworkX) and Neo4j stores."""

    #: short name shown to users: "embedded" or "neo4j"
    backend: str = "abstract"

    def __init__(self, schema: Schema | None = None, weights: Weights | None = None) -> None:
        self.schema = schema or load_schema()
        self.weights = weights or load_weights()

    # -- writing ---------------------------------------------------------------
    @abstractmethod
    def write(self, batch: RecordBatch) -> int:
        """Upsert one validated batch, all or nothing; return rows written."""

    @abstractmethod
    def clear(self) -> None:
        """Remove every node and relationship."""

    def finish_load(self) -> None:  # noqa: B027 - optional hook
        """Called once after a load's last batch (rebuild indexes, save)."""

    @contextlib.contextmanager
    def replacing(self) -> Iterator[GraphStore]:
        """A store to write a whole new graph into, which takes this one's place only if the block succeeds.

        By default a new, empty store of the same class (same schema and
        weights): the caller uses it (and saves it) instead of this one after
        the block, and drops it if the block fails, when this store is
        untouched. A store whose graph is shared (Neo4j) writes the new graph
        into itself and yields itself; see its own ``replacing``.
        """
        yield type(self)(self.schema, self.weights)

    def reweight(self) -> None:  # noqa: B027 - optional hook
        """Make stored strengths follow this store's weights, explicitly (``guanxi load --reweight``).

        Nothing to do by default: a store that keeps no strengths of its own,
        or recomputes them when opened with other weights (the embedded
        store), always follows its weights.
        """

    # -- reading ---------------------------------------------------------------
    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """A block whose reads (in this thread) all see the same state of the graph: one answer is
        many reads, and a load finishing between two of them must not make it an answer of two graphs.

        Nothing to do by default (a store that only its own process writes);
        the Neo4j store reads one published generation for the whole block.
        """
        yield

    @abstractmethod
    def get_nodes(self, ids: Sequence[str]) -> dict[str, Node]:
        """The nodes with these ids that exist, by id."""

    @abstractmethod
    def existing_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of these node ids exist (used to find dangling references)."""

    @abstractmethod
    def find_nodes(self, text: str, labels: Sequence[str] | None = None, limit: int = 20) -> list[Node]:
        """Nodes whose key equals ``text`` or whose name (or former name) contains it.

        Ordered: exact key, exact name, exact former name, then names
        containing the text, shorter names first, then by id.
        """

    @abstractmethod
    def edges_of(self, ids: Sequence[str], types: Sequence[str] | None = None) -> list[Edge]:
        """Every relationship touching any of ``ids`` (either direction), of ``types``.

        Sorted by (type order in the schema, source, target) for stable output.
        """

    @abstractmethod
    def degrees(self, ids: Sequence[str]) -> dict[str, int]:
        """Relationship count (all types, both directions) of each node."""

    @abstractmethod
    def stats(self) -> GraphStats:
        """Node counts by label, relationship counts by type, client count."""

    @abstractmethod
    def top_paths(self, query: PathQuery) -> list[Path]:
        """The ``query.k`` warmest paths from a source to ``query.target``.

        The rules (shared by every store and by the brute-force reference in
        the tests):

        * sources: client companies (narrowed by manager/branch) or the given ids;
        * excluded nodes (status in ``exclude_statuses``, or black-listed) and
          sources never stand inside a path; the target and explicit sources
          are never excluded;
        * a path is simple, has 1..``max_hops`` hops, each hop walks one
          allowed relationship either way (the strongest one where several
          join the same two nodes);
        * warmth = product of hop strengths and interior-node hub discounts
          (:func:`graph.warmth.path_warmth`); paths under ``min_warmth`` are dropped;
        * order: :func:`graph.warmth.rank_key`.
        """

    def version(self) -> object:
        """A value that changes whenever the graph does: for caches of derived data.

        The default is the graph's counts (cheap in a database that keeps
        count stores); the embedded store returns a write counter.
        """
        return self.stats()

    def iter_nodes(self, label: str | None = None) -> Iterator[Node]:
        """Every node (of ``label``), in a stable order: for list matching and graph-wide views."""
        raise NotImplementedError(f"{type(self).__name__} does not list nodes yet")

    def iter_edges(self, types: Sequence[str] | None = None) -> Iterator[Edge]:
        """Every relationship of ``types`` (all types when None), in a stable order."""
        raise NotImplementedError(f"{type(self).__name__} does not list relationships yet")

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections or files."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


_P = ParamSpec("_P")
_R = TypeVar("_R")


def one_snapshot(func: Callable[Concatenate[GraphStore, _P], _R]) -> Callable[Concatenate[GraphStore, _P], _R]:
    """A query function (store first) whose whole answer reads one state of the graph
    (:meth:`GraphStore.snapshot`), even while a load into a shared graph runs."""

    @functools.wraps(func)
    def answer(store: GraphStore, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with store.snapshot():
            return func(store, *args, **kwargs)

    return answer
