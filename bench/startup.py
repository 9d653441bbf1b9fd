"""The explorer's start-up: from ``bash scripts/explore.sh`` to a usable first page in a browser.

    python -m bench.startup [--companies 3000] [--work DIR] [--direct]

A *second* launch, the one a user makes every morning: the virtual
environment is installed (explore.sh's stamp matches, so no pip runs) and the
demo graph is built and cached (this stage builds it first, untimed, in
``--work``). Headless Chromium is started before the app, so its own start is
not counted. Timed from starting the command:

* *health*: ``/_stcore/health`` answers (the server is up);
* *first page*: the 谁能引荐 page has run its script and shows its text (the
  sidebar and the path cards; Streamlit's script state "notRunning");
* *graph*: vis-network has drawn the page's path graph.

Also the server process's CPU seconds up to health and to the first page,
and the load average: on a machine shared with other work the wall-clock
figures stretch with the load, the CPU seconds much less.

It also records the largest drawing frame's bytes (vis-network served apart, from
the app's static files) and how often vis-network was fetched, and what the user
must not see or need: requests to any host but the app's own (a favicon or font
from the internet), Streamlit's Deploy button and its developer menu.
``--direct`` runs ``python -m streamlit run app.py`` (what explore.sh ends with)
instead of explore.sh, e.g. in a test where the stamp may not match. Prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: the hosts the page may talk to: the app itself
LOCAL_HOSTS = ("127.0.0.1", "localhost")
TIMEOUT_S = 180.0


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far: on a busy machine the wall-clock
    figures stretch with the load, this one much less (the server runs mostly on one core)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def _command(direct: bool, port: int) -> list[str]:
    flags = ["--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1"]
    if direct:
        return [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), *flags]
    return ["bash", str(ROOT / "scripts" / "explore.sh"), *flags]


def measure(companies: int, work: Path, direct: bool = False) -> dict[str, Any]:
    """Start the explorer once on a cached demo graph and time it to a usable first page."""
    from playwright.sync_api import sync_playwright

    from loaders.demo import demo_store
    from tests.test_browser import LAUNCH_ARGS, chromium_path, free_port, wait_for_app, wait_for_graph

    chromium = chromium_path()
    if chromium is None:
        raise RuntimeError("no Chromium: apt-get install chromium, or set GUANXI_CHROMIUM")
    demo_dir = work / "demo"
    env = {
        **os.environ,
        "GUANXI_DEMO_COMPANIES": str(companies),
        "GUANXI_DEMO_DIR": str(demo_dir),
        "GUANXI_STORE": "",
        "NEO4J_URI": "",
        "GUANXI_BACKEND": "",
    }
    os.environ.update({k: env[k] for k in ("GUANXI_DEMO_COMPANIES", "GUANXI_DEMO_DIR")})
    started = time.perf_counter()
    demo_store(companies=companies)  # built and cached: the first launch's work, not timed below
    demo_build = time.perf_counter() - started
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    outside: list[str] = []
    log = work / "startup-streamlit.log"
    with sync_playwright() as pw, log.open("wb") as out:
        browser = pw.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        library: list[str] = []  # vis-network fetched over the network (the explorer serves it from static/)
        page.on("response", lambda response: library.append(response.url) if "vis-network" in response.url else None)
        page.on(
            "request",
            lambda request: (
                outside.append(request.url)
                if urllib.parse.urlsplit(request.url).hostname not in (*LOCAL_HOSTS, None)
                else None
            ),
        )
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            _command(direct, port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            while not _healthy(url):
                if proc.poll() is not None or time.perf_counter() - t0 > TIMEOUT_S:
                    tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
                    raise RuntimeError(f"the explorer did not start on {url}:\n{tail}")
                time.sleep(0.05)
            health = time.perf_counter() - t0
            health_cpu = _cpu_seconds(proc.pid)  # explore.sh execs python: the same process
            page.goto(f"{url}/?page=intro&lang=zh", wait_until="domcontentloaded")
            wait_for_app(page, timeout_ms=TIMEOUT_S * 1000)
            first_page = time.perf_counter() - t0
            first_page_cpu = _cpu_seconds(proc.pid)
            wait_for_graph(page, timeout_ms=TIMEOUT_S * 1000)
            graph = time.perf_counter() - t0
            frame_bytes = page.evaluate(
                "() => [...document.querySelectorAll('iframe')]"
                ".map(f => new TextEncoder().encode(f.srcdoc || '').length)"
            )
            deploy = page.locator('[data-testid="stAppDeployButton"]').count()
            menu = page.locator('[data-testid="stMainMenu"]').count()
            favicon = page.evaluate("() => document.querySelector(\"link[rel='shortcut icon']\")?.href || ''")
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 15)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, 9)
                proc.wait(timeout=15)
            browser.close()
    return {
        "companies": companies,
        "command": "python -m streamlit run app.py" if direct else "bash scripts/explore.sh",
        "demo_build_seconds": demo_build,
        "health_seconds": health,
        "first_page_seconds": first_page,
        "graph_seconds": graph,
        "health_cpu_seconds": health_cpu,
        "first_page_cpu_seconds": first_page_cpu,
        "load_average": os.getloadavg()[0],
        "drawing_frame_bytes": max(frame_bytes, default=0),
        "library_fetches": len(library),
        "outside_requests": sorted(set(outside)),
        "deploy_button": deploy,
        "developer_menu": menu,
        "favicon_local": urllib.parse.urlsplit(str(favicon)).hostname in LOCAL_HOSTS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup")
    parser.add_argument("--companies", type=int, default=3000, help="demo graph size (the explorer's default)")
    parser.add_argument("--work", type=Path, help="where the demo graph is cached (default: a temporary folder)")
    parser.add_argument("--direct", action="store_true", help="run streamlit directly instead of scripts/explore.sh")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="guanxi-startup-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        result = measure(args.companies, work, args.direct)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
