"""The latency benchmark runs, and the faster introduction steps give exactly the answers of the slower ones.

``bench.latency`` on a small saved store (no timing asserted). The steps made
for it (issues 13 and 14) change no answer: candidates not built equal the
paths built (ids, order, the same float warmth); ranking with the store's
hooks (candidates, names, stakes counted from arrays) equals ranking over
built paths; a file's row ranks equal the ones found by a pass over every
label or type code; the hubs' numpy pre-filter pushes what the row loop
pushes. Embedded store only: the hooks are the embedded store's.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from bench import latency
from bench.contenders import pick_prospects
from bench.stages import percentile
from graph import embedded_file, search_index
from graph.embedded import EmbeddedStore
from queries.common import steps
from queries.introductions import introductions
from queries.paths import PathOptions, build_query
from queries.ranking import ranked_groups
from tests.scenarios import saved_generated


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[EmbeddedStore, Path]:
    """A store loaded from a generated data set (every kind), and its saved file."""
    return saved_generated(tmp_path_factory.mktemp("latency"), companies=300, seed=4)


def test_latency_command_prints_the_figures(
    saved: tuple[EmbeddedStore, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, file = saved
    out = tmp_path / "answers.jsonl"
    assert latency.main(["--store", str(file), "--prospects", "12", "--seed", "2", "--answers", str(out)]) == 0
    text = capsys.readouterr().out
    assert "12 prospects" in text and "median" in text and "p99" in text and "cpu" in text
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12 and all("paths" in json.loads(line) for line in lines)
    assert latency.main(["--store", str(file), "--prospects", "3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["prospects"] == 3 and result["wall"]["p99_ms"] >= result["wall"]["median_ms"] >= 0


def test_latency_refuses_a_missing_store(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        latency.main(["--store", str(tmp_path / "none.gx")])


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 201)]
    assert percentile(values, 99) == 198.0
    assert percentile(values, 50) == 100.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 60) == 3.0  # 3 of 5 at or below: not the next rank up
    with pytest.raises(ValueError):
        percentile([], 50)


@pytest.mark.parametrize("opened", [True, False])
def test_candidates_equal_the_built_paths(saved: tuple[EmbeddedStore, Path], opened: bool) -> None:
    store = EmbeddedStore.open(saved[1]) if opened else saved[0]
    prospects = pick_prospects(store, 40, seed=3)
    nodes = store.get_nodes(prospects)
    seen = 0
    for nid in prospects:
        query = build_query(store, nodes[nid], PathOptions(k=25))
        paths = store.top_paths(query)
        found = store.path_candidates(query)
        assert [(c.ids, c.warmth) for c in found] == [(p.ids, p.warmth) for p in paths]  # the same floats
        assert store.build_paths(query, found) == paths
        seen += len(paths)
    assert seen > 40, "not vacuous: paths were found"


def test_ranking_with_the_hooks_equals_ranking_built_paths(saved: tuple[EmbeddedStore, Path]) -> None:
    store = EmbeddedStore.open(saved[1])
    # a low stakes threshold, so holders of stakes are left out and counted by both ways
    store.weights = dataclasses.replace(store.weights, no_connector_stakes=3)
    prospects = pick_prospects(store, 40, seed=5)
    nodes = store.get_nodes(prospects)
    left_out = 0
    for nid in prospects:
        for distinct in ("introducer", "first_contact", "none"):
            query = build_query(store, nodes[nid], PathOptions(k=3))
            fast = ranked_groups(store, query, distinct, False)
            with steps():  # no hook: every path of top_paths built, stakes counted from decoded relationships
                slow = ranked_groups(store, query, distinct, False)
            assert fast == slow
            left_out += fast.left_out
    assert left_out, "not vacuous: some paths went through holders of many stakes"


def test_out_counts_and_names_equal_the_decoded_ones(saved: tuple[EmbeddedStore, Path]) -> None:
    built, file = saved
    lazy = EmbeddedStore.open(file)
    ids = [n.id for n in built.iter_nodes("Company")][:60] + [n.id for n in built.iter_nodes("Person")][:60]
    for store in (built, lazy):
        counts = store.out_counts(ids, "HOLDS_SHARES")
        expected = dict.fromkeys(ids, 0)
        for edge in store.edges_of(ids, ["HOLDS_SHARES"]):
            if edge.source in expected:
                expected[edge.source] += 1
        assert counts == expected and any(counts.values())
        assert store.node_names([*ids, "Company:nobody"]) == {n.id: n.name for n in store.get_nodes(ids).values()}
    assert lazy._graph is None


def test_file_row_ranks_equal_a_pass_over_every_code(
    saved: tuple[EmbeddedStore, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    fg = embedded_file.FileGraph.open(saved[1])
    monkeypatch.setattr(embedded_file, "RANK_BLOCK", 7)  # many blocks on a small graph
    codes = fg.edge_arrays()[2]
    for j in range(len(fg.types)):
        rows = np.flatnonzero(codes == j)
        ranks, count = fg._type_ranks(j, rows)
        assert ranks.tolist() == list(range(len(rows))) and count == len(rows)
    for i in range(len(fg.labels)):
        at = np.flatnonzero(fg.label_codes == i)
        assert fg._label_ranks(i, at).tolist() == list(range(len(at)))
    fg._cache["label_starts"] = None  # as a file whose labels are not grouped
    for i in range(len(fg.labels)):
        at = np.flatnonzero(fg.label_codes == i)[::3]
        assert fg._label_ranks(i, at).tolist() == list(range(0, len(np.flatnonzero(fg.label_codes == i)), 3))
    fresh = EmbeddedStore.open(saved[1])
    fresh._file._cache["label_starts"] = None  # type: ignore[union-attr]
    assert [fresh.get_nodes([nid]) for nid in list(saved[0].graph)[:50]] == [
        saved[0].get_nodes([nid]) for nid in list(saved[0].graph)[:50]
    ]


def test_the_hub_filter_pushes_what_the_row_loop_pushes(
    saved: tuple[EmbeddedStore, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EmbeddedStore.open(saved[1])
    prospects = pick_prospects(store, 30, seed=7)

    def answers() -> list[object]:
        return [introductions(store, nid).to_dict() for nid in prospects]

    monkeypatch.setattr(search_index, "HUB_ROWS", 10**9)
    by_rows = answers()
    monkeypatch.setattr(search_index, "HUB_ROWS", 0)  # every node through the numpy filter
    assert answers() == by_rows
    assert any(a["paths"] for a in by_rows)  # type: ignore[index]


def test_strongest_hops_in_one_go_equal_pair_by_pair(saved: tuple[EmbeddedStore, Path]) -> None:
    fg = embedded_file.FileGraph.open(saved[1])
    src, dst, codes = fg.edge_arrays()
    rows = np.arange(0, fg.m, 5)
    a, b = src[rows], dst[rows]
    allowed = np.array([t != "SUPPLIES" for t in fg.types], dtype=bool)
    at_once = fg.strongest(a, b, allowed)
    fg._cache["by_source"] = np.arange(fg.m)  # as a file not in source order: every pair by itself
    assert fg.strongest(a, b, allowed).tolist() == at_once.tolist()
    strength = fg.strengths()
    for x, y, got in zip(a.tolist(), b.tolist(), at_once.tolist(), strict=True):
        joining = (src == x) & (dst == y) | (src == y) & (dst == x)
        wanted = strength[joining & allowed[codes]]
        assert got == (float(wanted.max()) if len(wanted) else 0.0)
    assert 0.0 in at_once.tolist() and any(v > 0 for v in at_once.tolist())
