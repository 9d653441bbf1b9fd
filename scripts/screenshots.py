"""Screenshots of every page of the explorer, for the README: docs/screenshots/<page>-<lang>.png.

    python scripts/screenshots.py                 # small demo graph, both languages
    python scripts/screenshots.py --companies 3000 --lang zh

Starts ``streamlit run app.py`` on a free port (the demo graph, cached in a
temporary folder unless GUANXI_DEMO_DIR is set) and drives headless Chromium
through Playwright, with the same set-up as tests/test_browser.py.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_browser import (  # noqa: E402
    LAUNCH_ARGS,
    chromium_path,
    fit_to_content,
    running_app,
    wait_for_app,
    wait_for_graph,
)

PAGES = ("intro", "connect", "explore", "batch", "supply", "related", "parks", "events", "leads", "board", "data")
DRAWN = {"intro", "connect", "explore", "supply", "related", "parks"}
#: every drawing (from ui.render) on the page has been drawn by vis-network
_ALL_DRAWN = """() => {
  const frames = [...document.querySelectorAll('iframe')];
  if (!frames.length) return false;
  return frames.every(f => {
    try { return f.contentDocument.body.hasAttribute('data-drawn'); } catch (e) { return false; }
  });
}"""
#: a small upload for the load-report shot: one good company, one with a bad USCC, one officer of an unknown person
SAMPLE = {
    "companies.csv": "统一社会信用代码,企业名称,登记状态,注册资本\n"
    "91310115MA1K4ABCDD,上海示例芯片科技有限公司,存续,5000万\n"
    "12345,格式错误的企业,存续,100万\n",
    "officers.csv": "人员编号,统一社会信用代码,职务\nnobody,91310115MA1K4ABCDD,董事长\n",
}


def load_report_shot(page: Any, url: str, lang: str, out: Path, width: int) -> Path:
    """The data page after loading :data:`SAMPLE` (into the demo graph in memory only)."""
    folder = Path(tempfile.mkdtemp(prefix="guanxi-sample-"))
    for name, text in SAMPLE.items():
        (folder / name).write_text(text, encoding="utf-8")
    page.goto(f"{url}/?page=data&lang={lang}", wait_until="domcontentloaded")
    wait_for_app(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        [str(folder / name) for name in SAMPLE]
    )
    page.get_by_text("officers.csv").first.wait_for()
    page.get_by_role("button", name="加载" if lang == "zh" else "Load", exact=True).click()
    page.locator('[data-testid="stAlertContentWarning"], [data-testid="stAlertContentSuccess"]').first.wait_for(
        timeout=60_000
    )
    wait_for_app(page)
    fit_to_content(page, width)
    target = out / f"data-report-{lang}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def wait_for_all_graphs(page: Any, timeout_ms: float = 60_000) -> None:
    """Until every drawing on ``page`` has been drawn, then a moment for the layouts to settle."""
    page.wait_for_function(_ALL_DRAWN, timeout=timeout_ms, polling=200)
    page.wait_for_timeout(2500)


def batch_shot(page: Any, url: str, lang: str, out: Path, width: int) -> Path:
    """The batch page after running the demo prospect list."""
    page.goto(f"{url}/?page=batch&lang={lang}", wait_until="domcontentloaded")
    wait_for_app(page)
    page.get_by_role("button", name="使用演示潜客名单" if lang == "zh" else "Use the demo prospect list").click()
    page.get_by_role("button", name="开始排查" if lang == "zh" else "Search all").first.wait_for(timeout=60_000)
    wait_for_app(page)
    page.get_by_role("button", name="开始排查" if lang == "zh" else "Search all").first.click()
    page.get_by_text("可触达情况" if lang == "zh" else "Coverage", exact=True).wait_for(timeout=120_000)
    wait_for_app(page)
    fit_to_content(page, width)
    target = out / f"batch-{lang}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--companies", default="400", help="size of the demo graph (GUANXI_DEMO_COMPANIES)")
    parser.add_argument("--lang", choices=["zh", "en", "both"], default="both")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--pages", nargs="*", choices=[*PAGES, "data-report"], help="only these pages (default all)")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    chromium = chromium_path()
    if chromium is None:
        print("no Chromium: apt-get install chromium, or set GUANXI_CHROMIUM", file=sys.stderr)
        return 2
    demo_dir = os.environ.get("GUANXI_DEMO_DIR") or str(Path(tempfile.gettempdir()) / "guanxi-screenshots-demo")
    env = {
        "GUANXI_DEMO_COMPANIES": args.companies,
        "GUANXI_DEMO_DIR": demo_dir,
        "GUANXI_STORE": os.environ.get("GUANXI_STORE", ""),
    }
    langs = ("zh", "en") if args.lang == "both" else (args.lang,)
    args.out.mkdir(parents=True, exist_ok=True)
    with running_app(env, args.out.parent / "screenshots-streamlit.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS, headless=True)
        try:
            for lang in langs:
                for page_key in [p for p in PAGES if not args.pages or p in args.pages]:
                    page = browser.new_page(viewport={"width": args.width, "height": 900}, device_scale_factor=1)
                    if page_key == "batch":
                        print(batch_shot(page, url, lang, args.out, args.width))
                        page.close()
                        continue
                    page.goto(f"{url}/?page={page_key}&lang={lang}", wait_until="domcontentloaded")
                    wait_for_app(page)
                    if page_key in DRAWN:
                        wait_for_graph(page)
                    fit_to_content(page, args.width)
                    if page_key in DRAWN:
                        wait_for_all_graphs(page)  # after resizing: every frame laid out at its final size
                    target = args.out / f"{page_key}-{lang}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
                    page.close()
                if not args.pages or "data-report" in args.pages:
                    page = browser.new_page(viewport={"width": args.width, "height": 900}, device_scale_factor=1)
                    print(load_report_shot(page, url, lang, args.out, args.width))
                    page.close()
        finally:
            browser.close()
    (args.out.parent / "screenshots-streamlit.log").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
