"""The 商机, 线索 and 看板 pages through ``AppTest`` on the small demo graph, with a lead database (SQLite)
made by hand: filters, the board by state, moves with the version check, the path card, the dashboard."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from graph.embedded import EmbeddedStore
from graph.model import Node
from leads.distribute import distribute
from leads.store import LeadStore
from leads.workflow import move
from loaders.demo import demo_store
from loaders.ops_data import OpsData
from queries.introductions import introductions
from tests.conftest import DEMO_COMPANIES
from tests.leads_data import C1, C2, candidate, frame, sample_ops
from ui.i18n import t
from ui.page_board import conversion, funnel, province_label, states_by
from ui.widgets import md

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
COMPANIES = DEMO_COMPANIES  # the same demo graph as tests/test_app.py (generated once per session)
FIRST_RUN = 180.0
RUN = 30.0
ODD_NAME = "**粗体**[链接](http://x)有限公司"


@pytest.fixture(scope="module")
def demo_env(demo_env: Path) -> Iterator[Path]:
    """The shared demo graph (tests/conftest.py), with no lead store configured either."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("GUANXI_LEADS_DB", raising=False)
        yield demo_env


@pytest.fixture(scope="module")
def graph(demo_env: Path) -> EmbeddedStore:
    return demo_store(companies=COMPANIES)


@pytest.fixture(scope="module")
def prospect(graph: EmbeddedStore) -> Node:
    return next(
        n for n in graph.iter_nodes("Company") if not n.is_client and len(introductions(graph, n, k=3).paths) >= 2
    )


@pytest.fixture
def leads_db(tmp_path: Path, prospect: Node, monkeypatch: pytest.MonkeyPatch, demo_env: Path) -> str:
    """Sample events and branches, three leads for 赵敏 (one on a demo prospect), one for 王芳, one unassigned."""
    location = str(tmp_path / "leads.db")
    monkeypatch.setenv("GUANXI_LEADS_DB", location)
    ops = sample_ops()
    region = prospect.key[2:8]
    branches = pd.concat([ops.branches, frame("branches", [("演示支行", region, "赵敏", 20)])], ignore_index=True)
    with LeadStore.open(location) as store:
        store.write_ops(ops)
        distribute(
            store,
            [
                candidate(C1, 90, events=("e1",), name=ODD_NAME),
                candidate(prospect.key, 85, name=prospect.name, introducer="某客户", introducer_manager="孙丽"),
                candidate(C2, 70, client_manager="王芳", client_branch="苏州分行"),
                candidate("91440300MA00000004", 60),
            ],
            branch_table=branches,
        )
        landed = store.leads(manager="王芳")[0]
        for state in ("跟进中", "拟合作", "已落地"):
            landed = move(store, landed.id, state, by="王芳")
    return location


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=RUN)
    at.run(timeout=FIRST_RUN)
    assert not at.exception, at.exception
    at.radio(key="page").set_value(page).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def test_events_page_filters(leads_db: str) -> None:
    at = open_page("events")
    assert at.header[0].value == t("ev.title", "zh")
    table = at.dataframe[0].value
    assert len(table) == 4 and table[t("lcol.date", "zh")].tolist()[0] == "2026-12-01"
    assert '=HYPERLINK("x")' in table[t("lcol.text", "zh")].tolist()  # a data cell, never a formula or markup
    at.multiselect(key="ev_types").set_value(["中标政府项目"]).run()
    table = at.dataframe[0].value
    assert table[t("lcol.products", "zh")].tolist() == ["保函、项目贷款"]
    at.multiselect(key="ev_types").set_value([]).run()
    at.text_input(key="ev_region").set_value("3201").run()
    assert at.dataframe[0].value[t("lcol.event_type", "zh")].tolist() == ["新设子公司"]
    at.text_input(key="ev_region").set_value("苏州").run()
    assert at.error and "地区" in at.error[0].value  # the parameter named in the page's language (user_error)


def test_leads_board_move_stale_and_path(leads_db: str, prospect: Node, graph: EmbeddedStore) -> None:
    at = open_page("leads")
    assert at.selectbox(key="lead_manager").options == ["王芳", "赵敏", "（待分配）"]
    assert at.selectbox(key="lead_manager").value == "赵敏"  # the most leads
    tabs = [tab.label for tab in at.tabs]
    assert tabs[0] == t("lead.state_tab", "zh", state="待认领", n=2)
    assert any("\\*\\*粗体\\*\\*" in m for m in markdown(at))  # escaped, not bold
    assert not any(m.startswith("**#1 · **粗体") for m in markdown(at))
    with LeadStore.open(leads_db) as store:
        odd = store.leads(company=C1)[0]
    at.selectbox(key="lead_pick").set_value(odd.id).run()
    at.text_input(key=f"lead_note_{odd.id}").set_value("已电话联系").run()
    at.button(key=f"lead_move_{odd.id}_跟进中").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [t("lead.moved", "zh", id=odd.id, state="跟进中", version=2)]
    with LeadStore.open(leads_db) as store:
        assert store.lead(odd.id).state == "跟进中"
        assert store.history(odd.id)[-1].note == "已电话联系"
        # someone else moves it while this user looks at version 2
        move(store, odd.id, "拟合作", by="钱进")
    at.button(key=f"lead_move_{odd.id}_已结束").click().run()
    assert at.error and "changed by 钱进" in at.error[0].value
    with LeadStore.open(leads_db) as store:
        assert store.lead(odd.id).state == "拟合作"  # nothing overwritten
    # the path card, one click away
    with LeadStore.open(leads_db) as store:
        lead = store.leads(company=prospect.key)[0]
    at.selectbox(key="lead_pick").set_value(lead.id).run()
    assert any("孙丽" in i.value for i in at.info)  # joint visit with the introducer's RM
    at.toggle(key=f"lead_path_{lead.id}").set_value(True).run()
    assert not at.exception
    expected = introductions(graph, prospect, k=3)
    shown = [m.replace("\\", "") for m in markdown(at)]
    assert any(expected.paths[0].introducer.name in m for m in shown)
    assert len(at.get("progress")) == len(expected.paths)
    # the unassigned queue
    at.selectbox(key="lead_manager").set_value("\x00unassigned").run()
    assert at.selectbox(key="lead_pick").options and not at.exception


def test_board_page(leads_db: str) -> None:
    at = open_page("board")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("board.total", "zh")] == "4"
    assert metrics[t("board.landed", "zh")] == "1"
    by_manager = at.dataframe[1].value
    row = by_manager[by_manager[t("col.manager", "zh")] == "王芳"].iloc[0]
    assert row[t("lcol.landed", "zh")] == 1 and row[t("lcol.conversion", "zh")] == 1.0
    assert len(at.get("vega_lite_chart")) == 5
    at.radio(key="lang").set_value("en").run()
    assert at.header[0].value == "Dashboard" and not at.exception
    for page, title in (("leads", "lead.title"), ("events", "ev.title")):
        at.radio(key="page").set_value(page).run()
        assert not at.exception and not at.error and at.header[0].value == t(title, "en")


def test_pages_without_a_lead_database_say_what_to_do(tmp_path: Path, demo_env: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GUANXI_LEADS_DB", str(tmp_path / "empty.db"))
        for page, key in (("events", "ops.empty"), ("leads", "ops.no_leads"), ("board", "ops.no_leads")):
            at = open_page(page)
            assert t(key, "zh") in [i.value for i in at.info], page


def test_funnel_and_conversion_frames() -> None:
    leads = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "state": ["已落地", "已结束", "待认领"],
            "branch": ["甲", "甲", None],
            "manager": ["a", "b", None],
        }
    )
    reached = pd.DataFrame({"lead_id": [1, 1, 1, 2], "state": ["待认领", "跟进中", "拟合作", "跟进中"]})
    assert funnel(leads, reached)["leads"].tolist() == [2, 2, 1, 1, 1]
    table = conversion(leads, reached, "branch", "en")
    assert table.values.tolist() == [["甲", 2, 0, 1, 0.5], ["(unassigned)", 1, 1, 0, 0.0]]
    assert province_label("32") == "32 江苏" and province_label(None) == "—"
    stacked = states_by(leads, "manager", "zh")
    assert stacked.values.tolist() == [["a", "已落地", 1], ["b", "已结束", 1], ["（待分配）", "待认领", 1]]


def test_demo_data_fills_the_lead_store(demo_env: Path) -> None:
    """Without GUANXI_LEADS_DB the demo's lead database is filled once from the demo's generated ops files."""
    at = open_page("board")
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics[t("board.total", "zh")].replace(",", "")) > 0
    assert int(metrics[t("board.landed", "zh")].replace(",", "")) > 0  # the demo walks some leads along
    location = demo_env / "leads.db"
    with LeadStore.open(str(location)) as store:
        assert store.has_events()
        walked = [ld for ld in store.leads() if ld.state != "待认领"]
        assert walked and all(store.history(ld.id)[-1].by == ld.manager for ld in walked[:5])
    at.radio(key="page").set_value("leads").run()
    assert not at.exception and not at.error and at.get("tab")


def test_hostile_lead_data_is_shown_as_text(tmp_path: Path, demo_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Names, managers, branches, event texts and notes that are Markdown, HTML or formulas stay text."""
    from tests.test_app_markup import HTML, IMAGE, LINK, NAMES, assert_no_markup

    location = str(tmp_path / "hostile.db")
    monkeypatch.setenv("GUANXI_LEADS_DB", location)
    branch, manager, region = NAMES["branch"], NAMES["manager"], "320571"
    ops = sample_ops()
    events = frame(
        "events", [("h1", C1, LINK, "2026-11-02", None, IMAGE, HTML, NAMES["black"], LINK + "|" + HTML, "A")]
    )
    branches = frame("branches", [(branch, region, manager, 5)])
    with LeadStore.open(location) as store:
        store.write_ops(OpsData(events=events, branches=branches, tags=ops.tags))
        distribute(
            store,
            [candidate(C1, 90, name=HTML, events=("h1",), introducer=LINK, introducer_manager=NAMES["owner"])],
            by=NAMES["person"],
        )
        lead = store.leads()[0]
        move(store, lead.id, "跟进中", by=manager, note=IMAGE)
    at = AppTest.from_file(APP, default_timeout=RUN)
    at.run(timeout=FIRST_RUN)
    for lang in ("zh", "en"):
        at.radio(key="lang").set_value(lang).run()
        for page in ("events", "leads", "board"):
            at.radio(key="page").set_value(page).run()
            assert not at.exception, (page, at.exception)
            assert_no_markup(at, page)
    at.radio(key="page").set_value("leads").run()
    at.toggle(key=f"lead_path_{lead.id}").set_value(True).run()
    assert not at.exception
    shown = " ".join(assert_no_markup(at, "leads"))
    assert md(HTML) in shown and md(LINK) in shown  # the lead's name and introducer are there, as text
