"""Demo data: a generated graph, built once and cached, for the first run and the app.

Usage (it writes ``~/.guanxi/demo`` the first time, so it is no doctest)::

    store = demo_store(companies=300)
"""

from __future__ import annotations

import os
from pathlib import Path

from graph.embedded import EmbeddedStore
from graph.errors import StoreUnavailable
from graph.warmth import Weights

DEMO_COMPANIES = 3000
DEMO_SEED = 7


def demo_dir() -> Path:
    """Where demo files are cached (``GUANXI_DEMO_DIR`` or ``~/.guanxi/demo``)."""
    return Path(os.environ.get("GUANXI_DEMO_DIR") or Path.home() / ".guanxi" / "demo")


def demo_store(companies: int = DEMO_COMPANIES, seed: int = DEMO_SEED, weights: Weights | None = None) -> EmbeddedStore:
    """The embedded store loaded with generated demo data (generated and saved on first use).

    A cached file that is not a valid store (an older guanxi's, a damaged or
    a crafted one) is never executed: it is built again.
    """
    from loaders.generate import generate
    from loaders.pipeline import load_files

    base = demo_dir() / f"c{companies}-s{seed}"
    graph_file = base / "graph.gx"
    if graph_file.exists():
        try:
            return EmbeddedStore.open(graph_file, weights=weights)
        except StoreUnavailable:
            pass  # an older guanxi's file or a damaged one (never executed): built again below
    # under the file's writer lock, so two processes starting at once build it once
    store = EmbeddedStore.open_for_writing(graph_file, weights=weights, fresh=True)
    try:
        built = EmbeddedStore.open(graph_file, weights=weights)  # another process built it while we waited
    except StoreUnavailable:
        built = None
    if built is not None:
        store.close()
        return built
    files = base / "files"
    if not (files / "clients.csv").exists():
        generate(files, companies=companies, seed=seed)
    load_files(store, files)
    store.save()
    return store
