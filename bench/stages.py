"""One benchmark stage per process, so each peak memory figure is its own.

    python -m bench.stages generate OUT_DIR --companies N --seed S
    python -m bench.stages load FILES_DIR GRAPH_FILE
    python -m bench.stages query GRAPH_FILE --prospects 200 --seed S

Each prints one JSON object on its last line: seconds, peak RSS and figures.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (``0 < q <= 100``): the smallest value with ``q`` % of them at or below.

    The one percentile of every bench table (p90, p99).

    >>> percentile([5.0, 1.0, 3.0, 2.0, 4.0], 90), percentile([5.0, 1.0, 3.0, 2.0, 4.0], 60)
    (5.0, 3.0)
    """
    if not values or not 0 < q <= 100:
        raise ValueError("percentile of no values, or q outside (0, 100]")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1)]


def stage_generate(out_dir: Path, companies: int, seed: int) -> dict[str, Any]:
    from loaders.generate import generate

    started = time.perf_counter()
    summary = generate(out_dir, companies=companies, seed=seed)
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_rss_mb(), "summary": str(summary)}


def stage_load(files: Path, graph_file: Path) -> dict[str, Any]:
    """Load ``files`` into a new store file as ``guanxi load FILES --store FILE`` does, timed in two parts.

    The same process settings and path as the command: the heap kept for
    reuse (:func:`guanxi.heap.keep_freed_memory`), a file store opened for
    writing, the batches written to the file from their columns with the
    search index and bounds (no NetworkX graph built). ``load_seconds`` is
    reading and validating; ``index_seconds`` is writing the file, index
    and bounds included; ``seconds`` both.
    """
    from graph.embedded import EmbeddedStore
    from graph.open_store import open_store
    from graph.settings import Settings
    from guanxi.heap import keep_freed_memory
    from loaders.pipeline import load_files

    keep_freed_memory()
    store = open_store(Settings(store_path=graph_file), create=True, fresh=True, write=True)
    assert isinstance(store, EmbeddedStore)  # the default backend
    try:
        t0 = time.perf_counter()
        report = load_files(store, files)
        t1 = time.perf_counter()
        store.save()
        t2 = time.perf_counter()
        stats = store.stats()  # from the saved file's counts
    finally:
        store.close()
    return {
        "load_seconds": t1 - t0,
        "index_seconds": t2 - t1,
        "seconds": t2 - t0,
        "peak_mb": peak_rss_mb(),
        "nodes": stats.node_count,
        "relationships": stats.relationship_count,
        "clients": stats.clients,
        "rejected": len(report.rejects),
    }


def stage_query(graph_file: Path, prospects: int, seed: int) -> dict[str, Any]:
    started = time.perf_counter()  # this process has imported only the standard library so far
    from graph.embedded import EmbeddedStore
    from queries.introductions import introductions

    t0 = time.perf_counter()
    store = EmbeddedStore.open(graph_file)
    t1 = time.perf_counter()
    rng = random.Random(seed)
    candidates = [n for n in store.iter_nodes("Company") if not n.is_client]
    chosen = rng.sample(candidates, min(prospects, len(candidates)))
    # the first query computes the per-filter search bounds once (cached afterwards)
    t2 = time.perf_counter()
    introductions(store, chosen[0])
    t3 = time.perf_counter()
    latencies: list[float] = []
    reached = 0
    for node in chosen:
        start = time.perf_counter()
        answer = introductions(store, node)
        latencies.append((time.perf_counter() - start) * 1000)
        reached += bool(answer.paths)
    return {
        "open_seconds": t1 - t0,
        "imports_seconds": t0 - started,
        "first_query_seconds": t3 - t2,
        "prospects": len(chosen),
        "reached": reached,
        "median_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies),
        "peak_mb": peak_rss_mb(),
    }


def stage_contenders(graph_file: Path, prospects: int, seed: int) -> dict[str, Any]:
    from bench.contenders import pick_prospects, run
    from graph.embedded import EmbeddedStore

    store = EmbeddedStore.open(graph_file)
    result = run(store, pick_prospects(store, prospects, seed))
    result["peak_mb"] = peak_rss_mb()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stages")
    sub = parser.add_subparsers(dest="stage", required=True)
    g = sub.add_parser("generate")
    g.add_argument("out_dir", type=Path)
    g.add_argument("--companies", type=int, required=True)
    g.add_argument("--seed", type=int, default=1)
    ld = sub.add_parser("load")
    ld.add_argument("files", type=Path)
    ld.add_argument("graph_file", type=Path)
    q = sub.add_parser("query")
    q.add_argument("graph_file", type=Path)
    q.add_argument("--prospects", type=int, default=200)
    q.add_argument("--seed", type=int, default=1)
    an = sub.add_parser("analysis")
    an.add_argument("graph_file", type=Path)
    an.add_argument("--batches", default="1000,10000")
    an.add_argument("--companies", type=int, default=200)
    an.add_argument("--seed", type=int, default=1)
    n4 = sub.add_parser("neo4j")
    n4.add_argument("files", type=Path)
    n4.add_argument("graph_file", type=Path)
    n4.add_argument("--prospects", type=int, default=200)
    n4.add_argument("--seed", type=int, default=1)
    n4.add_argument("--via", choices=["cypher", "import"], default="cypher")
    c = sub.add_parser("contenders")
    c.add_argument("graph_file", type=Path)
    c.add_argument("--prospects", type=int, default=200)
    c.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.stage == "analysis":
        batches = [int(b) for b in args.batches.split(",") if b]
        result = stage_analysis(args.graph_file, batches, args.companies, args.seed)
    elif args.stage == "neo4j":
        result = stage_neo4j(args.files, args.graph_file, args.prospects, args.seed, args.via)
    elif args.stage == "contenders":
        result = stage_contenders(args.graph_file, args.prospects, args.seed)
    elif args.stage == "generate":
        result = stage_generate(args.out_dir, args.companies, args.seed)
    elif args.stage == "load":
        result = stage_load(args.files, args.graph_file)
    else:
        result = stage_query(args.graph_file, args.prospects, args.seed)
    print(json.dumps(result))
    return 0


#: Neo4j's plain SHORTEST can search for minutes where no client is near; it is stopped here
REFERENCE_TIMEOUT = 10.0


def _load_by_cypher(server: Any, files: Path) -> tuple[Any, float, int, dict[str, float]]:
    """``guanxi load`` into the running server: the store, seconds, rows accepted, the parts."""
    from graph.neo4j_store import Neo4jStore
    from loaders.pipeline import load_files

    server.start()
    store = Neo4jStore(server.uri, server.user, server.password)
    t0 = time.perf_counter()
    report = load_files(store, files)
    seconds = time.perf_counter() - t0
    return store, seconds, report.accepted, {"load_files": seconds}


def _load_by_import(server: Any, files: Path, work: Path) -> tuple[Any, float, int, dict[str, float]]:
    """``guanxi export-neo4j``, ``neo4j-admin database import``, then the first connection (schema).

    The server restart between import and connection is timed apart: on a
    real installation it is the operator's ``neo4j start``, not guanxi's work.
    """
    import re

    from graph.neo4j_store import Neo4jStore
    from loaders.neo4j_import import export_for_import

    t0 = time.perf_counter()
    done = export_for_import(files, work)
    t1 = time.perf_counter()
    output = server.admin(*done.admin_args())
    t2 = time.perf_counter()
    server.start()
    t3 = time.perf_counter()
    store = Neo4jStore(server.uri, server.user, server.password)  # makes the constraints and indexes
    t4 = time.perf_counter()
    found = re.search(r"IMPORT DONE in (?:(\d+)m )?(\d+)s (\d+)ms", output)
    importer = (int(found[1] or 0) * 60 + int(found[2]) + int(found[3]) / 1000) if found else float("nan")
    parts = {
        "export": t1 - t0,
        "admin_import": t2 - t1,
        "importer_own": importer,
        "server_start": t3 - t2,
        "schema": t4 - t3,
    }
    return store, (t4 - t0) - (t3 - t2), done.report.accepted, parts


def stage_neo4j(files: Path, graph_file: Path, prospects: int, seed: int, via: str = "cypher") -> dict[str, Any]:
    """Load into a fresh Neo4j test server (``via`` Cypher or the importer); time introductions
    there, embedded, and plain SHORTEST."""
    import tempfile

    from neo4j import Query, RoutingControl
    from neo4j.exceptions import Neo4jError

    from graph import cypher
    from graph.embedded import EmbeddedStore
    from queries.introductions import introductions
    from tests.neo4j_server import Neo4jTestServer

    server = Neo4jTestServer(heap="4g", pagecache="2g")
    scratch = tempfile.TemporaryDirectory(prefix="guanxi-bench-import-")
    try:
        if via == "import":
            store, load_s, accepted, parts = _load_by_import(server, files, Path(scratch.name))
        else:
            store, load_s, accepted, parts = _load_by_cypher(server, files)
        stats = store.stats()
        loaded = {
            "relationships": stats.relationship_count,
            "nodes": stats.node_count,
            "load_seconds": load_s,
            "rels_per_second": stats.relationship_count / load_s,
            "rows_per_second": accepted / load_s,
            "via": via,
            "load_parts": parts,
        }
        if prospects == 0:  # the load only: the queries are timed after the other load
            store.close()
            return {**loaded, "peak_mb": peak_rss_mb()}
        embedded = EmbeddedStore.open(graph_file)
        rng = random.Random(seed)
        candidates = [n for n in embedded.iter_nodes("Company") if not n.is_client]
        chosen = rng.sample(candidates, min(prospects, len(candidates)))
        reference = cypher.shortest_to_client(store.schema, store.schema.types)
        fair_reference = cypher.nearest_client(store.schema, store.schema.types)
        introductions(store, chosen[0].id)
        introductions(embedded, chosen[0])
        ours_neo, ours_emb, plain, fair = [], [], [], []
        disagreements: list[str] = []
        same = 0
        timeouts = 0
        for node in chosen:
            s = time.perf_counter()
            a = introductions(store, node.id)
            ours_neo.append((time.perf_counter() - s) * 1000)
            s = time.perf_counter()
            b = introductions(embedded, node)
            ours_emb.append((time.perf_counter() - s) * 1000)
            same += [p.to_dict() for p in a.paths] == [p.to_dict() for p in b.paths]
            s = time.perf_counter()
            try:
                records, _, _ = store._driver.execute_query(
                    Query(reference, timeout=REFERENCE_TIMEOUT),
                    {"id": node.id},
                    routing_=RoutingControl.READ,
                    database_=store.database,
                )
            except Neo4jError:  # the server stopped it at the timeout: counted at the timeout
                records = []
                timeouts += 1
            plain.append((time.perf_counter() - s) * 1000)
            s = time.perf_counter()
            try:
                store._driver.execute_query(
                    Query(fair_reference, timeout=REFERENCE_TIMEOUT),
                    {"id": node.id},
                    routing_=RoutingControl.READ,
                    database_=store.database,
                )
            except Neo4jError:
                timeouts += 1
            fair.append((time.perf_counter() - s) * 1000)
            if records and a.paths and records[0]["hops"] > a.paths[0].hops:
                disagreements.append(f"{node.name}: SHORTEST {records[0]['hops']} hops > ours {a.paths[0].hops}")
        analysis: dict[str, Any] = {}
        from queries.batch import batch_reach
        from queries.common import steps
        from queries.guarantees import circles_of
        from queries.ownership import ultimate_owners

        t0 = time.perf_counter()
        # the prospects as nodes: matched by their USCC, as a list a user uploads is (their ids as text are
        # no company's name or USCC: nothing matched, and the time was that of building the name index)
        reached = batch_reach(store, chosen, k=5)
        analysis["batch_seconds_per_prospect"] = (time.perf_counter() - t0) / len(chosen)
        analysis["batch_matched"] = sum(r.status == "matched" for r in reached.report.rows)
        analysis["batch_prospects"] = len(chosen)
        # each once as a warm-up, then timed with the store's native step and with the walk
        for name, fn, step in (
            ("ultimate_owners", ultimate_owners, "upstream_holdings"),
            ("circles_of", circles_of, "reachable"),
        ):
            for way, names in (("native", (step,)), ("walk", ())):
                with steps(*names):
                    for node in chosen[:50]:
                        fn(store, node.id)
                    ms: list[float] = []
                    for node in chosen[:50]:
                        t0 = time.perf_counter()
                        fn(store, node.id)
                        ms.append((time.perf_counter() - t0) * 1000)
                analysis[f"{name}_{way}"] = {
                    "median_ms": statistics.median(ms),
                    "p99_ms": percentile(ms, 99),
                    "max_ms": max(ms),
                }
            analysis[name] = analysis[f"{name}_{'native' if step in store.native_steps else 'walk'}"]
        store.close()
    finally:
        server.close()
        scratch.cleanup()

    def summary(ms: list[float]) -> dict[str, float]:
        return {"median_ms": statistics.median(ms), "p99_ms": percentile(ms, 99)}

    ratios = sorted(a / b for a, b in zip(ours_neo, plain, strict=True) if b > 0)
    fair_ratios = sorted(a / b for a, b in zip(ours_neo, fair, strict=True) if b > 0)
    return {
        **loaded,
        "prospects": len(chosen),
        "neo4j": summary(ours_neo),
        "embedded": summary(ours_emb),
        "shortest": summary(plain),
        "ratio_median": statistics.median(ratios) if ratios else float("nan"),
        "fair": summary(fair),
        "fair_ratio_median": statistics.median(fair_ratios) if fair_ratios else float("nan"),
        "same_answers": same,
        "shortest_timeouts": timeouts,
        "analysis": analysis,
        "disagreements": disagreements[:5],
        "peak_mb": peak_rss_mb(),
    }


def stage_analysis(graph_file: Path, batches: list[int], companies: int, seed: int) -> dict[str, Any]:
    """Batch reach of N prospects, and ultimate owners / guarantee circles per company."""
    from graph.embedded import EmbeddedStore
    from queries.batch import batch_reach
    from queries.guarantees import circles_of
    from queries.introductions import introductions
    from queries.ownership import actual_controller, ultimate_owners

    store = EmbeddedStore.open(graph_file)
    rng = random.Random(seed)
    all_companies = list(store.iter_nodes("Company"))
    prospects = [n for n in all_companies if not n.is_client]
    introductions(store, prospects[0])  # search bounds, once per filter
    out: dict[str, Any] = {"batch": []}
    for size in batches:
        chosen = rng.sample(prospects, min(size, len(prospects)))
        t0 = time.perf_counter()
        result = batch_reach(store, chosen, k=5)
        seconds = time.perf_counter() - t0
        out["batch"].append({"prospects": len(chosen), "seconds": seconds, "rows": len(result.results_frame())})
    sample = rng.sample(all_companies, min(companies, len(all_companies)))
    for name, fn in (
        ("ultimate_owners", ultimate_owners),
        ("actual_controller", actual_controller),
        ("circles_of", circles_of),
    ):
        ms: list[float] = []
        for node in sample:
            t0 = time.perf_counter()
            fn(store, node)
            ms.append((time.perf_counter() - t0) * 1000)
        out[name] = {"n": len(ms), "median_ms": statistics.median(ms), "p99_ms": percentile(ms, 99), "max_ms": max(ms)}
    out["peak_mb"] = peak_rss_mb()
    return out


if __name__ == "__main__":
    sys.exit(main())
