"""Plain output text: control characters written as visible escapes, and the CSV encodings offered.

Kept apart from :mod:`loaders.export` (which needs pandas) so that the
command line can build its parser and print an answer without importing pandas.
"""

from __future__ import annotations

import re
from typing import Literal

CsvEncoding = Literal["utf-8-sig", "gb18030"]
#: the encodings a CSV output may have: UTF-8 with BOM (the default) or GB18030
CSV_ENCODINGS: tuple[CsvEncoding, ...] = ("utf-8-sig", "gb18030")

#: every control character a terminal may act on: C0, DEL, C1 and the bidirectional overrides
_TERMINAL_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def escape(match: re.Match[str]) -> str:
    """The visible escape of one matched character (``\\x1b``, ``\\u202e``)."""
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible_controls(text: str, keep: str = "") -> str:
    """``text`` with control characters written as visible escapes (``\\x1b``, ``\\x9b``, ``\\u202e``).

    Covers C0, DEL, C1 and the bidirectional overrides, except the characters
    in ``keep`` (e.g. ``"\\n"`` for output made of several lines). A terminal
    then shows what a name holds instead of acting on it.

    >>> visible_controls("红\\x1b[31m色")
    '红\\\\x1b[31m色'
    >>> visible_controls("a\\nb", keep="\\n")
    'a\\nb'
    """
    return _TERMINAL_CONTROLS.sub(lambda m: m.group() if m.group() in keep else escape(m), text)
