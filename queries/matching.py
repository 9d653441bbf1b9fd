"""Match an uploaded client or prospect list (客户/潜客名单) to the graph's companies.

Each row is tried in order:

1. **USCC** (统一社会信用代码), when the row has a valid one that is in the graph;
2. **name**, normalised: full-width made half-width, every kind of bracket
   made ``()``, blanks and punctuation removed, case folded; compared in
   three steps, the first step with a hit deciding:

   * as is (``上海某芯科技（集团）有限公司`` = ``上海某芯科技(集团)有限公司``),
   * without the legal form and ``集团`` (有限公司 / 有限责任公司 /
     股份有限公司 / 集团有限公司 / 有限合伙 / Co., Ltd ...),
   * also without the region: a region in brackets moved to the front
     (``海天塑机（宁波）`` = ``宁波海天塑机``), then a leading province
     dropped (``江苏省``, ``上海``) and the ``市`` after a leading city
     (``苏州市恒芯`` = ``苏州恒芯``);

   former names (曾用名) count as well as current ones, current first;
3. **fuzzy**: the most similar name (rapidfuzz ``ratio`` on the name
   without legal form) scoring at least ``threshold`` (default 85); when
   another company scores within 2 points the row is ambiguous.

Several companies at the deciding step make the row *ambiguous*, with the
candidates listed; no hit makes it *unmatched*. Row numbers are those the
user sees in Excel (the header is row 1). The name index is built once per
store and cached (:func:`queries.common.cached`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from graph.errors import InvalidParameter
from graph.model import Node, node_id
from graph.store import GraphStore
from graph.uscc import normalise_uscc, uscc_problem
from loaders.read import header_key, read_raw
from loaders.values import is_blank
from queries.common import cached, fraction, list_prop, node_dict
from queries.messages import Message, note_dict, render

#: headers of the name column, in order of preference (compared as :func:`loaders.read.header_key` does)
NAME_HEADERS = (
    "企业名称",
    "客户名称",
    "潜客名称",
    "公司名称",
    "单位名称",
    "名称",
    "name",
    "company_name",
    "company",
    "customer",
    "客户",
    "企业",
)
#: headers of the USCC column, in order of preference
USCC_HEADERS = ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "uscc", "credit_code", "usci")

Status = Literal["matched", "ambiguous", "unmatched"]
Method = Literal["uscc", "name", "name_variant", "name_without_region", "former_name", "fuzzy"]

_PROVINCES = (
    "内蒙古",
    "黑龙江",
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "中国",
)
_PROVINCE = "(?:" + "|".join(_PROVINCES) + ")(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)?"
_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")", "{": "(", "}": ")"})
_NOISE = re.compile(r"[\s·・.,;:'\"“”‘’`!?\-_/\\、&*+|~。，；：！？]+")
_LEGAL = re.compile(
    r"(?:股份有限公司|有限责任公司|有限公司|股份公司|集团公司|总公司|公司|\(有限合伙\)|\(普通合伙\)|有限合伙|普通合伙"
    r"|coltd|companylimited|limited|ltd|incorporated|inc|corporation|corp|llc|plc|co)$"
)
_GROUP = re.compile(r"(?:\(集团\)|集团|group)$")
_REGION_BRACKET = re.compile(r"\((" + _PROVINCE + r"|[\u4e00-\u9fff]{2,3}(?:市|区|县)?)\)")
_LEADING_PROVINCE = re.compile("^" + _PROVINCE)
_LEADING_CITY = re.compile(r"^([\u4e00-\u9fff]{2,3}?)市")
_FUZZY_MIN_LENGTH = 4
#: a bigram more frequent than this is too common to find fuzzy candidates with
_COMMON_BIGRAM = 20_000
#: fuzzy scoring looks at most at this many names: those sharing the most rare bigrams with the query
_FUZZY_POOL = 2_000


def _base(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold().translate(_BRACKETS)
    return _NOISE.sub("", text).replace("()", "")


def _without_legal_form(key: str) -> str:
    out = key
    while True:
        shorter = _GROUP.sub("", _LEGAL.sub("", out))
        if shorter == out or not shorter:
            return out
        out = shorter


def _without_region(key: str) -> str:
    bracket = _REGION_BRACKET.search(key)
    out = key if bracket is None else bracket.group(1) + key[: bracket.start()] + key[bracket.end() :]
    out = _LEADING_PROVINCE.sub("", out) or out
    city = _LEADING_CITY.match(out)
    if city and len(out) > city.end():
        out = city.group(1) + out[city.end() :]
    return out or key


def name_keys(name: str) -> tuple[str, str, str]:
    """The three normalised forms of a company name: as is, without legal form, without region.

    >>> name_keys("江苏省苏州市恒芯微电子（集团）有限公司")
    ('江苏省苏州市恒芯微电子(集团)有限公司', '江苏省苏州市恒芯微电子', '苏州恒芯微电子')
    >>> name_keys("某芯科技（上海）股份有限公司")[2]
    '某芯科技'
    """
    full = _base(name)
    plain = _without_legal_form(full)
    return full, plain, _without_region(plain)


# -- the name index -------------------------------------------------------------------------------
class NameIndex:
    """Every company's names (current and former) under the three keys, and bigrams for fuzzy search.

    A name is stored as a code, ``company index * 2 + (1 if former name)``;
    a key maps to one code, or to a list of codes when several names share it.
    """

    def __init__(self, ids: list[str], entries: list[tuple[int, str, bool]]) -> None:
        self.ids = ids
        self.levels: tuple[dict[str, int | list[int]], ...] = ({}, {}, {})
        self.entry_key: list[str] = []
        owners: list[int] = []
        for company, text, former in entries:
            code = company * 2 + former
            full, plain, bare = name_keys(text)
            for level, key in ((0, full), (1, plain), (2, plain if bare == plain else bare)):
                if not key:
                    continue
                held = self.levels[level].setdefault(key, code)
                if held != code:
                    if isinstance(held, list):
                        held.append(code)
                    else:
                        self.levels[level][key] = [held, code]
            owners.append(company)
            self.entry_key.append(plain)
        self.entry_company = np.array(owners, dtype=np.int64)
        self._bigrams: dict[str, np.ndarray] | None = None

    @classmethod
    def build(cls, store: GraphStore) -> NameIndex:
        """Read every company once."""
        ids: list[str] = []
        entries: list[tuple[int, str, bool]] = []
        for node in store.iter_nodes("Company"):
            i = len(ids)
            ids.append(node.id)
            entries.append((i, node.name, False))
            entries.extend((i, former, True) for former in list_prop(node.props, "former_names"))
        return cls(ids, entries)

    def exact(self, name: str) -> tuple[Method, list[int]] | None:
        """The first normalisation step with a hit: its method and the companies (current names first)."""
        methods: tuple[Method, ...] = ("name", "name_variant", "name_without_region")
        for level, key in enumerate(name_keys(name)):
            held = self.levels[level].get(key) if key else None
            if held is None:
                continue
            codes = held if isinstance(held, list) else [held]
            current = sorted({c // 2 for c in codes if not c % 2})
            if current:
                return methods[level], current
            return "former_name", sorted({c // 2 for c in codes})
        return None

    def _postings(self) -> dict[str, np.ndarray]:
        """The names (entry numbers) each bigram of a name without legal form occurs in; built on first use."""
        if self._bigrams is None:
            lists: dict[str, list[int]] = defaultdict(list)
            for entry, key in enumerate(self.entry_key):
                for gram in {key[i : i + 2] for i in range(len(key) - 1)}:
                    lists[gram].append(entry)
            self._bigrams = {g: np.array(v, dtype=np.int32) for g, v in lists.items()}
        return self._bigrams

    def fuzzy(self, name: str, threshold: float, limit: int = 5) -> list[tuple[int, float]]:
        """Companies whose name scores at least ``threshold``, best first: ``(company index, score)``."""
        key = name_keys(name)[1]
        if len(key) < _FUZZY_MIN_LENGTH:
            return []
        postings = self._postings()
        grams = {key[i : i + 2] for i in range(len(key) - 1)}
        pools = [postings[g] for g in grams if g in postings and len(postings[g]) <= _COMMON_BIGRAM]
        if pools:
            entries, shared = np.unique(np.concatenate(pools), return_counts=True)
            if len(entries) > _FUZZY_POOL:  # keep the names sharing the most rare bigrams
                entries = entries[np.argpartition(-shared, _FUZZY_POOL)[:_FUZZY_POOL]]
        else:
            entries = np.arange(len(self.entry_key))
        choices = [self.entry_key[int(e)] for e in entries]
        scored = process.extract(key, choices, scorer=fuzz.ratio, score_cutoff=threshold, limit=limit * 4)
        best: dict[int, float] = {}
        for _, score, pos in scored:
            company = int(self.entry_company[entries[pos]])
            best[company] = max(best.get(company, 0.0), float(score))
        return sorted(best.items(), key=lambda kv: (-kv[1], self.ids[kv[0]]))[:limit]


def name_index(store: GraphStore) -> NameIndex:
    """The store's name index, built on first use and cached while the store's counts stay the same."""
    return cached(store, "match_names", lambda: NameIndex.build(store))


# -- results ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MatchRow:
    """One row of the list: what it said, how it matched, to which company.

    ``candidates`` are the companies an ambiguous row could be, or the
    nearest miss of an unmatched one.
    """

    row: int
    name: str | None
    uscc: str | None
    status: Status
    method: Method | None = None
    score: float | None = None
    node: Node | None = None
    candidates: tuple[Node, ...] = ()
    note: str = ""
    #: the notes of :attr:`note` one by one, as messages (:mod:`queries.messages`)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "name": self.name,
            "uscc": self.uscc,
            "status": self.status,
            "method": self.method,
            "score": self.score,
            "node": None if self.node is None else node_dict(self.node),
            "candidates": [node_dict(c) for c in self.candidates],
            "note": self.note,
            "notes": [note_dict(n) for n in self.notes],
        }


@dataclass(frozen=True)
class MatchReport:
    """Every row of a list with its match; what matched, what is ambiguous, what did not match."""

    rows: tuple[MatchRow, ...]
    name_column: str | None = None
    uscc_column: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def matched(self) -> tuple[MatchRow, ...]:
        return tuple(r for r in self.rows if r.status == "matched")

    @property
    def ambiguous(self) -> tuple[MatchRow, ...]:
        return tuple(r for r in self.rows if r.status == "ambiguous")

    @property
    def unmatched(self) -> tuple[MatchRow, ...]:
        return tuple(r for r in self.rows if r.status == "unmatched")

    def summary_message(self) -> Message:
        """How many rows matched, were ambiguous, did not match: a note."""
        return Message(
            "longlist.match_summary",
            rows=len(self.rows),
            matched=len(self.matched),
            ambiguous=len(self.ambiguous),
            unmatched=len(self.unmatched),
        )

    def summary(self, lang: Literal["zh", "en"] = "zh") -> str:
        """:meth:`summary_message` in one language."""
        return render(self.summary_message(), lang)

    def to_frame(self) -> pd.DataFrame:
        """One line per row, for a download."""
        return pd.DataFrame(
            [
                {
                    "row": r.row,
                    "input_name": r.name,
                    "input_uscc": r.uscc,
                    "status": r.status,
                    "method": r.method,
                    "score": r.score,
                    "name": None if r.node is None else r.node.name,
                    "uscc": None if r.node is None else r.node.key,
                    "candidates": "；".join(f"{c.name}({c.key})" for c in r.candidates),
                    "note": r.note,
                }
                for r in self.rows
            ],
            columns=[
                "row",
                "input_name",
                "input_uscc",
                "status",
                "method",
                "score",
                "name",
                "uscc",
                "candidates",
                "note",
            ],
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "name_column": self.name_column,
            "uscc_column": self.uscc_column,
            "summary": {
                "rows": len(self.rows),
                "matched": len(self.matched),
                "ambiguous": len(self.ambiguous),
                "unmatched": len(self.unmatched),
            },
            "rows": [r.to_dict() for r in self.rows],
            "notes": [note_dict(n) for n in self.notes],
        }


# -- reading and matching -------------------------------------------------------------------------------
def read_list(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """A client or prospect list from CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or Excel, every cell
    text, indexed by the row number the user sees (header = row 1). LoadError when unreadable."""
    return read_raw(path, sheet=sheet).frame


def _column(frame: pd.DataFrame, headers: Sequence[str]) -> str | None:
    keyed = {header_key(c)[0]: str(c) for c in reversed(list(frame.columns))}
    for h in headers:
        hit = keyed.get(header_key(h)[0])
        if hit is not None:
            return hit
    return None


def _row_numbers(frame: pd.DataFrame) -> list[int]:
    """Row numbers as the user sees them: the index when it holds them (starts at 1 or more, as
    :func:`read_list` gives), the index + 2 for pandas' 0-based index (header = row 1), else position + 2."""
    if len(frame) == 0:
        return []
    if pd.api.types.is_integer_dtype(frame.index.dtype):
        numbers = [int(i) for i in frame.index]
        return numbers if min(numbers) >= 1 else [n + 2 for n in numbers]
    return [i + 2 for i in range(len(frame))]


def _cell(value: object) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def match_list(
    store: GraphStore,
    frame: pd.DataFrame,
    *,
    name_column: str | None = None,
    uscc_column: str | None = None,
    threshold: float = 85.0,
    fuzzy: bool = True,
) -> MatchReport:
    """Match every row of ``frame`` to a graph company (see the module docstring for the order).

    Columns are found by header (企业名称/客户名称/name ..., 统一社会信用代码/uscc ...)
    unless named. Row numbers are the frame's index when it starts at 1 or
    more (as :func:`read_list` returns), index + 2 for pandas' usual 0-based
    index, else position + 2.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InvalidParameter("frame", f"expected a pandas DataFrame, got {type(frame).__name__}")
    threshold = fraction("threshold", threshold, 0.0, 100.0)
    for given, what in ((name_column, "name_column"), (uscc_column, "uscc_column")):
        if given is not None and given not in frame.columns:
            raise InvalidParameter(what, f"no column {given!r}; columns: {', '.join(map(str, frame.columns))}")
    name_col = name_column or _column(frame, NAME_HEADERS)
    uscc_col = uscc_column or _column(frame, USCC_HEADERS)
    if name_col is None and uscc_col is None:
        raise InvalidParameter(
            "frame",
            "the list needs a company name or USCC column; accepted headers: "
            + ", ".join((*NAME_HEADERS, *USCC_HEADERS)),
        )
    rows = _row_numbers(frame)
    names = [_cell(v) for v in frame[name_col]] if name_col else [None] * len(frame)
    codes = [_cell(v) for v in frame[uscc_col]] if uscc_col else [None] * len(frame)
    # an USCC typed into the name column counts as one
    codes = [c or (n if n and _valid_uscc(n) else None) for c, n in zip(codes, names, strict=True)]
    by_uscc = store.get_nodes(sorted({node_id("Company", normalise_uscc(c)) for c in codes if c and _valid_uscc(c)}))
    # the name index is built only when a row needs it (a list of USCCs never does)
    needs_names = any(
        name and not (code and node_id("Company", normalise_uscc(code)) in by_uscc)
        for name, code in zip(names, codes, strict=True)
    )
    index = name_index(store) if needs_names else None
    found = [
        _match_one(name, code, by_uscc, index, threshold if fuzzy else None)
        for name, code in zip(names, codes, strict=True)
    ]
    nodes = store.get_nodes(sorted({i for f in found for i in f.ids}))
    first_row: dict[str, int] = {}
    out: list[MatchRow] = []
    for row, name, code, f in zip(rows, names, codes, found, strict=True):
        hits = tuple(nodes[i] for i in f.ids if i in nodes)
        node = hits[0] if f.status == "matched" and hits else None
        notes = list(f.notes)
        if node is not None:
            if node.id in first_row:
                notes.append(Message("match.same_row", row=first_row[node.id]))
            else:
                first_row[node.id] = row
        candidates = hits if f.status == "ambiguous" else ()
        out.append(
            MatchRow(row, name, code, f.status, f.method, f.score, node, candidates, "；".join(notes), tuple(notes))
        )
    return MatchReport(tuple(out), name_col, uscc_col)


@dataclass(frozen=True)
class _Found:
    status: Status
    method: Method | None = None
    score: float | None = None
    ids: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def _valid_uscc(text: str) -> bool:
    code = normalise_uscc(text)
    return len(code) == 18 and uscc_problem(code) is None


def _match_one(
    name: str | None, code: str | None, by_uscc: dict[str, Node], index: NameIndex | None, threshold: float | None
) -> _Found:
    """One row: by USCC, else by name (exact steps, then fuzzy when ``threshold`` is set)."""
    notes: list[str] = []
    if code:
        clean = normalise_uscc(code)
        problem = uscc_problem(clean)
        hit = None if problem else by_uscc.get(node_id("Company", clean))
        if hit is not None:
            known = {name_keys(n)[1] for n in (hit.name, *list_prop(hit.props, "former_names"))}
            if name and name_keys(name)[1] not in known:
                notes.append(Message("match.name_differs", name=hit.name))
            return _Found("matched", "uscc", 100.0, (hit.id,), tuple(notes))
        notes.append(Message("match.uscc_invalid", problem=problem) if problem else Message("match.uscc_unknown"))
    if not name or index is None:
        return _Found("unmatched", notes=tuple(notes or [Message("match.no_name")]))
    exact = index.exact(name)
    if exact is not None:
        method, hits = exact
        status: Status = "matched" if len(hits) == 1 else "ambiguous"
        return _Found(status, method, 100.0, tuple(index.ids[h] for h in hits), tuple(notes))
    near = index.fuzzy(name, threshold) if threshold is not None else []
    if not near:
        return _Found("unmatched", notes=(*notes, Message("match.not_found")))
    best = near[0][1]
    close = tuple(index.ids[c] for c, score in near if score >= best - 2.0)
    return _Found("matched" if len(close) == 1 else "ambiguous", "fuzzy", best, close, tuple(notes))


def match_file(
    store: GraphStore, path: str | Path, *, sheet: str | None = None, threshold: float = 85.0
) -> MatchReport:
    """:func:`read_list` then :func:`match_list`."""
    return match_list(store, read_list(path, sheet=sheet), threshold=threshold)
