"""Every note a query returns, as a code with parameters, and one catalogue that words it.

A query does not write sentences: it returns :class:`Message` values (a code
such as ``"intro.no_path"`` and its parameters), and the explorer and the
command line word them in the reader's language with :func:`render`. Both
languages of a code take the same parameters (a test checks it), so a note
can never be English on a Chinese page nor leak half of itself.

A :class:`Message` is also a ``str`` whose value is ``中文 / English``, so code
that joins or searches notes as text keeps working; new code renders them.

>>> note = Message("common.first_n", limit=20)
>>> render(note, "zh"), render(note, "en")
('只列出前 20 家', 'showing the first 20')
>>> note.to_dict("en")
{'code': 'common.first_n', 'params': {'limit': 20}, 'text': 'showing the first 20'}
>>> render(Message("own.closed_loop", names=("甲", "乙")), "en")
'closed loop of holdings among 甲, 乙: effective ownership undefined'
"""

from __future__ import annotations

import re

from graph.errors import AmbiguousNode, GuanxiError, InvalidParameter, NodeNotFound
from graph.messages import (
    CATALOGUE,
    LIST_SEPARATOR,
    MORE,
    PARAM_WORDS,
    PLURAL,
    Lang,
    Message,
    Param,
    fields,
    mapped,
    note_dict,
    plural,
    reason_text,
    render,
    shown_names,
)
from queries.format import KIND, kind, money

__all__ = [
    "CATALOGUE",
    "KIND_PARAMS",
    "LIST_SEPARATOR",
    "MONEY_PARAMS",
    "MORE",
    "NOT_EXCEL_WORDS",
    "PARAMETER_CODES",
    "PLURAL",
    "Lang",
    "Message",
    "Param",
    "error_message",
    "fields",
    "note_dict",
    "plural",
    "reason_text",
    "render",
    "shown_names",
]

#: the queries' notes and the errors shown to users, added to :data:`graph.messages.CATALOGUE`
#: (code → (Chinese, English), the same fields in both languages)
QUERY_CATALOGUE: dict[str, tuple[str, str]] = {
    # shared
    "common.first_n": ("只列出前 {limit} 家", "showing the first {limit}"),
    # introductions and connections
    "intro.state_holders_left_out": (
        "{n} 条经过国资/财政等持股方的路径未列出（{holders}），它们不代表相识；"
        "可用 include_state_holders（--include-state-holders）列出",
        "{n} [n|path|paths] through holders that connect nobody ({holders}) were left out; "
        "include them with include_state_holders (--include-state-holders)",
    ),
    "intro.capped": (
        "已检索最温暖的 {cap} 条路径，可能还有其他引荐客户",
        "searched the {cap} warmest [cap|path|paths]; more introducers may exist further down",
    ),
    "intro.colder_hidden": (
        "另有温度低于 {min_warmth:g} 的路径未显示（如仅同在一个园区），降低最低温度可查看",
        "colder paths below the minimum warmth {min_warmth:g} are hidden (such as sharing a park); "
        "lower min_warmth to see them",
    ),
    "intro.already_client": (
        "{name} 已是本行客户（客户经理 {manager}）",
        "{name} is already a client (manager {manager})",
    ),
    "intro.no_path": (
        "没有在 {hops} 跳内找到客户{scope}的引荐路径（关系类型：{kinds}{warmth}）；"
        "可增加跳数、选择全部关系类型、降低最低温度，或包含注销/黑名单主体",
        "no client{scope} reaches this company within {hops} [hops|hop|hops] with the chosen kinds ({kinds}){warmth}; "
        "try more hops, all relationship kinds, a lower minimum warmth, or including closed/black-listed",
    ),
    "scope.manager": ("（客户经理 {manager}）", " of manager {manager}"),
    "scope.branch": ("（{branch}）", " of branch {branch}"),
    "scope.min_warmth": ("，温度 ≥ {min_warmth:g}", " and warmth ≥ {min_warmth:g}"),
    "connect.no_path": (
        "{source} 与 {target} 在 {hops} 跳内没有连接；可增加跳数或选择全部关系类型",
        "no connection between {source} and {target} within {hops} [hops|hop|hops] with the chosen kinds; "
        "try more hops or all kinds",
    ),
    # long lists and matching
    "longlist.segment_empty": ("产业链环节 {chain}/{segment} 没有企业", "no company in segment {chain}/{segment}"),
    "longlist.match_summary": (
        "共 {rows} 行：匹配 {matched}，多个候选 {ambiguous}，未匹配 {unmatched}",
        "{rows} [rows|row|rows]: {matched} matched, {ambiguous} ambiguous, {unmatched} unmatched",
    ),
    "longlist.region_kept": (
        "地区 {regions}：保留 {kept} 家（共 {total} 家）",
        "region {regions}: {kept} of {total} kept",
    ),
    "longlist.tags_kept": ("标签 {tags}：保留 {kept} 家（共 {total} 家）", "tags {tags}: {kept} of {total} kept"),
    "longlist.events_kept": ("事件：保留 {kept} 家（共 {total} 家）", "events: {kept} of {total} kept"),
    "match.same_row": ("与第 {row} 行为同一企业", "same company as row {row}"),
    "match.name_differs": ("名称与图中不同：{name}", "the graph's name differs: {name}"),
    "match.uscc_invalid": ("信用代码无效：{problem}", "invalid USCC: {problem}"),
    "match.uscc_unknown": ("信用代码不在图中", "USCC not in the graph"),
    "match.no_name": ("没有名称或信用代码", "no name or USCC"),
    "match.not_found": ("未找到", "not found"),
    # ownership, control, related parties
    "own.closed_loop": (
        "{names} 之间的循环持股自成闭环，穿透持股无法确定",
        "closed loop of holdings among {names}: effective ownership undefined",
    ),
    "own.unknown_stakes": (
        "部分股东因持股比例缺失而无法计算穿透持股",
        "some stakes are unknown: a ratio on the way is missing",
    ),
    "ubo.unknown": (
        "以下自然人或国资主体的穿透持股因比例缺失无法计算，可能达到阈值：{names}",
        "stakes unknown (missing ratio), may reach the threshold: {names}",
    ),
    "ubo.by_control": (
        "无人穿透持股达到 {threshold}，按实际控制或日常经营管理认定",
        "nobody owns {threshold}; owners by control or by running the company",
    ),
    "ubo.nobody": (
        "无人穿透持股达到 {threshold}，亦无实际控制人或负责经营管理的人员记录",
        "nobody owns {threshold} and no controller or manager is recorded",
    ),
    "group.no_controller": (
        "未识别实际控制人；列出同受{root}控制的企业",
        "no actual controller; companies under {root}",
    ),
    "related.flagged": ("关联方中有黑名单或注销/吊销主体：{names}", "flagged related parties: {names}"),
    "related.same_controller_first": (
        "同一控制人企业只列出前 {limit} 家",
        "same-controller companies: first {limit}",
    ),
    "related.state_controlled": (
        "实际控制人为国资主体，仅同受国家控制的企业不列为关联方",
        "state-controlled: sister companies not listed",
    ),
    # supply chain
    "supply.no_records": ("{name}{year}没有供应链记录", "{name} has no supply-chain records{year}"),
    "scope.year": ("在 {year} 年", " for {year}"),
    "supply.no_core": (
        "{name} 在 {tiers} 级内没有服务核心企业",
        "{name} serves no core enterprise within {tiers} [tiers|tier|tiers] downstream",
    ),
    "supply.suppliers_truncated": (
        "第{tier}级供应商共 {count} 家，只列出金额最大的 {limit} 家",
        "tier {tier} suppliers: {count}, showing the largest {limit}",
    ),
    "supply.customers_truncated": (
        "第{tier}级客户共 {count} 家，只列出金额最大的 {limit} 家",
        "tier {tier} customers: {count}, showing the largest {limit}",
    ),
    "supply.core_partners": ("供应链伙伴 {n} 家，居前 {top}", "{n} supply [n|partner|partners], top {top}"),
    "supply.core_purchases": ("年采购额 {amount}，居前 {top}", "purchases {amount}, top {top}"),
    "supply.core_tagged": ("标签 {tag}", "tagged {tag}"),
    "segment.none": (
        "{name} 未归入任何产业链环节",
        "{name} is in no industry-chain segment",
    ),
    "segment.no_neighbours": (
        "{name} 所在环节没有上下游环节",
        "the segments of {name} have no segment up- or downstream",
    ),
    "segment.leads_truncated": (
        "上下游环节的非客户企业共 {count} 家，只列出前 {limit} 家",
        "non-client companies up- and downstream: {count}, showing the first {limit}",
    ),
    "segment.introductions_for": (
        "只为前 {count} 家线索查找引荐路径",
        "introductions looked up for the first {count} leads only",
    ),
    # errors shown to users (see :func:`error_message`)
    "error.not_excel": ("不是 Excel 文件：{name}", "not an Excel file: {name}"),
    "error.unreadable": ("无法读取文件：{name}", "cannot read the file: {name}"),
    "error.parameter": ("{parameter}：{detail}", "{parameter}: {detail}"),
    "error.not_found": ("没有匹配“{query}”的企业、人员或园区", "no company, person or park matches “{query}”"),
    "error.not_found_hint": (
        "没有匹配“{query}”的企业、人员或园区；您是否要找：{candidates}",
        "no company, person or park matches “{query}”; did you mean: {candidates}",
    ),
    "error.ambiguous": (
        "“{query}”匹配到 {count} 个主体，请用统一社会信用代码或全称指定：{candidates}",
        "“{query}” matches {count} [count|entity|entities]; name one by USCC or full name: {candidates}",
    ),
    "error.text": ("{detail}", "{detail}"),
    # parameters as a user knows them (see :data:`PARAMETER_CODES`)
    "param.frame": ("名单", "the list"),
    "param.file": ("文件", "the file"),
    "param.k": ("路径条数", "number of paths"),
    "param.max_hops": ("最大跳数", "maximum hops"),
    "param.min_warmth": ("最低温度", "minimum warmth"),
    "param.kinds": ("关系类型", "relationship kinds"),
    "param.manager": ("客户经理", "manager"),
    "param.branch": ("支行", "branch"),
    "param.company": ("企业", "company"),
    "param.source": ("起点", "start"),
    "param.target": ("目标", "target"),
    "param.threshold": ("阈值", "threshold"),
    "param.limit": ("条数上限", "limit"),
    "param.year": ("年份", "year"),
    "param.tiers": ("层级", "tiers"),
    "param.region": ("地区", "region"),
    "param.name": ("名称", "name"),
    "param.query": ("查询", "search"),
    "param.kind": ("关系类型", "relationship kind"),
    "param.state": ("状态", "state"),
    "param.note": ("备注", "note"),
    "param.direction": ("方向", "direction"),
    "param.events_since": ("事件起始日期", "events since"),
    "param.roles": ("职务", "roles"),
    "param.encoding": ("编码", "encoding"),
    "param.owner": ("负责人", "owner"),
    "param.lead": ("线索", "lead"),
    "param.prospects": ("潜客名单", "prospect list"),
    "param.distinct": ("去重方式", "one path per"),
    "param.as_of": ("截至日期", "as of"),
    "param.segments": ("产业链环节", "segments"),
    "param.events": ("事件", "events"),
    "param.other": ("输入", "input"),
}
CATALOGUE.update(QUERY_CATALOGUE)

#: parameters named so are relationship types (``HOLDS_SHARES``), shown by their names (股权 / equity)
KIND_PARAMS = frozenset({"kind", "kinds"})
#: parameters named so are amounts in yuan, shown as each language writes money (¥1.2亿 / ¥120m)
MONEY_PARAMS = frozenset({"amount"})


#: an :class:`~graph.errors.InvalidParameter`'s parameter name → the catalogue code of its name for users
PARAMETER_CODES: dict[str, str] = {
    name: f"param.{name}"
    for name in (
        "frame",
        "file",
        "k",
        "max_hops",
        "min_warmth",
        "kinds",
        "manager",
        "branch",
        "company",
        "source",
        "target",
        "threshold",
        "limit",
        "year",
        "tiers",
        "region",
        "name",
        "query",
        "kind",
        "state",
        "note",
        "direction",
        "events_since",
        "roles",
        "encoding",
        "owner",
        "lead",
        "prospects",
        "distinct",
        "as_of",
        "segments",
        "events",
    )
}
PARAMETER_CODES.update(
    {"path": "param.file", "types": "param.kinds", "hops": "param.max_hops", "node": "param.company"}
)

#: what pandas, openpyxl and xlrd say when an upload is not a spreadsheet they can open
NOT_EXCEL_WORDS = (
    "excel file format cannot be determined",
    "specify an engine manually",
    "not a zip file",
    "badzipfile",
    "not an excel",
    "not a readable excel workbook",
    "but not an excel workbook",
)
#: a file path in an error text: absolute, after a space, a quote, a bracket, ``:`` or ``=``
_PATH = re.compile(r"""(?:(?<=^)|(?<=[\s'"(（：:=]))(?:[A-Za-z]:\\|/)[^\s'"()（）,，;；]+""")
#: a relationship type's internal name
_KIND_CODE = re.compile(r"\b(?:" + "|".join(map(re.escape, KIND)) + r")\b")


def _kind_words(value: str | int | float, lang: Lang) -> str | int | float:
    return kind(value, lang) if isinstance(value, str) else value


def _money_words(value: str | int | float, lang: Lang) -> str | int | float:
    return money(value, lang) if isinstance(value, int | float) else value


def _detail_words(value: str | int | float, lang: Lang) -> str | int | float:
    return _KIND_CODE.sub(lambda m: kind(m.group(0), lang), value) if isinstance(value, str) else value


PARAM_WORDS.update({name: _kind_words for name in KIND_PARAMS})
PARAM_WORDS.update({name: _money_words for name in MONEY_PARAMS})
PARAM_WORDS["detail"] = _detail_words


def _without_paths(text: str, file: str | None) -> str:
    """``text`` with every file path shown as ``file`` (the name the user uploaded) or its own base name."""

    def name(match: re.Match[str]) -> str:
        path = match.group(0).rstrip(".:")
        rest = match.group(0)[len(path) :]
        return (file or re.split(r"[/\\]", path)[-1] or path) + rest

    return _PATH.sub(name, text)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def error_message(exc: BaseException, file: str | None = None) -> Message:
    """An error as a user may read it: no temporary paths (``file`` names the upload), no pandas or
    openpyxl texts, no internal names of parameters or relationship types. An error raised with a
    :class:`Message` (``exc.message``, such as a :class:`~graph.errors.LoadError` naming a file, row and
    column) is that message.

    >>> render(error_message(ValueError("Excel file format cannot be determined"), "名单.xls"), "zh")
    '不是 Excel 文件：名单.xls'
    >>> render(error_message(InvalidParameter("frame", "no name or USCC column")), "en")
    'the list: no name or USCC column'
    >>> render(error_message(ValueError("cannot read /tmp/guanxi-upload-x1/公司.csv: bad")), "en")
    'cannot read 公司.csv: bad'
    """
    texts = " ".join(f"{type(e).__name__} {e}" for e in _chain(exc)).lower()
    if any(word in texts for word in NOT_EXCEL_WORDS):
        shown = file or next((m.group(0).rsplit("/", 1)[-1] for m in _PATH.finditer(str(exc))), "")
        return Message("error.not_excel", name=shown)
    if isinstance(exc, GuanxiError) and exc.message is not None:  # worded where it was raised
        return mapped(exc.message, lambda text: _without_paths(text, file))
    if isinstance(exc, NodeNotFound):
        if exc.candidates:
            return Message("error.not_found_hint", query=exc.query, candidates=shown_names(exc.candidates, 10))
        return Message("error.not_found", query=exc.query)
    if isinstance(exc, AmbiguousNode):
        return Message(
            "error.ambiguous",
            query=exc.query,
            count=len(exc.candidates),
            candidates=shown_names(exc.candidates, 10),
        )
    if isinstance(exc, InvalidParameter):
        detail = str(exc).removeprefix(f"parameter {exc.name!r}: ")
        parameter = Message(PARAMETER_CODES.get(exc.name, "param.other"))
        return Message("error.parameter", parameter=parameter, detail=_without_paths(detail, file))
    return Message("error.text", detail=_without_paths(str(exc), file))
