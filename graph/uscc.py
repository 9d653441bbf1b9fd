"""Unified Social Credit Code (统一社会信用代码) per GB 32100-2015.

An USCC has 18 characters from a 31-character alphabet (digits and capital
letters without I, O, Z, S, V). The 18th character is a check character over
the first 17, weighted by powers of 3 modulo 31.

>>> is_valid_uscc("91350100M000100Y43")
True
>>> check_char("91350100M000100Y4")
'3'
"""

from __future__ import annotations

from graph.messages import Message

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_char(first17: str) -> str:
    """Return the check character for the first 17 characters of an USCC.

    Raises ValueError when ``first17`` is not 17 characters of the alphabet.
    """
    if len(first17) != 17:
        raise ValueError(f"need 17 characters, got {len(first17)}")
    total = 0
    for ch, weight in zip(first17, _WEIGHTS, strict=True):
        value = _VALUE.get(ch)
        if value is None:
            raise ValueError(f"character {ch!r} is not allowed in an USCC")
        total += value * weight
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> Message | None:
    """Say what is wrong with ``code`` as an USCC (a message in both languages), or None when it is valid.

    >>> from graph.messages import render
    >>> problem = uscc_problem("123")
    >>> problem is not None and (render(problem, "zh"), render(problem, "en"))
    ('统一社会信用代码应为 18 位，实为 3 位', 'USCC must have 18 characters, got 3')
    """
    if len(code) != 18:
        return Message("uscc.length", length=len(code))
    bad = [ch for ch in code if ch not in _VALUE]
    if bad:
        return Message("uscc.alphabet", chars=repr("".join(bad)))
    expected = check_char(code[:17])
    if code[17] != expected:
        return Message("uscc.check", found=repr(code[17]), expected=repr(expected))
    return None


def is_valid_uscc(code: str) -> bool:
    """True when ``code`` is a well-formed USCC with a correct check character."""
    return uscc_problem(code) is None


def normalise_uscc(raw: str) -> str:
    """Strip blanks and full-width characters and upper-case a raw USCC."""
    text = raw.strip().upper()
    # full-width ASCII (Ａ-Ｚ, ０-９) to half-width
    return "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in text).replace(" ", "")


def region_code(key: str, *, check: bool = True) -> str | None:
    """The administrative division code a USCC carries (characters 3–8), or None for another key.

    With ``check`` (the default) the key must be a valid USCC, check digit
    included; without it any 18-character key whose characters 3–8 are digits
    counts (the lead store files what it is given and does not judge keys).

    >>> region_code("91350100M000100Y43"), region_code("91320594MA0000001X")
    ('350100', None)
    >>> region_code("91320594MA0000001X", check=False), region_code("LEI:5493001KJTIIGC8Y1R12", check=False)
    ('320594', None)
    """
    if len(key) != 18 or not key[2:8].isdigit():
        return None
    if check and uscc_problem(key) is not None:
        return None
    return key[2:8]
