"""Benchmark stage: score a long list and attach the warmest paths to its top (issue 16's targets).

    python -m bench.ops WORK_DIR --companies 10000 --score 100000 --paths 10000 --seed 1
    python -m bench.ops WORK_DIR --graph graph.gx --files data/ --score 100000 --paths 10000

Without ``--graph`` the stage generates ``--companies`` companies (and the
operational files) into ``WORK_DIR/data`` unless they are there already, and
loads them into the embedded store. With ``--graph`` it opens a saved
embedded graph (as ``bench.stages load`` writes it) and reads the operational
files from ``--files``. Then it times, each on its own:

* reading and validating the operational files against the graph;
* reading the companies to score from the graph (up to ``--score``
  non-client companies, in graph order);
* learning the model from the outcomes (5-fold cross-validated AUC);
* scoring them on the scorecard, with the model beside it (vectorised);
* turning the top ``--paths`` into lead candidates with their warmest path.

Targets at 1M companies (docs/benchmarks.md): scoring 100,000 in ≤ 60 s and
paths for the top 10,000 in ≤ 60 s. Prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bench.stages import peak_rss_mb


def run(
    work: Path, companies: int, score_n: int, paths_n: int, seed: int, graph: Path | None, files: Path | None
) -> dict[str, Any]:
    """Run the stage; figures in seconds (see the module docstring)."""
    from graph.embedded import EmbeddedStore
    from loaders.generate import generate
    from loaders.generate_ops import generate_ops
    from loaders.ops import read_ops
    from loaders.pipeline import load_files
    from queries.candidates import to_candidates
    from queries.scoring import company_frame, learn, score

    out: dict[str, Any] = {"companies": companies, "score": score_n, "paths": paths_n}
    t0 = time.perf_counter()
    if graph is None:
        folder = files or work / "data"
        if not (folder / "companies.csv").is_file():
            generate(folder, companies=companies, seed=seed)
        if not (folder / "events.csv").is_file():
            generate_ops(folder, seed)
        store = EmbeddedStore()
        load_files(store, folder)
    else:
        if files is None:
            raise SystemExit("--graph needs --files (the folder of operational files)")
        folder = files
        store = EmbeddedStore.open(graph)
    out["graph_seconds"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    ops, report = read_ops(folder, store)
    out["read_ops_seconds"] = time.perf_counter() - t1
    out["ops_rows"] = report.accepted
    out["ops_rejected"] = report.rejected
    t2 = time.perf_counter()
    keys: list[str] = []
    for node in store.iter_nodes("Company"):
        if not node.is_client:
            keys.append(node.key)
            if len(keys) >= score_n:
                break
    frame = company_frame(store, keys)
    out["read_companies_seconds"] = time.perf_counter() - t2
    out["scored"] = len(frame)
    as_of = "2025-06-30"
    t3 = time.perf_counter()
    model = learn(frame, ops, as_of=as_of, seed=seed)
    out["learn_seconds"] = time.perf_counter() - t3
    out["cv_auc"] = None if model is None else round(model.cv_auc, 4)
    t4 = time.perf_counter()
    scored = score(frame, ops, as_of=as_of, model=model)
    out["score_seconds"] = time.perf_counter() - t4
    out["tiers"] = scored.tier_counts()
    t5 = time.perf_counter()
    found = to_candidates(store, scored, ops, top=paths_n, paths_for=paths_n)
    out["paths_seconds"] = time.perf_counter() - t5
    out["with_path"] = sum(c.path_text is not None for c in found)
    out["paths_tried"] = len(found)
    out["paths_per_second"] = len(found) / out["paths_seconds"] if out["paths_seconds"] else None
    out["peak_mb"] = peak_rss_mb()
    return out


def markdown(result: dict[str, Any]) -> str:
    """One table row for docs/benchmarks.md."""
    r = result
    return (
        f"| {r['companies']:,} | {r['scored']:,} | {r['read_ops_seconds']:.1f} | {r['read_companies_seconds']:.1f} | "
        f"{r['learn_seconds']:.1f} (AUC {r['cv_auc']}) | {r['score_seconds']:.2f} | "
        f"{r['paths_tried']:,}: {r['paths_seconds']:.1f} ({r['with_path']:,} found) | {r['peak_mb']:.0f} |"
    )


HEADER = (
    "| companies | scored | read ops s | read companies s | learn s | score s | paths: s | peak MiB |\n"
    "|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ops", description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path)
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--score", type=int, default=100_000, help="companies to score (non-clients)")
    parser.add_argument("--paths", type=int, default=10_000, help="top candidates to attach a path to")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--graph", type=Path, help="a saved embedded graph instead of generating one")
    parser.add_argument("--files", type=Path, help="the folder of operational (and graph) files")
    args = parser.parse_args(argv)
    result = run(args.work, args.companies, args.score, args.paths, args.seed, args.graph, args.files)
    print(HEADER)
    print(markdown(result))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
