"""Size and build time of the explorer's drawings on a generated graph.

    python -m bench.drawings                 # 400 companies
    python -m bench.drawings --companies 3000

For each picture: the bytes of the HTML page (the iframe), of which vis-network's
inlined JavaScript, the entities drawn, the time to lay it out and render it, and the
zoom at which the whole drawing fits a 1000 × 620 px frame (1.0: full size).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from graph.embedded import EmbeddedStore
from loaders.generate import generate
from loaders.pipeline import load_files
from queries.guarantees import circles_of, guarantee_chains
from queries.introductions import introductions
from queries.ownership import actual_controller, ultimate_owners
from queries.supply_chain import supply_chain
from ui.cached import build_neighbourhood
from ui.pyvis_net import graph_json, vis_assets
from ui.render import guarantee_html, neighbourhood_html, ownership_html, paths_graph_html, supply_chain_html

TYPES = ["SERVES_AS", "HOLDS_SHARES", "SUPPLIES", "GUARANTEES", "LOCATED_IN"]


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.drawings")
    parser.add_argument("--companies", type=int, default=400)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    store = EmbeddedStore()
    with tempfile.TemporaryDirectory() as folder:
        generate(Path(folder), companies=args.companies, seed=args.seed)
        load_files(store, Path(folder))
    print(f"vis-network inlined in every drawing: {len(vis_assets().encode()):,} B")
    print(f"{'drawing':38} {'bytes':>9} {'drawn':>6} {'ms':>6} {'fit':>5}")
    for name, draw in _drawings(store).items():
        start = time.perf_counter()
        html = draw()
        ms = (time.perf_counter() - start) * 1000
        drawn = len(graph_json(html)["nodes"])
        print(f"{name:38} {len(html.encode()):>9,} {drawn:>6} {ms:>6.0f} {_fit(html):>5.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
