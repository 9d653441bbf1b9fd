"""The app in a real browser: ``streamlit run app.py`` driven by headless Chromium through Playwright.

Needs Debian's Chromium (``apt-get install chromium``) or ``GUANXI_CHROMIUM``
pointing at a Chromium binary. When Chromium or the app cannot start the test
is skipped with the reason, or fails when ``CI=true``.

The helpers here (finding Chromium, starting the app on a free port) are also
used by ``scripts/screenshots.py``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn

import pytest

from graph.model import Node
from loaders.demo import demo_store
from queries.introductions import introductions
from tests.conftest import unavailable
from ui.pyvis_net import FONT_FAMILY, STATIC_URL

#: the hosts a page may talk to: the app itself (a page made with set_content has no host)
LOCAL_HOSTS = ("127.0.0.1", "localhost")

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "test-output"
#: Chromium's background connections (updates, sync, QUIC) would be refused on a machine without internet
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
APP_START_TIMEOUT = 120.0
SMALL_DEMO = "400"


def chromium_path() -> str | None:
    """``GUANXI_CHROMIUM``, else ``chromium`` on the PATH, else ``/usr/bin/chromium``; None when none exists."""
    for candidate in (os.environ.get("GUANXI_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def running_app(env: Mapping[str, str], log: Path, timeout: float = APP_START_TIMEOUT) -> Iterator[str]:
    """``streamlit run app.py`` on a free port with ``env`` added; yields its URL, stops it afterwards.

    RuntimeError (with the end of the server log) when it does not answer in ``timeout`` seconds.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "minimal",
    ]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
                    raise RuntimeError(f"streamlit did not start on {url}:\n{tail}")
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


#: the node labels of the first drawing (from :mod:`ui.render`) that vis-network has drawn on a canvas
#: and that has a node labelled ``wanted`` (any drawing when ``wanted`` is null); null while there is none
_DRAWN_LABELS = """(wanted) => {
  for (const frame of document.querySelectorAll('iframe')) {
    try {
      const win = frame.contentWindow, doc = frame.contentDocument;
      if (!win || !win.gxNetwork || !doc.body.hasAttribute('data-drawn')) continue;
      if (!doc.querySelector('#mynetwork canvas')) continue;
      const labels = win.gxNetwork.body.data.nodes.get().map(n => n.label);
      if (wanted === null || labels.includes(wanted)) return labels;
    } catch (e) { /* a frame being replaced */ }
  }
  return null;
}"""


def wait_for_graph(page: Any, containing: str | None = None, timeout_ms: float = 60_000) -> list[str]:
    """The node labels of a drawing on ``page`` once vis-network has drawn it (one with ``containing``)."""
    handle = page.wait_for_function(_DRAWN_LABELS, arg=containing, timeout=timeout_ms, polling=200)
    labels = handle.json_value()
    return [str(label) for label in labels]


#: how many pixels of a drawing's canvas vis-network has painted (the canvas is transparent elsewhere)
_PAINTED = """() => {
  const canvas = document.querySelector('#mynetwork canvas');
  if (!canvas) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
  return painted;
}"""


def painted_pixels(frame: Any) -> int:
    """How many pixels of the drawing in ``frame`` (a Playwright page or frame) are painted."""
    return int(frame.evaluate(_PAINTED))


def drawing_frames(page: Any) -> list[Any]:
    """The frames of ``page`` holding a drawn drawing (``gxNetwork`` and ``data-drawn`` set)."""
    found = []
    for frame in page.frames:
        try:
            if frame.evaluate("() => !!window.gxNetwork && document.body.hasAttribute('data-drawn')"):
                found.append(frame)
        except Exception:  # a frame being replaced while the app reruns
            continue
    return found


def outside_requests(page: Any) -> list[str]:
    """A list that fills with every request ``page`` makes to a host other than the app's."""
    outside: list[str] = []

    def record(request: Any) -> None:
        if urllib.parse.urlsplit(request.url).hostname not in (*LOCAL_HOSTS, None):
            outside.append(request.url)

    page.on("request", record)
    return outside


def wait_for_app(page: Any, timeout_ms: float = 60_000) -> None:
    """Until the script has finished running (the sidebar drawn, Streamlit's script state "notRunning")."""
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms)


def fit_to_content(page: Any, width: int) -> None:
    """Make the viewport as tall as the page (Streamlit scrolls inside its main block, so a full-page shot needs it)."""
    page.wait_for_function("() => !document.querySelector('[data-testid*=\"Skeleton\"]')", timeout=30_000, polling=200)
    height = page.evaluate(
        """() => Math.max(600,
            document.querySelector('[data-testid="stMain"]')?.scrollHeight || 0,
            document.querySelector('[data-testid="stSidebarContent"]')?.scrollHeight || 0)"""
    )
    page.set_viewport_size({"width": width, "height": int(height) + 20})
    page.wait_for_timeout(800)


def give_up(reason: str) -> NoReturn:
    """Skip, or fail when ``CI=true`` (a CI run must not silently lose the browser test)."""
    unavailable(f"browser test: {reason}")


def another_prospect(example: str, companies: int) -> tuple[Node, str]:
    """A prospect other than the app's example with several paths, and part of its name that finds it."""
    store = demo_store(companies=companies)
    for node in store.iter_nodes("Company"):
        if node.is_client or node.name == example or node.props.get("status", "active") != "active":
            continue
        if len(introductions(store, node, k=3).paths) < 2:
            continue
        part = node.name[: max(4, len(node.name) - 4)]
        if any(n.id == node.id for n in store.find_nodes(part, ["Company"], limit=20)):
            return node, part
    raise AssertionError("the demo graph has no second prospect with paths")


@pytest.mark.browser
@pytest.mark.timeout(240)
def test_search_a_prospect_and_see_its_paths_drawn(tmp_path_factory: pytest.TempPathFactory) -> None:
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a test dependency
        give_up(f"playwright is not installed: {exc}")
    chromium = chromium_path()
    if chromium is None:
        give_up("no Chromium: apt-get install chromium, or set GUANXI_CHROMIUM")
    demo_dir = tmp_path_factory.getbasetemp() / "guanxi-demo"
    env = {"GUANXI_DEMO_COMPANIES": SMALL_DEMO, "GUANXI_DEMO_DIR": str(demo_dir)}
    for name in ("GUANXI_STORE", "NEO4J_URI", "GUANXI_BACKEND"):
        env[name] = ""
    OUTPUT.mkdir(exist_ok=True)
    with contextlib.ExitStack() as stack:
        # the demo graph is made here first, so the app only opens it
        mp = stack.enter_context(pytest.MonkeyPatch.context())
        for name, value in env.items():
            mp.setenv(name, value)
        demo_store(companies=int(SMALL_DEMO))
        try:
            url = stack.enter_context(running_app(env, OUTPUT / "browser-streamlit.log"))
        except RuntimeError as exc:
            give_up(str(exc))
        pw = stack.enter_context(sync_playwright())
        try:
            browser = pw.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS, headless=True)
        except PlaywrightError as exc:
            give_up(f"Chromium ({chromium}) did not start: {exc}")
        stack.callback(browser.close)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        outside = outside_requests(page)
        library: list[tuple[str, int, str]] = []
        page.on(
            "response",
            lambda r: (
                library.append((r.url, r.status, r.headers.get("content-type", ""))) if "vis-network" in r.url else None
            ),
        )
        page.goto(f"{url}/?page=intro&lang=zh", wait_until="domcontentloaded")
        wait_for_app(page)
        box = page.get_by_label("潜客", exact=True)
        box.wait_for(timeout=60_000)
        example = ""
        for _ in range(300):  # the first script run may still be filling the box in
            example = box.input_value()
            if example:
                break
            page.wait_for_timeout(200)
        assert example, "the page opens with an example prospect"
        assert example in wait_for_graph(page, example)
        # the drawing's frame holds only its data; vis-network came once from the app's static files
        frames = drawing_frames(page)
        assert frames and all(painted_pixels(f) > 2000 for f in frames), "the drawing is painted"
        for frame in frames:
            html = frame.evaluate("() => document.documentElement.outerHTML")
            assert len(html.encode()) <= 30_000 and f'src="{STATIC_URL}"' in html
        assert library, "vis-network was loaded from the app"
        for address, status, kind in library:
            assert urllib.parse.urlsplit(address).path == f"/{STATIC_URL}" and status in (200, 304), library
            assert "javascript" in kind, library

        # search another prospect by part of its name and pick it from the suggestions
        target, part = another_prospect(example, int(SMALL_DEMO))
        box.fill(part)
        box.press("Enter")
        page.get_by_text(part).first.wait_for()
        wait_for_app(page)
        page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.click()
        page.get_by_role("option").filter(has_text=target.key).first.click()
        page.get_by_text(f"潜客：{target.name}（{target.key}）").wait_for(timeout=30_000)
        labels = wait_for_graph(page, target.name)
        assert len(labels) >= 3

        expected = introductions(demo_store(companies=int(SMALL_DEMO)), target)
        main = page.locator('[data-testid="stMain"]').inner_text()
        for p in expected.paths:
            assert f"引荐客户：{p.introducer.name}" in main
            assert p.introducer.name in labels
        fit_to_content(page, 1400)
        page.screenshot(path=str(OUTPUT / "browser-intro.png"), full_page=True)
        assert outside == [], "nothing is fetched from or sent to another host"


# -- drawings on their own: the page every drawing is, in Chromium ---------------------------------
@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Headless Chromium through Playwright (skipped, or failed when ``CI=true``, when it cannot start)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a test dependency
        give_up(f"playwright is not installed: {exc}")
    path = chromium_path()
    if path is None:
        give_up("no Chromium: apt-get install chromium, or set GUANXI_CHROMIUM")
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=path, args=LAUNCH_ARGS, headless=True)
        except PlaywrightError as exc:
            give_up(f"Chromium ({path}) did not start: {exc}")
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the drawing tests below."""
    with chromium() as started:
        yield started


@pytest.fixture(scope="module")
def generated_graph(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The 400-company generated graph the drawing tests in test_render.py use."""
    from graph.embedded import EmbeddedStore
    from loaders.generate import generate
    from loaders.pipeline import load_files

    folder = tmp_path_factory.mktemp("generated-browser")
    generate(folder, companies=400, seed=11)
    store = EmbeddedStore()
    load_files(store, folder)
    return store


#: what the drawing shows now: the canvas size, the zoom, and each focus node's box on screen and font
_VIEW = """(ids) => {
  const net = window.gxNetwork, box = document.getElementById('mynetwork');
  const nodes = {};
  for (const id of ids) {
    const b = net.getBoundingBox(id);
    const a = net.canvasToDOM({x: b.left, y: b.top}), z = net.canvasToDOM({x: b.right, y: b.bottom});
    const font = net.body.nodes[id].options.font;
    nodes[id] = {box: [a.x, a.y, z.x, z.y], size: font.size, face: font.face};
  }
  return {width: box.clientWidth, height: box.clientHeight, scale: net.getScale(), centre: net.getViewPosition(),
          cropped: document.body.getAttribute('data-cropped'), note: !document.getElementById('gx-note').hidden,
          nodes: nodes};
}"""

#: a point of the canvas (DOM px) with neither node nor edge under it, near the bottom left corner
_EMPTY_SPOT = """() => {
  const net = window.gxNetwork, box = document.getElementById('mynetwork');
  for (let y = box.clientHeight - 12; y > 10; y -= 17) {
    for (let x = 12; x < box.clientWidth - 10; x += 23) {
      if (net.getNodeAt({x, y}) === undefined && net.getEdgeAt({x, y}) === undefined) return {x, y};
    }
  }
  return null;
}"""


def _opened(page: Any, html: str) -> None:
    page.set_content(html)
    page.wait_for_function("() => document.body.hasAttribute('data-drawn')", timeout=30_000)


def _inside(box: list[float], width: float, height: float) -> bool:
    return box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height


@pytest.mark.browser
@pytest.mark.timeout(240)
def test_a_two_hop_view_opens_legible_on_its_centre_and_pans_to_the_rest(generated_graph: Any, browser: Any) -> None:
    import json
    import re

    from ui.cached import build_neighbourhood
    from ui.layout import EDGE_FONT
    from ui.render import neighbourhood_html, paths_graph_html

    store = generated_graph
    types = ["SERVES_AS", "HOLDS_SHARES", "SUPPLIES", "GUARANTEES", "LOCATED_IN"]
    hub = max(store.iter_nodes("Company"), key=lambda n: (len(store.edges_of([n.id])), n.id))
    one = build_neighbourhood(store, [hub.id], types, 25)
    two = build_neighbourhood(store, list(one.nodes), types, 25)
    assert len(two.nodes) >= 50, "a crowded 2-hop view"
    html = neighbourhood_html(two.nodes, two.edges, hub.id, "zh", height=600)
    found = re.search(r"var view = (\{.*?\});\n", html)
    assert found
    focus = json.loads(found.group(1))["focus"]
    # a laptop's explorer: the frame about 1000 px wide, the legend beside the drawing
    page = browser.new_page(viewport={"width": 1000, "height": 640})
    outside = outside_requests(page)
    _opened(page, html)
    assert painted_pixels(page) > 5000
    view = page.evaluate(_VIEW, focus)
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "browser-two-hop.png"))
    assert view["cropped"] == "true" and view["note"], "too wide to read whole: it opens on the centre"
    for nid, node in view["nodes"].items():
        assert node["size"] * view["scale"] >= 10 - 1e-6, f"{nid}: {node['size'] * view['scale']:.1f} px on screen"
        assert node["face"] == FONT_FAMILY
    assert _inside(view["nodes"][hub.id]["box"], view["width"], view["height"]), "the centre is in full view"
    # what the page says once for all edges (font, halo) is what vis-network draws each label with
    fonts = page.evaluate(
        """() => Object.values(window.gxNetwork.body.edges).filter(e => e.options.label)
             .map(e => [e.options.font.face, e.options.font.size, e.options.font.strokeWidth])"""
    )
    assert fonts and all(f == [FONT_FAMILY, EDGE_FONT, 4] for f in fonts), fonts
    # the legend goes below a frame this narrow: the centre's direct ties, a column either side, are in
    # full view (those that a link inside their column pushed a column further out are a pan away)
    boxes = [n["box"] for n in view["nodes"].values()]
    assert sum(_inside(b, view["width"], view["height"]) for b in boxes) >= 6, (len(focus), view)
    shown = [b for b in boxes if b[2] > 0 and b[0] < view["width"]]
    for i, a in enumerate(shown):  # as drawn: no two of them on top of each other
        for b in shown[i + 1 :]:
            assert min(a[2], b[2]) - max(a[0], b[0]) <= 2 or min(a[3], b[3]) - max(a[1], b[1]) <= 2

    # the rest is a drag away: the view follows the mouse
    spot = page.evaluate(_EMPTY_SPOT)
    assert spot is not None
    canvas = page.locator("#mynetwork canvas").bounding_box()
    x, y = canvas["x"] + spot["x"], canvas["y"] + spot["y"]
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 150, y, steps=6)
    page.mouse.up()
    moved = page.evaluate(_VIEW, focus)
    assert moved["centre"]["x"] == pytest.approx(view["centre"]["x"] - 150 / view["scale"], abs=3 / view["scale"])
    assert moved["scale"] == pytest.approx(view["scale"])

    # a double click on the background shows everything (too small to read), another the opening view
    spot = page.evaluate(_EMPTY_SPOT)
    x, y = canvas["x"] + spot["x"], canvas["y"] + spot["y"]
    page.mouse.dblclick(x, y)
    whole = page.evaluate(_VIEW, focus)
    assert whole["scale"] < view["scale"] and not whole["note"]
    assert all(_inside(n["box"], whole["width"], whole["height"]) for n in whole["nodes"].values())
    spot = page.evaluate(_EMPTY_SPOT)
    page.mouse.dblclick(canvas["x"] + spot["x"], canvas["y"] + spot["y"])
    again = page.evaluate(_VIEW, focus)
    assert again["scale"] == pytest.approx(view["scale"]) and again["note"]

    # a path view that fits opens whole, nothing cropped
    paths = paths_graph_html(
        [p for c in sorted(store.iter_nodes("Company"), key=lambda n: n.id)[:40] for p in _paths(store, c)][:3],
        "zh",
    )
    _opened(page, paths)
    assert page.evaluate("() => document.body.getAttribute('data-cropped')") == "false"
    assert outside == []


def _paths(store: Any, company: Node) -> list[Any]:
    return [] if company.is_client else list(introductions(store, company, k=3).paths)


@pytest.mark.browser
@pytest.mark.timeout(120)
def test_a_standalone_drawing_works_from_disk_and_a_linked_one_says_when_its_library_is_missing(
    tmp_path: Path, browser: Any
) -> None:
    import contextvars

    from graph.model import Edge
    from ui.i18n import t
    from ui.pyvis_net import link_vis
    from ui.render import neighbourhood_html

    a = Node("Company:A", "Company", "A", "甲公司", {"is_client": True})
    b = Node("Company:B", "Company", "B", "乙公司")

    def draw() -> str:
        return neighbourhood_html([a, b], [Edge("SUPPLIES", a.id, b.id, {"amount": 1e6})], a.id, "zh")

    standalone = tmp_path / "drawing.html"
    standalone.write_text(draw(), encoding="utf-8")

    def linked() -> str:
        link_vis(STATIC_URL)
        return draw()

    page = browser.new_page(viewport={"width": 900, "height": 700})
    outside = outside_requests(page)
    page.goto(standalone.as_uri())
    page.wait_for_function("() => document.body.hasAttribute('data-drawn')", timeout=30_000)
    assert painted_pixels(page) > 500
    # opened where the app does not serve it (here: no server at all), a linked page says so
    page = browser.new_page(viewport={"width": 900, "height": 700})
    outside_too = outside_requests(page)
    page.set_content(contextvars.copy_context().run(linked))
    page.wait_for_function("() => document.body.getAttribute('data-failed') === 'vis'", timeout=30_000)
    assert page.locator("#mynetwork").inner_text() == t("graph.no_library", "zh")
    assert outside == outside_too == []
