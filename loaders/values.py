"""Parse one raw cell into the value the graph stores, one parser per property type.

Every parser takes a raw, non-blank cell (a string as read from CSV or Excel,
or a ``datetime`` / number that Excel handed over) and returns the parsed
value, or raises :class:`BadValue` (a :class:`ValueError`) with a short reason a user can act on,
as a :class:`~graph.messages.Message` that the explorer and ``guanxi load`` word in the reader's
language (``BadValue.reason``; ``str(exc)`` is the English text).
Blank cells never reach a parser: the column code in :mod:`loaders.validate`
treats them as missing (``None``) and checks ``required`` itself.

What each type becomes:

==========  ===========================================================
text        ``str``, stripped, inner whitespace (also full-width) collapsed
uscc        ``str``, 18 characters, upper-case, check digit verified
key         ``str``, stripped
ratio       ``float`` in 0..1
amount      ``float`` yuan, not negative
int         ``int``
date        ``str`` ``"YYYY-MM-DD"``
bool        ``bool``
list        ``tuple[str, ...]`` of stripped, non-empty, distinct items
enum        ``str``, the canonical value name from schema.yaml
idno        ``str``, masked (``310101********1234``); the full number is never kept
==========  ===========================================================

>>> parse_ratio("35.5％")
0.355
>>> parse_amount("1.2亿")
120000000.0
>>> parse_date("2021年3月5日")
'2021-03-05'
>>> parse_list("集成电路；人工智能、 生物医药")
('集成电路', '人工智能', '生物医药')
>>> mask_idno("310101199001011234")
'310101********1234'
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from graph.messages import BadValue, Message, render  # noqa: F401 - render: for the examples
from graph.schema import PropertySpec
from graph.uscc import normalise_uscc, uscc_problem

#: characters that separate the items of a ``list`` cell
LIST_SEPARATORS = ";；,，、|"
#: what separates the parts of a compound officer title (执行董事兼总经理)
ROLE_SEPARATORS = "兼、/／，,;；|&＆"

#: longest key, name or list cell (characters): 4,000 bytes at most in UTF-8, under Neo4j's 8 KB index key limit
NAME_LIMIT = 1_000
#: longest free-text cell (characters); free text is not indexed
TEXT_LIMIT = 4_000
#: longest cell of any other type (numbers, dates, enums, flags, ID numbers)
VALUE_LIMIT = 200
#: longest number, in characters, before it is even parsed (a 400-digit amount is not money)
NUMBER_LIMIT = 40
#: largest amount in yuan (1,000万亿): more is a unit mistake or nonsense
MAX_AMOUNT = 10**15
#: whole numbers must fit a signed 64-bit integer (NumPy and Neo4j)
INT_MIN, INT_MAX = -(2**63), 2**63 - 1

#: control characters no cell may hold: C0 except tab, line breaks, vertical tab and form feed; DEL; C1;
#: Unicode bidirectional embeddings, overrides and isolates (they make text display as something else)
CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: what keys, names and list cells may not hold either: any line break or tab
NAME_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

_WHITESPACE = re.compile(r"[\s\u00a0\u3000]+")
_LIST_SPLIT = re.compile("[" + re.escape(LIST_SEPARATORS) + "]")
_ROLE_SPLIT = re.compile("[" + re.escape(ROLE_SEPARATORS) + "]|及|和")
_NUMBER = re.compile(r"^[+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d{1,4})?$", re.IGNORECASE | re.ASCII)
_GROUPED = re.compile(r"^[+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$", re.ASCII)
_DATE_YMD = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"  # the date
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$",  # an optional time of day: checked, then dropped
    re.ASCII,
)
_DATE_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\.0+)?$", re.ASCII)
#: full-width ASCII (！ to ～) and the ideographic space, for numbers and dates: nothing else is folded
#: (general NFKC would turn the superscript in ``10²`` into ``102``)
_HALF_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xFFE5: 0xA5}
_AMOUNT_UNITS: tuple[tuple[str, int], ...] = (
    ("万亿", 10**12),
    ("千万", 10**7),
    ("百万", 10**6),
    ("亿", 10**8),
    ("万", 10**4),
    ("千", 10**3),
)
_YUAN_MARKS = ("人民币", "rmb", "cny", "¥", "元")
_FOREIGN = ("美元", "港元", "港币", "欧元", "日元", "英镑", "usd", "hkd", "eur", "jpy", "gbp", "$", "€", "£")
_TRUE = frozenset({"true", "t", "yes", "y", "1", "1.0", "是", "对", "有", "√", "✓"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "0.0", "否", "不是", "错", "无", "×", "✗"})
#: the ways to write a date, as a reject reason lists them
DATE_FORMATS = ("2021-03-05", "2021/3/5", "2021年3月5日", "20210305")
#: the ways to write yes or no, as a reject reason lists them
BOOL_WORDS = ("是/否", "Y/N", "1/0", "true/false")
#: the two lists as message parameters, worded once (a reject reason is made for every bad cell)
_DATE_WAYS = Message("reject.ways", ways=DATE_FORMATS)
_BOOL_WAYS = Message("reject.ways", ways=BOOL_WORDS)


def reason_of(exc: ValueError) -> Message:
    """Why a cell was refused, as a message: the parser's own reason, or (a ValueError from
    elsewhere) its text as it is."""
    return exc.reason if isinstance(exc, BadValue) else Message("text", detail=str(exc))


_ID18 = re.compile(r"^\d{17}[\dX]$")
_ID15 = re.compile(r"^\d{15}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def is_blank(value: object) -> bool:
    """True for what counts as an empty cell: None, NaN, NaT, pd.NA or only whitespace.

    >>> is_blank("  "), is_blank("\\u3000"), is_blank(float("nan")), is_blank("0")
    (True, True, True, False)
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return value != value
    try:
        return bool(value != value)  # NaT and pd.NA are not equal to themselves
    except TypeError:
        return True  # pd.NA refuses to be a bool
    except ValueError:
        return False  # something array-like: a value, not a blank


def _cell(raw: object) -> str:
    """The raw cell as a stripped string; ValueError when it is blank."""
    if is_blank(raw):
        raise BadValue("reject.empty")
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _nfkc(text: str) -> str:
    """Full-width letters, digits and punctuation to half-width (％ → %, ０ → 0)."""
    return unicodedata.normalize("NFKC", text)


def _half(text: str) -> str:
    """Only full-width ASCII and the ideographic space made half-width: for numbers and dates.

    >>> _half("３５．５％"), _half("10²")
    ('35.5%', '10²')
    """
    return text.translate(_HALF_WIDTH)


def control_problem(text: str, *, name: bool) -> Message | None:
    """Why ``text`` may not be stored, when it holds a control character (None when it does not).

    Keys, names and list cells (``name``) may hold no control character at
    all, line breaks and tabs included; free text may hold tabs and line
    breaks (stored as spaces) but no other control character.

    >>> render(control_problem("上海\\x00某芯", name=True) or "", "en")
    'holds the control character U+0000 at position 3, which no value may hold'
    >>> control_problem("第一行\\n第二行", name=False) is None, control_problem("a\\tb", name=True) is not None
    (True, True)
    """
    found = (NAME_CONTROL if name else CONTROL).search(text)
    if found is None:
        return None
    char, position = f"U+{ord(found.group()):04X}", found.start() + 1
    if CONTROL.match(found.group()):
        return Message("reject.control", char=char, position=position)
    return Message("reject.control_in_name", char=char, position=position)


def length_problem(text: str, limit: int) -> Message | None:
    """Why ``text`` is too long to store (None when it is not).

    >>> render(length_problem("x" * 1001, NAME_LIMIT) or "", "zh")
    '长 1,001 个字符，上限为 1,000'
    """
    if len(text) <= limit:
        return None
    return Message("reject.too_long", length=f"{len(text):,}", limit=f"{limit:,}")


def cell_limit(type_: str, *, name: bool) -> int:
    """How long a raw cell of a property type may be: names, keys and lists 1,000, text 4,000, others 200."""
    if name or type_ in ("key", "list", "uscc"):
        return NAME_LIMIT
    if type_ == "text":
        return TEXT_LIMIT
    return VALUE_LIMIT


def _checked(text: str, limit: int, *, name: bool) -> str:
    problem = length_problem(text, limit) or control_problem(text, name=name)
    if problem:
        raise BadValue("reject.value", problem=problem)
    return text


def parse_text(raw: object) -> str:
    """Free text: stripped, every run of whitespace (full-width too) made one space.

    >>> parse_text("  上海\\u3000某芯   科技 ")
    '上海 某芯 科技'
    """
    text = _WHITESPACE.sub(" ", _checked(_cell(raw), TEXT_LIMIT, name=False)).strip()
    if not text:
        raise BadValue("reject.empty")
    return text


def parse_name(raw: object) -> str:
    """A name (or key): as :func:`parse_text`, but no control character at all and at most :data:`NAME_LIMIT`.

    >>> parse_name(" 上海\\u3000某芯 ")
    '上海 某芯'
    """
    return parse_text(_checked(_cell(raw), NAME_LIMIT, name=True))


def parse_key(raw: object) -> str:
    """An identifier from the source system (person id, park id), stripped; see :func:`parse_name`.

    >>> parse_key(" p000123 ")
    'p000123'
    """
    return parse_name(raw)


def parse_uscc(raw: object) -> str:
    """A 统一社会信用代码: normalised (blanks out, upper-case, half-width) and checked.

    >>> parse_uscc(" 91350100m000100y43")
    '91350100M000100Y43'
    """
    code = normalise_uscc(_cell(raw))
    problem = uscc_problem(code)
    if problem:
        raise BadValue.of(problem)
    return code


def _decimal(text: str, what: str) -> Decimal:
    """A plain non-negative decimal number, thousands separators allowed."""
    body = text.replace(" ", "")
    if len(body) > NUMBER_LIMIT:
        raise BadValue("reject.number_too_long", length=f"{len(body):,}", limit=NUMBER_LIMIT)
    if _GROUPED.match(body):
        body = body.replace(",", "")
    if not _NUMBER.match(body):
        raise BadValue(what, value=repr(text))
    try:
        return Decimal(body)
    except InvalidOperation:  # pragma: no cover - the pattern already excludes this
        raise BadValue("reject.not_number", value=repr(text)) from None


def _negative(text: str) -> bool:
    return text.startswith(("-", "−", "－")) or (text.startswith("(") and text.endswith(")"))


def parse_ratio(raw: object, *, percent: bool = False) -> float:
    """A share in 0..1. ``35%``, ``35`` and ``0.35`` all mean 0.35.

    A plain number above 1 and up to 100 is a percentage. With ``percent``
    (the column header said ``(%)``) every plain number is a percentage.

    >>> parse_ratio("35"), parse_ratio("0.35"), parse_ratio("35%"), parse_ratio("0.5", percent=True)
    (0.35, 0.35, 0.35, 0.005)
    """
    text = _half(_cell(raw)).replace(" ", "")
    if _negative(text):
        raise BadValue("reject.ratio_negative", value=text[:NUMBER_LIMIT])
    divisor = 1
    if text.endswith("%"):
        text, divisor = text[:-1], 100
    elif text.endswith("‰"):
        text, divisor = text[:-1], 1000
    value = _decimal(text, "reject.not_ratio")
    if divisor == 1 and (percent or 1 < value <= 100):
        divisor = 100
    ratio = value / divisor
    if ratio > 1:
        raise BadValue("reject.ratio_over", value=text[:NUMBER_LIMIT])
    return float(ratio)


def parse_amount(raw: object, *, unit: int = 1) -> float:
    """Money in yuan (not negative): ``1,200,000``, ``120万``, ``1.2亿``, ``¥3000``, ``3000元``.

    ``unit`` multiplies a plain number without a unit of its own: 10000 when
    the column header said ``(万元)``.

    >>> parse_amount("1,200,000"), parse_amount("1.5万元"), parse_amount("¥3000"), parse_amount("50", unit=10000)
    (1200000.0, 15000.0, 3000.0, 500000.0)
    """
    original = _cell(raw)
    if original.isascii() and original.isdigit() and len(original) <= 15:  # the common case, as the long way does
        value = int(original) * unit
        if value > MAX_AMOUNT:
            raise BadValue("reject.amount_over", value=original, most=f"{MAX_AMOUNT:.0e}")
        return float(value)
    if len(original) > NUMBER_LIMIT:
        raise BadValue("reject.amount_too_long", length=f"{len(original):,}", limit=NUMBER_LIMIT)
    text = _half(original).replace(" ", "").lower()
    for foreign in _FOREIGN:
        if foreign in text:
            raise BadValue("reject.amount_foreign", value=repr(original))
    if _negative(text):
        raise BadValue("reject.amount_negative", value=original)
    own_unit = False
    for mark in _YUAN_MARKS:
        if text.startswith(mark):
            text, own_unit = text[len(mark) :], True
        if text.endswith(mark):
            text, own_unit = text[: -len(mark)], True
    multiplier = 1
    for suffix, factor in _AMOUNT_UNITS:
        if text.endswith(suffix):
            text, multiplier, own_unit = text[: -len(suffix)], factor, True
            break
    if _negative(text):
        raise BadValue("reject.amount_negative", value=original)
    yuan = _decimal(text, "reject.not_amount") * (multiplier if own_unit else unit)
    if yuan > MAX_AMOUNT:
        raise BadValue("reject.amount_over", value=original, most=f"{MAX_AMOUNT:.0e}")
    return float(yuan)


def parse_int(raw: object, *, signed: bool = False) -> int:
    """A whole number, not negative unless ``signed``; ``2021.0`` (as Excel writes it) and ``1,234`` are accepted.

    It must fit a signed 64-bit integer (what NumPy and Neo4j store).

    >>> parse_int("2021.0"), parse_int("1,234"), parse_int("2021年")
    (2021, 1234, 2021)
    """
    original = _cell(raw)
    text = _half(original).replace(" ", "")
    sign = 1
    if text.startswith(("-", "−")):
        if not signed:
            raise BadValue("reject.int_negative", value=original[:NUMBER_LIMIT])
        sign, text = -1, text[1:]
    text = text.rstrip("年笔次个")
    value = _decimal(text, "reject.not_whole")
    if value != value.to_integral_value():
        raise BadValue("reject.not_whole", value=repr(original))
    number = sign * int(value)
    if not INT_MIN <= number <= INT_MAX:
        raise BadValue("reject.int_range", value=original)
    return number


def parse_year(raw: object) -> int:
    """A calendar year, 1800..2199 like dates.

    >>> parse_year("2021年")
    2021
    """
    year = parse_int(raw)
    if not 1800 <= year <= 2199:
        raise BadValue("reject.year_range", year=year)
    return year


def parse_date(raw: object) -> str:
    """A calendar date as ``YYYY-MM-DD``; also 2021/3/5, 2021年3月5日, 20210305 and Excel dates.

    >>> parse_date("2021/3/5"), parse_date("20210305"), parse_date(dt.datetime(2021, 3, 5, 8, 30))
    ('2021-03-05', '2021-03-05', '2021-03-05')
    """
    if isinstance(raw, str) and len(raw) == 10 and _DATE_ISO.match(raw):  # the common case
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise BadValue("reject.no_such_date", value=repr(raw)) from None
    elif isinstance(raw, dt.datetime):  # pd.Timestamp is a datetime
        day = raw.date()
    elif isinstance(raw, dt.date):
        day = raw
    else:
        original = _cell(raw)
        text = _half(original).strip()
        match = None if len(text) > VALUE_LIMIT else (_DATE_YMD.match(text) or _DATE_COMPACT.match(text))
        if not match:
            shown = original if len(original) <= NUMBER_LIMIT else original[:NUMBER_LIMIT] + "…"
            raise BadValue("reject.not_date", value=repr(shown), formats=_DATE_WAYS)
        groups = match.groups()
        year, month, dom = (int(g) for g in groups[:3])
        hour, minute, second = (int(g or 0) for g in (*groups[3:], None, None, None)[:3])
        if hour > 23 or minute > 59 or second > 59:
            raise BadValue("reject.no_such_time", value=repr(original))
        try:
            day = dt.date(year, month, dom)
        except ValueError:
            raise BadValue("reject.no_such_date", value=repr(original)) from None
    if not 1800 <= day.year <= 2199:
        raise BadValue("reject.date_range", date=day.isoformat())
    return day.isoformat()


def parse_bool(raw: object) -> bool:
    """true/false, 是/否, Y/N, 1/0, yes/no (any case).

    >>> parse_bool("是"), parse_bool("N"), parse_bool(1.0)
    (True, False, True)
    """
    original = _cell(raw)
    text = _nfkc(original).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValue("reject.not_bool", value=repr(original), words=_BOOL_WAYS)


def parse_list(raw: object) -> tuple[str, ...]:
    """Items separated by ``; ； , ， 、 |``: stripped, blanks dropped, repeats dropped.

    A cell of separators only gives ``()``, which the column code stores as
    a missing value.

    >>> parse_list("a| b ||a"), parse_list("；")
    (('a', 'b'), ())
    """
    items: dict[str, None] = {}
    for part in _LIST_SPLIT.split(_checked(_cell(raw), NAME_LIMIT, name=False)):
        item = _WHITESPACE.sub(" ", part).strip()
        if item:
            items[item] = None
    return tuple(items)


def _match_key(text: str) -> str:
    """How enum values and aliases are compared: half-width, no blanks, case-folded."""
    return _WHITESPACE.sub("", _nfkc(text)).casefold()


def _enum_lookup(spec: PropertySpec) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for canonical, aliases in spec.values.items():
        for alias in (canonical, *aliases):
            lookup.setdefault(_match_key(alias), canonical)
    return lookup


def known_values(spec: PropertySpec) -> str:
    """The accepted values of an enum, for error messages: ``active (存续/在业/...), ...``."""
    return ", ".join(f"{c} ({'/'.join(a)})" if a else c for c, a in spec.values.items())


def parse_enum(raw: object, spec: PropertySpec) -> str:
    """The canonical name of an enum value or of one of its aliases (any case, either width).

    >>> from graph.schema import load_schema
    >>> parse_enum("吊销，未注销", load_schema().label("Company").properties["status"])
    'revoked'
    """
    text = parse_text(raw)
    found = spec.canonical_value(text) or _enum_lookup(spec).get(_match_key(text))
    if found is None:
        raise BadValue("reject.unknown_value", name=spec.name, value=repr(text), known=known_values(spec))
    return found


_ROLE_LOOKUPS: dict[int, tuple[PropertySpec, dict[str, str], dict[str, str], dict[int, str]]] = {}
_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")


def _role_lookups(spec: PropertySpec) -> tuple[dict[str, str], dict[str, str], dict[int, str]]:
    """Titles as written and Traditional-folded, each to its class; the fold table (cached per spec)."""
    cached = _ROLE_LOOKUPS.get(id(spec))
    if cached is None or cached[0] is not spec:
        exact = _enum_lookup(spec)
        table = str.maketrans(spec.fold)
        folded: dict[str, str] = {}
        for key, value in exact.items():
            folded.setdefault(key.translate(table), value)
        cached = (spec, exact, folded, table)
        _ROLE_LOOKUPS[id(spec)] = cached
    return cached[1], cached[2], cached[3]


def _title_class(text: str, spec: PropertySpec) -> str | None:
    """The class of one whole title: as written, Traditional folded, then without a bracketed note."""
    exact, folded, table = _role_lookups(spec)
    key = _match_key(text)
    for candidate in (key, _BRACKETED.sub("", key)):
        if not candidate:
            continue
        found = exact.get(candidate) or folded.get(candidate.translate(table))
        if found is not None:
            return found
    return None


def role_of(raw: object, spec: PropertySpec, order: Sequence[str]) -> tuple[str, bool]:
    """The class of an officer title and whether the vocabulary knows it.

    The whole title is tried first (as written, then with Traditional
    characters folded, then without a bracketed note such as （职工代表））;
    otherwise it is split on 兼 、 / ， and the known part that comes first in
    ``order`` (warmth.yaml's ``by_role``) wins. A title with no known part is
    the spec's ``fallback`` (``other``) and ``False``; without a fallback it
    is refused (ValueError).

    >>> from graph.schema import load_schema
    >>> role = load_schema().kind("SERVES_AS").properties["role"]
    >>> order = ["legal_representative", "chairman", "general_manager", "director", "executive", "other"]
    >>> role_of("董事長兼總經理", role, order), role_of("吉祥物", role, order)
    (('chairman', True), ('other', False))
    """
    text = parse_text(raw)
    whole = spec.canonical_value(text) or _title_class(text, spec)
    if whole is not None:
        return whole, True
    found = {c for c in (_title_class(p, spec) for p in _ROLE_SPLIT.split(text) if p.strip()) if c is not None}
    if found:
        rank = {name: i for i, name in enumerate(order)}
        return min(found, key=lambda name: (rank.get(name, len(rank)), name)), True
    if spec.fallback is not None:
        return spec.fallback, False
    raise BadValue("reject.unknown_role", value=repr(text), known=known_values(spec))


def parse_role(raw: object, spec: PropertySpec, order: Sequence[str]) -> str:
    """The warmest known part of an officer title such as 执行董事兼总经理 (see :func:`role_of`).

    >>> from graph.schema import load_schema
    >>> role = load_schema().kind("SERVES_AS").properties["role"]
    >>> order = ["legal_representative", "chairman", "general_manager", "director"]
    >>> parse_role("执行董事兼总经理", role, order), parse_role("董事/总经理", role, order)
    ('chairman', 'general_manager')
    >>> parse_role("獨立非執行董事", role, order), parse_role("董事局主席", role, order)
    ('director', 'chairman')
    """
    return role_of(raw, spec, order)[0]


_LABEL_WORDS: dict[str, tuple[str, ...]] = {
    "Company": ("企业", "公司", "法人", "单位", "机构", "组织", "company", "enterprise", "corporate", "organization"),
    "Person": ("自然人", "个人", "人员", "person", "individual", "naturalperson", "natural"),
    "Park": ("园区", "park"),
}


def parse_label(raw: object, allowed: Sequence[str]) -> str:
    """Which node label a type cell names: 企业/公司/法人/Company → Company, 自然人/个人/Person → Person.

    Also understands longer forms such as 自然人股东, 企业法人 and 非自然人.

    >>> parse_label("自然人股东", ["Company", "Person"]), parse_label("非自然人", ["Company", "Person"])
    ('Person', 'Company')
    """
    text = parse_text(raw)
    key = _match_key(text)
    found: str | None = None
    for label, words in _LABEL_WORDS.items():
        if key == label.casefold() or key in words:
            found = label
            break
    if found is None:
        if "非自然人" in key:
            found = "Company"
        else:
            found = next((lb for lb, words in _LABEL_WORDS.items() if any(w in key for w in words if len(w) > 1)), None)
    if found is None or found not in allowed:
        known = ", ".join(f"{'/'.join(_LABEL_WORDS.get(lb, ())[:3])}/{lb}" for lb in allowed)
        if found is None:
            raise BadValue("reject.unknown_type", value=repr(text), known=known)
        raise BadValue("reject.type_not_allowed", value=repr(text), label=found, known=known)
    return found


def _id_check(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def mask_idno(raw: object) -> str:
    """A national ID number masked for storage: first 6 and last 4 kept, the rest ``*``.

    18-digit numbers (check digit per GB 11643) and old 15-digit ones are
    checked; other document numbers (passport, permits) keep only their first
    and last 2 characters. The full number is never returned, not even in an
    error message.

    >>> mask_idno("11010519491231002x")
    '110105********002X'
    >>> mask_idno("E12345678")
    'E1*****78'
    """
    text = _half(_cell(raw)).replace(" ", "").upper()
    if len(text) > NUMBER_LIMIT:
        raise BadValue("reject.idno_too_long", length=f"{len(text):,}")
    if _ID18.match(text):
        expected = _id_check(text[:17])
        if text[17] != expected:
            raise BadValue("reject.idno_check", value=mask_text(text), found=text[17], expected=expected)
        return text[:6] + "*" * 8 + text[-4:]
    if _ID15.match(text):
        return text[:6] + "*" * 5 + text[-4:]
    if text.isdigit() and len(text) in (16, 17, 18):
        raise BadValue("reject.idno_digits", value=mask_text(text), length=len(text))
    if not text.isalnum() or not 6 <= len(text) <= 20:
        raise BadValue("reject.not_idno", value=mask_text(text))
    return mask_text(text)


def mask_text(text: str) -> str:
    """Hide all but the first and last characters of a number (for error messages).

    >>> mask_text("310101199001011234")
    '310101********1234'
    """
    text = text.strip()
    if len(text) >= 15:
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    if len(text) >= 6:
        return text[:2] + "*" * (len(text) - 4) + text[-2:]
    return "*" * len(text)


Parser = Callable[[Any], Any]


def parser_for(spec: PropertySpec, *, unit: str | None = None, role_order: Sequence[str] = ()) -> Parser:
    """The parser for one property, with the unit its column header named applied.

    ``unit`` is what stood in brackets after the header (``%`` or ``万元``);
    ``role_order`` is the warmth order used to split compound officer titles
    (only for an enum called ``role``).

    >>> from graph.schema import PropertySpec
    >>> parser_for(PropertySpec("amount", "amount"), unit="万元")("12")
    120000.0
    """
    kind = spec.type
    if kind == "ratio":
        percent = unit is not None and ("%" in unit or "％" in unit)
        return lambda raw: parse_ratio(raw, percent=percent)
    if kind == "amount":
        factor = unit_factor(unit)
        return lambda raw: parse_amount(raw, unit=factor)
    if kind == "enum":
        if spec.name == "role" and role_order:
            return lambda raw: parse_role(raw, spec, role_order)
        return lambda raw: parse_enum(raw, spec)
    if kind == "int" and spec.name == "year":
        return parse_year
    if kind == "text" and spec.name == "name":
        return parse_name
    simple: dict[str, Parser] = {
        "text": parse_text,
        "key": parse_key,
        "uscc": parse_uscc,
        "int": parse_int,
        "date": parse_date,
        "bool": parse_bool,
        "list": parse_list,
        "idno": mask_idno,
    }
    return simple[kind]


def unit_factor(unit: str | None) -> int:
    """How many yuan one unit of a header's bracket names: ``万元`` → 10000, none → 1.

    >>> unit_factor("万元"), unit_factor("亿元人民币"), unit_factor(None)
    (10000, 100000000, 1)
    """
    if not unit:
        return 1
    for suffix, factor in _AMOUNT_UNITS:
        if suffix in unit:
            return factor
    return 1
