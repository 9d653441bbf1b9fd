"""The project's exceptions: one root, one subclass per kind of failure.

Everything guanxi raises on purpose is a ``GuanxiError``, so a command line or
a page can catch that one class and show its message without a stack trace.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from graph.messages import Message

if TYPE_CHECKING:  # only for the annotation: graph does not import loaders at run time
    from loaders.report import LoadReport


class GuanxiError(Exception):
    """Root of every error guanxi raises on purpose.

    Raised with a :class:`~graph.messages.Message` (``LoadError(Message("load.no_file", file=name))``)
    the error keeps it as :attr:`message`, worded in the reader's language by
    :func:`queries.messages.error_message`, and reads as its English text
    (``str(exc)``, logs, ``pytest.raises(match=...)``).
    """

    #: the error as a catalogue message (code and parameters); None for an error raised with plain text
    message: Message | None = None

    def __init__(self, *args: object) -> None:
        if len(args) == 1 and isinstance(args[0], Message):
            self.message = args[0]
            args = (args[0].en,)
        super().__init__(*args)


class SchemaError(GuanxiError):
    """The schema or warmth file is malformed."""


class ConfigError(GuanxiError):
    """A setting (environment variable, option, configuration file) is wrong."""


class InvalidParameter(GuanxiError, ValueError):
    """A parameter of a public function is out of range or of the wrong kind."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"parameter {name!r}: {message}")
        self.name = name


class NodeNotFound(GuanxiError, LookupError):
    """No entity matches what the user asked for."""

    def __init__(self, query: str, candidates: Sequence[str] = ()) -> None:
        hint = f"; did you mean: {', '.join(candidates)}" if candidates else ""
        super().__init__(f"no company, person or park matches {query!r}{hint}")
        self.query = query
        self.candidates = list(candidates)


class AmbiguousNode(GuanxiError, LookupError):
    """Several entities match; the user must choose."""

    def __init__(self, query: str, candidates: Sequence[str]) -> None:
        shown = "\n  ".join(candidates[:20])
        more = f"\n  ... and {len(candidates) - 20} more" if len(candidates) > 20 else ""
        super().__init__(
            f"{query!r} matches {len(candidates)} entities; name one by USCC or full name:\n  {shown}{more}"
        )
        self.query = query
        self.candidates = list(candidates)


class LoadError(GuanxiError):
    """A file cannot be read at all (missing, unreadable, unknown columns)."""


class LoadRejected(GuanxiError):
    """Strict mode: the load was refused because some rows were rejected."""


class LoadRefused(LoadRejected):
    """A strict load refused, with the full :class:`~loaders.report.LoadReport` (every reject) attached."""

    def __init__(self, message: str, report: LoadReport) -> None:
        super().__init__(message)
        self.report = report
        if self.message is not None:  # its English text goes on with the whole report, for logs
            self.args = (f"{self.message.en}\n{report.summary('en')}",)


class ExportError(GuanxiError):
    """An export (CSV, Excel, rejects file) could not be written: full disk, no permission, a folder."""


class StoreError(GuanxiError):
    """The graph store failed (file, server, connection)."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or opened (server down, wrong URI, wrong password)."""


class WeightsMismatch(StoreError):
    """A shared graph's stored strengths follow other warmth weights than this client's.

    A search would prune with strengths that are not this client's scoring
    (a wrong top k), and a load would mix two scorings, so both refuse.
    """

    def __init__(self, action: str, stored: str | None, stored_file: str | None, own: str, own_file: str) -> None:
        theirs = f"{stored} (from {stored_file or 'an unknown file'})" if stored else "unknown weights"
        super().__init__(
            f"cannot {action}: the graph's relationship strengths were computed with warmth weights {theirs}, "
            f"this client uses {own} (from {own_file}). Use the same warmth file (GUANXI_WARMTH or --warmth) "
            "as the graph, or rewrite the graph's strengths with this client's file: "
            "guanxi load --reweight [FILES] (every other client must then switch to that file too)"
        )
        self.stored = stored
        self.own = own
