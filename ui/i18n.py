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

from queries.messages import plural

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
    "app.store_uploaded": (
        "内存中的数据（{companies} 家企业，由上传的文件加载，未保存）",
        "Data in memory ({companies} companies, loaded from uploaded files, not saved)",
    ),
    "app.store_embedded": ("内置图文件 {path}", "Embedded graph file {path}"),
    "app.store_neo4j": ("Neo4j {uri}（数据库 {database}）", "Neo4j {uri} (database {database})"),
    "app.store_caption": ("数据源：{store}", "Data: {store}"),
    # navigation
    "nav.intro": ("谁能引荐", "Who can introduce us"),
    "nav.connect": ("关系连接", "Connections"),
    "nav.explore": ("关系探索", "Explore"),
    "nav.data": ("数据", "Data"),
    "nav.batch": ("批量排查", "Batch reach"),
    "nav.supply": ("产业链", "Supply chain"),
    "nav.related": ("关联方与担保", "Related parties & guarantees"),
    "nav.parks": ("园区", "Parks"),
    # labels and categories
    "label.Company": ("企业", "Company"),
    "label.Person": ("人员", "Person"),
    "label.Park": ("园区", "Park"),
    "label.IPRight": ("知识产权", "IP right"),
    "label.Association": ("商会协会", "Association"),
    "cat.ip": ("知识产权（专利/软著）", "IP right (patent, software copyright)"),
    "cat.association": ("商会 / 行业协会", "Chamber / association"),
    "prop.key.IPRight": ("专利号 / 登记号", "Patent / registration no."),
    "prop.key.Association": ("社会组织编号", "Association id"),
    "cat.client": ("存量客户", "Client"),
    "cat.prospect": ("潜客（目标）", "Prospect (target)"),
    "cat.company": ("非客户企业", "Other company"),
    "cat.closed": ("注销 / 吊销", "Closed (deregistered / revoked)"),
    "cat.blacklisted": ("黑名单", "Black-listed"),
    "cat.person": ("人员", "Person"),
    "cat.park": ("园区", "Park"),
    "cat.centre": ("查询中心", "Centre of the view"),
    "cat.endpoint": ("查询的两端", "The two ends asked about"),
    "cat.core": ("重点主体", "Highlighted"),
    "legend.nodes": ("节点", "Nodes"),
    "legend.edges": ("关系（箭头为真实方向）", "Relationships (arrows show the true direction)"),
    "legend.hint": ("拖动节点、滚轮缩放，悬停查看详情。", "Drag nodes, scroll to zoom, hover for details."),
    "legend.core_partner": ("核心供应商 / 核心客户（占比 ≥ {share}）", "Core supplier / customer (share ≥ {share})"),
    "legend.owner": ("受益所有人 / 实际控制人", "Beneficial owner / actual controller"),
    "legend.in_circle": ("担保（担保圈内，互保/联保）", "Guarantee inside a circle (mutual / joint)"),
    "legend.on_chain": ("担保（担保链上）", "Guarantee on a chain"),
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
    "edge.supplies_plain": ("供货", "supplies"),
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
    "filter.include_closed": ("包含注销/吊销企业", "Include closed companies (deregistered / revoked)"),
    "filter.include_blacklisted": ("包含黑名单", "Include black-listed entities"),
    "filter.choose_kind": ("请至少选择一种关系类型。", "Choose at least one relationship kind."),
    # path cards
    "card.rank": ("第 {rank} 条", "#{rank}"),
    "card.introducer": ("引荐客户", "Introducing client"),
    "card.start": ("起点", "From"),
    "card.manager": ("客户经理", "Manager"),
    "card.branch": ("支行", "Branch"),
    "card.warmth": ("温度 {value}", "warmth {value}"),
    "card.hops": ("{hops} 跳", "{hops} [hops|hop|hops]"),
    "card.chain": ("路径", "Path"),
    "card.none": ("—", "—"),
    "card.arithmetic": ("温度计算", "Warmth"),
    "card.more": ("经由 {name} 的另外 {n} 条路径", "{n} more [n|way|ways] through {name}"),
    "intro.legend": (
        "温度 = 每一跳关系强度（董事长 0.9、董事 0.7、监事 0.4；控股 ≥ 50% 0.9、小股 0.35；大额供货 0.8；担保 0.8；"
        "同园区 0.2）相乘，再乘以途经节点的枢纽折减（关系越多越冷）。0.6 以上为熟识，0.3 左右可一试，0.1 以下很弱。"
        "每个引荐客户只列最温暖的一条，其余折叠在卡片下；国资委等持股方不算相识。",
        "Warmth = the strengths of the hops multiplied (chairman 0.9, director 0.7, supervisor 0.4; a controlling "
        "stake 0.9, a small one 0.35; large supply 0.8; guarantee 0.8; sharing a park 0.2), times a hub discount for "
        "every node passed (the more ties, the colder). Above 0.6: they know each other; around 0.3: worth a try; "
        "below 0.1: weak. Each introducing client appears once with its warmest path, the others folded under it; "
        "state-assets commissions and similar holders do not count as knowing anyone.",
    ),
    "graph.title": ("路径图", "The paths as a graph"),
    "graph.exposure": ("风险敞口路径", "Paths to flagged entities"),
    "graph.more": ("另有 {n} 个", "+{n} more"),
    "graph.more_hint": (
        "为便于阅读，另有 {n} 个关联方未画出",
        "{n} more related parties are left out to keep the drawing readable",
    ),
    "graph.pan_note": (
        "只显示了中心部分：拖动画布查看其余部分，双击空白处显示全部",
        "Only the centre is shown: drag the background to see the rest, double-click it to show everything",
    ),
    "graph.no_library": (
        "关系图无法显示：绘图组件未能加载，请刷新页面",
        "The drawing cannot be shown: its drawing library did not load; reload the page",
    ),
    # introductions page
    "intro.title": ("谁能引荐？", "Who can introduce us?"),
    "intro.help": (
        "选择潜客，查看哪家存量客户能通过董事、股东、供应链、担保或园区关系为我们引荐，按温度排序。",
        "Pick a prospect: which client can introduce us through a shared officer, a shareholding, "
        "the supply chain, a guarantee or a park, warmest first.",
    ),
    "intro.search": ("潜客", "Prospect"),
    "filter.include_state_holders": ("允许经过国资委等持股方", "Allow state holders inside paths"),
    "intro.found": ("找到 {n} 条路径", "{n} [n|path|paths] found"),
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
    "download.xlsx_all": ("下载 Excel（全部表）", "Download Excel (every table)"),
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
    "connect.found": ("{a} 与 {b} 之间找到 {n} 条路径", "{n} [n|path|paths] between {a} and {b}"),
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
        "{depth} [depth|hop|hops] · {nodes} [nodes|node|nodes] · {edges} [edges|relationship|relationships]",
    ),
    "explore.expand_all": ("再展开一跳", "Expand one more hop"),
    "explore.reset": ("重新开始", "Start again"),
    "explore.expand_node": ("展开某个节点", "Expand one node"),
    "explore.expand_this": ("展开该节点", "Expand this node"),
    "explore.per_node": ("每个节点最多显示关系数", "Max relationships shown per node"),
    "explore.capped": (
        "{name} 共有 {total} 条关系，仅显示最强的 {shown} 条。",
        "{name} has {total} [total|relationship|relationships]; only the strongest {shown} [shown|is|are] shown.",
    ),
    "explore.too_many": (
        "图中已有 {nodes} 个节点，达到上限 {limit}，不再展开。",
        "The view already has {nodes} nodes (limit {limit}); not expanding further.",
    ),
    "explore.details": ("主体信息", "Details"),
    "explore.edges": ("关系列表", "Relationships"),
    "explore.no_edges": ("所选关系类型下没有关系。", "No relationships of the chosen kinds."),
    "explore.open": ("在关系探索中查看", "Open in Explore"),
    "explore.open_help": (
        "点击路径上的任一节点，在“关系探索”页以它为中心展开。",
        "Pick a node of the path to centre the Explore page on it.",
    ),
    "explore.unknown_entity": (
        "地址中的主体“{entity}”不在当前图中，已打开默认示例。",
        "The entity “{entity}” in the address is not in this graph; showing the default example.",
    ),
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
        "每类数据一个文件，文件名决定类型（{files}），支持中文表头；"
        "也可上传 FollowTheMoney 实体或 BODS 0.4 受益所有权声明（JSON）。",
        "One file per kind, named after it ({files}); Chinese headers are understood. "
        "FollowTheMoney entities and BODS 0.4 statements (JSON) load too.",
    ),
    "data.demo_note": (
        "当前是演示数据：加载的文件只改动内存中的演示图，重启后恢复原样。"
        "要长期保存，请设置 GUANXI_STORE 或 NEO4J_URI。",
        "This is the demo graph: loaded files change it in memory only, until the app restarts. "
        "Set GUANXI_STORE or NEO4J_URI to keep your data.",
    ),
    "data.strict": ("严格模式：有任何错误行就拒绝整个加载", "Strict: refuse the whole load if any row is rejected"),
    "data.replace": (
        "替换现有数据（先检查全部文件，全部写入成功后才替换）",
        "Replace the existing graph (every file is checked first; it is replaced only when all is written)",
    ),
    "data.replace_failed": (
        "替换失败，原有数据保留未动：{error}",
        "The replace failed; the existing graph was kept: {error}",
    ),
    "data.replace_failed_shared": (
        "替换失败，原有数据保留（已改写的行保留新值）：{error}",
        "The replace failed; the existing graph was kept (rows already rewritten keep their new values): {error}",
    ),
    "data.read_only": (
        "此数据源为共享只读：数据由管理员用命令 guanxi load 加载（管理员可用 GUANXI_ADMIN=1 启动可加载的浏览器）。",
        "This shared graph is read-only here: an administrator loads data with guanxi load "
        "(or starts an explorer with GUANXI_ADMIN=1 to load from the browser).",
    ),
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
    "col.outcome": ("处理", "outcome"),
    # shared table columns of the analyst pages
    "col.company": ("企业", "company"),
    "col.uscc": ("统一社会信用代码", "USCC"),
    "col.client": ("存量客户", "client"),
    "col.key": ("代码 / 编号", "key"),
    "col.input_name": ("名单中的名称", "name in the list"),
    "col.prospect": ("潜客", "prospect"),
    "col.already_client": ("已是客户", "already a client"),
    "col.input_uscc": ("名单中的信用代码", "USCC in the list"),
    "col.method": ("匹配方式", "matched by"),
    "col.score": ("相似度", "similarity"),
    "col.note": ("说明", "note"),
    "col.candidates": ("候选企业", "candidates"),
    "col.amount": ("年交易额", "annual amount"),
    "col.amount_yuan": ("年交易额（元）", "annual amount (yuan)"),
    "col.share": ("占比", "share"),
    "col.core": ("核心", "core"),
    "col.via": ("经由", "via"),
    "col.product": ("产品", "product"),
    "col.year": ("年度", "year"),
    "col.status": ("风险状态", "flags"),
    "col.side": ("方向", "side"),
    "col.tier": ("层级", "tier"),
    "col.role": ("角色", "role"),
    "col.industry": ("行业", "industry"),
    "col.core_enterprise": ("核心企业", "core enterprise"),
    "col.chain": ("链条", "chain"),
    "col.controlled_by": ("控制方", "controlled by"),
    "col.stake": ("持股", "stake"),
    "col.rule": ("控制依据", "control by"),
    "col.depth": ("控制层级", "levels down"),
    "col.party": ("关联方", "related party"),
    "col.reasons": ("关联原因", "why related"),
    "col.risk": ("风险", "flags"),
    "col.direction": ("方向", "direction"),
    "col.circular": ("成环", "circular"),
    "col.flagged": ("风险主体", "flagged entity"),
    "col.park": ("园区", "park"),
    "col.level": ("级别", "level"),
    "col.location": ("所在地", "location"),
    "col.industries": ("主导产业", "industries"),
    "col.companies": ("企业数", "companies"),
    "col.capital": ("注册资本", "registered capital"),
    "col.same_industry": ("同行业客户数", "clients in its industry"),
    "col.introducers": ("可引荐的园区客户（客户经理）", "clients in the park who could introduce (manager)"),
    # batch reach page
    "batch.title": ("批量关系排查", "Batch reach"),
    "batch.help": (
        "上传潜客名单（CSV 或 Excel，UTF-8 或 GBK 编码，中文或英文表头均可），先与图中企业匹配，"
        "再为每家潜客查找最暖的引荐路径，汇总可触达情况并导出 Excel。",
        "Upload a prospect list (CSV or Excel, UTF-8 or GBK, Chinese or English headers): it is matched to "
        "the graph's companies, then every prospect gets its warmest introduction paths, with a coverage "
        "summary and an Excel export.",
    ),
    "batch.upload": ("潜客名单", "Prospect list"),
    "batch.upload_help": (
        "需要一列企业名称（企业名称、客户名称、名称、name……）和/或统一社会信用代码（统一社会信用代码、uscc……）。",
        "Needs a company name column (企业名称, 客户名称, name ...) and/or a USCC column (统一社会信用代码, uscc ...).",
    ),
    "batch.use_demo": ("使用演示潜客名单", "Use the demo prospect list"),
    "batch.demo_list": ("演示潜客名单 prospects.csv", "the demo prospect list prospects.csv"),
    "batch.start": (
        "上传一份潜客名单开始排查；演示数据下也可以直接使用演示潜客名单。",
        "Upload a prospect list to start; on the demo graph you can also use the demo prospect list.",
    ),
    "batch.unreadable": ("无法读取名单：{error}", "Cannot read the list: {error}"),
    "batch.no_columns": (
        "名单中没有可识别的企业名称或信用代码列：{error}",
        "The list has no company name or USCC column: {error}",
    ),
    "batch.empty_list": ("名单中没有数据行。", "The list has no rows."),
    "batch.matching": ("名单匹配", "Matching the list"),
    "batch.name_column": ("名称列", "name column"),
    "batch.uscc_column": ("信用代码列", "USCC column"),
    "batch.rows": ("名单行数", "Rows"),
    "batch.matched": ("匹配成功", "Matched"),
    "batch.ambiguous": ("多个候选", "Ambiguous"),
    "batch.unmatched": ("未匹配", "Unmatched"),
    "batch.tab_matched": ("匹配成功（{n}）", "Matched ({n})"),
    "batch.tab_ambiguous": ("多个候选（{n}）", "Ambiguous ({n})"),
    "batch.tab_unmatched": ("未匹配（{n}）", "Unmatched ({n})"),
    "batch.none_here": ("无。", "None."),
    "batch.ambiguous_help": (
        "这些名称对应多家企业，未参与排查。请在名单中补充统一社会信用代码后重新上传。",
        "These names fit several companies and are not searched. Add the USCC to the list and upload it again.",
    ),
    "batch.unmatched_help": (
        "这些行在图中找不到对应企业：请核对名称（全称、曾用名）或补充统一社会信用代码，或先在“数据”页加载该企业。",
        "No company in the graph fits these rows: check the name (full or former name), add the USCC, "
        "or load the company on the Data page first.",
    ),
    "batch.none_matched": (
        "名单中没有一行匹配到图中的企业，无法排查。请确认名称列是企业全称，或补充统一社会信用代码列。",
        "No row of the list matches a company in the graph. Check that the name column holds full company "
        "names, or add a USCC column.",
    ),
    "batch.method.uscc": ("信用代码", "USCC"),
    "batch.method.name": ("名称", "name"),
    "batch.method.name_variant": ("名称（忽略公司类型）", "name without legal form"),
    "batch.method.name_without_region": ("名称（忽略地区）", "name without region"),
    "batch.method.former_name": ("曾用名", "former name"),
    "batch.method.fuzzy": ("模糊匹配", "fuzzy"),
    "batch.run": ("开始排查（{n} 家潜客）", "Search all ({n} [n|prospect|prospects])"),
    "batch.rerun": ("按当前条件重新排查", "Search again with these options"),
    "batch.progress": ("正在排查 {done} / {total} ……", "Searching {done} / {total} ..."),
    "batch.press_run": (
        "筛选条件在左侧；点击“开始排查”为每家匹配的潜客查找引荐路径。",
        "The options are on the left; press the button to search introduction paths for every matched prospect.",
    ),
    "batch.stale": (
        "名单或筛选条件已变化，上次的排查结果已不适用，请重新排查。",
        "The list or the options changed since the last search; search again to see results.",
    ),
    "batch.coverage": ("可触达情况", "Coverage"),
    "batch.within": ("{hops} 跳内可达", "Within {hops} [hops|hop|hops]"),
    "batch.no_path": ("无引荐路径", "No path"),
    "batch.hops_note": (
        "最多跳数为 {hops}：更远的潜客没有计入，如需统计请调大左侧“最多跳数”。",
        "Max hops is {hops}: farther prospects are not counted; raise Max hops on the left to count them.",
    ),
    "batch.nobody_reached": ("名单中的潜客都没有找到引荐路径。", "No prospect of the list has an introduction path."),
    "batch.summary": ("汇总", "Summary"),
    "batch.top_introducers": ("引荐最多的客户（前 {n}）", "Top introducing clients (first {n})"),
    "batch.managers": ("客户经理", "Relationship managers"),
    "batch.results": ("排查结果（每家潜客的最佳路径）", "Results (the best paths of every prospect)"),
    "batch.sheet_results": ("结果", "results"),
    "batch.sheet_summary": ("汇总", "summary"),
    "batch.sheet_introducers": ("引荐客户", "introducers"),
    "batch.sheet_managers": ("客户经理", "managers"),
    "batch.sheet_unmatched": ("未匹配", "unmatched"),
    # supply chain page
    "supply.title": ("产业链 / 供应链", "Supply chain"),
    "supply.help": (
        "逐级查看企业的上游供应商和下游客户及交易金额，识别核心供应商/客户、尚未成为客户的供应链金融线索，"
        "以及它服务于哪些核心企业。",
        "A company's suppliers and customers tier by tier with the amounts, its core suppliers and customers, "
        "supply-chain-finance leads that are not yet clients, and the core enterprises it serves.",
    ),
    "supply.company": ("企业", "Company"),
    "supply.company_title": ("{name}（{key}）", "{name} ({key})"),
    "supply.no_example": (
        "图中没有供应链数据可作示例；输入企业名称或统一社会信用代码开始查询。",
        "The graph has no supply-chain data to show as an example; type a company name or USCC to start.",
    ),
    "supply.tiers": ("上下游层级", "Tiers up and down"),
    "supply.core_share": ("核心供应商/客户的最低占比", "Core supplier / customer: minimum share"),
    "supply.per_tier": ("图中每级最多显示", "Drawn per tier at most"),
    "supply.client": ("存量客户（客户经理：{manager}）", "Client (manager: {manager})"),
    "supply.core_enterprise": ("核心企业：{reason}", "Core enterprise: {reason}"),
    "supply.purchases": ("年采购总额", "Annual purchases"),
    "supply.sales": ("年销售总额", "Annual sales"),
    "supply.suppliers": ("直接供应商", "Direct suppliers"),
    "supply.customers": ("直接客户", "Direct customers"),
    "supply.all_tiers": ("各级合计 {n}", "{n} in all tiers"),
    "supply.empty": ("该企业没有供应链记录。", "This company has no supply-chain records."),
    "supply.try": (
        "可以尝试：换一家企业（例如其上下游或同集团企业），或在“数据”页加载供应链文件（supply.csv）。",
        "Try another company (a partner or a group company), or load a supply file (supply.csv) on the Data page.",
    ),
    "supply.graph": ("上下游图（左：供应商，右：客户）", "Suppliers (left) and customers (right)"),
    "supply.hidden": (
        "图中显示 {shown} 家伙伴（每级金额最大的 {per_tier} 家），另有 {hidden} 家只在下方表格中列出。",
        "The drawing shows {shown} partners (the largest {per_tier} per tier); {hidden} more are in the tables below.",
    ),
    "supply.core_partners": ("核心供应商/客户（占比 ≥ {share}）", "Core suppliers / customers (share ≥ {share})"),
    "supply.no_core_partners": (
        "没有占采购或销售 {share} 以上的直接供应商或客户。",
        "No direct supplier or customer has {share} or more of the purchases or sales.",
    ),
    "supply.share_help": (
        "占比：第 1 级为占本企业年采购额（供应商）或年销售额（客户）的比例；第 2 级起为占“经由”企业的比例。",
        "Share: in tier 1 the share of the company's annual purchases (suppliers) or sales (customers); "
        "from tier 2 the share of the company named under “via”.",
    ),
    "supply.tab.upstream": ("上游第 {tier} 级（{n}）", "Suppliers, tier {tier} ({n})"),
    "supply.tab.downstream": ("下游第 {tier} 级（{n}）", "Customers, tier {tier} ({n})"),
    "supply.side.upstream": ("上游（供应商）", "upstream (supplier)"),
    "supply.side.downstream": ("下游（客户）", "downstream (customer)"),
    "supply.share_of_purchases": ("占{name}采购额的 {share}", "{share} of the purchases of {name}"),
    "supply.share_of_sales": ("占{name}销售额的 {share}", "{share} of the sales of {name}"),
    "supply.leads": ("供应链金融线索", "Supply-chain-finance leads"),
    "col.confirmed": ("交易确认", "confirmed"),
    "col.paid": ("本行结算金额", "paid through the bank"),
    "col.paid_yuan": ("本行结算金额（元）", "paid through the bank (yuan)"),
    "col.segment": ("产业链环节", "chain segment"),
    "col.trades": ("已有往来", "already trades"),
    "segment.leads": ("按产业链环节的潜客", "Leads by industry-chain segment"),
    "segment.help": (
        "本企业所在环节：{segments}。以下是上下游环节中尚未成为本行客户的企业（不限于已知供应商），"
        "前 10 家附最暖的引荐路径。"
        "交易确认（✓）：本行结算数据中看到该笔供货的付款。",
        "This company's segments: {segments}. These are the non-clients in the segments up- and downstream "
        "(not only its named suppliers); the first 10 come with their warmest introduction. Confirmed (✓): the "
        "bank's own settlement data shows the payments for that supply.",
    ),
    "segment.none": (
        "该企业未归入任何产业链环节（见 segment_members 文件）。",
        "This company is in no industry-chain segment (see the segment_members file).",
    ),
    "segment.no_leads": (
        "上下游环节中没有尚未成为客户的企业。",
        "No non-client company in the segments up- or downstream.",
    ),
    "segment.found": (
        "上下游环节中有 **{n}** 家尚未成为客户的企业：",
        "**{n}** non-client companies up- and downstream:",
    ),
    "supply.leads_help": (
        "本企业是存量客户且为核心企业：以下是它上下游中尚未成为本行客户的企业（已排除注销/吊销和黑名单）。",
        "This company is a client and a core enterprise: its suppliers and customers that are not yet clients "
        "(closed and black-listed companies left out).",
    ),
    "supply.leads_not_core": (
        "本企业是存量客户，但按规则不是核心企业；以下仍列出它上下游中尚未成为本行客户的企业。",
        "This company is a client but not a core enterprise by the rule; these are still its suppliers and "
        "customers that are not yet clients.",
    ),
    "supply.leads_not_client": (
        "供应链金融线索以本行存量客户（核心企业）为锚点；该企业不是存量客户。它本身可能就是一条线索：见下方它服务的核心企业。",
        "Supply-chain-finance leads hang off client core enterprises; this company is not a client. It may "
        "itself be a lead: see the core enterprises it serves below.",
    ),
    "supply.no_leads": (
        "{tiers} 级以内的上下游都已是本行客户（或为注销/黑名单企业），没有新线索；可增加层级再看。",
        "Within {tiers} [tiers|tier|tiers] every partner is already a client (or closed / black-listed): no new lead. "
        "Try more tiers.",
    ),
    "supply.leads_found": ("{n} 家非客户企业", "{n} [n|company that is not a client|companies that are not clients]"),
    "supply.role.supplier": ("供应商", "supplier"),
    "supply.role.customer": ("客户", "customer"),
    "supply.served": ("服务的核心企业", "Core enterprises it serves"),
    "supply.is_core": ("本企业本身就是核心企业：{reason}", "The company is itself a core enterprise: {reason}"),
    "supply.serves": (
        "在下游 {tiers} 级以内向 {n} 家核心企业供货（直接或经由其客户）：",
        "Sells to {n} core [n|enterprise|enterprises] within {tiers} [tiers|tier|tiers] downstream, "
        "directly or through its customers:",
    ),
    "supply.serves_none": (
        "在下游 {tiers} 级以内没有向核心企业供货；可增加层级，或查看它的上游。",
        "Sells to no core enterprise within {tiers} [tiers|tier|tiers] downstream; try more tiers.",
    ),
    # related parties and guarantees page
    "related.title": ("关联方与担保", "Related parties & guarantees"),
    "related.help": (
        "受益所有人（穿透持股逐级相乘）、实际控制人及认定理由、同一控制人企业、关联方清单、"
        "担保圈与担保链，以及若干跳内的黑名单和注销/吊销主体。",
        "Beneficial owners (stakes multiplied along equity chains), the actual controller and why, companies "
        "under the same controller, related parties, guarantee circles and chains, and black-listed or closed "
        "entities within a few hops.",
    ),
    "related.company": ("企业", "Company"),
    "related.company_title": ("{name}（{key}）", "{name} ({key})"),
    "related.threshold": ("受益所有人持股阈值", "Beneficial ownership threshold"),
    "related.chain_hops": ("担保链最多层级", "Guarantee chains: max hops"),
    "related.hops": ("风险敞口：最多跳数", "Exposure: max hops"),
    "related.exposure_kinds": ("风险敞口：关系类型", "Exposure: relationship kinds"),
    "related.owners": ("受益所有人（穿透持股 ≥ {threshold}）", "Beneficial owners (effective stake ≥ {threshold})"),
    "related.no_owners": (
        "没有穿透持股达到 {threshold} 的自然人或国资主体，也无法按控制或经营管理认定。可降低左侧阈值再看。",
        "Nobody reaches {threshold}, and no owner by control or management was found. Try a lower threshold.",
    ),
    "related.unknown_owners": (
        "以下主体的穿透持股因持股比例缺失无法计算，可能达到阈值：{names}",
        "The effective stakes of these could not be computed (a ratio is missing) and may reach the threshold: {names}",
    ),
    "related.kind.person": ("自然人", "natural person"),
    "related.kind.state": ("国资 / 国家机关", "state body"),
    "related.basis.ownership": ("穿透持股", "by ownership"),
    "related.basis.control": ("按实际控制认定", "by control"),
    "related.basis.senior_manager": ("按日常经营管理认定", "as the person running the company"),
    "related.more_chains": ("……另有 {n} 条持股链未列出", "... and {n} more [n|chain|chains]"),
    "related.total": ("合计 **{total}**", "Total **{total}**"),
    "related.total_loop": (
        "合计 **{total}**（其中 {loop} 来自交叉持股循环）",
        "Total **{total}** (of which {loop} through cross-holdings)",
    ),
    "related.controller": ("实际控制人", "Actual controller"),
    "related.no_controller": ("未识别实际控制人", "No actual controller identified"),
    "related.because": ("认定理由（控制链）：", "Why (the control chain):"),
    "related.equity_graph": ("股权穿透图", "Equity chains"),
    "related.equity_help": (
        "箭头由股东指向被持股企业，标注直接持股比例；受益所有人的穿透持股为链上比例相乘。",
        "Arrows run from shareholder to company with the direct stake; an owner's effective stake multiplies "
        "the ratios along a chain.",
    ),
    "related.rule.majority": ("绝对控股（> 50%）", "majority (> 50%)"),
    "related.rule.largest": ("第一大股东（≥ 30%）", "largest holder (≥ 30%)"),
    "related.rule.managing_partner": ("执行事务合伙人", "managing partner"),
    "related.rule.general_partner": ("唯一普通合伙人", "sole general partner"),
    "related.former": ("已退出的股东与合伙人（{n}）", "Former holders and partners ({n})"),
    "related.former_help": (
        "已退出（有退出日期）的股东和合伙人只作为历史列出，不计入持股、受益所有人和控制。",
        "Holders and partners that have exited (an exit date) are listed as history only: they count for no "
        "stake, beneficial ownership or control.",
    ),
    "col.former_holder": ("原股东 / 合伙人", "former holder"),
    "col.former_as": ("身份", "as"),
    "col.exit_date": ("退出日期", "exit date"),
    "related.group": ("同一控制人下的企业", "Companies under the same controller"),
    "related.no_group": (
        "未识别实际控制人，也没有可追溯的控制链，因此无法列出同一控制人企业。",
        "No actual controller and no control chain, so there is no same-controller group.",
    ),
    "related.group_found": (
        "受 **{root}** 控制的企业共 {n} 家（含本企业）：",
        "{n} [n|company|companies] under **{root}** (this one included):",
    ),
    "related.group_family": (
        "与实际控制人一并计入的配偶、父母子女及一致行动人：{names}",
        "Counted with the controller (spouse, parents, children, concert parties): {names}",
    ),
    "related.group_alone": (
        "除本企业外，没有其他企业受同一控制人控制。",
        "No other company is under the same controller.",
    ),
    "related.parties": ("关联方", "Related parties"),
    "related.parties_found": (
        "共 {n} 个关联方，其中自然人 {people} 个。",
        "{n} related [n|party|parties], {people} of them [people|a person|persons].",
    ),
    "related.no_parties": (
        "没有找到关联方：图中没有该企业的股东、任职、担保或主要供应链记录。",
        "No related party: the graph has no shareholders, officers, guarantees or major supply records of it.",
    ),
    "related.person": ("自然人", "person"),
    "related.state": ("国资 / 国家机关", "state body"),
    "related.guarantees": ("担保圈与担保链", "Guarantee circles and chains"),
    "related.no_guarantees": (
        "该企业没有担保关系（既不为他人担保，也没有被担保），不在任何担保圈中。",
        "The company neither guarantees nor is guaranteed: it is on no guarantee circle or chain.",
    ),
    "related.in_circle": ("该企业处于一个{what}中。", "The company is in a {what}."),
    "related.near_circle": (
        "该企业本身不在担保圈中，但它的担保对手方处于 {n} 个担保圈中。",
        "The company is not in a circle itself, but its guarantee counterparties are in {n}.",
    ),
    "related.no_circle": ("该企业不在担保圈中。", "The company is in no guarantee circle."),
    "related.circle.mutual": ("互保", "mutual guarantee"),
    "related.circle.circle": ("担保圈", "guarantee circle"),
    "related.members": ("{n} 家", "{n} [n|member|members]"),
    "related.circle_total": ("担保总额 {amount}", "guarantees {amount} in all"),
    "related.circle_clients": ("存量客户 {n} 家", "{n} [n|client|clients]"),
    "related.unknown_amounts": ("{n} 笔金额未知", "{n} [n|amount|amounts] unknown"),
    "related.circle_closed": ("注销/吊销 {n} 家", "{n} closed"),
    "related.circle_black": ("黑名单 {n} 家", "{n} black-listed"),
    "related.chains": ("担保链（最多 {hops} 层，共 {n} 条）", "Guarantee chains (up to {hops} hops, {n} in all)"),
    "related.chains_cut": ("只列出前 {n} 条。", "Only the first {n} are listed."),
    "related.no_chains": ("没有担保链。", "No guarantee chain."),
    "related.direction.guarantors": ("向上：担保方", "up: guarantors"),
    "related.direction.borrowers": ("向下：被担保方", "down: borrowers"),
    "related.closes": ("（回到链上，成环）", " (back on the chain: a circle)"),
    "related.exposure": (
        "风险敞口（{hops} 跳内的黑名单、注销/吊销主体）",
        "Exposure (black-listed and closed entities within {hops} hops)",
    ),
    "related.own_flags": ("{name} 本身为：{flags}。", "{name} itself is: {flags}."),
    "related.no_exposure": (
        "{hops} 跳内没有黑名单或注销/吊销主体。",
        "No black-listed or closed entity within {hops} [hops|hop|hops].",
    ),
    "related.exposure_try": (
        "可以增加左侧“最多跳数”，或在关系类型中加入“园区”再看。超大枢纽（如国资委、大型园区）不参与穿行。",
        "Try more hops on the left, or add parks to the relationship kinds. Very large hubs (a state asset "
        "commission, a big park) are not walked through.",
    ),
    "related.exposure_found": (
        "{hops} 跳内有 {n} 个风险主体（其中黑名单 {black} 个）：",
        "{n} flagged [n|entity|entities] within {hops} [hops|hop|hops] ({black} black-listed):",
    ),
    "related.exposure_cut": (
        "图中画出最近的 {shown} 个，共 {n} 个见下表。",
        "The nearest {shown} are drawn; all {n} are in the table.",
    ),
    # parks page
    "parks.title": ("园区", "Industrial parks"),
    "parks.help": (
        "按名称、产业或地区查找园区，查看园区内企业（标出存量客户），以及可由园区内客户引荐的非客户企业。",
        "Find parks by name, industry or region, see a park's companies (clients marked), and the companies "
        "that clients in the same park could introduce.",
    ),
    "parks.keyword": ("园区名称", "Park name"),
    "parks.keyword_hint": ("例如：高新、工业园", "e.g. 高新, 工业园"),
    "parks.industry": ("主导产业", "Industry"),
    "parks.region": ("地区", "Region"),
    "parks.region_hint": ("省、市或区，例如：苏州", "province, city or district, e.g. 苏州"),
    "parks.none": ("没有符合条件的园区。", "No park matches."),
    "parks.no_parks": (
        "图中还没有园区数据。请在“数据”页加载园区文件（parks.csv）和入驻关系（parks_located.csv）。",
        "The graph has no parks yet. Load the park file (parks.csv) and the park members (parks_located.csv) "
        "on the Data page.",
    ),
    "parks.try": (
        "可以尝试：缩短名称关键词、换一个产业或地区，或清空某个条件。",
        "Try a shorter name, another industry or region, or clear one of the boxes.",
    ),
    "parks.found": ("找到 {n} 个园区（按入驻企业数排序）：", "{n} [n|park|parks] found (most companies first):"),
    "parks.pick": ("查看园区", "Park to look at"),
    "parks.n_companies": ("{n} 家企业", "{n} [n|company|companies]"),
    "parks.companies": ("入驻企业", "Companies"),
    "parks.clients": ("其中存量客户", "Of them clients"),
    "parks.leads": ("引荐线索", "Referral leads"),
    "parks.empty_park": ("图中没有该园区的入驻企业记录。", "The graph records no company in this park."),
    "parks.members": ("园区与入驻企业", "The park and its companies"),
    "parks.drawn": (
        "图中显示前 {shown} 家（存量客户优先），共 {n} 家见下表。",
        "The first {shown} are drawn (clients first); all {n} are listed.",
    ),
    "parks.company_list": ("入驻企业（存量客户在前）", "Companies (clients first)"),
    "parks.lead_title": ("园区引荐线索", "Park referral leads"),
    "parks.lead_help": (
        "园区内尚未成为本行客户的企业；同行业的园区客户排在前面，是最自然的引荐人。",
        "Companies in the park that are not clients yet; clients of the same industry come first as the most "
        "natural introducers.",
    ),
    "parks.no_clients": (
        "该园区内还没有本行存量客户，因此没有可引荐的线索；可以换一个有客户的园区。",
        "The bank has no client in this park yet, so nobody can introduce; try a park with clients.",
    ),
    "parks.no_leads": (
        "园区内的企业都已是本行客户（或为注销/黑名单企业），没有新线索。",
        "Every company of the park is already a client (or closed / black-listed): no new lead.",
    ),
    "parks.all_leads": ("所有园区的引荐线索", "Referral leads in every park"),
    "assoc.lead_title": ("商会协会引荐线索", "Association referral leads"),
    "assoc.lead_help": (
        "商会、行业协会中由客户或客户高管担任职务（会长、副会长、秘书长、理事……）的，其非客户会员企业为线索；"
        "职务越高越靠前。",
        "Non-client members of chambers and associations where a client, or an officer of a client, holds an"
        " office (president, vice president, secretary general, council member ...); higher offices first.",
    ),
    "assoc.no_leads": (
        "没有商会协会引荐线索：没有客户或客户高管在商会协会任职。",
        "No association referral leads: no client or client officer holds an office in an association.",
    ),
    "col.association": ("商会协会", "Association"),
    "col.office": ("会内职务", "Office"),
    "col.referrers": ("引荐人", "Referrers"),
    "parks.all_leads_help": (
        "共 {n} 条线索，列出前 {shown} 条。",
        "{n} [n|lead|leads]; the first {shown} [shown|is|are] listed.",
    ),
    "parks.no_leads_anywhere": ("所有园区都没有引荐线索。", "No park has referral leads."),
    # 商机 / 线索 / 看板 (issue 16: events, an RM's lead board, the dashboard)
    "nav.events": ("商机", "Opportunities"),
    "nav.leads": ("线索", "Leads"),
    "nav.board": ("看板", "Dashboard"),
    "ops.db": ("线索库：{where}", "Lead database: {where}"),
    "ops.demo_filling": (
        "首次打开：正在用演示数据生成商机事件并分发线索……",
        "First visit: making demo events and distributing leads ...",
    ),
    "ops.empty": (
        "线索库中还没有商机事件。用 `guanxi ops load 文件夹` 导入事件、标签、产业链、机构与客户经理。",
        "The lead database holds no events yet. Load events, tags, chains and branches with `guanxi ops load FOLDER`.",
    ),
    "ops.no_leads": (
        "线索库中还没有线索。用 `guanxi leads distribute` 把评分后的候选企业分发给客户经理。",
        "The lead database holds no leads yet. Hand scored candidates to relationship managers with "
        "`guanxi leads distribute`.",
    ),
    "ev.title": ("商机事件", "Opportunity events"),
    "ev.help": (
        "值得现在联系的理由：中标、新项目、对外投资、增资、新设子公司、到期……每条事件都标出对应的银行产品和价值等级。",
        "A reason to call now: tenders won, new projects, investments, capital increases, new subsidiaries, "
        "expiries ... each with the bank products it signals and its value grade.",
    ),
    "ev.types": ("事件类型", "Event types"),
    "ev.all": ("全部", "All"),
    "ev.categories": ("类别", "Categories"),
    "ev.grades": ("价值等级", "Value grades"),
    "ev.region": ("地区代码（前缀，如 3205）", "Region code (prefix, e.g. 3205)"),
    "ev.since": ("起始日期", "From"),
    "ev.until": ("截止日期", "Until"),
    "ev.count": ("事件数", "Events"),
    "ev.companies": ("涉及企业", "Companies"),
    "ev.shown": ("共 {n} 条，显示前 {shown} 条。", "{n} events; the first {shown} are shown."),
    "ev.none": ("没有符合条件的事件。", "No event matches the filters."),
    "ev.products": ("涉及产品", "Products signalled"),
    "lcol.date": ("日期", "Date"),
    "lcol.event_type": ("事件", "Event"),
    "lcol.category": ("类别", "Category"),
    "lcol.grade": ("价值", "Grade"),
    "lcol.products": ("产品", "Products"),
    "lcol.amount": ("金额", "Amount"),
    "lcol.source": ("来源", "Source"),
    "lcol.text": ("内容", "Text"),
    "lcol.region": ("地区代码", "Region"),
    "lcol.lead": ("线索", "Lead"),
    "lcol.tier": ("分层", "Tier"),
    "lcol.score": ("评分", "Score"),
    "lcol.state": ("状态", "State"),
    "lcol.version": ("版本", "Version"),
    "lcol.updated": ("更新时间", "Updated"),
    "lcol.joint": ("联合拜访", "Joint visit"),
    "lcol.leads": ("线索数", "Leads"),
    "lcol.landed": ("已落地", "Landed"),
    "lcol.conversion": ("转化率", "Conversion"),
    "lcol.open": ("在跟进", "Open"),
    "lead.title": ("线索跟进", "Lead follow-up"),
    "lead.help": (
        "客户经理的线索看板：按状态分栏；选中一条线索可以推进状态、记录备注，并一键查看最暖的引荐路径。",
        "A relationship manager's board by state: pick a lead to move it, note what happened, and see the warmest "
        "introduction path in one click.",
    ),
    "lead.manager": ("客户经理", "Relationship manager"),
    "lead.unassigned": ("（待分配）", "(unassigned)"),
    "lead.manager_help": ("默认打开线索最多的客户经理。", "Opens on the manager with the most leads."),
    "lead.me": ("操作人", "Acting as"),
    "lead.pick": ("选择线索", "Pick a lead"),
    "lead.none_for": ("该客户经理名下没有线索。", "This manager has no leads."),
    "lead.state_tab": ("{state}（{n}）", "{state} ({n})"),
    "lead.facts": ("线索详情", "The lead"),
    "lead.reason": ("分配依据", "Why here"),
    "lead.events": ("商机事件", "Events"),
    "lead.breakdown": ("评分构成", "Score breakdown"),
    "lead.introducer": ("引荐客户", "Introducing client"),
    "lead.warmth": ("路径温度", "Path warmth"),
    "lead.joint": ("联合拜访：{manager}", "Joint visit with {manager}"),
    "lead.note": ("备注（可选）", "Note (optional)"),
    "lead.move": ("转为「{state}」", "Move to {state}"),
    "lead.add_note": ("只记录备注", "Add the note only"),
    "lead.moved": ("线索 {id} 已转为「{state}」（版本 {version}）。", "Lead {id} is now {state} (version {version})."),
    "lead.noted": ("已记录备注（版本 {version}）。", "Note recorded (version {version})."),
    "lead.closed": ("该线索已结束，不能再推进。", "This lead is closed: it cannot move any more."),
    "lead.history": ("跟进记录", "History"),
    "lead.show_path": ("查看引荐路径", "Show the introduction path"),
    "lead.path_title": ("引荐路径：{name}", "Introduction paths to {name}"),
    "lead.not_in_graph": (
        "图中没有这家企业，无法查找引荐路径。",
        "The company is not in the graph: no path to look for.",
    ),
    "lead.no_path": ("没有找到引荐路径。", "No introduction path found."),
    "board.title": ("看板", "Dashboard"),
    "board.help": (
        "线索漏斗与各机构、各客户经理的转化情况，以及商机事件按类型和地区的分布。",
        "The lead funnel, conversion by branch and by relationship manager, and events by type and region.",
    ),
    "board.funnel": ("线索漏斗（到达各状态的线索数）", "Lead funnel (leads that reached each state)"),
    "board.by_branch": ("按机构", "By branch"),
    "board.by_manager": ("按客户经理", "By relationship manager"),
    "board.events_type": ("商机事件：按类型", "Events by type"),
    "board.events_region": (
        "商机事件：按省份（地区代码前两位）",
        "Events by province (first two digits of the region)",
    ),
    "board.total": ("线索总数", "Leads"),
    "board.open": ("在跟进", "Open"),
    "board.landed": ("已落地", "Landed"),
    "board.rate": ("落地率", "Landed share"),
    # errors
    "error.generic": ("出错了：{error}", "Something went wrong: {error}"),
}


def as_lang(value: object) -> Lang:
    """``"en"`` for English, else ``"zh"`` (the default)."""
    return "en" if value == "en" else "zh"


def t(key: str, lang: Lang = "zh", /, **values: object) -> str:
    """The string ``key`` in ``lang``, with ``{placeholders}`` filled from ``values`` (English nouns
    after a count in the singular or the plural, see :func:`plural`)."""
    zh, en = STRINGS[key]
    text = zh if lang == "zh" else plural(en, values)
    return text.format(**values) if values else text
