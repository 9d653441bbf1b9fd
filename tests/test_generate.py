"""The synthetic data generator: deterministic, valid, consistent and shaped like real data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from graph.errors import InvalidParameter
from graph.schema import load_schema
from graph.uscc import is_valid_uscc
from loaders.generate import AS_OF, GenerateSummary, generate
from loaders.generate_names import REGIONS

N = 3000
FILES = (
    "companies.csv",
    "persons.csv",
    "parks.csv",
    "equity.csv",
    "officers.csv",
    "supply.csv",
    "guarantees.csv",
    "parks_located.csv",
    "ip_rights.csv",
    "ip_owners.csv",
    "associations.csv",
    "association_members.csv",
    "segments.csv",
    "transactions.csv",
    "segment_members.csv",
    "segment_links.csv",
    "family.csv",
    "acting_in_concert.csv",
    "clients.csv",
    "prospects.csv",
    "investments.csv",
)
#: reference tables every seed writes alike: the industry chains' segments and their order
REFERENCE = ("segments.csv", "segment_links.csv")
Read = Callable[[str], pd.DataFrame]


def _reader(folder: Path, encoding: str = "utf-8") -> Read:
    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(folder / name, dtype=str, keep_default_na=False, encoding=encoding)

    return read


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerateSummary]:
    out = tmp_path_factory.mktemp("gen")
    return out, generate(out, companies=N, seed=0)


@pytest.fixture(scope="module")
def read(generated: tuple[Path, GenerateSummary]) -> Read:
    return _reader(generated[0])


@pytest.fixture(scope="module")
def graph(read: Read) -> nx.MultiDiGraph:
    """All relationships as one directed multigraph; nodes are USCCs, person ids and park ids."""
    g = nx.MultiDiGraph()
    for file, source, target in (
        ("equity.csv", "holder", "company"),
        ("officers.csv", "person", "company"),
        ("supply.csv", "supplier", "customer"),
        ("guarantees.csv", "guarantor", "borrower"),
        ("parks_located.csv", "company", "park"),
    ):
        frame = read(file)
        g.add_edges_from(zip(frame[source], frame[target], strict=True), kind=file)
    return g


def test_writes_every_file_with_the_schemas_columns(generated: tuple[Path, GenerateSummary], read: Read) -> None:
    out, summary = generated
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert set(summary.rows) == set(FILES)
    for name in FILES:
        assert len(read(name)) == summary.rows[name], name
    assert list(read("equity.csv").columns) == ["holder", "holder_type", "company", "ratio", "amount", "since", "until"]
    assert list(read("officers.csv").columns) == ["person", "company", "role", "since", "until"]
    guarantee_columns = list(read("guarantees.csv").columns)
    assert guarantee_columns[:3] == ["guarantor", "guarantor_type", "borrower"]
    assert {"amount", "start", "end"} <= set(guarantee_columns)
    schema = load_schema()
    company = schema.label("Company")
    identifiers = {"stock_code", "lei", "other_id", "id_scheme"}  # generated companies all have a USCC
    assert list(read("companies.csv").columns) == [c for c in company.columns if c not in identifiers]
    for kind in schema.kinds.values():
        columns = set(read(f"{kind.file}.csv").columns)
        assert {kind.source.column, kind.target.column} <= columns
        assert set(kind.properties) <= columns
    assert set(read("clients.csv").columns) == set(schema.clients.properties)
    assert summary.seconds > 0
    assert "total" in summary.describe()


def test_same_seed_same_bytes_other_seed_other_data(generated: tuple[Path, GenerateSummary], tmp_path: Path) -> None:
    out, _ = generated
    again = generate(tmp_path / "again", companies=N, seed=0)
    for name in FILES:
        assert (out / name).read_bytes() == (again.out_dir / name).read_bytes(), name
    other = generate(tmp_path / "other", companies=N, seed=1)
    for name in FILES:
        if name not in REFERENCE:
            assert (out / name).read_bytes() != (other.out_dir / name).read_bytes(), name


def test_sizes_are_as_requested(read: Read, generated: tuple[Path, GenerateSummary]) -> None:
    rows = generated[1].rows
    assert rows["companies.csv"] == N
    per_company = {name: rows[name] / N for name in FILES}
    assert 1.5 <= per_company["equity.csv"] <= 2.1
    assert 2.5 <= per_company["officers.csv"] <= 3.6
    assert 0.9 <= per_company["supply.csv"] <= 1.6
    assert 0.1 <= per_company["guarantees.csv"] <= 0.3
    assert 0.25 <= per_company["parks_located.csv"] <= 0.5
    assert 0.04 <= per_company["clients.csv"] <= 0.1
    assert per_company["persons.csv"] >= 1.0
    assert 0.1 <= per_company["transactions.csv"] <= 0.5
    assert 0.05 <= per_company["segment_members.csv"] <= 0.2


def test_every_uscc_is_valid_unique_and_regional(read: Read) -> None:
    companies = read("companies.csv")
    assert all(is_valid_uscc(code) for code in companies["uscc"])
    assert companies["uscc"].is_unique
    codes = {r[3] for r in REGIONS}
    business = companies[companies["uscc"].str.startswith("91")]
    state = companies[companies["uscc"].str.startswith("11")]
    assert len(business) + len(state) == N
    assert business["uscc"].str[2:8].isin(codes).all()
    assert state["name"].str.contains("国有资产监督管理委员会").all() and len(state) >= 2


def test_names_are_unique_chinese_company_names(read: Read) -> None:
    companies = read("companies.csv")
    assert companies["name"].is_unique
    suffixes = ("有限公司", "有限责任公司", "股份有限公司", "国有资产监督管理委员会", "合伙企业（有限合伙）")
    assert companies["name"].str.endswith(suffixes).all()
    assert companies["name"].str.contains("（").any()
    assert (companies["former_names"] != "").mean() > 0.02
    persons = read("persons.csv")
    assert persons["id"].is_unique and persons["id"].str.fullmatch(r"P\d{8}").all()
    assert not persons["name"].is_unique  # people share names; ids tell them apart
    assert persons["name"].str.len().between(2, 4).all()


def test_no_dangling_references_and_no_self_loops(read: Read) -> None:
    companies = set(read("companies.csv")["uscc"])
    persons = set(read("persons.csv")["id"])
    parks = set(read("parks.csv")["id"])
    equity = read("equity.csv")
    is_person = equity["holder_type"] == "Person"
    assert equity.loc[is_person, "holder"].isin(persons).all()
    assert equity.loc[~is_person, "holder"].isin(companies).all()
    assert (equity["holder_type"].isin(["Person", "Company"])).all()
    assert equity["company"].isin(companies).all()
    officers = read("officers.csv")
    assert officers["person"].isin(persons).all() and officers["company"].isin(companies).all()
    supply = read("supply.csv")
    assert supply["supplier"].isin(companies).all() and supply["customer"].isin(companies).all()
    guarantees = read("guarantees.csv")
    by_person = guarantees["guarantor_type"] == "Person"
    assert guarantees.loc[by_person, "guarantor"].isin(persons).all()
    assert guarantees.loc[~by_person, "guarantor"].isin(companies).all()
    assert guarantees["borrower"].isin(companies).all()
    located = read("parks_located.csv")
    assert located["company"].isin(companies).all() and located["park"].isin(parks).all()
    clients = read("clients.csv")
    assert clients.loc[clients["uscc"] != "", "uscc"].isin(companies).all()
    assert clients["name"].isin(set(read("companies.csv")["name"])).all()
    # every person written has at least one relationship
    used = set(officers["person"]) | set(equity.loc[is_person, "holder"]) | set(guarantees.loc[by_person, "guarantor"])
    investments = read("investments.csv")
    used |= set(investments.loc[investments["investor_type"] == "Person", "investor"])
    assert used == persons
    # no self-loops
    assert (equity["holder"] != equity["company"]).all()
    assert (supply["supplier"] != supply["customer"]).all()
    assert (guarantees["guarantor"] != guarantees["borrower"]).all()


def test_one_row_per_relationship_identity(read: Read) -> None:
    assert not read("equity.csv").duplicated(["holder", "company"]).any()
    assert not read("officers.csv").duplicated(["person", "company", "role"]).any()
    assert not read("supply.csv").duplicated(["supplier", "customer", "year"]).any()
    assert not read("guarantees.csv").duplicated(["guarantor", "borrower", "start"]).any()
    assert not read("parks_located.csv").duplicated(["company", "park"]).any()


def test_ratios_are_shares_that_add_up_to_at_most_one(read: Read) -> None:
    equity = read("equity.csv")
    ratio = equity["ratio"].astype(float)
    assert ((ratio > 0) & (ratio <= 1)).all()
    current = equity["until"] == ""
    assert ratio[current].groupby(equity["company"][current]).sum().max() <= 1 + 1e-9
    assert 0 < (~current).mean() < 0.05  # a few holders have exited
    assert (ratio >= 0.5).mean() > 0.3  # controlling stakes are common
    assert (ratio < 0.05).any()  # so are small ones


def test_values_are_what_the_schema_accepts(read: Read) -> None:
    schema = load_schema()
    status = schema.label("Company").properties["status"]
    assert all(status.canonical_value(s) for s in read("companies.csv")["status"].unique())
    role = schema.kind("SERVES_AS").properties["role"]
    for title in read("officers.csv")["role"].unique():
        assert all(role.canonical_value(part) for part in title.split("兼")), title
    today = AS_OF.isoformat()
    officers = read("officers.csv")
    assert (officers["since"] <= today).all()
    left = officers[officers["until"] != ""]
    assert len(left) and (left["until"] >= left["since"]).all() and (left["until"] <= today).all()
    guarantees = read("guarantees.csv")
    assert (guarantees["end"] > guarantees["start"]).all()
    kind = next(n for n, p in schema.kind("GUARANTEES").properties.items() if "担保方式" in p.headers)
    assert set(guarantees[kind]) <= {"连带责任保证", "一般保证", "抵押", "质押"}
    supply = read("supply.csv")
    amount = supply["amount"].astype(float)
    assert amount.min() >= 1e4 and amount.max() <= 5e9 and amount.median() < amount.mean()  # heavy tail
    assert supply["year"].astype(int).between(2020, AS_OF.year - 1).all()
    companies = read("companies.csv")
    assert companies["founded"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert set(companies["listed"]) == {"true", "false"}


def test_every_company_has_one_legal_representative_who_is_not_its_supervisor(read: Read) -> None:
    officers = read("officers.csv")
    lr = officers[officers["role"] == "法定代表人"]
    assert set(lr["company"]) == set(read("companies.csv")["uscc"])
    assert lr["company"].is_unique
    supervisors = officers[officers["role"].isin(["监事", "监事会主席", "职工监事"])]
    clash = supervisors.merge(lr, on=["person", "company"])
    assert clash.empty
    posts = officers.groupby("person")["company"].nunique()
    assert (posts >= 3).sum() > N * 0.02  # many people hold several posts


def test_there_are_guarantee_circles(graph: nx.MultiDiGraph, read: Read) -> None:
    guarantees = read("guarantees.csv")
    companies = guarantees[guarantees["guarantor_type"] == "Company"]
    g = nx.DiGraph(list(zip(companies["guarantor"], companies["borrower"], strict=True)))
    cycles = list(nx.simple_cycles(g, length_bound=5))
    assert any(len(c) >= 3 for c in cycles)
    assert any(len(c) == 2 for c in cycles)  # mutual guarantees (互保)


def test_equity_has_pyramids_hubs_and_loops(read: Read) -> None:
    equity = read("equity.csv")
    companies = read("companies.csv")
    # pyramids: a parent controls a subsidiary that controls a sub-subsidiary
    control = equity[(equity["holder_type"] == "Company") & (equity["ratio"].astype(float) >= 0.5)]
    chains = control.merge(control, left_on="company", right_on="holder", suffixes=("_top", "_sub"))
    assert len(chains[chains["holder_top"] != chains["company_sub"]]) > 20
    all_firms = equity[equity["holder_type"] == "Company"]
    loops = list(nx.simple_cycles(nx.DiGraph(list(zip(all_firms["holder"], all_firms["company"], strict=True)))))
    assert loops  # a few ownership loops
    state = set(companies.loc[companies["uscc"].str.startswith("11"), "uscc"])
    held = equity[equity["holder"].isin(state)].groupby("holder").size()
    assert held.max() >= 20  # a state asset commission is a hub
    assert (equity["holder_type"] == "Person").mean() > 0.4  # natural-person founders


def test_parks_are_a_few_hubs_and_many_small_ones(read: Read) -> None:
    sizes = read("parks_located.csv").groupby("park").size()
    assert sizes.max() >= 3 * sizes.median()  # at 1M companies the big ones have thousands
    parks = read("parks.csv")
    assert "张江高科技园区" in set(parks["name"]) and parks["name"].is_unique


def test_clients_have_managers_and_branches(read: Read) -> None:
    clients = read("clients.csv")
    assert (clients["manager"] != "").all() and (clients["branch"].str.contains("分行")).all()
    assert clients["manager"].nunique() < len(clients) / 5
    assert (clients["uscc"] == "").any() or len(clients) < 100  # some lists name clients only


def test_most_non_clients_have_a_client_within_four_hops(graph: nx.MultiDiGraph, read: Read) -> None:
    clients = set(read("clients.csv")["name"])
    companies = read("companies.csv")
    client_codes = set(companies.loc[companies["name"].isin(clients), "uscc"])
    undirected = nx.Graph(graph)
    undirected.add_node("__clients__")
    undirected.add_edges_from(("__clients__", c) for c in client_codes)
    hops = nx.single_source_shortest_path_length(undirected, "__clients__", cutoff=5)
    others = [c for c in companies["uscc"] if c not in client_codes]
    near = sum(1 for c in others if c in hops and hops[c] - 1 <= 4)
    assert near / len(others) > 0.8


def test_the_demo_prospects_come_first_with_warm_paths_of_every_kind(
    generated: tuple[Path, GenerateSummary], read: Read
) -> None:
    summary = generated[1]
    companies = read("companies.csv")
    assert tuple(companies["uscc"][:5]) == summary.demo_prospects
    client_names = set(read("clients.csv")["name"])
    clients = set(companies.loc[companies["name"].isin(client_names), "uscc"])
    assert not clients & set(summary.demo_prospects)
    d0 = summary.demo_prospects[0]
    officers = read("officers.csv")
    directors = officers.loc[(officers["company"] == d0) & (officers["role"] == "董事"), "person"]
    chairs = officers[
        officers["role"].isin(["董事长", "执行董事", "执行董事兼总经理"]) & officers["company"].isin(clients)
    ]
    assert set(directors) & set(chairs["person"])  # a shared chairman
    equity = read("equity.csv")
    stake = equity[(equity["company"] == d0) & equity["holder"].isin(clients)]
    assert list(stake["ratio"]) == ["0.3"]  # a 30% stake
    supply = read("supply.csv")
    assert supply[(supply["supplier"] == d0) & supply["customer"].isin(clients)]["amount"].astype(float).max() >= 1e8
    guarantees = read("guarantees.csv")
    assert guarantees[(guarantees["borrower"] == d0) & guarantees["guarantor"].isin(clients)].shape[0] == 1
    located = read("parks_located.csv")
    park = set(located.loc[located["company"] == d0, "park"])
    assert set(located.loc[located["park"].isin(park) & located["company"].isin(clients), "company"])
    assert len(summary.demo) >= 10 and all(isinstance(line, str) for line in summary.demo)
    assert companies.loc[:4, "status"].eq("存续").all() and companies.loc[:4, "blacklisted"].eq("false").all()


def test_prospect_list_has_exact_and_slightly_different_names(
    generated: tuple[Path, GenerateSummary], read: Read
) -> None:
    prospects = read("prospects.csv")
    assert list(prospects.columns) == ["name", "uscc"]
    names = set(read("companies.csv")["name"])
    demo = generated[1].demo_prospects
    assert prospects["uscc"][0] == demo[0]
    assert prospects["name"][1] + "有限公司" in names  # 有限公司 left out
    assert "(" in prospects["name"][3] and prospects["name"][3] not in names  # half-width brackets
    exact = prospects["name"].isin(names)
    assert 0.5 < exact.mean() < 0.95
    unknown = prospects[~exact & (prospects["uscc"] == "")]
    assert len(unknown) >= 3
    assert ((prospects["uscc"] != "") & prospects["uscc"].map(is_valid_uscc)).sum() > 0


def test_chinese_headers_and_gb18030(tmp_path: Path, generated: tuple[Path, GenerateSummary]) -> None:
    summary = generate(tmp_path, companies=N, seed=0, headers="zh", encoding="gb18030")
    read = _reader(tmp_path, "gb18030")
    companies = read("companies.csv")
    assert list(companies.columns)[:3] == ["统一社会信用代码", "企业名称", "曾用名"]
    assert list(read("equity.csv").columns)[:4] == ["股东ID", "股东类型", "被投资企业统一社会信用代码", "持股比例"]
    assert "职务" in read("officers.csv").columns
    assert list(read("prospects.csv").columns) == ["企业名称", "统一社会信用代码"]
    assert set(companies["是否上市"]) == {"是", "否"}
    assert set(read("equity.csv")["股东类型"]) == {"企业", "自然人"}
    english = _reader(generated[0])("companies.csv")
    assert list(companies["统一社会信用代码"]) == list(english["uscc"])
    assert list(companies["企业名称"]) == list(english["name"])
    assert summary.rows == generated[1].rows
    with pytest.raises(UnicodeDecodeError):
        (tmp_path / "companies.csv").read_bytes().decode("utf-8")


@pytest.mark.parametrize("size", [100, 137, 1000])
def test_small_sizes_work(tmp_path: Path, size: int) -> None:
    summary = generate(tmp_path, companies=size, seed=size)
    assert summary.rows["companies.csv"] == size
    assert len(summary.demo_prospects) == 5
    assert all(is_valid_uscc(c) for c in _reader(tmp_path)("companies.csv")["uscc"])


def test_progress_is_reported(tmp_path: Path) -> None:
    messages: list[str] = []
    generate(tmp_path, companies=200, seed=3, progress=messages.append)
    assert any("companies.csv" in m for m in messages)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"companies": 10}, "companies"),
        ({"companies": 1000, "seed": -1}, "seed"),
        ({"companies": 1000, "headers": "fr"}, "headers"),
        ({"companies": 1000, "encoding": "no-such-codec"}, "encoding"),
    ],
)
def test_bad_parameters_are_refused(tmp_path: Path, kwargs: dict[str, object], name: str) -> None:
    with pytest.raises(InvalidParameter, match=name):
        generate(tmp_path, **kwargs)  # type: ignore[arg-type]


def test_funds_have_one_managing_partner_and_shares_that_add_up(read: Read) -> None:
    inv = read("investments.csv")
    assert list(inv.columns) == [
        "investor", "investor_type", "fund", "partner_role", "ratio", "amount", "since", "until"
    ]  # fmt: skip
    assert set(inv["partner_role"]) == {"执行事务合伙人", "普通合伙人", "有限合伙人"}
    managing = inv[inv["partner_role"] == "执行事务合伙人"]
    assert managing["fund"].is_unique and set(managing["fund"]) == set(inv["fund"])
    current = inv["until"] == ""
    assert inv["ratio"][current].astype(float).groupby(inv["fund"][current]).sum().max() <= 1 + 1e-9
    names = read("companies.csv").set_index("uscc")["name"]
    assert names[inv["fund"].unique()].str.endswith("合伙企业（有限合伙）").all()
