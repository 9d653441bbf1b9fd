"""Who the bank's clients belong to: every relationship manager and branch named on a client.

Used by the explorer's filters and to tell a user that a manager or branch
they named owns no client (instead of answering "no path").

>>> from graph.embedded import EmbeddedStore
>>> client_directory(EmbeddedStore()).managers
()
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from graph.errors import InvalidParameter
from graph.store import GraphStore


@dataclass(frozen=True)
class Directory:
    """Relationship managers and branches of the bank's clients, sorted; ``complete`` is False
    when the store cannot list its nodes (then nothing can be said about unknown names)."""

    managers: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    complete: bool = True


def client_directory(store: GraphStore) -> Directory:
    """Every manager and branch named on a client company of ``store``."""
    managers: set[str] = set()
    branches: set[str] = set()
    try:
        for node in store.iter_nodes("Company"):
            if node.is_client:
                if node.manager:
                    managers.add(node.manager)
                if node.branch:
                    branches.add(node.branch)
    except NotImplementedError:
        return Directory(complete=False)
    return Directory(tuple(sorted(managers)), tuple(sorted(branches)))


def check_known(directory: Directory, parameter: str, value: str | None) -> None:
    """InvalidParameter when ``value`` names no manager (``parameter="manager"``) or branch of any client.

    The message suggests the closest names, so a typo is one step from an answer.
    """
    if value is None or not directory.complete:
        return
    names = directory.managers if parameter == "manager" else directory.branches
    if value in names:
        return
    close = [name for name, _score, _i in process.extract(value, names, scorer=fuzz.WRatio, limit=3, score_cutoff=50)]
    owner = "is managed by" if parameter == "manager" else "belongs to branch"
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise InvalidParameter(parameter, f"no client of the bank {owner} {value!r} ({len(names)} known){hint}")
