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
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn

import pytest

from graph.model import Node
from loaders.demo import demo_store
from queries.introductions import introductions
from tests.conftest import unavailable

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
