"""Size and build time of the explorer's drawings on a generated graph.

    python -m bench.drawings                 # 400 companies
    python -m bench.drawings --companies 3000
    python -m bench.drawings --write         # also into docs/benchmarks.md (its drawings section)

For each picture: the bytes of the HTML page in the explorer's frame (vis-network
served apart, from the app's static files) and as a standalone page (vis-network
inlined), the entities drawn, the time to lay it out and render it, the zoom at
which the whole drawing fits a 1000 × 620 px frame (1.0: full size) and the zoom it
opens at there (a drawing with a focus that is too small to read whole opens on
the focus at a legible zoom instead; see :func:`ui.pyvis_net.opening_view`).
"""

from __future__ import annotations

import argparse
import contextvars
import functools
import html
import http.server
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from graph.embedded import EmbeddedStore
from loaders.generate import generate
from loaders.pipeline import load_files
from queries.guarantees import circles_of, guarantee_chains
from queries.introductions import introductions
from queries.ownership import actual_controller, ultimate_owners
from queries.supply_chain import supply_chain
from ui.cached import build_neighbourhood
from ui.pyvis_net import STATIC_NAME, STATIC_URL, graph_json, link_vis, vis_assets, vis_source
from ui.render import guarantee_html, neighbourhood_html, ownership_html, paths_graph_html, supply_chain_html

TYPES = ["SERVES_AS", "HOLDS_SHARES", "SUPPLIES", "GUARANTEES", "LOCATED_IN"]
ROOT = Path(__file__).resolve().parent.parent
#: the drawings section's bounds in docs/benchmarks.md, so that ``--write`` replaces just it
BEGIN = "<!-- drawings -->"
END = "<!-- /drawings -->"


def _fit(html: str, width: float = 1000, height: float = 620) -> float:
    nodes = graph_json(html)["nodes"]
    xs = [n["x"] + s * n["widthConstraint"]["minimum"] / 2 for n in nodes for s in (-1, 1)]
    ys = [n["y"] + s * n["heightConstraint"]["minimum"] / 2 for n in nodes for s in (-1, 1)]
    return float(min(1.0, width / (max(xs) - min(xs) + 40), height / (max(ys) - min(ys) + 40)))


def _drawings(store: EmbeddedStore) -> dict[str, Callable[[], str]]:
    companies = sorted(store.iter_nodes("Company"), key=lambda n: n.id)
    out: dict[str, Callable[[], str]] = {}
    for c in companies:
        if not c.is_client and "paths" not in out:
            paths = introductions(store, c, k=8).paths
            if len(paths) >= 5:
                out["paths (8 introductions)"] = partial(paths_graph_html, paths, "zh")
        if "supply" not in out:
            chain = supply_chain(store, c, tiers=2)
            if len(chain.suppliers) + len(chain.customers) >= 6:
                out["supply chain (2 tiers)"] = partial(supply_chain_html, chain, "zh")
        if "ownership" not in out:
            owners = ultimate_owners(store, c, threshold=0.1)
            drawn = [o for o in owners.owners if o.chains]
            if drawn:
                ctrl = actual_controller(store, c)
                out["ownership"] = partial(ownership_html, owners.company, drawn, ctrl, "zh")
        if "guarantees" not in out:
            circles = circles_of(store, c, neighbours=True)
            chains = guarantee_chains(store, c).chains
            if circles and chains:
                out["guarantees"] = partial(guarantee_html, c, circles, chains, "zh")
    hub = max(companies, key=lambda n: len(store.edges_of([n.id])))
    one = build_neighbourhood(store, [hub.id], TYPES, 25)
    two = build_neighbourhood(store, list(one.nodes), TYPES, 25)
    out[f"2-hop neighbourhood ({len(two.nodes)} in view)"] = lambda: neighbourhood_html(
        two.nodes, two.edges, hub.id, "zh"
    )
    return out


def _opens_at(html: str) -> float:
    """The zoom the page opens at in a 1000 × 620 px frame: the whole drawing's, or the legible
    one when that is smaller and the page has a focus (as its script decides)."""
    found = re.search(r"var view = (\{.*?\});\n", html)
    view: dict[str, Any] = json.loads(found.group(1)) if found else {"focus": [], "legible": 1.0}
    fit = _fit(html)
    return float(view["legible"]) if view["focus"] and fit < view["legible"] else fit


def _linked(draw: Callable[[], str]) -> str:
    """``draw()`` as the explorer makes it (vis-network served from its static files)."""

    def run() -> str:
        link_vis(STATIC_URL)
        return draw()

    return contextvars.copy_context().run(run)


def measure(companies: int, seed: int) -> tuple[list[dict[str, Any]], Callable[[], str]]:
    """One row per drawing (its bytes in the explorer and standalone, entities, time, zooms), and
    the path view's drawing function."""
    store = EmbeddedStore()
    with tempfile.TemporaryDirectory() as folder:
        generate(Path(folder), companies=companies, seed=seed)
        load_files(store, Path(folder))
    rows = []
    drawings = _drawings(store)
    for name, draw in drawings.items():
        start = time.perf_counter()
        html = draw()
        ms = (time.perf_counter() - start) * 1000
        rows.append(
            {
                "drawing": name,
                "explorer_bytes": len(_linked(draw).encode()),
                "standalone_bytes": len(html.encode()),
                "drawn": len(graph_json(html)["nodes"]),
                "ms": ms,
                "fit": _fit(html),
                "opens_at": _opens_at(html),
            }
        )
    return rows, next(iter(drawings.values()))


def markdown(
    rows: list[dict[str, Any]], companies: int, command: str, browser: dict[str, tuple[float, float]] | None = None
) -> str:
    """The drawings section of docs/benchmarks.md (with the Chromium timings when measured)."""
    from bench.__main__ import machine

    lines = [
        BEGIN,
        "## Drawings: page weight and opening zoom",
        "",
        f"Each drawing on a generated graph of {companies:,} companies. *explorer KB*: the drawing's frame as the",
        "explorer sends it, vis-network served once from its static files (`static/`, cached by the browser);",
        f"*standalone KB*: the same page with vis-network inlined ({len(vis_assets().encode()) / 1000:,.0f} KB), as "
        "before (and still when static serving is off).",
        "*fits at*: the zoom showing the whole drawing in a 1000 × 620 px frame; *opens at*: the zoom it opens",
        "at there (a 2-hop view too small to read whole opens on its centre and direct ties at a legible zoom:",
        "text ≥ 10 px on screen). Target: a path view's frame ≤ 30 KB.",
        f"Measured {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} on {machine()}, load average "
        f"{os.getloadavg()[0]:.1f} (build times stretch with it); `{command}`.",
        "",
        "| drawing | drawn | explorer KB | standalone KB | build ms | fits at | opens at |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['drawing']} | {r['drawn']} | {r['explorer_bytes'] / 1000:,.1f} "
            f"| {r['standalone_bytes'] / 1000:,.0f} | {r['ms']:.0f} | {r['fit']:.2f} | {r['opens_at']:.2f} |"
        )
    if browser:
        (cold, warm), (cold_linked, warm_linked) = browser["standalone"], browser["explorer"]
        lines += [
            "",
            f"A page of {FRAMES} frames holding the path view, in headless Chromium until all are drawn "
            f"(empty cache / reloaded): standalone {cold:,.0f} / {warm:,.0f} ms, as the explorer sends them "
            f"{cold_linked:,.0f} / {warm_linked:,.0f} ms: in the browser alone about the same (on a busy machine",
            "run-to-run noise is larger than the difference); what the explorer saves is the 469 KB per drawing",
            "that every script run sends again over its websocket for the browser to put in a frame.",
        ]
    return "\n".join([*lines, END, ""])


def with_section(text: str, section: str) -> str:
    """``text`` with its drawings section replaced by ``section``, or it added at the end."""
    begin, end = text.find(BEGIN), text.find(END)
    if begin >= 0 and end > begin:
        return text[:begin] + section.rstrip("\n") + text[end + len(END) :]
    return text.rstrip("\n") + "\n\n" + section


def _frames_page(pages: list[str]) -> str:
    """A page holding ``pages`` in frames, as the explorer holds its drawings (``srcdoc``)."""
    frames = "".join(
        f'<iframe style="width:1000px;height:640px;border:0" srcdoc="{html.escape(p, quote=True)}"></iframe>'
        for p in pages
    )
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{frames}</body></html>"


#: how many drawings the Chromium timing puts on one page (the 关联方 page shows three or four)
FRAMES = 4


def browser_times(draw: Callable[[], str], frames: int = FRAMES) -> dict[str, tuple[float, float]]:
    """Milliseconds from opening a page of ``frames`` drawings until all are drawn in headless
    Chromium, first with an empty cache, then reloaded: standalone pages, then as the explorer
    sends them (vis-network from the static files, served here by a local HTTP server)."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser import LAUNCH_ARGS, chromium_path

    chromium = chromium_path()
    if chromium is None:
        raise RuntimeError("no Chromium: apt-get install chromium, or set GUANXI_CHROMIUM")
    out: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "app" / "static").mkdir(parents=True)
        shutil.copyfile(vis_source(), root / "app" / "static" / STATIC_NAME)
        (root / "standalone.html").write_text(_frames_page([draw()] * frames), encoding="utf-8")
        (root / "explorer.html").write_text(_frames_page([_linked(draw)] * frames), encoding="utf-8")
        handler = functools.partial(_QuietHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS, headless=True)
                for mode in ("standalone", "explorer"):
                    page = browser.new_context().new_page()
                    url = f"http://127.0.0.1:{server.server_address[1]}/{mode}.html"
                    times: list[float] = []
                    for _ in range(2):
                        start = time.perf_counter()
                        page.goto(url) if not times else page.reload()
                        page.wait_for_function(_ALL_DRAWN, arg=frames, timeout=120_000, polling=50)
                        times.append((time.perf_counter() - start) * 1000)
                    out[mode] = (times[0], times[1])
                browser.close()
        finally:
            server.shutdown()
    return out


#: whether ``n`` frames of the page have drawn their drawing
_ALL_DRAWN = """(n) => [...document.querySelectorAll('iframe')]
  .filter(f => f.contentDocument && f.contentDocument.body && f.contentDocument.body.hasAttribute('data-drawn'))
  .length >= n"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the benchmark's folder without a line per request."""

    def log_message(self, format: str, *args: Any) -> None:
        return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.drawings")
    parser.add_argument("--companies", type=int, default=400)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--write", action="store_true", help="also write the rows into docs/benchmarks.md")
    parser.add_argument("--browser", action="store_true", help="also time a page of drawings in headless Chromium")
    args = parser.parse_args(argv)
    rows, first = measure(args.companies, args.seed)
    print(f"vis-network, inlined in a standalone drawing: {len(vis_assets().encode()):,} B")
    print(f"{'drawing':38} {'explorer B':>10} {'standalone B':>12} {'drawn':>6} {'ms':>6} {'fit':>5} {'opens':>5}")
    for r in rows:
        print(
            f"{r['drawing']:38} {r['explorer_bytes']:>10,} {r['standalone_bytes']:>12,} {r['drawn']:>6} "
            f"{r['ms']:>6.0f} {r['fit']:>5.2f} {r['opens_at']:>5.2f}"
        )
    browser = browser_times(first) if args.browser else None
    if browser:
        for mode, (cold, warm) in browser.items():
            print(f"{FRAMES} path views in Chromium, {mode}: {cold:,.0f} ms (empty cache), {warm:,.0f} ms (reloaded)")
    if args.write:
        command = "python -m bench.drawings --write" + (" --browser" if args.browser else "")
        command += f" --companies {args.companies}" if args.companies != 400 else ""
        section = markdown(rows, args.companies, command, browser)
        out = ROOT / "docs" / "benchmarks.md"
        out.write_text(with_section(out.read_text(encoding="utf-8"), section), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
