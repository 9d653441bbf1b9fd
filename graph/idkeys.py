"""National ID numbers used as person keys: never stored or shown in clear.

Some sources key persons by their 居民身份证号码 (a ``股东证件号`` column, or a
``人员编号`` that is one). Such a key is replaced, wherever a person is
referenced (the persons file, equity holders, guarantors, officers), by a
stable keyed hash: ``IDH:`` + the first 24 hex digits of HMAC-SHA256 of the
normalised number, keyed by the setting ``GUANXI_ID_KEY``. The same number
always gives the same key under the same setting, so files loaded apart
still meet; without the setting nobody can recompute a key from a guessed
number. Only the masked form (``310101********1234``) is kept for display.

``GUANXI_ID_KEY`` should be a long random secret kept like a password; the
built-in default lets guanxi run without it but offers no protection against
someone who has the source code and guesses numbers. Changing the key
changes every such person's key: reload the data after changing it.

>>> national_id("11010519491231002x")
'11010519491231002X'
>>> national_id("p000123") is None, national_id("110105194912310021") is None  # wrong check digit
(True, True)
>>> id_key("11010519491231002X", b"k")
'IDH:53b028968d90e781560f4625'
>>> masked_id("11010519491231002X")
'110105********002X'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import unicodedata

#: the environment variable holding the secret the keys are made with
ID_KEY_SETTING = "GUANXI_ID_KEY"
#: used when the setting is missing (documented: set your own)
DEFAULT_ID_KEY = b"guanxi default ID key - set GUANXI_ID_KEY to a secret of your own"
#: the prefix of a person key made from an ID number
ID_SCHEME = "IDH"

_ID18 = re.compile(r"^\d{17}[\dX]$")
_ID15 = re.compile(r"^\d{15}$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def _born(year: int, month: int, day: int) -> bool:
    try:
        born = dt.date(year, month, day)
    except ValueError:
        return False
    return dt.date(1880, 1, 1) <= born <= dt.date.today()


def national_id(text: str) -> str | None:
    """The normalised number when ``text`` is a mainland resident ID number (18 digits with a valid
    GB 11643 check and birth date, or an old 15-digit one with a valid birth date); else None."""
    if len(text) > 24:
        return None
    number = unicodedata.normalize("NFKC", text).strip().replace(" ", "").upper()
    if len(number) == 18 and _ID18.match(number):
        total = sum(int(c) * w for c, w in zip(number[:17], _WEIGHTS, strict=True))
        if number[17] == _CHECK[total % 11] and _born(int(number[6:10]), int(number[10:12]), int(number[12:14])):
            return number
        return None
    if (
        len(number) == 15
        and _ID15.match(number)
        and _born(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    ):
        return number
    return None


def id_shaped(text: str) -> str | None:
    """The normalised number when ``text`` has the shape of a resident ID number (17 digits and a digit
    or X, or 15 digits), whatever its check digit: such a person key is never kept in clear, even when
    mistyped. None otherwise.

    >>> id_shaped(" 110105194912310021 "), id_shaped("p000123")
    ('110105194912310021', None)
    """
    if len(text) > 24:
        return None
    number = unicodedata.normalize("NFKC", text).strip().replace(" ", "").upper()
    if (len(number) == 18 and _ID18.match(number)) or (len(number) == 15 and _ID15.match(number)):
        return number
    return None


def configured_key() -> bytes:
    """The secret from ``GUANXI_ID_KEY``, or the documented default."""
    value = os.environ.get(ID_KEY_SETTING)
    return value.encode("utf-8") if value else DEFAULT_ID_KEY


def id_key(number: str, secret: bytes | None = None) -> str:
    """The person key for a normalised ID number: ``IDH:`` + 24 hex digits of HMAC-SHA256."""
    digest = hmac.new(secret if secret is not None else configured_key(), number.encode("ascii"), hashlib.sha256)
    return f"{ID_SCHEME}:{digest.hexdigest()[:24]}"


def masked_id(number: str) -> str:
    """The display form: the first 6 and last 4 characters, the rest ``*``."""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
