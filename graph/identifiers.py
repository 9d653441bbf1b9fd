"""Company identifiers other than the USCC, in one form: ``SCHEME:VALUE``.

A company is keyed by its USCC when it has one; otherwise by the first other
identifier it has (schema.yaml's ``key_from``): a stock code with its exchange
(``SSE:600519``, ``HKEX:00700``), an LEI (``LEI:...``), another registry's
number with its scheme (``HKCR:1234567``, ``ORG:...``, a foreign registry as
``GB-COH:01234567``), and as a last resort its name (``NAME:`` + the name
without blanks, half-width, lower case). The schemes are data
(``identifier_schemes`` in schema.yaml); this module reads and writes the
forms people and data vendors use.

>>> from graph.schema import load_schema
>>> schemes = load_schema().schemes
>>> parse_stock_code("600519.SH", schemes), parse_stock_code("00700.HK", schemes)
('SSE:600519', 'HKEX:00700')
>>> parse_stock_code("sz000001", schemes), parse_stock_code("600519", schemes), parse_stock_code("HKEX:700", schemes)
('SZSE:000001', 'SSE:600519', 'HKEX:00700')
>>> parse_lei("5493001KJTIIGC8Y1R12")
'LEI:5493001KJTIIGC8Y1R12'
>>> parse_other_id("1234567", "香港公司注册处", schemes)
'HKCR:1234567'
>>> name_identifier("北京某某（集团） 有限公司")
'NAME:北京某某(集团)有限公司'
>>> identifier_forms("600519.SH", schemes)
('600519.SH', 'SSE:600519')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping

from graph.messages import BadValue, Message
from graph.schema import SchemeSpec
from graph.uscc import is_valid_uscc, normalise_uscc

#: the prefix of a key made from a company's name
NAME_SCHEME = "NAME"

_BLANKS = re.compile(r"[\s\u00a0\u3000]+")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{0,15}$")
_FOREIGN = re.compile(r"^[A-Z]{2}(?:-[A-Z0-9]{2,10})?$")
_SCHEMED = re.compile(r"^([A-Z][A-Z0-9\-]{1,15})[:：](.+)$")
_LEI = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")
_ORG = re.compile(r"^[0-9A-Z]{8}-?[0-9X]$")
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _plain(raw: str) -> str:
    """Half-width, upper case, no blanks."""
    return _BLANKS.sub("", unicodedata.normalize("NFKC", raw)).upper()


def _mainland_exchange(digits: str) -> str | None:
    """The exchange of a bare 6-digit mainland code by its leading digits (None: not a known range)."""
    if digits[:1] in "69" and not digits.startswith("92"):
        return "SSE"  # 600/601/603/605 main board, 688/689 STAR market, 900 B shares
    if digits[:1] in "023":
        return "SZSE"  # 000/001/002/003 main board, 300/301 ChiNext, 200 B shares
    if digits[:1] in "48" or digits.startswith("92"):
        return "BSE"  # 43x/83x/87x/88x and the 920 codes
    return None


def _with_exchange(code: str, exchange: SchemeSpec) -> str:
    if exchange.digits and code.isdigit():
        if len(code) > exchange.digits:
            raise BadValue("reject.stock_digits", exchange=exchange.code, digits=exchange.digits, value=repr(code))
        code = code.zfill(exchange.digits)
    if not _CODE.match(code):
        raise BadValue("reject.not_stock_code", value=repr(code))
    return f"{exchange.code}:{code}"


def parse_stock_code(raw: str, schemes: Mapping[str, SchemeSpec]) -> str:
    """A stock code as ``EXCHANGE:CODE``; ValueError naming the accepted forms when it is none of them."""
    text = _plain(raw)
    exchanges = {c: s for c, s in schemes.items() if s.kind == "exchange"}
    match = _SCHEMED.match(text)
    if match and match.group(1) in exchanges:
        return _with_exchange(match.group(2), exchanges[match.group(1)])
    if "." in text:
        code, _, suffix = text.rpartition(".")
        for spec in exchanges.values():
            if suffix in spec.suffixes:
                return _with_exchange(code, spec)
    for spec in exchanges.values():
        for prefix in spec.prefixes:
            rest = text[len(prefix) :]
            if text.startswith(prefix) and rest.isdigit():
                return _with_exchange(rest, spec)
    if text.isdigit() and len(text) == 6:
        exchange = _mainland_exchange(text)
        if exchange in exchanges:
            return _with_exchange(text, exchanges[exchange])
    examples = ("600519.SH", "SZSE:000001", "00700.HK")
    raise BadValue("reject.unknown_exchange", value=repr(raw.strip()), examples=examples, exchanges=tuple(exchanges))


def lei_problem(code: str) -> Message | None:
    """What is wrong with an LEI (ISO 17442: 20 characters, check digits mod 97 = 1), or None."""
    if not _LEI.match(code):
        return Message("reject.lei_form", value=repr(code))
    number = int("".join(str(int(ch, 36)) for ch in code))
    if number % 97 != 1:
        return Message("reject.lei_check", value=code)
    return None


def parse_lei(raw: str) -> str:
    """An LEI as ``LEI:CODE``; ValueError when malformed or its check digits are wrong."""
    code = _plain(raw)
    if code.startswith("LEI:"):
        code = code[4:]
    problem = lei_problem(code)
    if problem:
        raise BadValue.of(problem)
    return f"LEI:{code}"


def _org_ok(code: str) -> bool:
    body, check = code.replace("-", "")[:8], code[-1]
    total = sum(int(ch, 36) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return check == {10: "X", 11: "0"}.get(value, str(value))


def scheme_of(raw: str, schemes: Mapping[str, SchemeSpec]) -> str:
    """The scheme an ``id_scheme`` cell names: a scheme code, one of its aliases, or a foreign
    registry as an ISO 3166 country code (``GB``, ``GB-COH``, ``KY``)."""
    text = _plain(raw)
    for code, spec in schemes.items():
        if spec.kind == "name":
            continue
        if text == code or text in (_plain(a) for a in (*spec.aliases, spec.zh, spec.en)):
            return code
    if _FOREIGN.match(text):
        return text
    known = ", ".join(c for c, s in schemes.items() if s.kind == "registry")
    raise BadValue("reject.unknown_scheme", value=repr(raw.strip()), known=known)


def parse_other_id(raw: str, scheme: str | None, schemes: Mapping[str, SchemeSpec]) -> str:
    """Another registry's number with its scheme, as ``SCHEME:NUMBER``.

    Without a scheme the number may say it itself (``HKCR:1234567``), or be an
    organisation code (9 characters with a valid GB 11714 check) or an old
    15-digit registration number; anything else needs ``id_scheme``.
    """
    text = _plain(raw)
    match = _SCHEMED.match(text)
    if scheme is None and match:
        scheme, text = match.group(1), match.group(2)
    code = scheme_of(scheme, schemes) if scheme is not None else None
    if code is None:
        if _ORG.match(text) and _org_ok(text):
            code = "ORG"
        elif text.isdigit() and len(text) == 15:
            code = "REG"
        else:
            raise BadValue("reject.needs_scheme", value=repr(raw.strip()))
    if code == "LEI":
        return parse_lei(text)
    if code in schemes and schemes[code].kind == "exchange":
        return parse_stock_code(f"{code}:{text}", schemes)
    if not _CODE.match(text):
        raise BadValue("reject.not_registration", value=repr(raw.strip()))
    return f"{code}:{text}"


def name_identifier(name: str) -> str:
    """The last-resort key of a company known only by name: ``NAME:`` + name without blanks, half-width,
    lower case (so 北京某某（集团）有限公司 and 北京某某(集团) 有限公司 are one company)."""
    return f"{NAME_SCHEME}:{_BLANKS.sub('', unicodedata.normalize('NFKC', name)).lower()}"


def identifier_forms(text: str, schemes: Mapping[str, SchemeSpec]) -> tuple[str, ...]:
    """The forms a search or a reference may mean: the text itself (upper case, no blanks) and, when it
    reads as a USCC, a stock code, an LEI or ``SCHEME:VALUE``, that canonical identifier."""
    plain = _plain(text)
    forms: dict[str, None] = {plain: None} if plain else {}
    uscc = normalise_uscc(text)
    if is_valid_uscc(uscc):
        forms[uscc] = None
        return tuple(forms)
    attempts: tuple[Callable[[], str | None], ...] = (
        lambda: parse_stock_code(text, schemes),
        lambda: parse_lei(text),
        lambda: parse_other_id(text, None, schemes) if _SCHEMED.match(plain) else None,
    )
    for attempt in attempts:
        try:
            found = attempt()
        except ValueError:
            continue
        if found:
            forms[found] = None
            break
    return tuple(forms)
