"""The explorer's words in Chinese and English: one table and :func:`t`.

Keys name what a string is for, not what it says. A missing key is a bug and
raises ``KeyError`` (the tests check that every key has both languages).

>>> t("nav.intro", "zh"), t("nav.intro", "en")
('谁能引荐', 'Who can introduce us')
>>> t("intro.found", "en", n=3)
'3 paths found'
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
LANG_NAMES: dict[Lang, str] = {"zh": "中文", "en": "English"}

STRINGS: dict[str, tuple[str, str]] = {
    # app frame
    "app.title": ("关系 · 引荐路径探索", "guanxi · relationship paths"),
    "app.tagline": (
        "从存量客户出发，找到通往潜客的最暖路径。",
        "The warmest paths from the bank's clients to a prospect.",
    ),
    "app.language": ("语言 / Language", "Language / 语言"),
    "app.pages": ("页面", "Pages"),
    "app.loading_store": ("正在打开图数据……", "Opening the graph ..."),
    "app.loading_demo": (
        "首次运行：正在生成演示数据（约 {companies} 家企业），之后会直接读取缓存……",
        "First run: generating demo data (about {companies} companies); later runs read the cache ...",
    ),
    "app.store_error": ("无法打开图数据：{error}", "Cannot open the graph: {error}"),
    "app.store_demo": ("演示数据（{companies} 家企业，内置图）", "Demo data ({companies} companies, embedded graph)"),
    "app.store_embedded": ("内置图文件 {path}", "Embedded graph file {path}"),
    "app.store_neo4j": ("Neo4j {uri}（数据库 {database}）", "Neo4j {uri} (database {database})"),
    "app.store_caption": ("数据源：{store}", "Data: {store}"),
    # navigation
    "nav.intro": ("谁能引荐", "Who can introduce us"),
    "nav.connect": ("关系连接", "Connections"),
    "nav.explore": ("关系探索", "Explore"),
    "nav.data": ("数据", "Data"),
    # labels and categories
    "label.Company": ("企业", "Company"),
    "label.Person": ("人员", "Person"),
    "label.Park": ("园区", "Park"),
    "cat.client": ("存量客户", "Client"),
    "cat.prospect": ("潜客（目标）", "Prospect (target)"),
    "cat.company": ("非客户企业", "Other company"),
    "cat.closed": ("注销 / 吊销", "Closed (deregistered / revoked)"),
    "cat.blacklisted": ("黑名单", "Black-listed"),
    "cat.person": ("人员", "Person"),
    "cat.park": ("园区", "Park"),
    "cat.centre": ("查询中心", "Centre of the view"),
    "cat.endpoint": ("查询的两端", "The two ends asked about"),
    "legend.nodes": ("节点", "Nodes"),
    "legend.edges": ("关系（箭头为真实方向）", "Relationships (arrows show the true direction)"),
    "legend.hint": ("拖动节点、滚轮缩放，悬停查看详情。", "Drag nodes, scroll to zoom, hover for details."),
    # node details
    "prop.key.Company": ("统一社会信用代码", "USCC"),
    "prop.key.Person": ("人员编号", "Person id"),
    "prop.key.Park": ("园区编号", "Park id"),
    "prop.status": ("登记状态", "Status"),
    "prop.manager": ("客户经理", "Relationship manager"),
    "prop.branch": ("支行", "Branch"),
    "prop.client_since": ("建立关系日期", "Client since"),
    "prop.industry": ("行业", "Industry"),
    "prop.tags": ("产业链", "Industry chains"),
    "prop.location": ("所在地", "Location"),
    "prop.founded": ("成立日期", "Founded"),
    "prop.registered_capital": ("注册资本", "Registered capital"),
    "prop.listed": ("上市", "Listed"),
    "prop.risk_flags": ("风险标签", "Risk flags"),
    "prop.former_names": ("曾用名", "Former names"),
    "prop.id_number": ("证件号码", "ID number"),
    "prop.level": ("园区级别", "Park level"),
    "prop.industries": ("主导产业", "Industries"),
    "prop.blacklisted": ("黑名单", "Black-listed"),
    "prop.is_client": ("本行客户", "Client of the bank"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "edge.strength": ("关系强度 {value}", "strength {value}"),
    "edge.since": ("自 {date}", "since {date}"),
    "edge.until": ("至 {date}", "until {date}"),
    "edge.year": ("{year} 年度", "year {year}"),
    "edge.shares": ("持股 {ratio}", "holds {ratio}"),
    "edge.shareholder": ("股东", "shareholder"),
    "edge.supplies": ("供货 {amount}", "supplies {amount}"),
    "edge.supplies_plain": ("供货", "supplies"),
    "edge.guarantees": ("担保 {amount}", "guarantees {amount}"),
    "edge.guarantees_plain": ("担保", "guarantees"),
    "edge.park": ("园区", "park"),
    # shared search and filters
    "search.placeholder": (
        "输入企业名称（可部分）、英文名或统一社会信用代码",
        "Part of a name (Chinese or English) or a USCC",
    ),
    "search.pick": ("选择匹配项", "Pick a match"),
    "search.none": ("没有匹配“{text}”的企业或人员。", "Nothing matches “{text}”."),
    "search.type_more": ("请输入名称或统一社会信用代码。", "Type a name or a USCC."),
    "filter.title": ("筛选条件", "Filters"),
    "filter.kinds": ("关系类型", "Relationship kinds"),
    "filter.max_hops": ("最多跳数", "Max hops"),
    "filter.min_warmth": ("最低温度", "Minimum warmth"),
    "filter.k": ("路径条数", "Number of paths"),
    "filter.manager": ("只看客户经理", "Only clients of manager"),
    "filter.branch": ("只看支行", "Only clients of branch"),
    "filter.anyone": ("（全部）", "(anyone)"),
    "filter.include_closed": ("包含注销/吊销企业", "Include closed companies (注销/吊销)"),
    "filter.include_blacklisted": ("包含黑名单", "Include black-listed entities"),
    "filter.choose_kind": ("请至少选择一种关系类型。", "Choose at least one relationship kind."),
    # path cards
    "card.rank": ("第 {rank} 条", "#{rank}"),
    "card.introducer": ("引荐客户", "Introducing client"),
    "card.start": ("起点", "From"),
    "card.manager": ("客户经理", "Manager"),
    "card.branch": ("支行", "Branch"),
    "card.warmth": ("温度 {value}", "warmth {value}"),
    "card.hops": ("{hops} 跳", "{hops} hop(s)"),
    "card.chain": ("路径", "Path"),
    "card.none": ("—", "—"),
    "graph.title": ("路径图", "The paths as a graph"),
    # introductions page
    "intro.title": ("谁能引荐？", "Who can introduce us?"),
    "intro.help": (
        "选择潜客，查看哪家存量客户能通过董事、股东、供应链、担保或园区关系为我们引荐，按温度排序。",
        "Pick a prospect: which client can introduce us through a shared officer, a shareholding, "
        "the supply chain, a guarantee or a park, warmest first.",
    ),
    "intro.search": ("潜客", "Prospect"),
    "intro.found": ("找到 {n} 条路径", "{n} paths found"),
    "intro.target": ("潜客：{name}（{key}）", "Prospect: {name} ({key})"),
    "intro.empty": ("没有找到引荐路径。", "No introduction path found."),
    "intro.try": (
        "可以尝试：增加最多跳数、选择全部关系类型、降低最低温度、取消客户经理/支行限制，或包含注销/黑名单企业。",
        "Try: more hops, all relationship kinds, a lower minimum warmth, no manager/branch limit, "
        "or including closed / black-listed entities.",
    ),
    "intro.no_default": (
        "输入潜客名称开始查询，例如企业名称的一部分或统一社会信用代码。",
        "Type a prospect's name (or part of it) or its USCC to start.",
    ),
    "download.csv": ("下载 CSV", "Download CSV"),
    "download.xlsx": ("下载 Excel", "Download Excel"),
    "col.rank": ("排名", "rank"),
    "col.introducer": ("引荐客户", "introducer"),
    "col.introducer_key": ("引荐客户代码", "introducer key"),
    "col.start": ("起点", "from"),
    "col.start_key": ("起点代码", "from key"),
    "col.manager": ("客户经理", "manager"),
    "col.branch": ("支行", "branch"),
    "col.warmth": ("温度", "warmth"),
    "col.hops": ("跳数", "hops"),
    "col.sentence": ("说明", "explanation"),
    "col.path": ("路径", "path"),
    "col.target": ("目标", "target"),
    "col.target_key": ("目标代码", "target key"),
    # connections page
    "connect.title": ("两者如何相连？", "How are these two connected?"),
    "connect.help": (
        "任意两家企业或两个人之间最暖的关系路径（可经由人员、股权、供应链、担保、园区）。",
        "The warmest paths between any two companies or persons (through officers, equity, "
        "supply chain, guarantees, parks).",
    ),
    "connect.a": ("起点（企业或人员）", "From (company or person)"),
    "connect.b": ("终点（企业或人员）", "To (company or person)"),
    "connect.same": ("起点与终点是同一个主体，请另选一个。", "Both ends are the same entity; pick another one."),
    "connect.found": ("{a} 与 {b} 之间找到 {n} 条路径", "{n} paths between {a} and {b}"),
    "connect.empty": ("两者之间没有找到路径。", "No path between them."),
    "connect.try": (
        "可以尝试：增加最多跳数、选择全部关系类型，或包含注销/黑名单主体。",
        "Try more hops, all relationship kinds, or including closed / black-listed entities.",
    ),
    "connect.pick_both": ("请选择起点和终点。", "Pick both ends."),
    # explore page
    "explore.title": ("关系探索", "Explore the neighbourhood"),
    "explore.help": (
        "从一个企业、人员或园区出发，逐跳展开它的关系。",
        "Start from a company, person or park and expand its relationships hop by hop.",
    ),
    "explore.centre": ("中心主体", "Centre"),
    "explore.depth": (
        "已展开 {depth} 跳 · {nodes} 个节点 · {edges} 条关系",
        "{depth} hop(s) · {nodes} nodes · {edges} relationships",
    ),
    "explore.expand_all": ("再展开一跳", "Expand one more hop"),
    "explore.reset": ("重新开始", "Start again"),
    "explore.expand_node": ("展开某个节点", "Expand one node"),
    "explore.expand_this": ("展开该节点", "Expand this node"),
    "explore.per_node": ("每个节点最多显示关系数", "Max relationships shown per node"),
    "explore.capped": (
        "{name} 共有 {total} 条关系，仅显示最强的 {shown} 条。",
        "{name} has {total} relationships; only the strongest {shown} are shown.",
    ),
    "explore.too_many": (
        "图中已有 {nodes} 个节点，达到上限 {limit}，不再展开。",
        "The view already has {nodes} nodes (limit {limit}); not expanding further.",
    ),
    "explore.details": ("主体信息", "Details"),
    "explore.edges": ("关系列表", "Relationships"),
    "explore.no_edges": ("所选关系类型下没有关系。", "No relationships of the chosen kinds."),
    "col.from": ("从", "from"),
    "col.kind": ("关系", "kind"),
    "col.label": ("内容", "what"),
    "col.more": ("其他信息", "more"),
    "col.to": ("到", "to"),
    "col.strength": ("强度", "strength"),
    # data page
    "data.title": ("数据", "Data"),
    "data.store": ("当前数据源", "Store in use"),
    "data.backend": ("后端", "Backend"),
    "data.nodes": ("节点", "Nodes"),
    "data.relationships": ("关系", "Relationships"),
    "data.clients": ("存量客户", "Clients"),
    "data.by_label": ("按类型统计的节点", "Nodes by label"),
    "data.by_type": ("按类型统计的关系", "Relationships by kind"),
    "col.what": ("类型", "kind"),
    "col.count": ("数量", "count"),
    "data.upload": ("上传 CSV / Excel 文件", "Upload CSV / Excel files"),
    "data.upload_help": (
        "每类数据一个文件，文件名决定类型（如 companies.csv、persons.csv、officers.csv、equity.csv、"
        "supply.csv、guarantees.csv、parks.csv、parks_located.csv、clients.csv），支持中文表头。",
        "One file per kind, named after it (companies.csv, persons.csv, officers.csv, equity.csv, "
        "supply.csv, guarantees.csv, parks.csv, parks_located.csv, clients.csv); Chinese headers are understood.",
    ),
    "data.demo_note": (
        "当前是演示数据：加载的文件只改动内存中的演示图，重启后恢复原样。"
        "要长期保存，请设置 GUANXI_STORE 或 NEO4J_URI。",
        "This is the demo graph: loaded files change it in memory only, until the app restarts. "
        "Set GUANXI_STORE or NEO4J_URI to keep your data.",
    ),
    "data.strict": ("严格模式：有任何错误行就拒绝整个加载", "Strict: refuse the whole load if any row is rejected"),
    "data.replace": ("先清空现有数据", "Clear the existing graph first"),
    "data.load": ("加载", "Load"),
    "data.loading": ("正在加载 {file}……", "Loading {file} ..."),
    "data.done": (
        "加载完成：读取 {read} 行，接受 {accepted} 行，拒绝 {rejected} 行。",
        "Loaded: {read} rows read, {accepted} accepted, {rejected} rejected.",
    ),
    "data.refused": ("严格模式下加载被拒绝：{error}", "Strict mode refused the load: {error}"),
    "data.failed": ("加载失败：{error}", "The load failed: {error}"),
    "data.ignored": ("未识别的文件（未加载）：{files}", "Files not recognised (not loaded): {files}"),
    "data.report": ("加载报告", "Load report"),
    "data.rejects": ("被拒绝的行", "Rejected rows"),
    "data.rejects_download": ("下载被拒绝的行（CSV）", "Download the rejected rows (CSV)"),
    "data.no_pipeline": (
        "本版本尚未包含文件加载模块（loaders.pipeline），暂时无法上传。",
        "This build has no file loader yet (loaders.pipeline); uploading is not available.",
    ),
    "data.pick_files": ("请先选择要上传的文件。", "Choose files to upload first."),
    "data.columns": ("可识别的文件和列", "Files and columns understood"),
    "col.file": ("文件", "file"),
    "col.columns": ("可用列名", "accepted headers"),
    "col.read": ("读取", "read"),
    "col.accepted": ("接受", "accepted"),
    "col.rejected": ("拒绝", "rejected"),
    "col.row": ("行号", "row"),
    "col.column": ("列", "column"),
    "col.value": ("值", "value"),
    "col.reason": ("原因", "reason"),
    # errors
    "error.generic": ("出错了：{error}", "Something went wrong: {error}"),
}


def as_lang(value: object) -> Lang:
    """``"en"`` for English, else ``"zh"`` (the default)."""
    return "en" if value == "en" else "zh"


def t(key: str, lang: Lang = "zh", /, **values: object) -> str:
    """The string ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    zh, en = STRINGS[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text
