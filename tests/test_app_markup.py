"""No markup from data in the explorer: every page over a graph whose every name is hostile.

Names such as ``[点我登录](https://evil.example/login)``, ``![b](http://evil.example/b.png)``
or ``<img src=x onerror=alert(1)>`` must be shown as the text they are: every
string Streamlit renders as Markdown (markdown, captions, alerts, headers,
widget and tab labels, progress texts) is checked for the raw name, and for
any unescaped link, image or HTML tag; the drawings' HTML for live tags.
Tables keep numbers numeric (issue 10: ¥999.33万 sorted above ¥14.35亿).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from graph.embedded import EmbeddedStore
from graph.uscc import check_char
from loaders.report import FileReport, LoadReport, Reject
from tests.reference import RawGraph
from ui.i18n import t
from ui.page_batch import STATE_LIST, ProspectList
from ui.page_data import STATE_REPORT
from ui.pages import PAGES
from ui.widgets import WORD_JOINER, md

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
RUN = 60.0

LINK = "[点我登录](https://evil.example/login)"
IMAGE = "![b](http://evil.example/beacon.png)"
HTML = "<img src=x onerror=alert(1)>"
NAMES = {
    "client": LINK,
    "client2": IMAGE,
    "prospect": HTML + "有限公司",
    "black": "**bold** `code` $x$ 有限公司",
    "person": '=HYPERLINK("http://evil.example")',
    "owner": ":red[红色] www.evil.example",
    "manager": "<script>alert(1)</script>",
    "branch": "# 标题\n- 列表",
    "park": "[园区](javascript:alert(1))",
}
#: Markdown that makes a link, an image, raw HTML, maths or a directive, unless escaped; and the
#: autolinks GitHub's Markdown finds even in escaped text (``https://``, ``www.``, ``a@b``)
LIVE = re.compile(
    r"(?<!\\)\]\(|(?<!\\)!(?<!\\)\[|(?<!\\)<[a-zA-Z/]|(?<!\\)\$[^$]+(?<!\\)\$|(?<!\\):red(?<!\\)\["
    r"|(?i:https?|www)\\?[:.]|\w\\?@"
)


def uscc(i: int) -> str:
    body = f"91320594MA{i:07d}"
    return body + check_char(body)


def hostile_graph() -> RawGraph:
    """Clients A and B, prospect T, a black-listed supplier K, a chairman, an owner and a park,
    all with hostile names; enough relationships that every page has something to show."""
    g = RawGraph()
    park = g.add_park("p1", NAMES["park"], province="江苏省", city="苏州市", industries=["集成电路", IMAGE])
    a = g.add_company(
        uscc(1),
        NAMES["client"],
        is_client=True,
        manager=NAMES["manager"],
        branch=NAMES["branch"],
        industry="集成电路",
        registered_capital=1.435e9,
    )
    b = g.add_company(uscc(2), NAMES["client2"], is_client=True, manager=NAMES["manager"], industry="集成电路")
    t = g.add_company(uscc(3), NAMES["prospect"], industry="集成电路", registered_capital=9.9933e6)
    k = g.add_company(uscc(4), NAMES["black"], blacklisted=True, industry=LINK)
    person = g.add_person("x1", NAMES["person"])
    owner = g.add_person("x2", NAMES["owner"])
    g.add_edge("SERVES_AS", person, a, role="chairman")
    g.add_edge("SERVES_AS", person, t, role="director")
    g.add_edge("HOLDS_SHARES", owner, t, ratio=0.6)
    g.add_edge("HOLDS_SHARES", owner, a, ratio=0.3)
    g.add_edge("HOLDS_SHARES", a, b, ratio=0.7)
    g.add_edge("SUPPLIES", b, t, amount=1.435e9, year=2024, product=HTML)
    g.add_edge("SUPPLIES", k, t, amount=9.9933e6, year=2024)
    g.add_edge("SUPPLIES", k, a, amount=5e7, year=2024)
    g.add_edge("GUARANTEES", a, b, amount=1e8)
    g.add_edge("GUARANTEES", b, a, amount=2e8)
    for c in (a, b, t, k):
        g.add_edge("LOCATED_IN", c, park)
    return g


@pytest.fixture(scope="module")
def hostile_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The app opens the hostile graph (GUANXI_STORE)."""
    store = EmbeddedStore()
    hostile_graph().write_to(store)
    graph = store.save(tmp_path_factory.mktemp("hostile") / "hostile.gx")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("NEO4J_URI", "GUANXI_BACKEND", "GUANXI_WARMTH"):
            mp.delenv(name, raising=False)
        mp.setenv("GUANXI_STORE", str(graph))
        yield graph


def rendered(at: AppTest) -> list[tuple[str, str]]:
    """(element type, text) of every string the page hands to Streamlit's Markdown renderer."""
    found: list[tuple[str, str]] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "")
        if proto is not None and kind not in ("arrow_data_frame", "selectbox", "multiselect", "text_input", "iframe"):
            for field in ("body", "label", "text", "help", "placeholder"):
                value = getattr(proto, field, None)
                if isinstance(value, str) and value:
                    found.append((f"{kind}.{field}", value))
            for label in getattr(proto, "labels", None) or []:  # tab labels
                if isinstance(label, str):
                    found.append((f"{kind}.labels", label))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def assert_no_markup(at: AppTest, page: str) -> list[str]:
    texts = rendered(at)
    for kind, text in texts:
        for name in (*NAMES.values(), LINK, IMAGE, HTML):
            assert name not in text, (page, kind, text)
        assert not LIVE.search(text), (page, kind, text)
    for frame in at.get("iframe"):
        html = str(frame.proto.srcdoc)
        for bad in (HTML, "<script>alert(1)</script>"):  # names are data (JSON, canvas labels), never tags
            assert bad not in html, (page, bad)
    return [text for _, text in texts]


def test_every_page_shows_hostile_names_as_text(hostile_env: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=RUN)
    at.run()
    assert not at.exception, at.exception
    seen: dict[str, list[str]] = {}
    for lang in ("zh", "en"):
        at.radio(key="lang").set_value(lang).run()
        for page in PAGES:
            at.radio(key="page").set_value(page.key).run()
            assert not at.exception, (page.key, at.exception)
            seen[f"{lang}:{page.key}"] = assert_no_markup(at, page.key)
    everything = " ".join(text for texts in seen.values() for text in texts)
    for name in ("prospect", "client", "client2", "person", "park", "manager"):
        assert md(NAMES[name]) in everything, f"{name} is never shown"
    assert md(NAMES["prospect"]) in " ".join(seen["zh:intro"])


def test_the_address_and_session_inputs_are_text(hostile_env: Path) -> None:
    """``?page=explore&entity=...`` naming no entity, a hostile list file name, a hostile load report."""
    at = AppTest.from_file(APP, default_timeout=RUN)
    at.query_params["page"] = "explore"
    at.query_params["entity"] = LINK + IMAGE
    at.run()
    assert not at.exception, at.exception
    texts = assert_no_markup(at, "explore?entity")
    assert any(md(LINK + IMAGE) in text for text in texts)

    at = AppTest.from_file(APP, default_timeout=RUN)
    at.session_state["page"] = "batch"
    at.session_state[STATE_LIST] = ProspectList(
        f"{IMAGE}.csv", f"企业名称\n{NAMES['prospect']}\n{LINK}x\n".encode("utf-8-sig")
    )
    at.run()
    assert not at.exception, at.exception
    at.button(key="batch_run").click().run()
    assert not at.exception, at.exception
    texts = assert_no_markup(at, "batch")
    assert any(md(f"{IMAGE}.csv") in text for text in texts)

    at = AppTest.from_file(APP, default_timeout=RUN)
    at.session_state["page"] = "data"
    at.session_state[STATE_REPORT] = LoadReport(
        files=[FileReport(f"{LINK}.csv", "nodes", "Company", rows_read=1, rejected=1)],
        rejects=[Reject(f"{LINK}.csv", 2, HTML, IMAGE, "bad")],
        ignored_files=[f"{IMAGE}.csv"],
    )
    at.run()
    assert not at.exception, at.exception
    texts = assert_no_markup(at, "data")
    assert any(md(f"{IMAGE}.csv") in text for text in texts)


def test_amounts_shares_and_warmth_are_numeric_columns(hostile_env: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=RUN)
    at.session_state["page"] = "supply"
    at.session_state["supply_q"] = uscc(3)
    at.run()
    assert not at.exception, at.exception
    amount, share = t("col.amount", "zh"), t("col.share", "zh")
    tiers = [d.value for d in at.dataframe if amount in d.value.columns]
    assert tiers, "no tier table"
    amounts = tiers[0][amount]
    assert amounts.dtype.kind == "f"
    assert list(amounts.sort_values(ascending=False)) == [143500.0, 999.33]  # 14.35亿 above 999.33万
    assert tiers[0][share].dtype.kind == "f"

    at.radio(key="page").set_value("parks").run()
    assert not at.exception, at.exception
    capital = t("col.capital", "zh")
    values = next(d.value for d in at.dataframe if capital in d.value.columns)[capital]
    assert values.dtype.kind == "f" and values.max() == 143500.0

    at.radio(key="page").set_value("related").run()
    at.text_input(key="related_q").set_value(uscc(2)).run()
    assert not at.exception, at.exception
    stake = t("col.stake", "zh")
    stakes = [d.value[stake] for d in at.dataframe if stake in d.value.columns]
    assert stakes and all(s.dtype.kind == "f" for s in stakes)

    at.radio(key="page").set_value("explore").run()
    strength = t("col.strength", "zh")
    strengths = next(d.value for d in at.dataframe if strength in d.value.columns)[strength]
    assert strengths.dtype.kind == "f"


#: elements only data could have made: links and images to the hostile hosts, the HTML name's image, scripts
#: (a header gets Streamlit's own "#..." anchor made from its text: same page, no harm)
FROM_DATA = ('a[href*="evil"]:not([href^="#"])', 'img[src*="evil"]', 'img[src="x"]', "a[href^=javascript]")


@pytest.mark.browser
@pytest.mark.timeout(240)
def test_a_browser_shows_hostile_names_as_literal_text(hostile_env: Path, tmp_path: Path) -> None:
    """In Chromium: the escaped names read exactly as written; no link, image or tag from the data."""
    from tests.test_browser import LAUNCH_ARGS, chromium_path, give_up, running_app, wait_for_app

    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a test dependency
        give_up(f"playwright is not installed: {exc}")
    chromium = chromium_path()
    if chromium is None:
        give_up("no Chromium: apt-get install chromium, or set GUANXI_CHROMIUM")
    env = {"GUANXI_STORE": str(hostile_env), "NEO4J_URI": "", "GUANXI_BACKEND": ""}
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(running_app(env, tmp_path / "streamlit.log"))
        except RuntimeError as exc:
            give_up(str(exc))
        pw = stack.enter_context(sync_playwright())
        try:
            browser = pw.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS, headless=True)
        except PlaywrightError as exc:
            give_up(f"Chromium ({chromium}) did not start: {exc}")
        stack.callback(browser.close)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page.goto(f"{url}/?page=intro&lang=zh", wait_until="domcontentloaded")
        wait_for_app(page)
        page.get_by_text(f"潜客：{NAMES['prospect']}", exact=False).first.wait_for(timeout=60_000)
        main = page.locator('[data-testid="stMain"]')
        text = main.inner_text().replace(WORD_JOINER, "")  # the invisible joiners that break autolinks
        assert f"{NAMES['client']}" in text and NAMES["manager"] in text  # shown literally, backslashes gone
        assert "# 标题\\x0a- 列表" in text  # the branch's new line shown as an escape, no heading or list
        assert "\\" not in text.replace("\\x0a", "")  # Markdown's escapes are consumed, not shown
        for page_key in [p.key for p in PAGES]:
            if page_key != "intro":
                page.goto(f"{url}/?page={page_key}&lang=zh", wait_until="domcontentloaded")
                wait_for_app(page)
            for selector in FROM_DATA:
                assert main.locator(selector).count() == 0, (page_key, selector)
            scripts = main.locator("script").evaluate_all("nodes => nodes.map(n => n.textContent)")
            assert not [s for s in scripts if "alert(1)" in s], page_key
