"""The Streamlit app driven through ``AppTest``: every page, its widgets and what it shows.

The app runs on a small demo graph (``GUANXI_DEMO_COMPANIES=400``) cached in
the session's temporary folder; expected answers come from the same graph
through the query functions, so the tests check what a user reads against
what the queries say.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from graph.embedded import EmbeddedStore
from graph.model import Node
from graph.store import GraphStore
from graph.uscc import check_char
from loaders.demo import DEMO_SEED, demo_store
from queries.associations import association_leads
from queries.batch import batch_reach
from queries.connections import connections
from queries.explain import path_text
from queries.format import money, percent
from queries.guarantees import circles_of, exposure
from queries.introductions import introductions
from queries.matching import match_list, read_list
from queries.ownership import actual_controller, former_holders, related_parties, ultimate_owners
from queries.parks import find_parks, park_companies, park_leads
from queries.paths import PathAnswer
from queries.supply_chain import core_enterprises_served, core_partners, supply_chain, supply_chain_leads
from tests.conftest import DEMO_COMPANIES
from ui.batch_sheets import result_sheets, results_frame
from ui.draw_neighbourhood import FIRST_RING
from ui.i18n import t
from ui.page_batch import workbook_bytes
from ui.widgets import answer_frame, csv_bytes, excel_bytes, md, one_language, wan

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
COMPANIES = DEMO_COMPANIES
FIRST_RUN = 180.0  # the first run may generate the demo graph
RUN = 30.0


@pytest.fixture(scope="module")
def store(demo_env: Path) -> EmbeddedStore:
    """The same demo graph the app opens, for the expected answers."""
    return demo_store(companies=COMPANIES)


@pytest.fixture(scope="module")
def opened(demo_env: Path) -> AppTest:
    """The app after its first run (generates the demo graph when the cache is cold)."""
    at = AppTest.from_file(APP, default_timeout=RUN)
    at.run(timeout=FIRST_RUN)
    assert not at.exception, at.exception
    return at


def fresh() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=RUN)
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> list[str]:
    """Every markdown and caption text, in page order."""
    return [m.value for m in at.markdown] + [c.value for c in at.caption]


def unescape(text: str) -> str:
    return text.replace("\\", "")


def frame_html(at: AppTest, index: int = 0) -> str:
    frames = at.get("iframe")
    assert len(frames) > index, "no drawing on the page"
    return str(frames[index].proto.srcdoc)


def prospect_of(at: AppTest, store: GraphStore) -> Node:
    name = at.text_input(key="intro_q").value
    pick = str(at.selectbox(key="intro_pick").value)
    node = store.get_nodes([pick])[pick]
    assert node.name == name
    return node


def assert_cards(at: AppTest, answer: PathAnswer, lang: str = "zh") -> None:
    """Each path is a card with rank, introducer, manager, warmth, hops and the sentence."""
    shown = [unescape(x) for x in texts(at)]
    colon = "：" if lang == "zh" else ": "
    who = t("card.introducer", "zh" if lang == "zh" else "en")
    for p in answer.paths:
        rank = t("card.rank", "zh" if lang == "zh" else "en", rank=p.rank)
        assert f"**{rank} · {who}{colon}{p.introducer.name}**" in shown
        sentence = p.sentence_zh if lang == "zh" else p.sentence_en
        assert sentence in shown
        assert any(p.manager and p.manager in x for x in shown) or p.manager is None
    bars = at.get("progress")
    assert len(bars) == len(answer.paths)


# -- 谁能引荐 / who can introduce us -------------------------------------------------------------
def test_opens_on_a_prospect_with_several_warm_paths(opened: AppTest, store: EmbeddedStore) -> None:
    at = opened
    assert at.session_state["page"] == "intro" and at.session_state["lang"] == "zh"
    prospect = prospect_of(at, store)
    assert not prospect.is_client
    expected = introductions(store, prospect)
    assert len(expected.paths) >= 3, "the example must show several paths"
    assert len({p.introducer.id for p in expected.paths}) >= 2
    assert f"**{t('intro.found', 'zh', n=len(expected.paths))}**" in texts(at)
    assert_cards(at, expected)
    html = frame_html(at)
    assert prospect.name in html
    for p in expected.paths:
        assert p.introducer.name in html
    assert len(at.get("download_button")) == 2


def test_max_hops_and_language(opened: AppTest, store: EmbeddedStore) -> None:
    at = opened
    prospect = prospect_of(at, store)
    at.slider(key="intro_hops").set_value(2).run()
    expected = introductions(store, prospect, max_hops=2)
    assert all(p.hops <= 2 for p in expected.paths)
    if expected.paths:
        assert_cards(at, expected)
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.header[0].value == "Who can introduce us?"
    if expected.paths:
        assert_cards(at, expected, lang="en")
        assert "Relationships (arrows show the true direction)" in frame_html(at)
    at.radio(key="lang").set_value("zh").run()
    at.slider(key="intro_hops").set_value(4).run()
    assert at.header[0].value == "谁能引荐？"


def test_search_by_part_of_a_name_and_by_uscc(store: EmbeddedStore) -> None:
    at = fresh()
    current = prospect_of(at, store)
    # another prospect with paths, found by part of its name
    other = next(
        n
        for n in store.iter_nodes("Company")
        if not n.is_client and n.id != current.id and len(n.name) >= 6 and introductions(store, n, k=3).paths
    )
    part = other.name[2:6]
    at.text_input(key="intro_q").set_value(part).run()
    options = at.selectbox(key="intro_pick").options
    assert len(options) >= 1
    assert any(other.name in o for o in options)
    at.text_input(key="intro_q").set_value(other.key).run()
    assert at.selectbox(key="intro_pick").value == other.id
    assert_cards(at, introductions(store, other))
    assert t("intro.target", "zh", name=other.name, key=other.key) in [s.value for s in at.subheader]


def test_manager_filter_keeps_only_that_managers_clients(store: EmbeddedStore) -> None:
    at = fresh()
    prospect = prospect_of(at, store)
    manager = introductions(store, prospect).paths[0].manager
    assert manager, "demo clients have a relationship manager"
    at.selectbox(key="intro_manager").set_value(manager).run()
    expected = introductions(store, prospect, manager=manager)
    assert expected.paths and all(p.manager == manager for p in expected.paths)
    assert_cards(at, expected)


def test_an_empty_answer_says_why_and_what_to_try(store: EmbeddedStore) -> None:
    at = fresh()
    prospect = prospect_of(at, store)
    at.slider(key="intro_warmth").set_value(1.0).run()
    expected = introductions(store, prospect, min_warmth=1.0)
    assert not expected.paths
    assert t("intro.empty", "zh") in [w.value for w in at.warning]
    infos = [i.value for i in at.info]
    for note in expected.notes:
        assert md(one_language(note, "zh")) in infos  # the page's language only, never markup
    assert t("intro.try", "zh") in texts(at)
    assert not at.get("iframe")


def test_filters_by_kind(store: EmbeddedStore) -> None:
    at = fresh()
    prospect = prospect_of(at, store)
    at.multiselect(key="intro_kinds").set_value(["SERVES_AS"]).run()
    expected = introductions(store, prospect, kinds=["SERVES_AS"])
    for p in expected.paths:
        assert {e.type for e in p.path.edges} == {"SERVES_AS"}
    if expected.paths:
        assert_cards(at, expected)
    at.multiselect(key="intro_kinds").set_value([]).run()
    assert t("filter.choose_kind", "zh") in [w.value for w in at.warning]


def test_downloads_hold_the_paths(store: EmbeddedStore) -> None:
    at = fresh()
    answer = introductions(store, prospect_of(at, store))
    frame = answer_frame(answer, "zh")
    back = pd.read_csv(io.BytesIO(csv_bytes(frame)), encoding="utf-8-sig")
    assert list(back["引荐客户"]) == [p.introducer.name for p in answer.paths]
    assert list(back["说明"]) == [p.sentence_zh for p in answer.paths]
    sheet = pd.read_excel(io.BytesIO(excel_bytes(frame, "paths")))
    assert list(sheet["路径"]) == [path_text(p.path, "zh") for p in answer.paths]
    english = answer_frame(answer, "en")
    assert list(english["explanation"]) == [p.sentence_en for p in answer.paths]
    assert len(set(english.columns)) == len(english.columns)
    between = answer_frame(answer, "zh", introductions=False)
    assert list(between["起点"]) == [p.introducer.name for p in answer.paths]


# -- 关系连接 / connections ---------------------------------------------------------------------
def test_connections_page(store: EmbeddedStore) -> None:
    at = fresh()
    at.radio(key="page").set_value("connect").run()
    assert not at.exception
    assert at.header[0].value == t("connect.title", "zh")
    a_id = str(at.selectbox(key="connect_a_pick").value)
    b_id = str(at.selectbox(key="connect_b_pick").value)
    expected = connections(store, a_id, b_id)
    assert expected.paths
    a, b = expected.source, expected.target
    assert a is not None
    assert f"**{t('connect.found', 'zh', a=a.name, b=b.name, n=len(expected.paths))}**" in texts(at)
    shown = [unescape(x) for x in texts(at)]
    for p in expected.paths:
        assert p.sentence_zh in shown
    html = frame_html(at)
    assert a.name in html and b.name in html
    # fewer hops, fewer or equal paths, all short enough
    at.slider(key="connect_hops").set_value(2).run()
    short = connections(store, a_id, b_id, max_hops=2)
    if short.paths:
        assert f"**{t('connect.found', 'zh', a=a.name, b=b.name, n=len(short.paths))}**" in texts(at)
    else:
        assert t("connect.empty", "zh") in [w.value for w in at.warning]
    # the same entity at both ends
    at.text_input(key="connect_b_q").set_value(a.key).run()
    assert t("connect.same", "zh") in [w.value for w in at.warning]


# -- 关系探索 / explore ---------------------------------------------------------------------------
def test_explore_expands_hop_by_hop_and_filters_by_kind(store: EmbeddedStore) -> None:
    at = fresh()
    at.radio(key="page").set_value("explore").run()
    assert not at.exception
    centre_id = str(at.selectbox(key="explore_pick").value)
    first = store.edges_of([centre_id])
    caption = next(c.value for c in at.caption if c.value.startswith("已展开"))
    assert caption.startswith("已展开 1 跳")
    html = frame_html(at)
    centre = store.get_nodes([centre_id])[centre_id]
    assert centre.name in html
    neighbours = {e.source if e.target == centre_id else e.target for e in first}
    # the strongest FIRST_RING neighbours are drawn, the others folded into one "另有 N 个" box
    drawn = [n for n in store.get_nodes(list(neighbours)).values() if n.name in html]
    folded = len(neighbours) - len(drawn)
    assert len(drawn) >= min(len(neighbours), FIRST_RING)
    assert folded == 0 or f"另有 {folded} 个" in html
    before = len(at.get("iframe")[0].proto.srcdoc)
    at.button(key="explore_more").click().run()
    caption = next(c.value for c in at.caption if c.value.startswith("已展开"))
    assert caption.startswith("已展开 2 跳")
    assert len(frame_html(at)) > before
    # only officers: every relationship in the table is 任职
    at.multiselect(key="explore_kinds").set_value(["SERVES_AS"]).run()
    table = at.dataframe[-1].value
    assert list(table.columns) == ["从", "关系", "到", "内容", "强度", "其他信息"]
    assert len(table) and set(table["关系"]) == {"任职"}
    assert centre.name in set(table["从"]) | set(table["到"])
    at.button(key="explore_reset").click().run()
    caption = next(c.value for c in at.caption if c.value.startswith("已展开"))
    assert caption.startswith("已展开 1 跳")


# -- 数据 / data ---------------------------------------------------------------------------------
def test_data_page_shows_the_store_and_its_statistics(store: EmbeddedStore) -> None:
    at = fresh()
    at.radio(key="page").set_value("data").run()
    assert not at.exception
    stats = store.stats()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["节点"] == f"{stats.node_count:,}"
    assert metrics["关系"] == f"{stats.relationship_count:,}"
    assert metrics["存量客户"] == f"{stats.clients:,}"
    assert any("演示数据" in m.value for m in at.markdown)
    at.radio(key="lang").set_value("en").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Nodes"] == f"{stats.node_count:,}"


def test_data_page_loads_uploaded_files_and_reports_rejects(demo_env: Path, tmp_path: Path) -> None:
    """Upload into a copy of the demo graph opened as an embedded file (GUANXI_STORE), which is saved."""
    source = next(demo_env.glob(f"c{COMPANIES}-*/graph.gx"))
    graph_file = tmp_path / "graph.gx"
    shutil.copy(source, graph_file)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GUANXI_STORE", str(graph_file))
        at = fresh()
        at.radio(key="page").set_value("data").run()
        assert "内置图文件" in " ".join(m.value for m in at.markdown)
        before = EmbeddedStore.open(graph_file).stats()
        good = "91310000MA1FL0XG1" + check_char("91310000MA1FL0XG1")
        companies = (
            f"统一社会信用代码,企业名称,登记状态\n{good},上海上传测试科技有限公司,存续\n123,坏代码有限公司,存续\n"
        ).encode()
        at.file_uploader(key="data_files").set_value(("companies.csv", companies, "text/csv")).run()
        at.button(key="data_load").click().run()
        assert not at.exception, at.exception
        assert not at.error, [e.value for e in at.error]
        done = t("data.done", "zh", read="2", accepted="1", rejected="1")
        assert done in [w.value for w in at.warning]
        rejects = at.dataframe[-1].value
        assert list(rejects["行号"]) == [3]
        assert list(rejects["列"]) == ["统一社会信用代码"]
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["节点"] == f"{before.node_count + 1:,}"
        reopened = EmbeddedStore.open(graph_file)
        assert reopened.get_nodes([f"Company:{good}"])[f"Company:{good}"].name == "上海上传测试科技有限公司"


def data_controls(at: AppTest) -> set[str]:
    """The keys of the data page's load and clear controls that are shown."""
    shown = {w.key for w in [*at.button, *at.checkbox, *at.get("file_uploader")]}
    return shown & {"data_files", "data_strict", "data_replace", "data_load"}


def test_a_read_only_explorer_offers_no_way_to_load_or_clear(demo_env: Path) -> None:
    """GUANXI_READ_ONLY (on by default for Neo4j): the data page shows the graph, no load or clear
    controls, and says who loads; GUANXI_ADMIN=1 gives them back."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GUANXI_READ_ONLY", "1")
        at = fresh()
        at.radio(key="page").set_value("data").run()
        assert not at.exception, at.exception
        assert data_controls(at) == set()
        assert [i.value for i in at.info] == [t("data.read_only", "zh")]
        assert {m.label for m in at.metric} >= {"节点", "关系", "存量客户"}
        mp.setenv("GUANXI_ADMIN", "1")
        at.run()
        assert data_controls(at) == {"data_files", "data_strict", "data_replace", "data_load"}
        assert not at.info


def test_a_replace_with_a_bad_file_keeps_the_graph(demo_env: Path, opened: AppTest, tmp_path: Path) -> None:
    """先替换 with one unknown file beside a good one: refused, the graph file and its statistics unchanged."""
    source = next(demo_env.glob(f"c{COMPANIES}-*/graph.gx"))
    graph_file = tmp_path / "graph.gx"
    shutil.copy(source, graph_file)
    saved = graph_file.read_bytes()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GUANXI_STORE", str(graph_file))
        at = fresh()
        at.radio(key="page").set_value("data").run()
        metrics = {m.label: m.value for m in at.metric}
        good = "91310000MA1FL0XG1" + check_char("91310000MA1FL0XG1")
        companies = f"统一社会信用代码,企业名称\n{good},上海上传测试科技有限公司\n".encode()
        at.file_uploader(key="data_files").set_value(
            [("companies.csv", companies, "text/csv"), ("名单备注.csv", b"a,b\n1,2\n", "text/csv")]
        ).run()
        at.checkbox(key="data_replace").check().run()
        at.button(key="data_load").click().run()
        assert not at.exception, at.exception
        errors = [e.value for e in at.error]
        assert len(errors) == 1 and errors[0].startswith("替换失败，原有数据保留未动")
        assert "名单备注.csv" in unescape(errors[0])
        assert {m.label: m.value for m in at.metric} == metrics
        assert graph_file.read_bytes() == saved


def test_after_a_replace_the_caption_and_statistics_show_what_is_loaded(tmp_path: Path) -> None:
    """A replace of the demo graph: the caption no longer says demo data, the counts are the new graph's."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GUANXI_DEMO_COMPANIES", "100")  # a demo graph of its own: the shared one stays as it is
        mp.setenv("GUANXI_DEMO_DIR", str(tmp_path / "demo"))
        for name in ("GUANXI_STORE", "NEO4J_URI", "GUANXI_BACKEND", "GUANXI_WARMTH", "GUANXI_READ_ONLY"):
            mp.delenv(name, raising=False)
        at = AppTest.from_file(APP, default_timeout=RUN).run(timeout=FIRST_RUN)
        at.radio(key="page").set_value("data").run()
        assert any("演示数据（100 家企业" in c.value for c in at.sidebar.caption)
        good = "91310000MA1FL0XG1" + check_char("91310000MA1FL0XG1")
        companies = f"统一社会信用代码,企业名称\n{good},上海上传测试科技有限公司\n".encode()
        at.file_uploader(key="data_files").set_value(("companies.csv", companies, "text/csv")).run()
        at.checkbox(key="data_replace").check().run()
        at.button(key="data_load").click().run()
        assert not at.exception, at.exception
        assert not at.error, [e.value for e in at.error]
        metrics = {m.label: m.value for m in at.metric}
        assert (metrics["节点"], metrics["关系"], metrics["存量客户"]) == ("1", "0", "0")
        captions = [c.value for c in at.sidebar.caption]
        assert not any("演示数据" in c for c in captions)
        assert any("内存中的数据（1 家企业" in c for c in captions), captions


def test_a_missing_store_is_an_error_not_a_crash(tmp_path: Path, demo_env: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GUANXI_STORE", str(tmp_path / "missing.gx"))
        at = AppTest.from_file(APP, default_timeout=RUN).run()
        assert not at.exception
        assert at.error and at.error[0].value.startswith("无法打开图数据")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders_in_both_languages(lang: str, demo_env: Path) -> None:
    from ui.pages import PAGES

    at = fresh()
    at.radio(key="lang").set_value(lang).run()
    for page in PAGES:
        at.radio(key="page").set_value(page.key).run()
        assert not at.exception, (page.key, at.exception)
        assert not at.error, (page.key, [e.value for e in at.error])
        assert at.header[0].value


# -- 批量排查 / batch reach ------------------------------------------------------------------------
def demo_prospects(demo_env: Path) -> Path:
    return demo_env / f"c{COMPANIES}-s{DEMO_SEED}" / "files" / "prospects.csv"


def metrics_of(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_batch_reach_on_the_demo_prospect_list(store: EmbeddedStore, demo_env: Path) -> None:
    at = fresh()
    at.radio(key="page").set_value("batch").run()
    assert t("batch.start", "zh") in [i.value for i in at.info]
    at.button(key="batch_demo").click().run()
    assert not at.exception, at.exception
    report = match_list(store, read_list(demo_prospects(demo_env)))
    assert report.matched and report.unmatched, "the demo list has rows that match and rows that do not"
    metrics = metrics_of(at)
    assert metrics["名单行数"] == f"{len(report.rows):,}"
    assert metrics["匹配成功"] == f"{len(report.matched):,}"
    assert metrics["多个候选"] == f"{len(report.ambiguous):,}"
    assert metrics["未匹配"] == f"{len(report.unmatched):,}"
    unmatched = next(d.value for d in at.dataframe if "候选企业" in d.value.columns)
    assert list(unmatched["名单中的名称"]) == [r.name for r in report.unmatched]
    assert t("batch.press_run", "zh") in [i.value for i in at.info]

    at.button(key="batch_run").click().run()
    assert not at.exception, at.exception
    result = batch_reach(store, report, k=store.weights.k)
    metrics = metrics_of(at)
    for hops in (1, 2, 3, 4):
        assert metrics[f"{hops} 跳内可达"] == f"{result.reachable_within(hops):,}"
    summary = next(d.value for d in at.dataframe if list(d.value.columns) == ["指标", "数量"])
    expected = result.summary_frame("zh")
    assert list(summary["指标"]) == list(expected["指标"]) and list(summary["数量"]) == list(expected["数量"])
    assert dict(zip(summary["指标"], summary["数量"], strict=True))["匹配成功"] == len(report.matched)
    table = next(d.value for d in at.dataframe if "潜客" in d.value.columns)
    assert len(table) == sum(max(1, len(r.answer.paths)) for r in result.reaches)
    best = [p for r in result.reaches for p in r.answer.paths if p.rank == 1]
    assert set(table[table["排名"] == 1]["引荐客户"]) == {p.introducer.name for p in best}
    introducers = next(d.value for d in at.dataframe if "可引荐潜客数" in d.value.columns)
    assert list(introducers["引荐客户"]) == list(result.introducers_frame("zh")["引荐客户"][:10])
    assert len(at.get("download_button")) == 2


def test_batch_downloads_hold_every_table(store: EmbeddedStore, demo_env: Path) -> None:
    report = match_list(store, read_list(demo_prospects(demo_env)))
    result = batch_reach(store, report, k=2)
    sheets = result_sheets(result, "zh")
    book = pd.read_excel(io.BytesIO(workbook_bytes(sheets)), sheet_name=None)
    assert list(book) == ["结果", "汇总", "引荐客户", "客户经理", "未匹配"]
    assert len(book["结果"]) == len(results_frame(result, "zh"))
    assert list(book["未匹配"]["输入名称"]) == [r.name for r in report.unmatched]
    assert set(book["未匹配"]["状态"]) == {"未匹配"}
    english = results_frame(result, "en")
    assert {"prospect", "introducer", "manager", "explanation"} <= set(english.columns)
    back = pd.read_csv(io.BytesIO(csv_bytes(english)), encoding="utf-8-sig")
    assert set(back["prospect"]) == {r.prospect.name for r in result.reaches}


def test_batch_upload_gbk_csv_and_stale_results(store: EmbeddedStore) -> None:
    clients = [n for n in store.iter_nodes("Company") if n.is_client][:2]
    text = "客户名称,统一社会信用代码\n" + "".join(f"{n.name},\n" for n in clients) + "不存在的某某有限公司,\n"
    at = fresh()
    at.radio(key="page").set_value("batch").run()
    at.file_uploader(key="batch_file").set_value(("名单.csv", text.encode("gbk"), "text/csv")).run()
    assert not at.exception, at.exception
    metrics = metrics_of(at)
    assert (metrics["匹配成功"], metrics["未匹配"]) == ("2", "1")
    at.button(key="batch_run").click().run()
    assert t("batch.coverage", "zh") in [s.value for s in at.subheader]
    # another option: the result no longer applies
    at.slider(key="batch_hops").set_value(2).run()
    assert t("batch.stale", "zh") in [i.value for i in at.info]
    assert t("batch.coverage", "zh") not in [s.value for s in at.subheader]
    # a list without a name or USCC column is an error that names the accepted headers
    at.file_uploader(key="batch_file").set_value(("x.csv", "甲,乙\n1,2\n".encode(), "text/csv")).run()
    assert at.error and "企业名称" in at.error[0].value


# -- 产业链 / supply chain ---------------------------------------------------------------------------
def test_supply_chain_page_shows_tiers_core_partners_and_leads(store: EmbeddedStore) -> None:
    at = fresh()
    at.radio(key="page").set_value("supply").run()
    assert not at.exception, at.exception
    company = store.get_nodes([str(at.selectbox(key="supply_pick").value)])[str(at.selectbox(key="supply_pick").value)]
    chain = supply_chain(store, company, tiers=2, limit=None)
    assert chain.suppliers and chain.customers
    labels = [tab.label for tab in at.tabs]
    for n in (1, 2):
        for side, word in (("upstream", "upstream"), ("downstream", "downstream")):
            partners = chain.tier(n, side)  # type: ignore[arg-type]
            if partners:
                assert t(f"supply.tab.{word}", "zh", tier=n, n=len(partners)) in labels
    first = next(d.value for d in at.dataframe if "核心" in d.value.columns)
    tier1 = chain.tier(1, "upstream")
    assert list(first["企业"]) == [p.company.name for p in tier1]
    assert first["年交易额"].iloc[0] == wan(tier1[0].amount)  # a number (万元), so it sorts
    core = {p.company.name for p in core_partners(store, company, direction="upstream", min_share=0.1)}
    assert set(first[first["核心"] == "★"]["企业"]) == core
    html = frame_html(at)
    assert company.name in html and money(tier1[0].amount, "zh") in html
    # leads anchored on the company (a client core enterprise) and the core enterprises it serves
    assert company.is_client
    leads = supply_chain_leads(store, anchor=company, tiers=2, limit=None)
    assert t("supply.leads_found", "zh", n=len(leads)) in texts(at)
    served = core_enterprises_served(store, company, tiers=2)
    if served.served:
        table = next(d.value for d in at.dataframe if "核心企业" in d.value.columns)
        assert list(table["核心企业"]) == [s.core.name for s in served.served]
    # one tier: only tier-1 tabs
    at.slider(key="supply_tiers").set_value(1).run()
    assert all("第 1 级" in tab.label for tab in at.tabs)
    at.radio(key="lang").set_value("en").run()
    assert any(tab.label.startswith("Suppliers, tier 1") for tab in at.tabs)


def test_supply_chain_page_says_why_when_there_is_no_chain(store: EmbeddedStore) -> None:
    lonely = next(
        n for n in store.iter_nodes("Company") if not store.edges_of([n.id], ["SUPPLIES"]) and not n.is_client
    )
    at = fresh()
    at.radio(key="page").set_value("supply").run()
    at.text_input(key="supply_q").set_value(lonely.key).run()
    assert t("supply.empty", "zh") in [w.value for w in at.warning]
    assert t("supply.try", "zh") in texts(at)
    assert t("supply.leads_not_client", "zh") in [i.value for i in at.info]
    assert not at.get("iframe")


# -- 关联方与担保 / related parties & guarantees -------------------------------------------------------
def test_related_parties_page(store: EmbeddedStore) -> None:
    at = fresh()
    at.radio(key="page").set_value("related").run()
    assert not at.exception, at.exception
    pick = str(at.selectbox(key="related_pick").value)
    company = store.get_nodes([pick])[pick]
    owners = ultimate_owners(store, company)
    assert owners.owners, "the example has beneficial owners"
    shown = [unescape(x) for x in texts(at)]
    for owner in owners.owners:
        stake = f" · {percent(owner.stake)}" if owner.stake is not None else ""
        assert any(x.startswith(f"**{owner.owner.name}**") and x.endswith(stake) for x in shown)
        for chain in owner.chains:
            arithmetic = " × ".join(percent(r) for r in chain.ratios) + f" = {percent(chain.product)}"
            assert any(f"`{arithmetic}`" in x for x in shown)
    controller = actual_controller(store, company)
    if controller.controller is not None:
        assert any(x.startswith(f"**{controller.controller.name}**") for x in shown)
        for step in controller.chain:
            assert any(step.text("zh") in x for x in shown)
    parties = related_parties(store, company)
    table = next(d.value for d in at.dataframe if "关联原因" in d.value.columns)
    assert list(table["关联方"]) == [p.party.name for p in parties.parties]
    assert table["关联原因"].iloc[0] == "；".join(r.zh for r in parties.parties[0].reasons)
    circles = circles_of(store, company, neighbours=True)
    html = " ".join(str(f.proto.srcdoc) for f in at.get("iframe"))
    for circle in circles:
        for member in circle.members:
            assert member.name in html
    found = exposure(store, company, hops=3)
    if found.hits:
        risks = next(d.value for d in at.dataframe if "风险主体" in d.value.columns)
        assert list(risks["风险主体"]) == [h.flagged.name for h in found.hits]
        assert list(risks["说明"]) == [h.sentence("zh") for h in found.hits]
    # fewer hops: fewer (or no) flagged entities, and an empty answer says so
    at.slider(key="related_hops").set_value(1).run()
    if not exposure(store, company, hops=1).hits:
        assert t("related.no_exposure", "zh", hops=1) in [s.value for s in at.success]
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert f"#### {t('related.owners', 'en', threshold='25%')}" in texts(at)


def test_related_parties_page_without_guarantees_and_with_owners_by_control(store: EmbeddedStore) -> None:
    """Nobody owns 25%: the owners by control or by running the company, with the reason; no guarantee: why."""
    bare = next(
        n
        for n in store.iter_nodes("Company")
        if not store.edges_of([n.id], ["GUARANTEES"])
        and ultimate_owners(store, n).owners
        and all(o.basis != "ownership" for o in ultimate_owners(store, n).owners)
    )
    at = fresh()
    at.radio(key="page").set_value("related").run()
    at.text_input(key="related_q").set_value(bare.key).run()
    assert not at.exception, at.exception
    shown = [unescape(x) for x in texts(at)]
    for owner in ultimate_owners(store, bare).owners:
        basis = t(f"related.basis.{owner.basis}", "zh")
        assert any(x.startswith(f"**{owner.owner.name}**") and basis in x for x in shown)
        assert owner.explanation("zh") in shown
    assert t("related.no_guarantees", "zh") in [i.value for i in at.info]


def test_related_page_shows_a_funds_managing_partner_and_former_partners(store: EmbeddedStore) -> None:
    """A partnership fund of the demo: controlled by its managing partner, its exited partners as history."""
    fund = next(
        n
        for n in store.iter_nodes("Company")
        if str(n.name).endswith("合伙企业（有限合伙）") and former_holders(store, n)
    )
    at = fresh()
    at.radio(key="page").set_value("related").run()
    at.text_input(key="related_q").set_value(fund.key).run()
    assert not at.exception, at.exception
    shown = [unescape(x) for x in texts(at)]
    ctrl = actual_controller(store, fund)
    if ctrl.chain:
        assert ctrl.chain[0].rule in ("managing_partner", "general_partner")
        assert any(ctrl.chain[0].text("zh") in x for x in shown)
    former = former_holders(store, fund)
    table = next(d.value for d in at.dataframe if "退出日期" in d.value.columns)
    assert list(table["原股东 / 合伙人"]) == [f.holder.name for f in former]
    assert list(table["退出日期"]) == [f.until for f in former]


# -- 园区 / parks ----------------------------------------------------------------------------------------
def test_parks_page_lists_companies_and_leads(store: EmbeddedStore) -> None:
    at = fresh()
    at.radio(key="page").set_value("parks").run()
    assert not at.exception, at.exception
    parks = find_parks(store, limit=None)
    listed = at.dataframe[0].value
    assert list(listed["园区"]) == [s.park.name for s in parks]
    pick = str(at.selectbox(key="parks_pick").value)
    assert pick == parks[0].park.id
    members = park_companies(store, pick)
    companies = next(d.value for d in at.dataframe if "注册资本" in d.value.columns)
    assert list(companies["企业"]) == [c.name for c in members.companies]
    assert list(companies["存量客户"]) == ["是" if c.is_client else "" for c in members.companies]
    metrics = metrics_of(at)
    assert metrics["入驻企业"] == str(len(members.companies)) and metrics["其中存量客户"] == str(len(members.clients))
    leads = park_leads(store, pick, limit=None)
    assert metrics["引荐线索"] == str(len(leads))
    if leads:
        table = next(d.value for d in at.dataframe if "同行业客户数" in d.value.columns)
        assert list(table["企业"]) == [lead.company.name for lead in leads]
    assert all(c.name in frame_html(at) for c in members.companies[:10])
    # by region, by industry, and a search that finds nothing
    region = str(parks[0].park.get("city"))
    at.text_input(key="parks_region").set_value(region).run()
    assert list(at.dataframe[0].value["园区"]) == [s.park.name for s in find_parks(store, region=region, limit=None)]
    industry = at.selectbox(key="parks_industry").options[1]
    at.text_input(key="parks_region").set_value("").run()
    at.selectbox(key="parks_industry").set_value(industry).run()
    expected = find_parks(store, industry=industry, limit=None)
    assert list(at.dataframe[0].value["园区"]) == [s.park.name for s in expected]
    at.text_input(key="parks_keyword").set_value("没有这个园区").run()
    assert t("parks.none", "zh") in [w.value for w in at.warning]
    assert t("parks.try", "zh") in texts(at)


def test_parks_page_lists_association_leads(store: EmbeddedStore) -> None:
    at = fresh()
    at.radio(key="page").set_value("parks").run()
    assert not at.exception, at.exception
    leads = association_leads(store, limit=None)
    assert leads  # the demo plants a chamber whose president chairs a client
    table = next(d.value for d in at.dataframe if "引荐人" in d.value.columns)
    assert list(table["企业"]) == [lead.company.name for lead in leads][: len(table)]
    assert table["引荐人"].iloc[0] == "、".join(r.text("zh") for r in leads[0].referrers)


# -- from a path to the explorer ---------------------------------------------------------------------
def test_a_path_node_opens_on_the_explore_page(store: EmbeddedStore) -> None:
    at = fresh()
    prospect = prospect_of(at, store)
    path = introductions(store, prospect).paths[0].path
    at.button(key="intro_go_1_0").click().run()
    assert not at.exception, at.exception
    assert at.session_state["page"] == "explore"
    assert at.header[0].value == t("explore.title", "zh")
    assert at.selectbox(key="explore_pick").value == path.nodes[0].id
    assert path.nodes[0].name in frame_html(at)
    assert at.query_params.get("entity") == path.nodes[0].id


def test_the_address_names_the_entity_explore_opens_on(store: EmbeddedStore) -> None:
    person = next(iter(store.iter_nodes("Person")))
    at = AppTest.from_file(APP, default_timeout=RUN)
    at.query_params["page"] = "explore"
    at.query_params["entity"] = person.id
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="explore_pick").value == person.id
    assert person.name in frame_html(at)
    at = AppTest.from_file(APP, default_timeout=RUN)
    at.query_params["page"] = "explore"
    at.query_params["entity"] = "Company:NOT-IN-THE-GRAPH"
    at.run()
    assert t("explore.unknown_entity", "zh", entity=md("Company:NOT-IN-THE-GRAPH")) in [w.value for w in at.warning]
    assert at.selectbox(key="explore_pick").value  # the default example instead
