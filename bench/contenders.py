"""What a user would otherwise pick, on the same graph and the same prospects, each row labelled honestly.

    python -m bench.contenders --store graph.gx [--prospects 200] [--seed 1] [--cold NAME] [--write]

Warm rows (one process that has answered a query already, per prospect):

* **guanxi** ``introductions``: top 5 of 5 different introducers, ≤ 4 hops,
  warmth-ranked, filtered (exclusions, holders that connect nobody), each
  path explained in two sentences.
* **the compiled floor** (:mod:`bench.floor`): the same rules and the same
  ranked top 5 (paths and order) in numba over guanxi's own index arrays and
  saved bounds, no explanation: what the question costs at best here.
* **scipy bounded BFS** (``csgraph.dijkstra(unweighted=True, limit=4)``
  from the prospect, same exclusions): the nearest client's hop count only —
  unweighted, no ranking, no path.
* **scipy bounded Dijkstra** (our costs, ``limit`` = the minimum warmth's
  cost, same exclusions): the one warmest path's cost — no hop limit, no
  top k, no distinct introducers.
* **igraph 4-hop ball** (``Graph.neighborhood(order=4)``): which clients are
  within 4 hops — reach only, unweighted, no exclusions inside.
* **NetworkX** ``shortest_simple_paths`` (Yen) from a super-source over every
  client, our costs, first 5: what a Python user writes (≤ 200k nodes).

Every contender's answer is checked where it must agree with the floor, and
guanxi's ranked top 5 must equal the floor's exactly (paths, order, costs
within 1e-9). Cold rows (a new process from start to answer) come from
:mod:`bench.coldstart`'s timer: ``guanxi paths`` and the floor's own process.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.floor import Check, Floor, compare, default_floor, is_capped
from bench.stages import percentile
from graph.embedded import EmbeddedStore
from queries.introductions import introductions

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- contenders -->", "<!-- /contenders -->"


@dataclass
class Timings:
    """Per-prospect latencies (ms) of one contender, what it answers, and disagreements found."""

    name: str
    label: str = ""
    ms: list[float] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)
    skipped: str | None = None

    def summary(self, ours: list[float] | None = None) -> dict[str, Any]:
        if not self.ms:
            return {"name": self.name, "label": self.label, "skipped": self.skipped}
        ordered = sorted(self.ms)
        out = {
            "name": self.name,
            "label": self.label,
            "n": len(ordered),
            "median_ms": statistics.median(ordered),
            "p99_ms": percentile(ordered, 99),
            "disagreements": len(self.disagreements),
            "examples": self.disagreements[:3],
        }
        if ours is not None and ours is not self.ms:
            out.update(ratio_spread(ours, self.ms))
        return out


def ratio_spread(ours: list[float], theirs: list[float]) -> dict[str, float]:
    """Median and quartiles of per-prospect ratios ours/theirs."""
    ratios = sorted(a / b for a, b in zip(ours, theirs, strict=True) if b > 0)
    if not ratios:
        return {}
    q = np.quantile(ratios, [0.25, 0.5, 0.75])
    return {"ratio_median": float(q[1]), "ratio_q1": float(q[0]), "ratio_q3": float(q[2])}


def pick_prospects(store: EmbeddedStore, count: int, seed: int) -> list[str]:
    """``count`` random non-client companies (ids), reading only the label codes and the client flags."""
    idx = store.index()
    fg = store._lazy()
    if fg is not None:
        company = fg.label_codes == fg.labels.index("Company")
    else:
        company = np.array([nid.startswith("Company:") for nid in idx.ids])
    pool = np.flatnonzero(company & ~idx.is_client).tolist()
    return [idx.ids[p] for p in random.Random(seed).sample(pool, min(count, len(pool)))]


def _matrix(floor: Floor, weighted: bool) -> Any:
    """The directed matrix a graph-library user would build: step v -> u allowed by the same exclusions."""
    from scipy.sparse import csr_matrix

    idx = floor.idx
    n = len(idx.ids)
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(idx.indptr))
    cols = np.asarray(idx.nbr, np.int64)
    ok, src = floor.interior_ok, floor.is_source
    keep = floor.type_mask[idx.etype] & (ok[cols] | src[cols]) & ~src[rows]
    r, c = rows[keep], cols[keep]
    w = np.asarray(idx.ecost)[keep] + np.where(src[c], 0.0, idx.node_cost[c]) if weighted else np.ones(len(r))
    order = np.lexsort((w, c, r))
    r, c, w = r[order], c[order], w[order]
    first = np.ones(len(r), dtype=bool)
    first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
    return csr_matrix((np.maximum(w[first], 1e-300), (r[first], c[first])), shape=(n, n))


def run(
    store: EmbeddedStore, prospects: list[str], networkx_limit: int = 200_000, igraph_limit: int = 5_000_000
) -> dict[str, Any]:
    """Time guanxi, the floor and every contender on ``prospects`` (ids); cross-check the answers."""
    from scipy.sparse.csgraph import dijkstra

    idx = store.index()
    n = len(idx.ids)
    introductions(store, prospects[0])  # warm: bounds, caches, imports, as a running service has them
    started = time.perf_counter()
    floor = default_floor(store, prospects[0])
    floor.top(idx.pos[prospects[0]])  # compiled (or loaded from numba's cache)
    floor_setup = time.perf_counter() - started
    started = time.perf_counter()
    bfs_m, dij_m = _matrix(floor, False), _matrix(floor, True)
    scipy_build = time.perf_counter() - started
    sources = np.flatnonzero(floor.is_source)
    q = floor.query
    ig: Any = None
    igraph_build = 0.0
    if n <= igraph_limit:
        import igraph

        started = time.perf_counter()
        heads = np.repeat(np.arange(n), np.diff(idx.indptr))
        keep = heads < idx.nbr
        ig = igraph.Graph(n=n, edges=np.column_stack([heads[keep], idx.nbr[keep]]), directed=False)
        igraph_build = time.perf_counter() - started
    ours = Timings("guanxi introductions", "top 5 introducers, ranked, filtered, explained")
    fl = Timings("compiled floor (numba)", "same rules, same ranked top 5, not explained")
    bfs = Timings("scipy bounded BFS", "unweighted, ≤ 4 hops: nearest client's hops only, no ranking")
    dij = Timings("scipy bounded Dijkstra", "our costs: the warmest path's cost only, no hop limit, no top k")
    ball = Timings("igraph 4-hop ball", "reach: clients within 4 hops, unweighted, no exclusions")
    nxt = Timings("NetworkX shortest_simple_paths", "Yen k=5 from all clients, our costs, no distinct rule")
    if ig is None:
        ball.skipped = f"graph of {n:,} nodes is over the {igraph_limit:,} limit (its memory, on a shared machine)"
    nx_graph = _networkx_graph(floor) if n <= networkx_limit else None
    if nx_graph is None:
        nxt.skipped = f"graph of {n:,} nodes is over the {networkx_limit:,} limit (minutes per query)"
    check = Check()
    for nid in prospects:
        target = idx.pos[nid]
        t0 = time.perf_counter()
        answer = introductions(store, nid)
        ours.ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        top = floor.top(target)
        fl.ms.append((time.perf_counter() - t0) * 1000)
        got = [(p.path.ids, p.path.warmth) for p in answer.paths]
        check.add(nid, compare(store, floor, nid, got, False), compare(store, floor, nid, got, is_capped(answer)))
        best_hops = len(top[0].nodes) - 1 if top else None
        best_cost = top[0].cost if top else math.inf
        t0 = time.perf_counter()
        hops = dijkstra(bfs_m, indices=target, unweighted=True, limit=q.max_hops)
        nearest = float(hops[sources].min()) if len(sources) else math.inf
        bfs.ms.append((time.perf_counter() - t0) * 1000)
        if best_hops is not None and nearest > best_hops:
            bfs.disagreements.append(f"{nid}: BFS nearest client {nearest} hops, floor {best_hops}")
        t0 = time.perf_counter()
        dist = dijkstra(dij_m, indices=target, limit=floor.max_cost + 1e-9)
        cheapest = float(dist[sources].min()) if len(sources) else math.inf
        dij.ms.append((time.perf_counter() - t0) * 1000)
        if cheapest > best_cost + 1e-9:
            dij.disagreements.append(f"{nid}: Dijkstra's warmest cost {cheapest:.9f} above the floor's {best_cost:.9f}")
        if ig is not None:
            t0 = time.perf_counter()
            reach = set(ig.neighborhood(target, order=q.max_hops))
            ball.ms.append((time.perf_counter() - t0) * 1000)
            missing = [fp.nodes[0] for fp in top if fp.nodes[0] not in reach]
            if missing:
                ball.disagreements.append(f"{nid}: introducer {idx.ids[missing[0]]} outside the 4-hop ball")
        if nx_graph is not None:
            t0 = time.perf_counter()
            theirs = _networkx_top(nx_graph, target, 5)
            nxt.ms.append((time.perf_counter() - t0) * 1000)
            if theirs and top and theirs[0][0] > best_cost + 1e-9 and len(theirs[0][1]) - 2 <= q.max_hops:
                nxt.disagreements.append(f"{nid}: NetworkX best cost {theirs[0][0]:.9f}, floor {best_cost:.9f}")
    return {
        "nodes": n,
        "floor_setup_s": floor_setup,
        "scipy_build_s": scipy_build,
        "igraph_build_s": igraph_build,
        "check": check.summary(),
        "contenders": [t.summary(ours.ms) for t in (ours, fl, bfs, dij, ball, nxt)],
    }


def _networkx_graph(floor: Floor) -> Any:
    """Directed NetworkX graph with our costs (same exclusions) and a super-source on every client."""
    import networkx as nx

    m = _matrix(floor, True).tocoo()
    g = nx.DiGraph()
    # edges point from the prospect outward; Yen runs from the clients, so reverse them
    g.add_weighted_edges_from(zip(m.col.tolist(), m.row.tolist(), m.data.tolist(), strict=True))
    g.add_weighted_edges_from(("__clients__", int(c), 0.0) for c in np.flatnonzero(floor.is_source).tolist())
    return g


def _networkx_top(g: Any, target: int, k: int) -> list[tuple[float, list[Any]]]:
    import networkx as nx

    out: list[tuple[float, list[Any]]] = []
    if target not in g:
        return out
    try:
        for path in nx.shortest_simple_paths(g, "__clients__", target, weight="weight"):
            cost = sum(g[a][b]["weight"] for a, b in itertools.pairwise(path))
            out.append((cost, path))
            if len(out) >= k:
                break
    except nx.NetworkXNoPath:
        pass
    return out


_FLOOR_COLD = """
import sys, time
from graph.embedded import EmbeddedStore
from bench.floor import default_floor
store = EmbeddedStore.open(sys.argv[1])
idx = store.index()
floor = default_floor(store, sys.argv[2])
for fp in floor.top(idx.pos[sys.argv[2]]):
    print(round(fp.warmth, 4), " > ".join(idx.ids[p] for p in fp.nodes))
"""


def cold_rows(store_path: Path, prospect_id: str, prospect_name: str) -> dict[str, dict[str, float]]:
    """Whole processes, start to answer: ``guanxi paths`` and the floor's own (open, set up, compile-cache, answer)."""
    from bench.coldstart import _timed

    guanxi = str(Path(sys.executable).with_name("guanxi"))
    return {
        f"`guanxi paths {prospect_name}`": _timed([guanxi, "paths", prospect_name, "--store", str(store_path)]),
        "floor process (open, masks, numba cache, answer)": _timed(
            [sys.executable, "-c", _FLOOR_COLD, str(store_path), prospect_id]
        ),
    }


def section(results: list[dict[str, Any]], command: str) -> str:
    """The Markdown section for docs/benchmarks.md (between the contenders markers)."""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = [r.get("load_average", [math.nan, math.nan]) for r in results]
    lines = [
        BEGIN,
        "## Against the contenders, same graph, same prospects, one process",
        "",
        f"Measured {when} on {os.cpu_count()} cores with seven other jobs on the machine (load average "
        + ", ".join(f"{a:.0f}–{b:.0f}" for a, b in load)
        + "): the wall times stretch with the load, the ratios much less. "
        f"`{command}` (one run per size).",
        "",
        "*warm* rows: one process that has answered a query, per prospect (random non-client companies). The "
        "*floor* (`bench/floor.py`) is guanxi's exact rules — exclusions, holders that connect nobody, hub costs, "
        "≤ 4 hops, minimum warmth, 5 different introducers, the tie order — in numba over guanxi's own mapped "
        "index arrays and saved bounds; *same top 5*: prospects whose ranked paths from `introductions` equal "
        "the floor's (ids and order; costs within 1e-9). Ratio = guanxi time / contender time per prospect: "
        "median [quartiles]. *disagree*: answers that contradict the floor where they must agree. *cold* rows "
        "are whole processes (`/usr/bin/time`, start to answer; the file's pages may be in the system's cache): "
        "`guanxi paths` for the first prospect, and the floor's own process (imports, open, its masks, numba's "
        "cached machine code, answer). Opening with imports, the whole `guanxi load` including the save, and "
        "peak memory are in the cold-start section and the load table below.",
        "",
        "| companies | contender | answers | kind | median ms | p99 ms | ratio guanxi/contender | disagree |",
        "|---|---|---|---|---:|---:|---|---:|",
    ]
    for r in results:
        c = r["contenders"]
        size = f"{r['companies']:,}"
        for e in c["contenders"]:
            if "median_ms" not in e:
                lines.append(f"| {size} | {e['name']} | {e['label']} | warm | skipped: {e['skipped']} | | | |")
                continue
            ratio = f"{e['ratio_median']:.1f} [{e['ratio_q1']:.1f}–{e['ratio_q3']:.1f}]" if "ratio_median" in e else "—"
            lines.append(
                f"| {size} | {e['name']} | {e['label']} | warm | {e['median_ms']:.3f} | {e['p99_ms']:.3f} "
                f"| {ratio} | {e['disagreements']} |"
            )
        for name, row in r.get("cold", {}).items():
            lines.append(
                f"| {size} | {name} | wall {row['wall']:.2f} s, CPU {row['cpu']:.2f} s, "
                f"peak {row['rss_mib']:,.0f} MiB | cold | | | | |"
            )
    lines += [
        "",
        "| companies | nodes | same top 5 (guanxi = floor) | capped | disagreements | floor set-up s |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for r in results:
        ch = r["contenders"]["check"]
        lines.append(
            f"| {r['companies']:,} | {r['contenders']['nodes']:,} | {ch['same']} of {ch['prospects']} "
            f"| {ch['capped']} | {ch['disagreements']} | {r['contenders']['floor_setup_s']:.1f} |"
        )
    lines.append(END)
    return "\n".join(lines) + "\n"


def write_section(doc: Path, text: str) -> None:
    """Replace the contenders section (between its markers, or the old heading's section) with ``text``."""
    old = doc.read_text(encoding="utf-8")
    begin, end = old.find(BEGIN), old.find(END)
    if 0 <= begin < end:
        new = old[:begin] + text + old[end + len(END) + 1 :]
    else:
        head = old.find("## Against the contenders")
        nxt = old.find("\n## ", head + 1) if head >= 0 else -1
        new = old[:head] + text + "\n" + old[nxt + 1 :] if head >= 0 and nxt > 0 else old.rstrip() + "\n\n" + text
    doc.write_text(new, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.contenders")
    parser.add_argument("--store", type=Path, action="append", default=[], help="store file(s), format 4")
    parser.add_argument("--companies", type=int, action="append", help="company count of each store (labels)")
    parser.add_argument("--prospects", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--igraph-limit", type=int, default=5_000_000, help="skip igraph above this many nodes")
    parser.add_argument("--cold", action="store_true", help="also time whole processes (guanxi paths, the floor)")
    parser.add_argument("--write", action="store_true", help="write the section into docs/benchmarks.md")
    parser.add_argument("--from-json", type=Path, help="write the section from a saved run's output instead")
    args = parser.parse_args(argv)
    results = []
    if args.from_json:
        results = [json.loads(line) for line in args.from_json.read_text(encoding="utf-8").splitlines() if line]
        args.store = []
    for i, path in enumerate(args.store):
        load_before = os.getloadavg()[0]
        store = EmbeddedStore.open(path)
        prospects = pick_prospects(store, args.prospects, args.seed)
        r: dict[str, Any] = {"store": str(path), "contenders": run(store, prospects, igraph_limit=args.igraph_limit)}
        r["companies"] = args.companies[i] if args.companies else r["contenders"]["nodes"]
        if args.cold:
            r["cold"] = cold_rows(path, prospects[0], prospects[0].split(":", 1)[1])
        r["load_average"] = [load_before, os.getloadavg()[0]]
        results.append(r)
        print(json.dumps(r, ensure_ascii=False), flush=True)
    if args.write:
        shown = ["python -m bench.contenders", *(argv if argv is not None else sys.argv[1:])]
        write_section(ROOT / "docs" / "benchmarks.md", section(results, " ".join(shown)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
