"""The generator's rare collisions (issue 14): every generated row loads, at any size and seed.

A load rejects a relationship repeating another's identity with other values
(MEMBER_OF: its ends and the role's class) and a client named by a name
two companies share. Those collisions are rare at small sizes (one in
100,000 companies), so each fix is tested here on the function that makes
the rows, with the collision forced; a few small seeds then go through the
loader's own validation end to end.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from loaders.generate import _make_unique, _name_keys, _named_alone, _repeated, _World, _Writer, generate
from loaders.generate_base import _LR, _ROLE, _STANDALONE, _WORDS, _first_of, _i64
from loaders.generate_kinds import _MEMBER, _MEMBER_FIRM, _one_office_each, draw_associations, draw_ties
from loaders.generate_names import REGIONS, ZIHAO_CHARS, short_place
from loaders.generate_ops import generate_ops
from loaders.pipeline import read_and_validate
from loaders.validate import name_key, name_key1


def _world(companies: int = 3000, seed: int = 1) -> _World:
    return _World.build(companies, seed, lambda _message: None)


@pytest.mark.parametrize("seed", [0, 1, 2, 7])
def test_generated_files_load_without_a_reject_merge_or_drop(tmp_path: Path, seed: int) -> None:
    generate(tmp_path, companies=1500, seed=seed)
    _, report = read_and_validate(None, tmp_path)
    assert report.rows_read > 10_000
    problems = [f"{r.file}:{r.row} {r.column}={r.value!r}: {r.reason}" for r in report.rejects]
    assert (report.rejected, report.merged, report.dropped, problems) == (0, 0, 0, [])


# -- MEMBER_OF: one office per person and association ------------------------------------------


def test_a_person_keeps_only_the_highest_of_his_offices_in_one_association() -> None:
    # person 7 is the legal representative of three members of association 0 (常务理事, 理事, 会长) and of one
    # of association 1; person 8 holds one office; the last row was not personal in the first place
    person = _i64([7, 7, 7, 7, 8, 7])
    association = _i64([0, 0, 0, 1, 0, 0])
    office = _i64([4, 5, 0, 5, 5, 1])
    personal = np.array([True, True, True, True, True, False])
    assert _one_office_each(person, association, office, personal).tolist() == [False, False, True, True, True, False]
    assert not _one_office_each(person, association, office, np.zeros(6, dtype=bool)).any()


def test_associations_with_one_legal_representative_for_every_company_name_him_once_each() -> None:
    w = _world()
    w.legal_rep[:] = int(w.legal_rep.max())  # forced: one person represents every member company
    _, rows = draw_associations(w)
    person = rows["person"]
    pairs = pd.DataFrame({"member": rows["member"][person], "association": rows["association"][person]})
    assert len(pairs) > 0 and not pairs.duplicated().any()
    # an office he cannot hold twice stays with the company: every association still has its offices
    offices = rows["office"] < _MEMBER
    held_by_companies = offices & ~person
    assert held_by_companies.any()
    assert set(rows["association"][offices].tolist()) == set(rows["association"].tolist())
    # the company a person holds an office for stays a member (会员单位)
    assert (rows["office"][~person & ~offices] >= _MEMBER).all()
    assert _MEMBER_FIRM in rows["office"][~person].tolist()


# -- company names: unique as the loader compares them; clients named by a name only when it is unique --


def test_names_differing_only_in_bracket_width_are_one_name() -> None:
    names = np.array(["千洲(深圳)针织有限公司", "千洲深圳针织有限公司", "千洲（深圳）针织有限公司"], dtype=object)
    keys = _name_keys(names, np.array([True, False, True]))
    assert keys.tolist() == [name_key1(str(n)) for n in names]
    assert _repeated(keys, _i64([0, 1, 2])).tolist() == [2]
    assert _repeated(keys, _i64([2, 1, 0])).tolist() == [0]  # the later one in file order is renamed
    assert _named_alone(keys, _i64([0, 1])).tolist() == [False, True]
    assert _named_alone(keys, _i64([])).tolist() == []


def test_the_words_names_are_made_of_are_left_alone_by_the_loaders_comparison() -> None:
    # _name_keys normalises only names with brackets (a style or a suffix): the other parts must be stable
    places = {short_place(r[1]) for r in REGIONS} | {short_place(r[2]) for r in REGIONS if r[2]}
    parts = [*ZIHAO_CHARS, *(str(w) for w in _WORDS), *places]
    assert [p for p in parts if name_key1(p) != p] == []


@pytest.mark.parametrize("seed", [0, 3])
def test_every_company_name_is_unique_as_the_loader_compares_names(seed: int) -> None:
    w = _world(seed=seed)
    loader = name_key(pd.Series(w.name, dtype="str"))
    assert loader.tolist() == w.name_key.tolist()  # the world's keys are the loader's
    assert loader.is_unique
    formers = pd.Series(w.former).str.split("\x1f").explode()
    formers = formers[formers != ""]
    assert len(formers) and not name_key(formers.astype("str")).isin(set(loader)).any()


def test_a_later_company_named_like_an_earlier_one_but_for_its_brackets_is_renamed() -> None:
    names = np.array(
        ["千洲(深圳)针织有限公司", "金源化工有限公司", "千洲（深圳）针织有限公司", "金源化工有限公司"], dtype=object
    )
    # file order: the third company comes first, so the first one (half-width brackets) is the later duplicate
    order = _i64([2, 1, 0, 3])
    calls: list[list[int]] = []

    def rename(ids: np.ndarray) -> np.ndarray:
        calls.append(ids.tolist())
        return np.asarray(names[ids] + "分公司", dtype=object)

    keys = _make_unique(names, np.array([True, False, True, False]), order, rename)
    assert calls == [[0, 3]]
    assert names.tolist()[0] == "千洲(深圳)针织有限公司分公司" and names.tolist()[2] == "千洲（深圳）针织有限公司"
    assert keys.tolist() == [name_key1(str(n)) for n in names] and len(set(keys.tolist())) == 4


def test_a_renamed_company_whose_new_name_is_taken_is_renamed_again() -> None:
    names = np.array(["金源", "金源", "金源化工"], dtype=object)
    words = iter(["化工", "机械"])

    def rename(ids: np.ndarray) -> np.ndarray:
        return np.asarray(names[ids] + next(words), dtype=object)

    keys = _make_unique(names, np.zeros(3, dtype=bool), _i64([0, 1, 2]), rename)
    assert names.tolist() == ["金源", "金源化工机械", "金源化工"] and keys.tolist() == names.tolist()


def test_names_drawn_from_two_characters_are_unique_as_the_loader_compares_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("loaders.generate.ZIHAO_CHARS", "千洲")  # forced: most names collide, rounds of renaming
    w = _world(companies=2000, seed=2)
    loader = name_key(pd.Series(w.name, dtype="str"))
    assert loader.tolist() == w.name_key.tolist() and loader.is_unique


def test_a_client_whose_name_another_company_shares_is_listed_with_its_uscc(tmp_path: Path) -> None:
    w = _world()
    sheet = _Writer(w, tmp_path, False, "utf-8", lambda _message: None)
    sheet.write_clients()
    clients = pd.read_csv(tmp_path / "clients.csv", dtype=str, keep_default_na=False)
    by_name = clients.index[clients["uscc"] == ""]
    assert len(by_name) > 0
    row = int(by_name[0])
    client = int(np.flatnonzero(w.name == clients["name"][row])[0])
    other = int(np.flatnonzero(~w.client)[0])
    # forced: another company bears the client's name with the other kind of brackets
    w.name[other] = str(w.name[client]).replace("（", "(").replace("）", ")") + " "
    w.name_key[other] = name_key1(str(w.name[other]))
    w.name_key[client] = name_key1(str(w.name[client]))
    assert w.name_key[other] == w.name_key[client]
    sheet.write_clients()
    again = pd.read_csv(tmp_path / "clients.csv", dtype=str, keep_default_na=False)
    assert again["uscc"][row] == w.uscc[client]
    assert (again["uscc"] == "").sum() == len(by_name) - 1


# -- acting in concert: one agreement per pair of persons --------------------------------------------


def test_a_pair_of_persons_running_many_companies_signs_one_concert_agreement() -> None:
    w = _world()
    solo = w.of(_STANDALONE)
    a, b = int(w.founder[solo[0]]), int(w.founder[solo[1]])
    # forced: every standalone company is founded by a and b, half of them the other way round
    w.founder[solo] = np.where(np.arange(len(solo)) % 2 == 0, a, b)
    w.partner[solo] = np.where(np.arange(len(solo)) % 2 == 0, b, a)
    ties = draw_ties(w)
    assert len(ties.concert["person"]) == 1
    fam = ties.family
    pairs = pd.DataFrame(
        {"a": np.minimum(fam["relative"], fam["person"]), "b": np.maximum(fam["relative"], fam["person"])}
    )
    assert not pairs.duplicated().any()  # one family tie per pair of persons too (the couple's among them)
    assert ((pairs["a"] == min(a, b)) & (pairs["b"] == max(a, b))).sum() <= 1


def test_officers_keep_one_post_of_a_class_besides_the_legal_representative() -> None:
    w = _world()
    o = pd.DataFrame({k: w.officers[k] for k in ("person", "company", "role")})
    assert not o.duplicated().any()
    others = o[o["role"] != _LR]
    assert not others.duplicated(["person", "company"]).any()
    assert _ROLE["董事"] in set(o["role"])


# -- operational events: one per company, type and day -----------------------------------------------


def test_a_second_event_of_one_type_on_one_day_is_not_drawn() -> None:
    owner, kind, days = _i64([3, 3, 3, 4, 3]), _i64([1, 1, 2, 1, 1]), _i64([10, 10, 10, 10, 11])
    assert _first_of([owner, kind, days]).tolist() == [0, 2, 3, 4]


def test_generated_events_are_one_per_company_type_and_day(tmp_path: Path) -> None:
    generate(tmp_path, companies=1500, seed=4)
    generate_ops(tmp_path, seed=4)
    events = pd.read_csv(tmp_path / "events.csv", dtype=str, keep_default_na=False)
    assert len(events) > 100
    assert not events.duplicated(["company", "event_type", "date"]).any()
