"""Hypothesis strategies for hostile table files: structure, cells and bytes drawn at random.

:func:`hostile_tables` draws a companies (or persons) CSV whose cells mix
real values with separators, quotes, line breaks, control characters,
numbers out of range and mojibake, in one of several encodings, sometimes
with a stray byte. Its outcome is judged by :mod:`tests.fuzz.oracle`'s
invariants alone (the expectation is ``any``).
"""

from __future__ import annotations

from hypothesis import strategies as st

from tests.fuzz.corpus import Case, Expect, uscc

PIECES = (
    "上海", "某芯", "科技", "有限公司", "张伟", "台積電", "a", "Z", "0", "9", " ", "\u3000", ",", "，", '"', "'",
    "\n", "\r\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u202e", "\ufeff", "１", "%", "万", "亿", "e",
    "-", ".", "1e400", "inf", "nan", "=", "+", "@", "<b>", "2021-03-05", "25:99", "涓婃捣", "9" * 30, "长" * 300,
)  # fmt: skip
COLUMNS = {
    "companies": ("统一社会信用代码", "企业名称", "注册资本", "成立日期", "是否上市", "登记状态", "产业链", "行业"),
    "persons": ("人员编号", "姓名", "证件号码", "是否黑名单"),
}
ENGLISH = {
    "companies": ("uscc", "name", "registered_capital", "founded", "listed", "status", "tags", "industry"),
    "persons": ("id", "name", "id_number", "blacklisted"),
}
ENCODINGS = ("utf-8", "utf-8", "utf-8", "utf-8-sig", "gb18030", "gb18030", "utf-16", "big5", "utf-16-le")

cells = st.lists(st.sampled_from(PIECES), max_size=4).map("".join)


@st.composite
def hostile_tables(draw: st.DrawFn) -> Case:
    """A random hostile table file as a fuzz :class:`~tests.fuzz.corpus.Case`."""
    kind = draw(st.sampled_from(sorted(COLUMNS)))
    encoding = draw(st.sampled_from(ENCODINGS))
    columns = ENGLISH[kind] if encoding == "big5" else COLUMNS[kind]  # Big5 has no 统一社会信用代码
    extra = draw(st.lists(st.sampled_from(columns[2:]), unique=True))
    header = [*columns[:2], *extra]
    sep = draw(st.sampled_from((",", ",", "\t")))
    lines = [sep.join(header)]
    for i in range(draw(st.integers(0, 6))):
        key = uscc(100 + i) if kind == "companies" else f"p{i}"
        first = draw(st.one_of(st.just(key), cells))
        row = [first, *(draw(cells) for _ in header[1:])]
        row += draw(st.lists(cells, max_size=2))  # sometimes more fields than the header
        lines.append(sep.join(row))
    newline = draw(st.sampled_from(("\n", "\r\n", "\r")))
    text = newline.join(lines) + draw(st.sampled_from((newline, "")))
    data = text.encode(encoding, errors="replace")
    if data and draw(st.booleans()) and draw(st.booleans()):
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([draw(st.integers(0x80, 0xFF))]) + data[at:]
    suffix = ".tsv" if sep == "\t" and draw(st.booleans()) else ".csv"
    return Case(f"random-{kind}", f"{encoding}-{len(lines) - 1}-rows", {f"{kind}{suffix}": data}, Expect("any"))
