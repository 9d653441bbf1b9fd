"""FollowTheMoney and BODS in and out, on both stores.

The standards' own published examples load (the BODS 0.4 fixtures of
``bods-v04-fixtures``), what has no home in guanxi is reported by kind, BODS
written by guanxi validates against the published 0.4 JSON schema (as
``libcovebods`` ships it), and guanxi → FtM → guanxi and guanxi → BODS →
guanxi give the same graph for every kind the format can hold.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import bods_fixtures
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from graph.embedded import EmbeddedStore
from graph.errors import LoadError
from graph.store import GraphStore
from guanxi.cli import main as main_cli
from loaders.bods import write_statements
from loaders.ftm import write_entities
from loaders.generate import generate
from loaders.pipeline import find_sources, load_files, replace_files
from tests.conftest import StoreFactory

#: the relationship properties each format carries over, by type
FTM_PROPS: dict[str, tuple[str, ...]] = {
    "HOLDS_SHARES": ("ratio", "since", "until"),
    "INVESTS_IN": ("partner_role", "ratio", "since", "until"),
    "SERVES_AS": ("role", "since", "until"),
    "LOCATED_IN": ("since",),
    "SUPPLIES": (),
    "GUARANTEES": ("start", "end"),
    "MEMBER_OF": ("role", "since", "until"),
    "PAYS": ("amount", "year", "first", "last"),
    "FAMILY": ("relation",),
    "ACTS_IN_CONCERT": ("since", "until"),
}
BODS_PROPS: dict[str, tuple[str, ...]] = {
    "HOLDS_SHARES": ("ratio", "since", "until"),
    "SERVES_AS": ("role", "since", "until"),
    "INVESTS_IN": ("partner_role", "ratio", "since", "until"),
}


def view(store: GraphStore, props: dict[str, tuple[str, ...]], labels: tuple[str, ...]) -> tuple[set[Any], set[Any]]:
    """The graph as comparable sets: nodes by (label, key, name), ties by type, end keys and ``props``."""
    nodes = {n.id: n for n in store.iter_nodes() if n.label in labels}
    node_set = {(n.label, n.key, n.name) for n in nodes.values()}
    edges = set()
    for e in store.iter_edges(list(props)):
        if e.source in nodes and e.target in nodes:
            values = tuple(_rounded(e.props.get(p)) for p in props[e.type])
            edges.add((e.type, nodes[e.source].key, nodes[e.target].key, values))
    return node_set, edges


def _rounded(value: Any) -> Any:
    return round(value, 6) if isinstance(value, float) else value


def fixture_file(tmp_path: Path, name: str) -> Path:
    """One published BODS fixture written to a file, as a register would send it."""
    path = tmp_path / f"{name.replace('/', '_')}.json"
    path.write_text(json.dumps(bods_fixtures.load(name).statements, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("interchange") / "data"
    generate(folder, companies=150, seed=3)
    return folder


@pytest.fixture
def loaded(make_store: StoreFactory, small: Path) -> Iterator[GraphStore]:
    store = make_store()
    load_files(store, [p for p in sorted(small.iterdir()) if p.suffix == ".csv"])
    yield store


def test_the_published_bods_fixtures_load_and_say_what_has_no_home(make_store: StoreFactory, tmp_path: Path) -> None:
    store = make_store()
    report = load_files(store, fixture_file(tmp_path, "core/01-direct-ownership"))
    [company] = [n for n in store.iter_nodes("Company")]
    [person] = [n for n in store.iter_nodes("Person")]
    assert (company.name, company.key, person.name) == ("Acme Holdings Ltd", "GB-COH:10000001", "Jane Smith")
    [holding] = list(store.iter_edges(["HOLDS_SHARES"]))
    assert (holding.source, holding.target, holding.props["ratio"]) == (person.id, company.id, 0.75)
    assert any("1 votingRights interest" in x for x in report.ignored_files)

    circular = make_store()
    load_files(circular, fixture_file(tmp_path, "edge-cases/10-circular-ownership"))
    pairs = {(e.source, e.target, e.props["ratio"]) for e in circular.iter_edges(["HOLDS_SHARES"])}
    ids = {n.name: n.id for n in circular.iter_nodes("Company")}
    assert pairs == {
        (ids["Alpha Corp Ltd"], ids["Beta Corp Ltd"], 1.0),
        (ids["Beta Corp Ltd"], ids["Alpha Corp Ltd"], 1.0),
    }

    anonymous = make_store()
    report = load_files(anonymous, fixture_file(tmp_path, "edge-cases/11-anonymous-person"))
    assert [n.name for n in anonymous.iter_nodes("Company")] == ["Opaque Holdings SA"]
    assert any(
        "owner declared unknown (subjectUnableToConfirmOrIdentifyBeneficialOwner)" in x for x in report.ignored_files
    )


def test_guanxi_to_ftm_to_guanxi_is_the_same_graph(
    make_store: StoreFactory, loaded: GraphStore, tmp_path: Path
) -> None:
    out = tmp_path / "graph.ftm.json"
    count, lost = write_entities(loaded, out)
    # FtM has no schema for supply and guarantee ties: only their amounts and the like are not carried
    # (nor for a payment's count, nor for industry-chain segments; nor for IP rights: co-ownership is left out whole)
    assert (
        count > 0
        and lost
        and all(
            k.startswith(("SUPPLIES:", "GUARANTEES:", "PAYS:", "IN_SEGMENT:", "UPSTREAM_OF:", "OWNS_IP:")) for k in lost
        )
    ), lost
    labels = ("Company", "Person", "Park", "Association")
    before = view(loaded, FTM_PROPS, labels)  # on Neo4j the next store is the same database, emptied
    again = make_store()
    report = load_files(again, out)
    assert report.rejected == 0, report.summary("en")
    assert view(again, FTM_PROPS, labels) == before


def test_guanxi_to_bods_to_guanxi_is_the_same_graph_and_valid_bods(
    make_store: StoreFactory, loaded: GraphStore, tmp_path: Path
) -> None:
    out = tmp_path / "graph.bods.json"
    count, left_out = write_statements(loaded, out, today="2026-12-07")
    statements = json.loads(out.read_text(encoding="utf-8"))
    assert len(statements) == count
    # BODS has no statement for family ties, concert agreements, payments, industry-chain segments, IP rights
    # or associations
    assert set(left_out) == {
        "SUPPLIES",
        "GUARANTEES",
        "LOCATED_IN",
        "FAMILY",
        "ACTS_IN_CONCERT",
        "OWNS_IP",
        "MEMBER_OF",
        "PAYS",
        "IN_SEGMENT",
        "UPSTREAM_OF",
    }
    errors = sorted(bods_schema().iter_errors(statements), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    before = view(loaded, BODS_PROPS, ("Company", "Person"))  # on Neo4j the next store is the same database
    again = make_store()
    report = load_files(again, out)
    assert report.rejected == 0, report.summary("en")
    assert view(again, BODS_PROPS, ("Company", "Person")) == before


def bods_schema() -> Draft202012Validator:
    """The published BODS 0.4 statement schema with the records and components it refers to."""
    root = files("libcovebods") / "data" / "schema-0-4-0"
    resources = []
    main: dict[str, Any] = {}
    for name in ("statement", "components", "entity-record", "person-record", "relationship-record"):
        document = json.loads((root / f"{name}.json").read_text(encoding="utf-8"))
        resources.append((document["$id"], Resource.from_contents(document)))
        if name == "statement":
            main = document
    return Draft202012Validator(main, registry=Registry().with_resources(resources))


def test_hostile_records_are_rejected_with_file_and_row(make_store: StoreFactory, tmp_path: Path) -> None:
    store = make_store()
    path = tmp_path / "hostile.ftm.jsonl"
    lines = [
        {
            "id": "c1",
            "schema": "Company",
            "properties": {"name": ['=HYPERLINK("http://x")'], "registrationNumber": ["91110000X"]},
        },
        {"id": "p1", "schema": "Person", "properties": {"name": ["张\u0000伟"]}},
        {"id": "p2", "schema": "Person", "properties": {"name": ["李" * 20_000]}},
        {"id": "o1", "schema": "Ownership", "properties": {"owner": ["p9"], "asset": ["c1"], "percentage": ["abc"]}},
        {"id": "f1", "schema": "Family", "properties": {"person": ["p1"], "relative": ["p2"]}},
        {
            "id": "a1",
            "schema": "Associate",
            "properties": {"person": ["p1"], "associate": ["p2"], "relationship": ["friend"]},
        },
        "not an entity",
    ]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    report = load_files(store, path)
    rows = {(r.file, r.row) for r in report.rejects}
    assert ("hostile.ftm.jsonl", 2) in rows and ("hostile.ftm.jsonl", 3) in rows and ("hostile.ftm.jsonl", 4) in rows
    assert ("hostile.ftm.jsonl", 5) in rows  # a Family maps to FAMILY: its persons were refused, so is it
    assert any("1 Associate of other kinds" in x for x in report.ignored_files)
    assert all(n.name != "张\u0000伟" for n in store.iter_nodes())


def test_a_broken_json_file_is_named_with_its_line_and_a_replace_refuses_it(
    make_store: StoreFactory, loaded: GraphStore, small: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "entities.json"
    broken.write_text(
        '{"id": "a", "schema": "Person", "properties": {"name": ["甲"]}}\n{"id": "b", "schema": \n', encoding="utf-8"
    )
    sources, ignored = find_sources([small / "companies.csv", broken])
    assert [s.name for s in sources] == ["Company"]
    assert any("entities.json" in x and "line 2" in x for x in ignored)
    before = loaded.stats()
    with pytest.raises(LoadError, match=r"entities\.json"):
        replace_files(loaded, [*sorted(p for p in small.iterdir() if p.suffix == ".csv"), broken])
    assert loaded.stats() == before


def test_the_cli_exports_part_of_the_graph_and_loads_it_back(small: Path, tmp_path: Path) -> None:
    store = tmp_path / "s.gx"
    assert main_cli(["load", str(small), "--store", str(store), "--json"]) == 0
    first = next(iter(EmbeddedStore.open(store).iter_nodes("Company")))
    out = tmp_path / "part.bods.json"
    at = ["--store", str(store)]
    assert main_cli(["export", str(out), "--format", "bods", "--around", first.key, "--hops", "1", *at]) == 0
    again = tmp_path / "t.gx"
    assert main_cli(["load", str(out), "--store", str(again), "--json"]) == 0
    names = {n.name for n in EmbeddedStore.open(again).iter_nodes("Company")}
    assert first.name in names
    assert main_cli(["export", str(out), "--format", "ftm", "--around", "没有这家公司", *at]) == 2
    assert main_cli(["export", str(out), "--format", "ftm", "--around", first.key, "--hops", "9", *at]) == 2


def test_the_data_page_loads_a_bods_file(small: Path, tmp_path: Path) -> None:
    """An uploaded BODS file loads into the explorer's store and the report says what had no home."""
    from streamlit.testing.v1 import AppTest

    graph_file = tmp_path / "graph.gx"
    assert main_cli(["load", str(small), "--store", str(graph_file), "--json"]) == 0
    body = json.dumps(bods_fixtures.load("core/01-direct-ownership").statements).encode()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GUANXI_STORE", str(graph_file))
        for name in ("NEO4J_URI", "GUANXI_BACKEND", "GUANXI_WARMTH", "GUANXI_READ_ONLY"):
            mp.delenv(name, raising=False)
        at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
        at.run()
        at.radio(key="page").set_value("data").run()
        at.file_uploader(key="data_files").set_value(("register.json", body, "application/json")).run()
        at.button(key="data_load").click().run()
        assert not at.exception, at.exception
        assert not at.error, [e.value for e in at.error]
    names = {n.name for n in EmbeddedStore.open(graph_file).iter_nodes("Company")}
    assert "Acme Holdings Ltd" in names
