"""The Streamlit app driven through ``AppTest``: every page, its widgets and what it shows.

The app runs on a small demo graph (``GUANXI_DEMO_COMPANIES=400``) cached in
the session's temporary folder; expected answers come from the same graph
through the query functions, so the tests check what a user reads against
what the queries say.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from graph.embedded import EmbeddedStore
from graph.model import Node
from graph.store import GraphStore
from graph.uscc import check_char
from loaders.demo import demo_store
from queries.connections import connections
from queries.introductions import introductions
from queries.paths import PathAnswer
from ui.i18n import t
from ui.widgets import answer_frame, csv_bytes, excel_bytes, path_chain

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
COMPANIES = 400
FIRST_RUN = 180.0  # the first run may generate the demo graph
RUN = 30.0


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A small demo graph in the session's temporary folder, and no other store configured."""
    folder = tmp_path_factory.getbasetemp() / "guanxi-demo"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GUANXI_DEMO_COMPANIES", str(COMPANIES))
        mp.setenv("GUANXI_DEMO_DIR", str(folder))
        for name in ("GUANXI_STORE", "NEO4J_URI", "GUANXI_BACKEND", "GUANXI_WARMTH"):
            mp.delenv(name, raising=False)
        yield folder


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
        assert note in infos
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
    assert list(sheet["路径"]) == [path_chain(p.path, "zh") for p in answer.paths]
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
    for n in store.get_nodes(list(neighbours)[:10]).values():
        assert n.name in html
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
