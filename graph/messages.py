"""Words a user reads, as codes with parameters, and the one catalogue that words them in Chinese and English.

Code does not write sentences for users: it builds a :class:`Message` (a code
such as ``"reject.not_date"`` and its parameters), and the explorer and the
command line word it in the reader's language with :func:`render`. Both
languages of a code take the same parameters (a test checks it), so a reason
can never be English on a Chinese page nor leak half of itself.

This module is the bottom of the house: the loaders' reject reasons and the
errors of :mod:`graph.errors` are worded here; :mod:`queries.messages` adds the
queries' notes to the same :data:`CATALOGUE` and the words for relationship
kinds and money (:data:`PARAM_WORDS`).

A :class:`Message` is also a ``str`` whose value is ``中文 / English``, so code
that joins or searches texts keeps working; new code renders them.

>>> reason = Message("reject.year_range", year=1700)
>>> render(reason, "zh"), render(reason, "en")
('年份 1700 超出范围（1800..2199）', 'year 1700 is out of range (1800..2199)')
>>> reason.en
'year 1700 is out of range (1800..2199)'
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Mapping
from typing import Literal, TypeAlias

Lang = Literal["zh", "en"]

#: one parameter of a message: text, a number, a list of names, or a message worded in the same language
Param: TypeAlias = "str | int | float | tuple[str, ...] | Message"

#: code → (Chinese, English); ``{name}`` fields as in :meth:`str.format`, the same fields in both languages.
#: :mod:`queries.messages` adds the queries' codes; the loaders' reject reasons (``reject.*``), the
#: USCC's problems (``uscc.*``) and the errors of files that cannot be loaded (``load.*``) are here.
CATALOGUE: dict[str, tuple[str, str]] = {
    "empty": ("", ""),
    "text": ("{detail}", "{detail}"),
    # a USCC's problems (graph.uscc)
    "uscc.length": ("统一社会信用代码应为 18 位，实为 {length} 位", "USCC must have 18 characters, got {length}"),
    "uscc.alphabet": (
        "统一社会信用代码含有 GB 32100-2015 字符集以外的字符：{chars}",
        "USCC has characters outside GB 32100-2015's alphabet: {chars}",
    ),
    "uscc.check": (
        "统一社会信用代码校验位为 {found}，应为 {expected}",
        "USCC check character is {found}, expected {expected}",
    ),
    # a cell the loaders cannot read (loaders.values); {value} is the cell as written, quoted
    "reject.empty": ("空值", "empty value"),
    "reject.value": ("值{problem}", "value {problem}"),
    "reject.control": (
        "含有控制字符 {char}（第 {position} 个字符），任何值都不能含有",
        "holds the control character {char} at position {position}, which no value may hold",
    ),
    "reject.control_in_name": (
        "含有控制字符 {char}（第 {position} 个字符）；代码、名称和列表不能含有制表符或换行",
        "holds the control character {char} at position {position}; "
        "keys, names and lists may not hold tabs or line breaks",
    ),
    "reject.too_long": ("长 {length} 个字符，上限为 {limit}", "is {length} characters long; the limit is {limit}"),
    "reject.number_too_long": (
        "{length} 个字符，作为数字过长（最多 {limit} 个）",
        "{length} characters is too long for a number (at most {limit})",
    ),
    "reject.amount_too_long": (
        "{length} 个字符，作为金额过长（最多 {limit} 个）",
        "{length} characters is too long for an amount (at most {limit})",
    ),
    "reject.not_number": ("不是数字：{value}", "not a number: {value}"),
    "reject.not_ratio": ("不是比例：{value}", "not a ratio: {value}"),
    "reject.not_amount": ("不是金额：{value}", "not an amount: {value}"),
    "reject.not_whole": ("不是整数：{value}", "not a whole number: {value}"),
    "reject.ratio_negative": ("比例 {value} 为负数", "ratio {value} is negative"),
    "reject.ratio_over": ("比例 {value} 超过 100%", "ratio {value} is more than 100%"),
    "reject.amount_negative": ("金额 {value} 为负数", "amount {value} is negative"),
    "reject.amount_over": ("金额 {value} 超过 {most} 元", "amount {value} is more than {most} yuan"),
    "reject.amount_foreign": (
        "金额 {value} 不是人民币；请先折算为人民币",
        "amount {value} is not in yuan; convert it to renminbi first",
    ),
    "reject.int_negative": ("{value} 为负数；数量或年份不能为负", "{value} is negative; a count or a year cannot be"),
    "reject.int_range": ("{value} 超出 64 位整数的范围", "{value} does not fit a 64-bit integer"),
    "reject.year_range": ("年份 {year} 超出范围（1800..2199）", "year {year} is out of range (1800..2199)"),
    "reject.no_such_date": ("日期不存在：{value}", "no such date: {value}"),
    "reject.not_date": ("不是日期：{value}；请写作 {formats}", "not a date: {value}; write {formats}"),
    "reject.no_such_time": ("时间不存在：{value}", "no such time of day in {value}"),
    "reject.date_range": ("日期 {date} 超出范围（1800..2199）", "date {date} is out of range (1800..2199)"),
    "reject.ways": ("{ways}", "{ways}"),
    "reject.not_bool": ("不是“是”或“否”：{value}；请写 {words}", "not yes or no: {value}; write {words}"),
    "reject.unknown_value": ("未知的{name} {value}；可用：{known}", "unknown {name} {value}; known: {known}"),
    "reject.unknown_role": ("未知职务 {value}；可用：{known}", "unknown role {value}; known: {known}"),
    "reject.unknown_type": ("未知类型 {value}；可用：{known}", "unknown type {value}; known: {known}"),
    "reject.type_not_allowed": (
        "类型 {value} 表示 {label}，此处不允许；允许：{known}",
        "type {value} means {label}, which is not allowed here; allowed: {known}",
    ),
    "reject.idno_too_long": (
        "{length} 个字符，作为证件号码过长",
        "{length} characters is too long for an ID or document number",
    ),
    "reject.idno_check": (
        "身份证号 {value} 的校验位为 {found}，应为 {expected}",
        "ID number {value} has check digit {found}, expected {expected}",
    ),
    "reject.idno_digits": (
        "身份证号 {value} 为 {length} 位；应为 18 位",
        "ID number {value} has {length} digits; expected 18",
    ),
    "reject.not_idno": ("不是证件号码：{value}", "not an ID or document number: {value}"),
    # a company's other identifiers (graph.identifiers)
    "reject.stock_digits": (
        "{exchange} 代码为 {digits} 位，实为 {value}",
        "{exchange} codes have {digits} digits, got {value}",
    ),
    "reject.not_stock_code": ("不是股票代码：{value}", "not a stock code: {value}"),
    "reject.unknown_exchange": (
        "不是已知交易所的股票代码：{value}；请写作 {examples}，或 交易所:代码（交易所为 {exchanges} 之一）",
        "not a stock code with a known exchange: {value}; write {examples} or EXCHANGE:CODE with one of {exchanges}",
    ),
    "reject.lei_form": (
        "LEI 由 18 位字母或数字加 2 位校验码组成，实为 {value}",
        "an LEI has 18 letters or digits and 2 check digits, got {value}",
    ),
    "reject.lei_check": ("LEI {value} 校验码不符（ISO 17442）", "LEI {value} fails its check digits (ISO 17442)"),
    "reject.unknown_scheme": (
        "未知的编号体系 {value}；可用：{known}，或国家/地区代码（如 GB-COH）",
        "unknown id_scheme {value}; known: {known}, or a country code such as GB-COH",
    ),
    "reject.needs_scheme": (
        "注册号 {value} 需要 id_scheme 说明是哪个登记机关的（HKCR、ORG ……）",
        "registration number {value} needs an id_scheme saying whose it is (HKCR, ORG ...)",
    ),
    "reject.not_registration": ("不是注册号：{value}", "not a registration number: {value}"),
    # a row the loaders refuse, merge or change (loaders.validate)
    "reject.required_empty": ("必填值为空", "required value is empty"),
    "reject.unit_unclear": (
        "单位不明：本列既有小数（如 {fraction}，{n_fraction} 行）又有百分数（如 {percent}，{n_percent} 行）；"
        "请在表头（{header_example}）或每个单元格（35%）写明单位",
        "unit unclear: this column has fractions such as {fraction} ({n_fraction} rows) and percents such as "
        "{percent} ({n_percent} rows); write the unit in the header ({header_example}) or in each cell (35%)",
    ),
    "reject.below": ("{name} {value} 低于下限 {limit}", "{name} {value} is below {limit}"),
    "reject.above": ("{name} {value} 高于上限 {limit}", "{name} {value} is above {limit}"),
    "reject.ends_before": (
        "结束日期 {end} 早于开始日期（{start}）；两个日期均已舍弃",
        "ends {end} before it starts ({start}); both dates dropped",
    ),
    "reject.repeats": ("与 {file} 第 {row} 行完全相同", "repeats row {row} in {file}"),
    "reject.duplicate_of": ("与 {file} 第 {row} 行重复", "duplicate of row {row} in {file}"),
    "reject.conflict": ("{duplicate}：{what}，其他值不同", "{duplicate}: {what}, other values differ"),
    "reject.same_key": ("{key} 相同", "same {key}"),
    "reject.same_ends": ("两端相同", "same ends"),
    "reject.same_ends_and": ("两端及 {props} 相同", "same ends, {props}"),
    "reject.same_company": ("同一企业", "same company"),
    "reject.ambiguous_name": (
        "指向 {value}，有 {count} 家企业叫这个名称（{keys}）；请改用统一社会信用代码",
        "refers to {value}, the name of {count} companies ({keys}); give the USCC instead",
    ),
    "reject.unresolved": (
        "指向 {value}，本次加载和图中都没有{hint}",
        "refers to {value}, which is neither in this load nor in the store{hint}",
    ),
    "reject.hint": ("（{problem}）", " ({problem})"),
    "reject.uscc_unknown": ("统一社会信用代码有效，但没有这家企业", "valid USCC, but no such company"),
    "reject.merged_identifier": (
        "{ident} 属于统一社会信用代码为 {key} 的企业（{where}）；已并入该企业",
        "{ident} belongs to the company with USCC {key} ({where}); merged into it",
    ),
    "reject.where_earlier": ("之前的文件", "an earlier file"),
    "reject.where_row": ("第 {row} 行", "row {row}"),
    "reject.self_loop": ("自环：{node} 指向自身", "self-loop: {node} points to itself"),
    "reject.client_uscc_unknown": (
        "统一社会信用代码 {uscc} 不是本次加载或图中的企业",
        "USCC {uscc} is not a company in this load or the store",
    ),
    "reject.client_named": (
        "有 {count} 家企业名为 {name}（{keys}）；请提供统一社会信用代码",
        "{count} companies are named {name} ({keys}); give the USCC",
    ),
    "reject.client_no_name": (
        "本次加载和图中没有名为 {name} 的企业",
        "no company is named {name} in this load or the store",
    ),
    "reject.and": ("{first}；且{second}", "{first}; and {second}"),
    "reject.client_nothing": ("需要统一社会信用代码或企业名称", "needs a USCC or a company name"),
    # operational data: events, tags, chains, memberships, branches, outcomes (loaders.ops)
    "reject.ops_invalid_uscc": ("统一社会信用代码无效：{problem}", "invalid USCC: {problem}"),
    "reject.ops_no_uscc_company": (
        "图中没有这家企业（没有该统一社会信用代码的企业）",
        "company not in the graph (no Company with this USCC)",
    ),
    "reject.ops_name_needs_graph": (
        "未给统一社会信用代码的企业只能在图中按名称匹配；请提供其统一社会信用代码",
        "a company named without USCC can only be matched against a graph; give its USCC",
    ),
    "reject.ops_same_name": (
        "有 {count} 家企业叫这个名称；请提供统一社会信用代码",
        "{count} companies have this name; give the USCC",
    ),
    "reject.ops_no_name_company": (
        "图中没有这家企业（没有名称完全相同的企业）",
        "company not in the graph (no Company of this exact name)",
    ),
    "reject.ops_unknown_event": (
        "未知的事件类型；事件目录（{source}）中有：{known}",
        "unknown event type; the catalogue ({source}) knows {known}",
    ),
    "reject.ops_unknown_position": ("不是已知的产业链位置；可用：{known}", "not a known position; use one of {known}"),
    "reject.ops_unknown_outcome": ("不是已知的营销结果；可用：{known}", "not a known outcome; use one of {known}"),
    "reject.ops_capacity": ("容量必须是不小于 1 的整数", "capacity must be a whole number of at least 1"),
    "reject.ops_region_code": (
        "{value} 不是行政区划代码：应为 6 位数字（310115）或 2 位、4 位前缀",
        "{value} is not an administrative division code: 6 digits (310115) or a prefix of 2 or 4 digits",
    ),
    "reject.ops_region_00": (
        "{value} 以 00 结尾：整个地区请写前缀（{prefix}）",
        "{value} ends in 00: write the prefix ({prefix}) for a whole area",
    ),
    "reject.ops_required": ("{column} 为必填项", "{column} is required"),
    "reject.ops_placeholder_refused": ("{placeholder}；请填写真实值", "{placeholder}; give the real value"),
    "reject.ops_placeholder_kept": ("{placeholder}；按未知保留", "{placeholder}; kept as unknown"),
    "reject.ops_placeholder_date": ("{date} 是表示未知日期的占位值", "{date} is a placeholder for an unknown date"),
    "reject.ops_zero_amount": ("金额为 0 表示未知", "an amount of 0 means unknown"),
    "reject.ops_no_company": ("必须指明企业（统一社会信用代码或名称）", "the company is required (USCC or name)"),
    "reject.ops_tag_unknown": (
        "标签不在事件目录的标签词表中；已保留",
        "tag not in the catalogue's tag vocabulary; kept",
    ),
    "reject.ops_own_parent": ("环节不能是自己的上级", "a segment cannot be its own parent"),
    "reject.ops_row": ("第 {row} 行", "row {row}"),
    "reject.ops_row_of": ("{file} 第 {row} 行", "row {row} of {file}"),
    "reject.ops_conflict": ("与{where}冲突（{other}）", "conflicts with {where} ({other})"),
    "reject.ops_same_as": ("与{where}相同；只保留一次", "same as {where}; kept once"),
    "reject.ops_no_segment": ("产业链 {chain} 中没有环节 {segment}", "no segment {segment} in chain {chain}"),
    "reject.ops_manager_needs_branch": ("客户经理必须属于某个支行", "a relationship manager needs a branch"),
    "reject.ops_branch_required": ("支行为必填项", "the branch is required"),
    "reject.ops_manager_needs_capacity": (
        "客户经理需要容量（可分配线索数，整数）",
        "a relationship manager needs a capacity (a whole number of leads)",
    ),
    "reject.ops_branch_needs_regions": (
        "没有客户经理的行必须给出支行的行政区划代码",
        "a row without a manager must give the branch's region codes",
    ),
    "reject.ops_capacity_ignored": ("没有客户经理时容量不起作用", "capacity without a manager is ignored"),
    "reject.ops_region_taken": (
        "区划代码 {code} 已属于支行 {branch}（第 {row} 行）",
        "region code {code} is also branch {branch}'s (row {row})",
    ),
    "reject.ops_manager_elsewhere": (
        "客户经理 {manager} 已在支行 {branch}（第 {row} 行）",
        "manager {manager} is already in branch {branch} (row {row})",
    ),
    "reject.ops_manager_capacity": (
        "客户经理 {manager} 在第 {row} 行的容量为 {capacity}",
        "manager {manager} has capacity {capacity} in row {row}",
    ),
    "reject.ops_overlap": (
        "与 {branch} 的 {code}（第 {row} 行）重叠：更具体者优先，{narrow} 的企业归 {narrow} 所属支行，"
        "{broad} 的其余企业归 {broad} 所属支行",
        "overlaps {branch}'s {code} (row {row}): more specific wins, companies in {narrow} go to the branch of "
        "{narrow}, the rest of {broad} to the branch of {broad}",
    ),
    "reject.ops_split": ("无法拆分该行：{why}", "cannot split the line: {why}"),
    "load.ops_unknown_file": (
        "{file}：无法判断文件内容；请按以下之一命名：{expected}",
        "{file}: cannot tell what this file holds; name it one of {expected}",
    ),
    "load.ops_no_company_column": (
        "{file}：没有指明企业的列；可用的表头：{headers}",
        "{file}: no column naming the company; accepted headers: {headers}",
    ),
    "load.ops_unknown_kinds": ("未知的经营数据类型：{kinds}", "unknown operational kinds: {kinds}"),
    "load.ops_none": (
        "{where}：没有找到经营数据文件（events、tags、chains、memberships、branches、outcomes）",
        "{where}: no operational files found (events, tags, chains, memberships, branches, outcomes)",
    ),
    # what a load assumed or noticed without refusing anything (a file report's notes, loaders.validate)
    "note.zero_amounts": (
        "[{header}] {count} 个金额为 0，按未知存储",
        "[{header}] {count} zero amounts stored as unknown",
    ),
    "note.unit_fractions": (
        "[{header}] 表头没有单位：{count} 个纯数字按小数读取（均 ≤ 1）",
        "[{header}] no unit in the header: {count} bare numbers read as fractions (all ≤ 1)",
    ),
    "note.unit_percents": (
        "[{header}] 表头没有单位：{count} 个纯数字按百分数读取（{big} 个大于 1，其余为 0 或 1）",
        "[{header}] no unit in the header: {count} bare numbers read as percents ({big} above 1, the rest 0 or 1)",
    ),
    "note.unit_dropped": ("[{header}] {reason}：舍弃 {count} 个值", "[{header}] {reason}: {count} values dropped"),
    "note.placeholder_dates": (
        "[{header}] {count} 个占位日期（{dates}）按未知存储",
        "[{header}] {count} placeholder dates ({dates}) stored as unknown",
    ),
    "note.unknown_titles": (
        "[{header}] {count} 行的 {titles} 种职务不在职务词表中，归为 {fallback} 并保留原职务名称：{shown}{more}",
        "[{header}] {count} rows with {titles} titles not in the role vocabulary, kept as {fallback} "
        "with the title as written: {shown}{more}",
    ),
    "note.more": (" …… 另有 {n} 个", " … and {n} more"),
    "note.sums_over": (
        "[{header}] 提示：{count} 家企业的股东持股合计超过 {limit}%：{shown}{more}",
        "[{header}] warning: the holders of {count} companies sum to more than {limit}%: {shown}{more}",
    ),
    "note.keyed_by_name": (
        "{count} 家企业没有统一社会信用代码或其他标识，按名称建键（NAME:…），如 {example}",
        "{count} companies without a USCC or other identifier keyed by name (NAME:…), e.g. {example}",
    ),
    "note.hashed_ids": (
        "[{header}] {count} 个代码是身份证号：以带密钥的哈希（{scheme}:…）存储，显示时打码",
        "[{header}] {count} keys are national ID numbers: stored as a keyed hash ({scheme}:…), shown masked",
    ),
    "note.split_ends": (
        "[{header}] {cells} 个单元格列有多个（以；分隔），拆为 {rows} 行",
        "[{header}] {cells} cells naming several (separated by semicolons) split into {rows} rows",
    ),
    "note.own_shares": (
        "{count} 行为企业持有自身股份，按 {kind} 持股（库存股）保留，如 {example}",
        "{count} rows where a company holds its own shares, kept as {kind} stakes, e.g. {example}",
    ),
    # a line or cell refused while the file is read (loaders.decode, loaders.csv_text, loaders.read)
    "reject.bad_bytes": (
        "第 {line} 行：{problem}{gbk}；该行未读入",
        "line {line}: {problem}{gbk}; the row is left out",
    ),
    "reject.byte_not_utf8": (
        "行内第 {at} 个字节 0x{byte} 不是 UTF-8",
        "byte 0x{byte} at byte {at} of the line is not UTF-8",
    ),
    "reject.reads_as_gbk": ("（按 GBK 可读：文件混用了编码）", " (it reads as GBK: the file mixes encodings)"),
    "reject.joined_lines": (
        "第 {first}–{last} 行被“{column}”列中未配对的引号连成了一行",
        "lines {first}–{last} were joined by an unmatched quote in column {column}",
    ),
    "reject.open_quote": (
        "第 {line} 行：“{column}”列中的引号没有正确闭合（{detail}）",
        "line {line}: a quote in column {column} is not closed properly ({detail})",
    ),
    "reject.field_n": ("第 {n} 个字段", "field {n}"),
    "reject.too_many_fields": (
        "第 {line} 行有 {fields} 个字段，表头只有 {header} 个",
        "line {line} has {fields} fields, the header has {header}",
    ),
    "reject.cell": ("“{column}”列：值{problem}", "column {column}: value {problem}"),
    "reject.cells": ("{cells}", "{cells}"),
    # a file that cannot be loaded at all (graph.errors.LoadError); {file} names it
    "load.no_file": ("{file}：文件不存在", "{file}: no such file"),
    "load.no_path": ("{file}：没有这个文件或文件夹", "{file}: no such file or directory"),
    "load.unknown_type": (
        "{file}：未知的文件类型 {suffix}；请使用 {known}",
        "{file}: unknown file type {suffix}; use {known}",
    ),
    "load.empty": ("{file}：文件为空", "{file}: the file is empty"),
    "load.too_large": (
        "{file}：文件太大，可用内存无法读入",
        "{file}: the file is too large to read in the memory available",
    ),
    "load.unreadable": ("{file}：无法读取（{detail}）", "{file}: cannot read it ({detail})"),
    "load.no_header": ("{file}：文件没有表头行", "{file}: the file has no header row"),
    "load.blank_header": (
        "{file}：文件没有表头行（第 1 行为空）",
        "{file}: the file has no header row (line 1 is blank)",
    ),
    "load.header_split": ("{file}：无法拆分表头行（{detail}）", "{file}: the header row cannot be split ({detail})"),
    "load.needs_reader": (
        "{file}：读取 {suffix} 文件需要 {package}；请另存为 .xlsx",
        "{file}: reading {suffix} files needs {package}; save it as .xlsx",
    ),
    "load.not_workbook": (
        "{file}：不是可读取的 Excel 工作簿（{detail}）",
        "{file}: not a readable Excel workbook ({detail})",
    ),
    "load.password": (
        "{file}：工作簿有密码保护（或是改名为 {suffix} 的旧版 .xls）；请去掉密码或另存为 .xlsx",
        "{file}: the workbook is password-protected (or an old .xls named {suffix}); "
        "remove the password or save it as .xlsx",
    ),
    "load.not_xls": (
        "{file}：不是 Excel .xls 工作簿；请另存为 .xlsx 或 CSV UTF-8",
        "{file}: not an Excel .xls workbook; save it as .xlsx or CSV UTF-8",
    ),
    "load.sqlite_not_workbook": (
        "{file}：这是 SQLite 数据库；请把表另存为 .xlsx 或 CSV UTF-8",
        "{file}: an SQLite database; save the table as .xlsx or CSV UTF-8",
    ),
    "load.other_not_workbook": (
        "{file}：不是 Excel 工作簿；请把表另存为 .xlsx 或 CSV UTF-8",
        "{file}: not an Excel workbook; save the table as .xlsx or CSV UTF-8",
    ),
    "load.damaged": (
        "{file}：工作簿已损坏（{detail}）；请用 Excel 重新保存",
        "{file}: the workbook is damaged ({detail}); save it again from Excel",
    ),
    "load.damaged_part": (
        "{file}：工作簿已损坏（{part} 部分损坏）；请用 Excel 重新保存",
        "{file}: the workbook is damaged (part {part} is corrupt); save it again from Excel",
    ),
    "load.zip_not_workbook": (
        "{file}：是 zip 压缩包而不是 Excel 工作簿；请把表另存为 .xlsx 或 CSV UTF-8",
        "{file}: a zip archive but not an Excel workbook; save the table as .xlsx or CSV UTF-8",
    ),
    "load.no_sheet": ("{file}：没有工作表 {sheet}；现有工作表：{sheets}", "{file}: no sheet {sheet}; sheets: {sheets}"),
    "load.missing_column": (
        "{file}：缺少必需的列 {column}；可用的表头：{headers}",
        "{file}: no column for {column}, which is required; accepted headers: {headers}",
    ),
    "load.client_columns": (
        "{file}：存量客户名单需要统一社会信用代码列或企业名称列；可用的表头：{headers}",
        "{file}: a client list needs a USCC or a company name column; accepted headers: {headers}",
    ),
    "load.sqlite": (
        "{file}：这是 SQLite 数据库，不是表格文件；请把每张表导出为 CSV（{command}）后再加载",
        "{file}: this is an SQLite database, not a table file; export each table to CSV ({command}) and load those",
    ),
    "load.zip_not_csv": (
        "{file}：这是 zip 压缩包或 Excel 工作簿，不是 CSV 文本；请以 .xlsx 后缀保存",
        "{file}: this is a zip archive or an Excel workbook, not CSV text; save it with .xlsx",
    ),
    "load.ole_not_csv": (
        "{file}：这是旧版 .xls 或有密码保护的 Excel 工作簿，不是 CSV 文本；请另存为 .xlsx",
        "{file}: this is an old .xls or a password-protected Excel workbook, not CSV text; save it as .xlsx",
    ),
    "load.pdf": (
        "{file}：这是 PDF，不是表格文件；请把表导出为 CSV UTF-8",
        "{file}: this is a PDF, not a table file; export the table as CSV UTF-8",
    ),
    "load.nul_bytes": (
        "{file}：文件中到处是 NUL 字节：没有字节序标记的 UTF-16，或根本不是文本；请另存为 CSV UTF-8",
        "{file}: the file has NUL bytes throughout: UTF-16 without a byte-order mark, or not text at all; "
        "save it as CSV UTF-8",
    ),
    "load.bad_bom": (
        "{file}：文件以 {encoding} 开头，却不能按它解码",
        "{file}: the file starts as {encoding} but does not decode as it",
    ),
    "load.mixed": (
        "{file}：文件混用了编码：第 {lines} 行不是 UTF-8，而另有 {good} 行是；请重新另存为 CSV UTF-8",
        "{file}: the file mixes encodings: lines {lines} are not UTF-8 while {good} lines are; "
        "save it again as CSV UTF-8",
    ),
    "load.bom_not_utf8": (
        "{file}：文件带 UTF-8 标记，但第 {lines} 行不是 UTF-8；请重新保存",
        "{file}: the file has a UTF-8 mark but lines {lines} are not UTF-8; save it again",
    ),
    "load.korean": (
        "{file}：文本是韩文（EUC-KR），不是 UTF-8 或 GBK；请另存为 CSV UTF-8",
        "{file}: the text is Korean (EUC-KR), not UTF-8 or GBK; save it as CSV UTF-8",
    ),
    "load.japanese": (
        "{file}：文本是日文（Shift-JIS），不是 UTF-8 或 GBK；请另存为 CSV UTF-8",
        "{file}: the text is Japanese (Shift-JIS), not UTF-8 or GBK; save it as CSV UTF-8",
    ),
    "load.utf16": (
        "{file}：文本是没有字节序标记的 UTF-16；请另存为 CSV UTF-8",
        "{file}: the text is UTF-16 without a byte-order mark; save it as CSV UTF-8",
    ),
    "load.neither": (
        "{file}：文件既不是 UTF-8 也不是 GBK/GB18030（第 {line} 行不是 UTF-8，第 {gbk_line} 行不是 GBK）；"
        "请另存为 CSV UTF-8",
        "{file}: the file is neither UTF-8 nor GBK/GB18030 (line {line} is not UTF-8, "
        "line {gbk_line} is not GBK); save it as CSV UTF-8",
    ),
    "load.not_chinese": (
        "{file}：文件既不是 UTF-8 也不是 GBK/GB18030：按 GBK 读出的不像中文（第 {line} 行不是 UTF-8）；"
        "请另存为 CSV UTF-8",
        "{file}: the file is neither UTF-8 nor GBK/GB18030: read as GBK it does not look like Chinese text "
        "(line {line} is not UTF-8); save it as CSV UTF-8",
    ),
    "load.no_tables": (
        "{where}：没有找到表格文件{left_out}；应有的文件名：{expected}",
        "{where}: no table files found{left_out}; expected names: {expected}",
    ),
    "load.nothing_given": ("（未指定）", "(nothing given)"),
    "load.left_out_list": ("；未加载：{files}", "; left out: {files}"),
    "load.expected": ("{files}（或 {names}）", "{files} (or {names})"),
    "load.replace_refused": (
        "替换被拒绝，图数据未改变：{files}。替换要么加载所有指定的文件，要么一个都不加载：请按表名重命名该文件，或不选它",
        "replace refused, the graph is unchanged: {files}. A replace loads every file named or none: "
        "rename the file after its table, or leave it out",
    ),
    "load.left_out": ("{name}（{reason}）", "{name} ({reason})"),
    "load.sqlite_file": (
        "不读取 SQLite 数据库；请把每张表导出为 CSV（{command}）",
        "an SQLite database is not read; export each table to CSV ({command})",
    ),
    "load.json_file": (
        "JSON 只按 FollowTheMoney 实体或 BODS 0.4 声明读取；表格请导出为 CSV UTF-8 或 .xlsx，每类一个文件",
        "JSON is read only as FollowTheMoney entities or BODS 0.4 statements; "
        "export a table as CSV UTF-8 or .xlsx, one file per kind",
    ),
    "load.parquet_file": (
        "不读取 Parquet；请把表导出为 CSV UTF-8 或 .xlsx",
        "Parquet is not read; export the table as CSV UTF-8 or .xlsx",
    ),
    "load.xml_file": (
        "不读取 XML；请把表导出为 CSV UTF-8 或 .xlsx",
        "XML is not read; export the table as CSV UTF-8 or .xlsx",
    ),
    "load.zip_file": (
        "不读取 zip 压缩包；请解压后加载文件夹",
        "a zip archive is not read; unpack it and load the folder",
    ),
    "load.prospect_list": (
        "这是潜客名单：请用于 guanxi batch 或 guanxi match，而不是 load",
        "a prospect list: use it with guanxi batch or guanxi match, not load",
    ),
    "load.not_table_file": ("不是表格文件；请使用 {known}", "not a table file; use {known}"),
    "load.ops_file": (
        "经营数据（{kind}），由经营数据加载器读取，不是图表格",
        "operational data ({kind}), read by the operational-data loader, not a graph table",
    ),
    "load.fits_no_table": (
        "无法判断文件内容：表头（{headers}）不符合任何表",
        "cannot tell what this file holds: its headers ({headers}) fit no table",
    ),
    "load.fits_several": (
        "无法确定：表头（{headers}）符合 {tables}；请按其中一个表命名文件",
        "ambiguous: its headers ({headers}) fit {tables}; name the file after the one it holds",
    ),
    "load.import_mixed": (
        "{column} 列混有 {kinds} 类型的值；导入工具要求每列一种类型",
        "column {column} mixes {kinds} values; the importer needs one type per column",
    ),
    "load.import_delimiter": (
        "{column} 列：列表项中含有 {delimiter}：{items}",
        "column {column}: a list item contains {delimiter}: {items}",
    ),
    "load.import_clients": (
        "存量客户：有 {count} 家企业不在企业文件中（如 {example}）",
        "clients: {count} companies are not in the companies files (e.g. {example})",
    ),
    "load.no_generated": (
        "{folder}：没有 {file}；请先运行 guanxi generate",
        "{folder}: no {file}; run guanxi generate first",
    ),
    "load.refused": (
        "严格模式拒绝了本次加载：{rows} 行中拒绝 {rejected} 行，舍弃 {dropped} 个值；未写入任何数据",
        "load refused (strict mode): {rejected} of {rows} rows rejected, {dropped} values dropped; nothing was written",
    ),
    "load.ops_refused": (
        "严格模式拒绝了经营数据加载：{rows} 行中拒绝 {rejected} 行",
        "operational load refused (strict mode): {rejected} of {rows} rows rejected",
    ),
    # FollowTheMoney and BODS JSON (loaders.interchange)
    "load.json_too_big": (
        "{file}：{size} 字节，超过 JSON 文件 {limit} 字节的上限",
        "{file}: {size} bytes is over the {limit}-byte limit for a JSON file",
    ),
    "load.json_not_utf8": (
        "{file}：不是 UTF-8 文本（第 {at} 个字节）；JSON 文件按 UTF-8 读取",
        "{file}: not UTF-8 text (byte {at}); JSON files are read as UTF-8",
    ),
    "load.json_not_array": ("{file}：应为由记录组成的 JSON 数组", "{file}: expected a JSON array of records"),
    "load.json_bad": (
        "{file} 第 {line} 行：不是 JSON（{detail}，第 {column} 列）",
        "{file} line {line}: not JSON ({detail}, column {column})",
    ),
    "load.json_deep": ("{file} 第 {line} 行：JSON 嵌套过深", "{file} line {line}: JSON nested too deeply"),
    "load.no_home": (
        "{file}（{fmt}：{parts}在 guanxi 中没有对应的类型）",
        "{file} ({fmt}: {parts} with no kind in guanxi)",
    ),
    # what an FtM or BODS file holds that guanxi has no kind for, one part of load.no_home each
    "load.no_home_part": ("{n} 条{what}", "{n} {what}"),
    "homeless.schema": ("类型为 {schema} 的实体", "{schema}"),
    "homeless.no_schema": ("没有 schema 的实体", "entity without a schema"),
    "homeless.person_payment": ("付款方或收款方为自然人的付款（Payment）", "Payment by or to a person"),
    "homeless.company_director": ("由企业担任的董事职务（Directorship）", "Directorship held by a company"),
    "homeless.other_kinds": ("其他类型的 {schema}", "{schema} of other kinds"),
    "homeless.entity_type": ("类型为 {etype} 的实体", "entity of type {etype}"),
    "homeless.unnamed_person": ("没有姓名的人员（{ptype}）", "person without a name ({ptype})"),
    "homeless.owner_unknown": ("声明为未知的所有人（{reason}）", "owner declared unknown ({reason})"),
    "homeless.owner_unknown_why": ("声明为未知且未说明原因的所有人", "owner declared unknown (no reason given)"),
    "homeless.party_missing": ("一方未加载的关系", "relationship with a party not loaded"),
    "homeless.ended": ("已结束的 {interest} 权益", "{interest} interest that has ended"),
    "homeless.indirect": ("间接 {interest} 权益", "indirect {interest}"),
    "homeless.share_range": (
        "仅以区间给出的持股比例（持股已加载，比例未加载）",
        "share given only as a range (holding loaded without it)",
    ),
    "homeless.interest": ("{interest} 权益", "{interest} interest"),
    "homeless.untyped": ("未注明类型的权益", "untyped interest"),
    "load.nothing_loadable": ("{file}（{fmt}：没有 guanxi 能加载的记录）", "{file} ({fmt}: no record guanxi can load)"),
    "load.lines_more": ("{lines} 及另外 {more} 行", "{lines} and {more} more"),
}

#: how a list of names is joined in each language
LIST_SEPARATOR: dict[Lang, str] = {"zh": "、", "en": ", "}
#: the last element of a names parameter that says the list goes on; shown after the names without a separator
MORE = "…"
#: parameter name → how its value is worded in a language (relationship kinds, money: :mod:`queries.messages`)
PARAM_WORDS: dict[str, Callable[[str | int | float, Lang], str | int | float]] = {}

#: ``[n|path|paths]`` in an English text: the singular when the count ``n`` is 1, else the plural
PLURAL = re.compile(r"\[(\w+)\|([^|\]]*)\|([^\]]*)\]")


def plural(text: str, values: Mapping[str, object]) -> str:
    """``text`` with each ``[count|singular|plural]`` chosen by ``values[count]``.

    >>> plural("{n} [n|company|companies]", {"n": 1}), plural("[n|company|companies]", {"n": "2"})
    ('{n} company', 'companies')
    """

    def one(match: re.Match[str]) -> str:
        count = values.get(match.group(1))
        single = str(count).replace(",", "").strip() == "1"
        return match.group(2) if single else match.group(3)

    return PLURAL.sub(one, text)


@functools.lru_cache(maxsize=4096)
def fields(template: str) -> frozenset[str]:
    """The parameter names a template uses.

    >>> sorted(fields("{a} and {b:g}"))
    ['a', 'b']
    """
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


class Message(str):
    """A text as a code and its parameters; as a ``str`` it reads ``中文 / English`` for old callers.

    The code must be in :data:`CATALOGUE` and the parameters must be exactly
    the ones its templates use: a wrong message is a bug, refused at once.
    """

    code: str
    params: dict[str, Param]
    #: the text in English (what an exception built from this message says) and in Chinese, worded once
    en: str
    zh: str

    def __new__(cls, code: str, /, **params: Param) -> Message:
        templates = CATALOGUE.get(code)
        if templates is None:
            from graph.errors import InvalidParameter  # graph.errors words its errors with this module

            raise InvalidParameter("code", f"no message {code!r} in the catalogue")
        wanted = fields(templates[0])
        if params.keys() != wanted:
            from graph.errors import InvalidParameter

            raise InvalidParameter("params", f"message {code!r} takes {sorted(wanted)}, got {sorted(params)}")
        zh, en = _format(templates[0], params, "zh"), _format(templates[1], params, "en")
        both = zh if zh == en else (f"{zh} / {en}" if zh and en else zh or en)
        self = super().__new__(cls, both)
        self.code = code
        self.params = dict(params)
        self.en = en
        self.zh = zh
        return self

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, Param]]:
        """Pickled (Streamlit's cache) as code and parameters, not as text."""
        return (self.code,), dict(self.params)

    def __repr__(self) -> str:
        return f"Message({self.code!r}, {self.params!r})"

    def to_dict(self, lang: Lang = "zh") -> dict[str, object]:
        """The code, the parameters (nested messages as dicts) and the text in ``lang``: for ``--json``."""
        return note_dict(self, lang)


def _param_text(name: str, value: Param, lang: Lang) -> str | int | float:
    """A parameter as ``lang`` shows it: a nested message in that language, a list joined, a
    relationship kind or an amount worded (:data:`PARAM_WORDS`)."""
    if isinstance(value, Message):
        return value.zh if lang == "zh" else value.en
    words = PARAM_WORDS.get(name)
    if isinstance(value, tuple):
        if words is None and all(type(v) is str for v in value):
            return _joined(value, lang)
        names = [render(v, lang) if isinstance(v, Message) else (words(v, lang) if words else v) for v in value]
        more = MORE if names and names[-1] == MORE else ""
        return LIST_SEPARATOR[lang].join(map(str, names[:-1] if more else names)) + more
    return words(value, lang) if words else value


@functools.lru_cache(maxsize=1024)
def _joined(names: tuple[str, ...], lang: Lang) -> str:
    """Plain names joined as ``lang`` lists them (cached: the same list, such as the ways to write a
    date, comes with every bad cell)."""
    more = MORE if names and names[-1] == MORE else ""
    return LIST_SEPARATOR[lang].join(names[:-1] if more else names) + more


def _format(template: str, params: Mapping[str, Param], lang: Lang) -> str:
    if "[" in template:  # a plural choice such as [n|path|paths]
        template = plural(template, params)
    values: dict[str, object] = {}
    for name, value in params.items():  # one plain loop: a load makes a message for every bad cell
        kind = type(value)
        if (kind is str or kind is int or kind is float) and name not in PARAM_WORDS:
            values[name] = value
        elif kind is Message:
            values[name] = value.zh if lang == "zh" else value.en  # type: ignore[union-attr]
        else:
            values[name] = _param_text(name, value, lang)
    return template.format_map(values)


def render(message: str, lang: Lang) -> str:
    """A text in one language: a :class:`Message` from the catalogue; plain text (a name, an old
    ``中文 / English`` note) as its Chinese or English half, or whole when it is not split so.

    >>> render("未找到 / not found", "en"), render("苏州恒芯", "en")
    ('not found', '苏州恒芯')
    """
    if isinstance(message, Message):
        return message.zh if lang == "zh" else message.en  # worded when it was made
    zh, sep, en = message.partition(" / ")
    if not sep:
        return message
    return zh.strip() if lang == "zh" else en.strip()


def reason_text(reason: str, lang: Lang) -> str:
    """A loader's reject reason in ``lang`` when it is a :class:`Message`; any other text as it is
    (a reason is never split on " / ": a value may hold one)."""
    return render(reason, lang) if isinstance(reason, Message) else reason


def note_dict(note: str, lang: Lang | None = None) -> dict[str, object]:
    """A text for ``--json``: its code (None for plain text), parameters, and its text in ``lang``,
    or in both languages (``zh``, ``en``) when no language is asked for."""
    code, params = (
        (note.code, {k: note_dict(v, lang) if isinstance(v, Message) else v for k, v in note.params.items()})
        if isinstance(note, Message)
        else (None, {})
    )
    if lang is None:
        return {"code": code, "params": params, "zh": render(note, "zh"), "en": render(note, "en")}
    return {"code": code, "params": params, "text": render(note, lang)}


def shown_names(values: list[str] | tuple[str, ...], shown: int | None = None) -> tuple[str, ...]:
    """A names parameter: the first ``shown`` names, and :data:`MORE` when some were left out."""
    if shown is None or len(values) <= shown:
        return tuple(values)
    return (*values[:shown], MORE)


def mapped(message: Message, change: Callable[[str], str]) -> Message:
    """``message`` with ``change`` applied to every text parameter, in nested messages too (to mask an
    ID number, or to show an upload's own name instead of a temporary path).

    >>> render(mapped(Message("text", detail="/tmp/x/a.csv"), lambda s: s.rsplit("/", 1)[-1]), "en")
    'a.csv'
    """

    def one(value: Param) -> Param:
        if isinstance(value, Message):
            return mapped(value, change)
        if isinstance(value, str):
            return change(value)
        if isinstance(value, tuple):
            return tuple(change(v) for v in value)
        return value

    return Message(message.code, **{k: one(v) for k, v in message.params.items()})


class BadValue(ValueError):
    """A cell that cannot be read: a :class:`ValueError`, as the parsers' callers expect, whose
    reason is a catalogue message (:attr:`reason`); it reads as the reason's English text.

    >>> exc = BadValue("reject.year_range", year=1700)
    >>> str(exc), render(exc.reason, "zh")
    ('year 1700 is out of range (1800..2199)', '年份 1700 超出范围（1800..2199）')
    """

    def __init__(self, code: str, /, **params: Param) -> None:
        self.reason = Message(code, **params)
        super().__init__(self.reason.en)

    @classmethod
    def of(cls, reason: Message) -> BadValue:
        """The error for a reason already worded (a USCC's problem)."""
        return cls(reason.code, **reason.params)
