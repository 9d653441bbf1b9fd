"""The generator's producers, one per relationship kind: what each kind's rows are and how they are drawn.

A producer turns the generated world (:mod:`loaders.generate`) into the rows
of one relationship file, sorted like an export; :data:`PRODUCERS` registers
them by relationship type. A kind the schema declares without a producer here
(one added through ``schema.yaml`` alone) gets no file: :func:`loaders.generate.generate`
says so in one line and writes everything else.

Each kind's draw lives here too and returns its own rows (equity, parks,
supply, guarantees: :func:`draw_equity` ...); officer posts are drawn with the
people who hold them, in the world's people stage. The world calls the draws
in a fixed order (guarantees follow trade), each on its own random stream, and
the demo then plants its paths into the rows they returned.

>>> sorted(PRODUCERS)  # doctest: +NORMALIZE_WHITESPACE
['ACTS_IN_CONCERT', 'FAMILY', 'GUARANTEES', 'HOLDS_SHARES', 'INVESTS_IN', 'IN_SEGMENT', 'LOCATED_IN',
 'MEMBER_OF', 'OWNS_IP', 'PAYS', 'SERVES_AS', 'SUPPLIES', 'UPSTREAM_OF']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt

from loaders.generate_base import (
    _CHAIR_ROLES,
    _CITY_INDEX,
    _CLOSED,
    _GOV,
    _GUARANTEE_TEXT,
    _INVEST,
    _PRODUCT_COUNT,
    _PRODUCT_SLOTS,
    _PRODUCTS,
    _ROLE,
    _ROLE_TEXT,
    _ROOT,
    _S_EQUITY,
    _S_GUARANTEE,
    _S_PARKS,
    _S_SUPPLY,
    _STANDALONE,
    _SUB,
    _TODAY,
    _UPSTREAM,
    AS_OF,
    I64,
    Bool,
    Chunk,
    Cols,
    Obj,
    _Buckets,
    _concat,
    _days,
    _first_of,
    _i64,
    _industry,
    _keep,
    _majority,
    _merge_stakes,
    _p,
    _pick,
    _rng,
    _round_nice,
    _shares,
    _skewed,
    _slots,
    _Table,
    _take,
    _years_later,
)
from loaders.generate_names import (
    GUARANTEE_TYPES,
    INDUSTRIES,
    PARK_KINDS,
    PARK_THEMES,
    REAL_PARKS,
    REGIONS,
    ZIHAO_CHARS,
    short_place,
)

if TYPE_CHECKING:
    from loaders.generate import _World, _Writer


class KindRows(NamedTuple):
    """What a producer hands the writer: how many rows the file has and how to make a chunk of them."""

    total: int
    chunk: Chunk


#: a producer: the writer (the world, row order, ids and value texts) → the kind's rows
Producer = Callable[["_Writer"], KindRows]


# -- drawing the kinds ---------------------------------------------------------------


def draw_equity(w: _World) -> Cols:
    """Shareholders of every company but the state bodies; a company's shares add up to at most 100%."""
    rng = _rng(w.seed, _S_EQUITY)
    table = _Table("holder", "person", "company", "units", "since")
    investors = w.of(_INVEST)
    inv_weight = _p(1.0 / np.arange(1, len(investors) + 1) ** 0.6)
    outsiders = w.of(_STANDALONE, _SUB, _INVEST)
    govs = w.of(_GOV)

    def funds(count: int) -> I64:
        return investors[rng.choice(len(investors), count, p=inv_weight)]

    def add(company: I64, place: I64, units: I64, holder: I64, person: Bool) -> None:
        later = (rng.random(len(company)) * 0.7 * (_TODAY - w.founded[company])).astype(np.int64)
        since = w.founded[company] + np.where(place <= 1, 0, later)
        table.add(holder=holder, person=person, company=company, units=units, since=since)

    # standalone companies and investment firms: founder, partner, then friends, funds, firms
    solo = w.of(_STANDALONE, _INVEST)
    k = w.holders[solo]
    first = np.where(k == 2, _majority(rng, len(solo)), rng.integers(34, 81, len(solo)) * 100)
    owner, place, units = _shares(rng, k, np.where(k == 1, 10_000, first), np.full(len(solo), 10_000))
    company = solo[owner]
    holder = np.where(place == 0, w.founder[company], w.partner[company])
    person = np.ones(len(owner), dtype=bool)
    draw = rng.random(len(owner))
    friend = (place >= 2) & (draw < 0.6)
    holder[friend] = w.new_persons(int(friend.sum()))
    fund = (place >= 2) & (draw >= 0.6) & (draw < 0.88)
    holder[fund] = funds(int(fund.sum()))
    firm = (place >= 2) & (draw >= 0.88)
    holder[firm] = _pick(rng, outsiders, int(firm.sum()))
    person[fund | firm] = False
    add(company, place, units, holder, person)

    # private group parents: the chairman's family, funds; listed ones keep a public float
    private = w.g_start[~w.g_soe]
    listed = w.listed[private]
    m = len(private)
    k = np.where(listed, 5 + rng.integers(0, 3, m), rng.choice(4, m, p=[0.2, 0.35, 0.3, 0.15]) + 1)
    loop = (w.g_size[~w.g_soe] >= 4) & (rng.random(m) < 0.05)
    k = np.where(loop, np.maximum(k, 3), k)
    total = np.where(listed, rng.integers(55, 76, m) * 100, 10_000)
    first = np.where(listed, rng.integers(25, 46, m) * 100, _majority(rng, m))
    owner, place, units = _shares(rng, k, np.where(k == 1, total, first), total)
    company = private[owner]
    g = w.group[company]
    pool = w.g_pool[g]
    holder = np.where(place == 0, pool, pool + 1)
    person = np.ones(len(owner), dtype=bool)
    draw = rng.random(len(owner))
    later = place >= 2
    fund = later & (draw < np.where(listed[owner], 0.7, 0.45))
    holder[fund] = funds(int(fund.sum()))
    family = later & ~fund & (draw < 0.75)
    holder[family] = pool[family] + np.minimum(3 + rng.integers(0, 4, int(family.sum())), w.g_pool_size[g[family]] - 1)
    stranger = later & ~fund & ~family & (draw < 0.88)
    holder[stranger] = w.new_persons(int(stranger.sum()))
    firm = later & ~fund & ~family & ~stranger
    holder[firm] = _pick(rng, outsiders, int(firm.sum()))
    person[fund | firm] = False
    # a few ownership loops: the group's deepest subsidiary holds 2-10% of its own parent
    last = loop[owner] & (place == k[owner] - 1)
    holder[last] = w.deepest(g[last])
    person[last] = False
    cut = np.maximum(units[last] - rng.integers(2, 11, int(last.sum())) * 100, 0)
    units[last] -= cut
    units[np.flatnonzero(last) - place[last]] += cut
    add(company, place, units, holder, person)

    # state-owned group parents: a commission, sometimes with another state holder
    state = w.g_start[w.g_soe]
    m = len(state)
    k = np.where(rng.random(m) < 0.6, 1, 2 + (rng.random(m) < 0.3))
    owner, place, units = _shares(rng, k, np.where(k == 1, 10_000, _majority(rng, m)), np.full(m, 10_000))
    company = state[owner]
    draw = rng.random(len(owner))
    holder = np.where(place == 0, w.g_gov[w.group[company]], funds(len(owner)))
    holder = np.where((place > 0) & (draw < 0.4), _pick(rng, state, len(owner)), holder)
    holder = np.where((place > 0) & (draw >= 0.4) & (draw < 0.7), _pick(rng, govs, len(owner)), holder)
    add(company, place, units, holder, np.zeros(len(owner), dtype=bool))

    # subsidiaries: the parent first; minorities for managers, funds, the state and sister companies
    subs = w.of(_SUB)
    m = len(subs)
    whole = rng.random(m) < 0.45
    k = np.where(whole, 1, 2 + (rng.random(m) < 0.35))
    owner, place, units = _shares(rng, k, np.where(whole, 10_000, _majority(rng, m)), np.full(m, 10_000))
    company = subs[owner]
    g = w.group[company]
    holder = w.parent[company].copy()
    person = np.zeros(len(owner), dtype=bool)
    later = place > 0
    draw = rng.random(len(owner))
    manager = later & (draw < 0.25)
    holder[manager] = w.g_pool[g[manager]] + _skewed(rng, w.g_pool_size[g[manager]], 1.0)
    stranger = later & (draw >= 0.25) & (draw < 0.4)
    holder[stranger] = w.new_persons(int(stranger.sum()))
    person[manager | stranger] = True
    state_stake = later & (draw >= 0.4) & (draw < 0.55) & w.g_soe[g]
    holder[state_stake] = w.g_gov[g[state_stake]]
    fund = later & (draw >= 0.4) & (draw < 0.65) & ~state_stake
    holder[fund] = funds(int(fund.sum()))
    sister = later & (draw >= 0.65) & (draw < 0.85)
    base = w.g_start[g[sister]]
    pick = base + (rng.random(int(sister.sum())) * (company[sister] - base)).astype(np.int64)
    holder[sister] = np.where(pick == w.parent[company[sister]], base, pick)
    outside = later & (draw >= 0.85)
    holder[outside] = _pick(rng, outsiders, int(outside.sum()))
    add(company, place, units, holder, person)

    eq = table.done()
    return _merge_stakes(_keep(eq, eq["person"] | (eq["holder"] != eq["company"])))


def draw_parks(w: _World) -> tuple[dict[str, list[str]], I64, Cols]:
    """Real parks and invented district parks; about 40% of companies are in a park of their city.

    Returns the parks (columns of parks.csv), each park's city and the ``LOCATED_IN`` rows.
    """
    rng = _rng(w.seed, _S_PARKS)
    parks: dict[str, list[str]] = {k: [] for k in ("id", "name", "level", "province", "city", "district", "industries")}
    cities: list[int] = []

    def add(name: str, level: str, province: str, city: str, district: str, industries: str) -> None:
        parks["id"].append(f"PK{len(cities) + 1:05d}")
        for key, value in zip(
            ("name", "level", "province", "city", "district", "industries"),
            (name, level, province, city, district, industries),
            strict=True,
        ):
            parks[key].append(value)
        cities.append(_CITY_INDEX[f"{province}|{city}"])

    for real in REAL_PARKS:
        add(*real[:6])
    n_real = len(cities)
    n_new = max(15, w.n // 450)
    companies = w.of(_STANDALONE, _ROOT, _SUB)
    homes = w.region[_pick(rng, companies, n_new)]
    themes = rng.integers(0, len(PARK_THEMES), n_new)
    kinds = rng.integers(0, len(PARK_KINDS), n_new)
    seen = set(parks["name"])
    for home, theme, kind in zip(homes.tolist(), themes.tolist(), kinds.tolist(), strict=True):
        province, city, district, _, _ = REGIONS[home]
        place = short_place(district or city)
        name = f"{place}{PARK_THEMES[theme][0]}{PARK_KINDS[kind]}"
        while name in seen:
            zihao = "".join(ZIHAO_CHARS[j] for j in rng.integers(0, len(ZIHAO_CHARS), 2))
            name = f"{place}{zihao}{PARK_THEMES[theme][0]}{PARK_KINDS[kind]}"
        seen.add(name)
        add(name, "市级" if rng.random() < 0.2 else "区级", province, city, district, PARK_THEMES[theme][1])
        park_city = _i64(cities)

    # a company picks a park of its own city, big real parks far more often: search cumulative weights
    n_parks, n_cities = len(cities), len(_CITY_INDEX)
    prominence = np.array([real[6] for real in REAL_PARKS])
    weight = np.concatenate([25.0 * prominence * rng.lognormal(0.0, 0.5, n_real), rng.lognormal(0.0, 0.8, n_new)])
    by_city = np.lexsort((np.arange(n_parks), park_city))
    cumulative = np.cumsum(weight[by_city])
    city_total = np.bincount(park_city, weights=weight, minlength=n_cities)
    city_first = np.cumsum(city_total) - city_total
    joins = companies[rng.random(len(companies)) < 0.38]
    members = np.concatenate([joins, joins[rng.random(len(joins)) < 0.05]])
    c = w.city[members]
    members, c = members[city_total[c] > 0], c[city_total[c] > 0]
    at = np.searchsorted(cumulative, city_first[c] + rng.random(len(members)) * city_total[c], side="right")
    park = by_city[np.minimum(at, n_parks - 1)]
    members, park = members[park_city[park] == c], park[park_city[park] == c]
    opened = np.where(park < n_real, _days(1995), _days(2008))
    start = np.maximum(w.founded[members], opened)
    since = start + (rng.random(len(members)) * (_TODAY - start)).astype(np.int64)
    return parks, park_city, {"company": members, "park": park, "since": since}


def draw_supply(w: _World) -> Cols:
    """Tiers of suppliers and customers around core enterprises, and everyday trade between SMEs."""
    rng = _rng(w.seed, _S_SUPPLY)
    n = w.n
    trading = np.flatnonzero(np.isin(w.kind, (_STANDALONE, _ROOT, _SUB)) & ~np.isin(w.status, _CLOSED))
    trading = trading.astype(np.int64)
    by_industry = _Buckets(trading, w.industry[trading], len(INDUSTRIES))
    by_city = _Buckets(trading, w.city[trading], len(_CITY_INDEX))

    def supplier_for(customers: I64, same_industry: float, nearby: float) -> I64:
        """Suppliers from the customer's own industry, its upstream industries or its city."""
        draw = rng.random(len(customers))
        own = w.industry[customers]
        upstream = _UPSTREAM[own, rng.integers(0, _UPSTREAM.shape[1], len(customers))]
        found = by_industry.pick(rng, np.where(draw < same_industry, own, upstream))
        found = np.where(draw >= 1 - nearby, by_city.pick(rng, w.city[customers]), found)
        return np.where(found >= 0, found, _pick(rng, trading, len(customers)))

    cores = rng.permutation(np.flatnonzero(w.core & np.isin(w.kind, (_STANDALONE, _ROOT))).astype(np.int64))
    core_weight = _p(1.0 / np.arange(1, len(cores) + 1) ** 0.5)
    table = _Table("supplier", "customer", "amount", "year", "tier")

    def add(supplier: I64, customer: I64, median: float, sigma: float, year: I64 | int, tier: int) -> None:
        amount = np.clip(median * rng.lognormal(0.0, sigma, len(supplier)), 1e4, 5e9)
        table.add(supplier=supplier, customer=customer, amount=amount, year=year, tier=tier)

    core1 = cores[rng.choice(len(cores), round(0.28 * n), p=core_weight)]
    tier1 = supplier_for(core1, 0.45, 0.25)
    add(tier1, core1, 3e7, 1.3, 2024, 1)
    customer2 = _pick(rng, tier1, round(0.34 * n))
    tier2 = supplier_for(customer2, 0.3, 0.35)
    add(tier2, customer2, 5e6, 1.2, 2024, 2)
    customer3 = _pick(rng, tier2, round(0.09 * n))
    add(supplier_for(customer3, 0.3, 0.4), customer3, 1.5e6, 1.2, 2024, 3)
    # the core enterprises' own customers: distributors and traders
    count = round(0.06 * n)
    sellers = cores[rng.choice(len(cores), count, p=core_weight)]
    traders = _i64([_industry("商贸"), _industry("物流供应链")])
    buyers = by_industry.pick(rng, traders[rng.integers(0, 2, count)])
    buyers = np.where((rng.random(count) < 0.5) & (buyers >= 0), buyers, _pick(rng, trading, count))
    add(sellers, buyers, 2e7, 1.3, 2024, 1)
    # everyday trade, half of it within a city
    count = round(0.5 * n)
    a = _pick(rng, trading, count)
    b = np.where(rng.random(count) < 0.5, by_city.pick(rng, w.city[a]), _pick(rng, trading, count))
    add(a, b, 8e5, 1.5, 2022 + rng.integers(0, 3, count), 4)
    rows = table.done()
    # a quarter of the tiered relationships also traded the year before
    again = _take(rows, np.flatnonzero((rows["tier"] <= 2) & (rng.random(len(rows["tier"])) < 0.25)))
    again["year"] = again["year"] - 1
    again["amount"] = np.clip(again["amount"] * rng.uniform(0.7, 1.3, len(again["year"])), 1e4, 5e9)
    rows = _concat(rows, again)
    rows = _keep(rows, rows["supplier"] != rows["customer"])
    rows = _take(rows, _first_of([rows["supplier"], rows["customer"], rows["year"]]))
    amount = np.maximum(np.round(rows["amount"] / 100) * 100, 1e4)
    noise = rng.normal(0.0, 0.4, len(amount))
    supplier_industry = w.industry[rows["supplier"]]
    return {
        "supplier": rows["supplier"],
        "customer": rows["customer"],
        "amount": amount.astype(np.int64),
        "year": rows["year"].astype(np.int64),
        "transactions": np.maximum(1, np.round(np.exp(0.45 * np.log(amount) - 2.3 + noise))).astype(np.int64),
        "product": supplier_industry * _PRODUCT_SLOTS
        + rng.integers(0, 1 << 20, len(amount)) % _PRODUCT_COUNT[supplier_industry],
    }


def draw_guarantees(w: _World) -> Cols:
    """Parents for subsidiaries, owners for their companies, trade partners, mutual pairs, circles."""
    rng = _rng(w.seed, _S_GUARANTEE)
    n = w.n
    table = _Table("guarantor", "person", "borrower")
    subs = w.of(_SUB)
    down = subs[rng.random(len(subs)) < 0.2]
    table.add(guarantor=w.parent[down], person=False, borrower=down)
    up = subs[rng.random(len(subs)) < 0.03]
    table.add(guarantor=up, person=False, borrower=w.parent[up])
    sister = subs[rng.random(len(subs)) < 0.05]
    g = w.group[sister]
    table.add(
        guarantor=w.g_start[g] + (rng.random(len(sister)) * w.g_size[g]).astype(np.int64),
        person=False,
        borrower=sister,
    )
    borrowers = np.flatnonzero(np.isin(w.kind, (_STANDALONE, _ROOT, _SUB)) & ~np.isin(w.status, _CLOSED))
    borrowers = borrowers.astype(np.int64)
    backed = borrowers[rng.random(len(borrowers)) < 0.045]
    table.add(guarantor=w.legal_rep[backed], person=True, borrower=backed)
    trade = rng.random(len(w.supply["supplier"])) < 0.015
    table.add(guarantor=w.supply["customer"][trade], person=False, borrower=w.supply["supplier"][trade])
    by_city = _Buckets(borrowers, w.city[borrowers], len(_CITY_INDEX))
    chain = _pick(rng, borrowers, round(0.01 * n))
    table.add(guarantor=chain, person=False, borrower=by_city.pick(rng, w.city[chain]))
    # mutual guarantees (互保) between local companies
    pairs = _pick(rng, borrowers, round(0.006 * n))
    mates = by_city.pick(rng, w.city[pairs])
    table.add(guarantor=pairs, person=False, borrower=mates)
    table.add(guarantor=mates, person=False, borrower=pairs)
    # guarantee circles (担保圈): 3-5 local companies guaranteeing each other in a ring
    sizes = rng.integers(3, 6, max(2, n // 3000))
    owner, place = _slots(sizes)
    seeds = _pick(rng, borrowers, len(sizes))
    ring = by_city.pick(rng, w.city[seeds][owner])
    ring[place == 0] = seeds[owner[place == 0]]
    for _ in range(20):
        repeated = np.ones(len(ring), dtype=bool)
        repeated[_first_of([owner, ring])] = False
        if not repeated.any():
            break
        ring[repeated] = _pick(rng, borrowers, int(repeated.sum()))
    starts = np.cumsum(sizes) - sizes
    following = np.where(place == sizes[owner] - 1, starts[owner], np.arange(len(ring)) + 1)
    table.add(guarantor=ring, person=False, borrower=ring[following])
    rows = table.done()
    rows["person"] = rows["person"].astype(bool)
    ok = (rows["guarantor"] >= 0) & (rows["borrower"] >= 0) & (rows["person"] | (rows["guarantor"] != rows["borrower"]))
    rows = _keep(rows, ok)
    m = len(rows["borrower"])
    founded = np.maximum(
        w.founded[rows["borrower"]],
        np.where(rows["person"], 0, w.founded[np.where(rows["person"], 0, rows["guarantor"])]),
    )
    start = np.minimum(np.maximum(_days(2019), founded + 180), _TODAY - 30)
    rows["start"] = start + (rng.random(m) * (_TODAY - 30 - start)).astype(np.int64)
    rows["end"] = _years_later(rows["start"], rng.integers(1, 4, m))
    rows["amount"] = _round_nice(np.clip(2000 * rng.lognormal(0.0, 1.1, m), 50, 500_000)) * 10_000
    kind = rng.choice(len(GUARANTEE_TYPES), m, p=_p([t[1] for t in GUARANTEE_TYPES])).astype(np.int64)
    rows["type"] = np.where(rows["person"], 0, kind)
    return rows


# -- rows, in file order ---------------------------------------------------------------


def equity_rows(sheet: _Writer) -> KindRows:
    """The ``HOLDS_SHARES`` rows, sorted like an export."""
    w = sheet.w
    current = {**w.equity, "until": np.full(len(w.equity["company"]), -1, dtype=np.int64)}
    eq = _concat(current, w.exits) if len(w.exits.get("company", ())) else current
    order = np.lexsort((eq["until"], -eq["units"], sheet.row_of[eq["company"]]))

    def equity(part: slice) -> dict[str, npt.NDArray[Any]]:
        i = order[part]
        capital = w.capital[eq["company"][i]]
        return {
            "holder": sheet.either(eq["person"][i], eq["holder"][i]),
            "holder_type": sheet.kind_of(eq["person"][i]),
            "company": w.uscc[eq["company"][i]],
            "ratio": sheet.ratios[eq["units"][i]],
            "amount": np.where(capital > 0, (eq["units"][i] * capital // 10_000).astype(object), ""),
            "since": sheet.date(eq["since"][i]),
            "until": sheet.date(eq["until"][i]),
        }

    return KindRows(len(order), equity)


def officers_rows(sheet: _Writer) -> KindRows:
    """The ``SERVES_AS`` rows, sorted like an export."""
    w = sheet.w
    o = w.officers
    order = np.lexsort((o["person"], o["role"], sheet.row_of[o["company"]]))

    def officers(part: slice) -> dict[str, npt.NDArray[Any]]:
        i = order[part]
        return {
            "person": sheet.pid[o["person"][i]],
            "company": w.uscc[o["company"][i]],
            "role": _ROLE_TEXT[o["role"][i]],
            "since": sheet.date(o["since"][i]),
            "until": sheet.date(o["until"][i]),
        }

    return KindRows(len(order), officers)


def supply_rows(sheet: _Writer) -> KindRows:
    """The ``SUPPLIES`` rows, sorted like an export."""
    w = sheet.w
    s = w.supply
    order = np.lexsort((-s["year"], -s["amount"], sheet.row_of[s["customer"]]))

    def supply(part: slice) -> dict[str, npt.NDArray[Any]]:
        i = order[part]
        return {
            "supplier": w.uscc[s["supplier"][i]],
            "customer": w.uscc[s["customer"][i]],
            "amount": s["amount"][i],
            "transactions": s["transactions"][i],
            "year": s["year"][i],
            "product": _PRODUCTS[s["product"][i]],
        }

    return KindRows(len(order), supply)


def guarantees_rows(sheet: _Writer) -> KindRows:
    """The ``GUARANTEES`` rows, sorted like an export."""
    w = sheet.w
    g = w.guarantees
    order = np.lexsort((g["start"], sheet.row_of[g["borrower"]]))

    def guarantees(part: slice) -> dict[str, npt.NDArray[Any]]:
        i = order[part]
        return {
            "guarantor": sheet.either(g["person"][i], g["guarantor"][i]),
            "guarantor_type": sheet.kind_of(g["person"][i]),
            "borrower": w.uscc[g["borrower"][i]],
            "amount": g["amount"][i],
            "start": sheet.date(g["start"][i]),
            "end": sheet.date(g["end"][i]),
            "guarantee_type": _GUARANTEE_TEXT[g["type"][i]],
        }

    return KindRows(len(order), guarantees)


def located_rows(sheet: _Writer) -> KindRows:
    """The ``LOCATED_IN`` rows, sorted like an export."""
    w = sheet.w
    loc = w.located
    order = np.lexsort((loc["park"], sheet.row_of[loc["company"]]))
    park_ids = np.array(w.parks["id"], dtype=object)

    def located(part: slice) -> dict[str, npt.NDArray[Any]]:
        i = order[part]
        return {
            "company": w.uscc[loc["company"][i]],
            "park": park_ids[loc["park"][i]],
            "since": sheet.date(loc["since"][i]),
        }

    return KindRows(len(order), located)


# -- co-owned intellectual property and trade associations (issue 14 item 2) ---------------------------------------

#: the random streams of the IP and association draws (far from the world's own stages)
_S_IP, _S_ASSOC = 101, 102
#: IP types as exports print them, how common each is among co-owned rights, and its number code
_IP_TYPES = ("发明专利", "实用新型", "外观设计", "软件著作权")
_IP_SHARE = (0.35, 0.38, 0.1, 0.17)
_IP_SOFTWARE = 3
#: the offices of an association as its member list prints them; the demo and the leads need the first three
_OFFICES = ("会长", "常务副会长", "副会长", "秘书长", "常务理事", "理事", "监事长", "会员", "会员单位", "联络员")
_PRESIDENT, _VICE_SENIOR, _VICE, _SECRETARY, _DIRECTOR_SENIOR, _DIRECTOR, _SUPERVISOR, _MEMBER, _MEMBER_FIRM = range(9)
_LIAISON = 9  # a title the vocabulary does not know: kept as `other` and listed in the load report
_IP_SHAPES = ("一种{}及其制备方法", "{}检测装置", "一种{}的控制方法", "{}结构", "{}外壳")
_ORIGINS = ("温州", "福建", "潮汕", "湖南", "江西", "安徽", "河南", "四川", "山东", "宁波", "台州", "莆田")


def _application_numbers(years: I64, kinds: I64, serial: I64) -> Obj:
    """Chinese patent application numbers ``ZL2021 1 0123456.7`` (year, type 1/2/3, serial, check digit mod 11)
    and software copyright registration numbers ``2021SR0123456``."""
    out = np.empty(len(years), dtype=object)
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    for i, (year, kind, number) in enumerate(zip(years.tolist(), kinds.tolist(), serial.tolist(), strict=True)):
        if kind == _IP_SOFTWARE:
            out[i] = f"{year}SR{number:07d}"
            continue
        body = f"{year}{kind + 1}{number:07d}"
        check = sum(int(d) * wt for d, wt in zip(body, weights, strict=True)) % 11
        out[i] = f"ZL{body}.{'X' if check == 10 else check}"
    return out


def _partner_of(w: _World, rng: np.random.Generator) -> I64:
    """One trade partner per company (a supplier or a customer), -1 for a company that trades with nobody."""
    s = w.supply
    a = np.concatenate([s["supplier"], s["customer"]])
    b = np.concatenate([s["customer"], s["supplier"]])
    shuffled = rng.permutation(len(a))
    a, b = a[shuffled], b[shuffled]
    first = _first_of([a])
    partner = np.full(w.n, -1, dtype=np.int64)
    partner[a[first]] = b[first]
    return partner


def draw_ip(w: _World) -> tuple[Cols, Cols]:
    """Patents and software copyrights with their owners: about 6 rights per 100 companies, most co-owned.

    A right's first owner is an operating company; its co-owner is a sister company of its group, a trade
    partner or a company of its industry in its city, and now and then the founder himself (an inventor
    who kept a share). Utility models and designs lapse after ten years, a few rights earlier (fees not
    paid). Returns the rights (columns of ip_rights.csv) and the ``OWNS_IP`` rows.
    """
    rng = _rng(w.seed, _S_IP)
    makers = w.of(_STANDALONE, _ROOT, _SUB)
    makers = makers[~np.isin(makers, w.demo_prospects)]
    m = max(10, round(0.06 * w.n))
    first = _pick(rng, makers, m)
    kind = rng.choice(len(_IP_TYPES), m, p=_p(_IP_SHARE)).astype(np.int64)
    draw = rng.random(m)
    partner = _partner_of(w, rng)
    g = w.group[first]
    sister = np.where(
        g >= 0, w.g_start[np.maximum(g, 0)] + (rng.random(m) * w.g_size[np.maximum(g, 0)]).astype(np.int64), -1
    )
    trading = np.flatnonzero(np.isin(w.kind, (_STANDALONE, _ROOT, _SUB)) & ~np.isin(w.status, _CLOSED)).astype(np.int64)
    trading = trading[~np.isin(trading, w.demo_prospects)]
    cities = _Buckets(
        trading, w.city[trading] * len(INDUSTRIES) + w.industry[trading], len(_CITY_INDEX) * len(INDUSTRIES)
    )
    local = cities.pick(rng, w.city[first] * len(INDUSTRIES) + w.industry[first])
    second = np.select([draw < 0.35, draw < 0.65, draw < 0.9], [sister, partner[first], local], -1)
    second = np.where(np.isin(second, w.demo_prospects), -1, second)
    # a right whose co-owner could not be found (or is its owner) has one owner: exports list those too
    second = np.where(second == first, -1, second)
    third = np.where(
        (second >= 0) & (rng.random(m) < 0.12),
        cities.pick(rng, w.city[first] * len(INDUSTRIES) + w.industry[first]),
        -1,
    )
    third = np.where((third == first) | (third == second), -1, third)
    inventor = w.founder[first]
    inventor = np.where((rng.random(m) < 0.05) & (inventor >= 0), inventor, -1)

    start = np.maximum(w.founded[first], _days(2000)) + 90
    filed = start + (rng.random(m) ** 0.6 * np.maximum(_TODAY - 200 - start, 1)).astype(np.int64)
    wait = np.select(
        [kind == 0, kind == _IP_SOFTWARE],
        [rng.integers(500, 1300, m), rng.integers(40, 120, m)],
        rng.integers(150, 400, m),
    )
    granted = np.where(filed + wait <= _TODAY - 10, filed + wait, -1)
    keep = granted >= 0  # a right still examined is not granted yet: no owner rights to tie
    term = np.where(kind == 0, 20, 10)
    lapsed = np.where(kind == _IP_SOFTWARE, -1, _years_later(filed, term))
    early = (kind != _IP_SOFTWARE) & (rng.random(m) < 0.06)
    lapsed = np.where(early, granted + (rng.random(m) * np.maximum(_TODAY - granted, 1)).astype(np.int64), lapsed)
    lapsed = np.where((lapsed > _TODAY) | (lapsed <= granted), -1, lapsed)

    idx = np.flatnonzero(keep)
    year = filed[idx].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    serial = np.arange(len(idx), dtype=np.int64) * 7919 % 9_000_000 + 100_000
    ids = _application_numbers(year, kind[idx], serial)
    product = _PRODUCTS[
        w.industry[first[idx]] * _PRODUCT_SLOTS
        + rng.integers(0, 1 << 20, len(idx)) % _PRODUCT_COUNT[w.industry[first[idx]]]
    ]
    shape = rng.integers(0, len(_IP_SHAPES), len(idx))
    names = np.array(
        [
            f"{p}管理系统V{1 + s % 3}.0" if k == _IP_SOFTWARE else _IP_SHAPES[s if k != 2 else 4].format(p)
            for p, s, k in zip(product.tolist(), shape.tolist(), kind[idx].tolist(), strict=True)
        ],
        dtype=object,
    )
    rights = {
        "id": ids,
        "name": names,
        "ip_type": np.array(_IP_TYPES, dtype=object)[kind[idx]],
        "filed": filed[idx],
        "granted": granted[idx],
    }
    table = _Table("owner", "person", "ip", "since", "lapsed")
    for who, person in ((first, False), (second, False), (third, False), (inventor, True)):
        has = np.flatnonzero(who[idx] >= 0)
        table.add(owner=who[idx][has], person=person, ip=has, since=granted[idx][has], lapsed=lapsed[idx][has])
    rows = table.done()
    rows["person"] = rows["person"].astype(bool)
    return rights, rows


def _one_office_each(person: I64, association: I64, office: I64, personal: Bool) -> Bool:
    """``personal`` with at most one office per person and association: the highest (the lowest code).

    One person is the legal representative of several member companies (a group's chairman, a serial
    founder); a member list names him once, in his highest office, and the other companies hold theirs
    themselves (会长单位, 理事单位). Two offices of one person would be one tie twice (MEMBER_OF's identity is
    its ends and the role's class: 常务理事 and 理事 are both a council member), which a load rejects.

    >>> _one_office_each(_i64([7, 7, 7, 8]), _i64([0, 0, 1, 0]), _i64([5, 4, 5, 5]), np.ones(4, dtype=bool))
    array([False,  True,  True,  True])
    """
    rows = np.flatnonzero(personal)
    ranked = rows[np.lexsort((office[rows], association[rows], person[rows]))]
    kept = ranked[_first_of([person[ranked], association[ranked]])]
    out = np.zeros(len(personal), dtype=bool)
    out[kept] = True
    return out


def draw_associations(w: _World) -> tuple[Cols, Cols]:
    """Chambers of commerce, industry associations and federations of industry and commerce, with members.

    About one association per 800 companies, in the cities where companies are: an industry association
    (苏州集成电路行业协会) takes the city's companies of its industry, a chamber of people from elsewhere
    (深圳市温州商会) and a federation (工商联) any of the city's companies. Each has a president, vice
    presidents, a secretary general and council members; an office is held by a member company's legal
    representative (6 in 10) or by the company itself (会长单位); a person holds one office per association
    (:func:`_one_office_each`). Returns the associations (columns of associations.csv) and the ``MEMBER_OF`` rows.
    """
    rng = _rng(w.seed, _S_ASSOC)
    trading = np.flatnonzero(np.isin(w.kind, (_STANDALONE, _ROOT, _SUB)) & ~np.isin(w.status, _CLOSED)).astype(np.int64)
    trading = trading[~np.isin(trading, w.demo_prospects)]
    n_ind = len(INDUSTRIES)
    by_city = _Buckets(trading, w.city[trading], len(_CITY_INDEX))
    by_trade = _Buckets(trading, w.city[trading] * n_ind + w.industry[trading], len(_CITY_INDEX) * n_ind)
    count = max(6, w.n // 800)
    seeds = _pick(rng, trading, count)
    city, industry = w.city[seeds], w.industry[seeds]
    kind = rng.choice(3, count, p=[0.5, 0.38, 0.12]).astype(np.int64)  # industry, chamber, federation
    cities = list(_CITY_INDEX)
    names: list[str] = []
    seen: set[str] = set()
    keep = np.zeros(count, dtype=bool)
    for i in range(count):
        province, city_name = cities[int(city[i])].split("|")
        if kind[i] == 0:
            name = f"{short_place(city_name)}{INDUSTRIES[int(industry[i])].key}行业协会"
        elif kind[i] == 1:
            origin = _ORIGINS[int(rng.integers(0, len(_ORIGINS)))]
            name = f"{city_name}{origin}商会"
        else:
            name = f"{city_name}工商业联合会"
        if name in seen or (kind[i] == 1 and origin in province):
            continue
        seen.add(name)
        names.append(name)
        keep[i] = True
    at = np.flatnonzero(keep)
    city, industry, kind = city[at], industry[at], kind[at]
    a = len(at)
    levels = np.array(["市级", "市级", "区级"], dtype=object)[rng.integers(0, 3, a)]
    associations = {
        "id": np.array([f"AS{i + 1:05d}" for i in range(a)], dtype=object),
        "name": np.array(names, dtype=object),
        "category": np.array(["行业协会", "商会", "工商联"], dtype=object)[kind],
        "level": np.where(kind == 2, "市级", levels),
        "province": np.array([cities[int(c)].split("|")[0] for c in city], dtype=object),
        "city": np.array([cities[int(c)].split("|")[1] for c in city], dtype=object),
        "industries": np.where(kind == 0, np.array([ind.key for ind in INDUSTRIES], dtype=object)[industry], ""),
    }
    size = np.clip(np.round(rng.lognormal(np.log(35), 0.7, a)), 8, max(8, min(400, w.n // 25))).astype(np.int64)
    owner, place = _slots(size)
    member = np.where(
        kind[owner] == 0, by_trade.pick(rng, city[owner] * n_ind + industry[owner]), by_city.pick(rng, city[owner])
    )
    ok = member >= 0
    owner, member = owner[ok], member[ok]
    first = _first_of([owner, member])
    owner, member = owner[first], member[first]
    # offices by place in the association's member list (rows are by association): a president, vice
    # presidents, a secretary general, council members, then members
    counts = np.bincount(owner, minlength=a)
    _, place = _slots(counts)
    vices = 1 + counts // 12
    office = np.select(
        [
            place == 0,
            place <= vices[owner] // 2,
            place <= vices[owner],
            place == vices[owner] + 1,
            place <= vices[owner] + 1 + counts[owner] // 10,
            place <= vices[owner] + 1 + counts[owner] // 4,
        ],
        [_PRESIDENT, _VICE_SENIOR, _VICE, _SECRETARY, _DIRECTOR_SENIOR, _DIRECTOR],
        _MEMBER,
    ).astype(np.int64)
    office = np.where((office == _MEMBER) & (rng.random(len(office)) < 0.4), _MEMBER_FIRM, office)
    office = np.where((office == _MEMBER) & (rng.random(len(office)) < 0.01), _LIAISON, office)
    office = np.where((office == _DIRECTOR) & (rng.random(len(office)) < 0.05), _SUPERVISOR, office)
    # an office goes to the member's legal representative six times in ten; the company stays a member
    head = w.legal_rep[member]
    personal = (office < _MEMBER) & (head >= 0) & (rng.random(len(office)) < 0.6)
    personal = _one_office_each(head, owner, office, personal)
    table = _Table("member", "person", "association", "office")
    table.add(member=member, person=False, association=owner, office=np.where(personal, _MEMBER_FIRM, office))
    table.add(member=head[personal], person=True, association=owner[personal], office=office[personal])
    rows = table.done()
    rows["person"] = rows["person"].astype(bool)
    joined = np.maximum(np.where(rows["person"], _days(2005), w.founded[rows["member"] * ~rows["person"]]), _days(2005))
    rows["since"] = joined + (rng.random(len(joined)) * np.maximum(_TODAY - joined, 1)).astype(np.int64)
    left = (rng.random(len(joined)) < 0.05) & (rows["since"] < _TODAY - 400)
    rows["until"] = np.where(left, np.minimum(rows["since"] + 365 * rng.integers(1, 6, len(joined)), _TODAY), -1)
    return associations, rows


def plant_ip_and_associations(w: _World) -> None:
    """The demo's co-owned patent and chamber: a client co-owns an invention patent with the prospect D1, and a
    client's chairman presides over a chamber the prospect D4 is a member of (each told in the demo story)."""
    if len(w.demo_prospects) < 5:
        return
    good = np.flatnonzero(w.client & w.active & ~w.blacklisted & (w.kind != _GOV)).astype(np.int64)
    good = good[~np.isin(good, w.demo_introducers)]
    if len(good) < 2:
        return
    d1, d4 = int(w.demo_prospects[1]), int(w.demo_prospects[4])
    partner = int(good[0])
    granted = _days(2022, 8, 16)
    right = len(w.ip_rights["id"])
    number = str(_application_numbers(_i64([2020]), _i64([0]), _i64([1]))[0])
    w.ip_rights = {
        "id": np.append(w.ip_rights["id"], number),
        "name": np.append(w.ip_rights["name"], "一种低功耗传感芯片的封装结构及其制备方法"),
        "ip_type": np.append(w.ip_rights["ip_type"], _IP_TYPES[0]),
        "filed": np.append(w.ip_rights["filed"], _days(2020, 3, 2)),
        "granted": np.append(w.ip_rights["granted"], granted),
    }
    extra = {"owner": _i64([d1, partner]), "person": np.zeros(2, dtype=bool), "ip": _i64([right, right])}
    extra |= {"since": _i64([granted, granted]), "lapsed": _i64([-1, -1])}
    w.ip_owners = _concat(w.ip_owners, extra)
    # the chamber: the chairman of a client presides, the prospect is a member
    o = w.officers
    chair_codes = _i64([_ROLE[r] for r in _CHAIR_ROLES if r in _ROLE])
    chairs = np.flatnonzero(np.isin(o["company"], good[1:]) & np.isin(o["role"], chair_codes) & (o["until"] < 0))
    chamber = len(w.associations["id"])
    city = int(w.city[d4])
    city_name = list(_CITY_INDEX)[city].split("|")
    w.associations = {
        **{k: np.append(v, "") for k, v in w.associations.items()},
    }
    w.associations["id"][chamber] = f"AS{chamber + 1:05d}"
    w.associations["name"][chamber] = f"{city_name[1]}青年企业家商会"
    w.associations["category"][chamber], w.associations["level"][chamber] = "商会", "市级"
    w.associations["province"][chamber], w.associations["city"][chamber] = city_name[0], city_name[1]
    if len(chairs):
        row = int(chairs[0])
        president, client = int(o["person"][row]), int(o["company"][row])
    else:
        client = int(good[1])
        president = int(w.legal_rep[client])
        if president < 0:
            return
    rows = {
        "member": _i64([president, client, d4]),
        "person": np.array([True, False, False]),
        "association": _i64([chamber] * 3),
        "office": _i64([_PRESIDENT, _MEMBER_FIRM, _MEMBER_FIRM]),
        "since": _i64([_days(2018, 5, 1), _days(2018, 5, 1), _days(2021, 9, 1)]),
        "until": _i64([-1, -1, -1]),
    }
    w.assoc_members = _concat(w.assoc_members, rows)
    w.demo_introducers = _i64(list(dict.fromkeys([*w.demo_introducers.tolist(), partner, client])))
    w.demo_lines += [
        f"{{c:{d1}}}: the prospect and client {{c:{partner}}} co-own the invention patent " + number,
        f"{{c:{d4}}}: {{p:{president}}} of client {{c:{client}}} presides over {city_name[1]}青年企业家商会,"
        " of which the prospect is a member",
    ]


def ip_rights_nodes(sheet: _Writer) -> KindRows:
    """The ``IPRight`` nodes (ip_rights.csv): number, title, type, filing and grant dates."""
    r = sheet.w.ip_rights

    def rights(part: slice) -> dict[str, npt.NDArray[Any]]:
        return {
            "id": r["id"][part],
            "name": r["name"][part],
            "ip_type": r["ip_type"][part],
            "filed": sheet.date(r["filed"][part]),
            "granted": sheet.date(r["granted"][part]),
        }

    return KindRows(len(r["id"]), rights)


def ip_owner_rows(sheet: _Writer) -> KindRows:
    """The ``OWNS_IP`` rows: one per owner of a right, the right's number, type and dates repeated."""
    w = sheet.w
    o, r = w.ip_owners, w.ip_rights
    order = np.lexsort((o["person"], o["ip"]))

    def owners(part: slice) -> dict[str, npt.NDArray[Any]]:
        i = order[part]
        return {
            "owner": sheet.either(o["person"][i], o["owner"][i]),
            "owner_type": sheet.kind_of(o["person"][i]),
            "ip": r["id"][o["ip"][i]],
            "ip_type": r["ip_type"][o["ip"][i]],
            "since": sheet.date(o["since"][i]),
            "lapsed": sheet.date(o["lapsed"][i]),
        }

    return KindRows(len(order), owners)


def association_nodes(sheet: _Writer) -> KindRows:
    """The ``Association`` nodes (associations.csv)."""
    a = sheet.w.associations

    def chunk(part: slice) -> dict[str, npt.NDArray[Any]]:
        return {key: np.asarray(values[part], dtype=object) for key, values in a.items()}

    return KindRows(len(a["id"]), chunk)


def member_rows(sheet: _Writer) -> KindRows:
    """The ``MEMBER_OF`` rows, an association's office holders first, as member lists print them."""
    w = sheet.w
    mem = w.assoc_members
    order = np.lexsort((mem["person"], mem["office"], mem["association"]))
    offices = np.array(_OFFICES, dtype=object)

    def members(part: slice) -> dict[str, npt.NDArray[Any]]:
        i = order[part]
        return {
            "member": sheet.either(mem["person"][i], mem["member"][i]),
            "member_type": sheet.kind_of(mem["person"][i]),
            "association": np.asarray(w.associations["id"], dtype=object)[mem["association"][i]],
            "role": offices[mem["office"][i]],
            "since": sheet.date(mem["since"][i]),
            "until": sheet.date(mem["until"][i]),
        }

    return KindRows(len(order), members)


# -- transactions (PAYS) and industry-chain segments (Segment, IN_SEGMENT, UPSTREAM_OF) ---------------

#: the random streams of these draws (apart from the world's stages, so theirs stay what they were)
_S_PAYMENTS, _S_SEGMENTS = 50, 51
#: how payments are settled, as a settlement export writes it, with its weight
_CHANNELS = (("网银", 0.55), ("银企直连", 0.25), ("票据", 0.12), ("柜面", 0.08))
#: a segment's stage on its chain by its position (上游 / 中游 / 下游) in the operational chains file
_STAGES = {"上游": 1, "中游": 2, "下游": 3}


def _segments() -> tuple[dict[str, list[Any]], I64, I64]:
    """The segments of the chains the operational data knows (:data:`loaders.generate_ops.CHAINS`, so that
    the graph's segments and the chains file agree), as columns of segments.csv, and the (upstream,
    downstream) pairs: every segment of a stage is upstream of every segment of the next stage."""
    from loaders.generate_ops import CHAINS  # it imports the generator: read when the world is drawn

    table: dict[str, list[Any]] = {"id": [], "name": [], "chain": [], "stage": []}
    ups: list[int] = []
    downs: list[int] = []
    for chain, segments in CHAINS.items():
        first = len(table["id"])
        stages = [_STAGES.get(position, 2) for _, position, _ in segments]
        for (name, _, _), stage in zip(segments, stages, strict=True):
            table["id"].append(f"SEG{len(table['id']) + 1:03d}")
            table["name"].append(name)
            table["chain"].append(chain)
            table["stage"].append(stage)
        for i, a in enumerate(stages):
            for j, b in enumerate(stages):
                if b == a + 1:
                    ups.append(first + i)
                    downs.append(first + j)
    return table, _i64(ups), _i64(downs)


def draw_segments(w: _World) -> tuple[dict[str, list[Any]], Cols, Cols]:
    """The chains' segments, their order, and a quarter of the companies tagged with a chain (产业链 tags
    come with the industry) in one of its segments, as the bank's chain classification covers part of a
    market.

    Returns the segments (columns of segments.csv), the ``UPSTREAM_OF`` rows and the ``IN_SEGMENT`` rows.
    """
    rng = _rng(w.seed, _S_SEGMENTS)
    table, ups, downs = _segments()
    chain_of = np.array(table["chain"], dtype=object)
    fits: list[list[int]] = [
        [i for i, chain in enumerate(chain_of.tolist()) if chain in industry.tags] for industry in INDUSTRIES
    ]
    width = max(1, *(len(f) for f in fits))
    choices = _i64([f + [-1] * (width - len(f)) for f in fits])
    counts = _i64([len(f) for f in fits])
    companies = np.flatnonzero(np.isin(w.kind, (_STANDALONE, _ROOT, _SUB)) & ~np.isin(w.status, _CLOSED))
    companies = companies.astype(np.int64)
    companies = companies[(counts[w.industry[companies]] > 0) & (rng.random(len(companies)) < 0.25)]
    industry = w.industry[companies]
    segment = choices[industry, (rng.random(len(companies)) * counts[industry]).astype(np.int64)]
    main = rng.random(len(companies)) < 0.8
    start = np.maximum(w.founded[companies], _days(2018))
    since = start + (rng.random(len(companies)) * np.maximum(_TODAY - start, 1)).astype(np.int64)
    members = {"company": companies, "segment": segment, "main": main, "since": np.minimum(since, _TODAY)}
    return table, {"upstream": ups, "downstream": downs}, members


def draw_payments(w: _World) -> Cols:
    """What the bank sees settled through its clients' accounts (payer → payee, per year).

    Most supply relationships of a client, in the same year, show up as payments from the customer
    to the supplier (a confirmed supply tie); clients also pay other companies (services, rent, other
    suppliers nobody declared). The demo's prospects are left alone: their paths are the planted ones.
    """
    rng = _rng(w.seed, _S_PAYMENTS)
    trading = np.flatnonzero(np.isin(w.kind, (_STANDALONE, _ROOT, _SUB)) & ~np.isin(w.status, _CLOSED))
    trading = np.setdiff1d(trading.astype(np.int64), w.demo_prospects)
    s = w.supply
    seen = (w.client[s["supplier"]] | w.client[s["customer"]]) & (rng.random(len(s["supplier"])) < 0.6)
    seen &= ~np.isin(s["supplier"], w.demo_prospects) & ~np.isin(s["customer"], w.demo_prospects)
    table = _Table("payer", "payee", "amount", "payments", "year")
    i = np.flatnonzero(seen)
    m = len(i)
    table.add(
        payer=s["customer"][i],
        payee=s["supplier"][i],
        amount=s["amount"][i] * rng.uniform(0.6, 1.1, m),
        payments=np.maximum(1, np.round(s["transactions"][i] * rng.uniform(0.7, 1.3, m))),
        year=s["year"][i],
    )
    clients = np.intersect1d(np.flatnonzero(w.client).astype(np.int64), trading)
    if len(clients) and len(trading):
        payers = clients[rng.random(len(clients)) < 0.8]
        payers = np.concatenate([payers, payers[rng.random(len(payers)) < 0.5]])
        k = len(payers)
        table.add(
            payer=payers,
            payee=_pick(rng, trading, k),
            amount=np.clip(3e5 * rng.lognormal(0.0, 1.4, k), 1e3, 2e9),
            payments=1 + rng.poisson(6.0, k),
            year=AS_OF.year - 1 - (rng.random(k) < 0.3),
        )
    if w.demo_payments:
        table.add(**w.demo_payments)
    rows = table.done()
    rows = _keep(rows, rows["payer"] != rows["payee"])
    rows = _take(rows, _first_of([rows["payer"], rows["payee"], rows["year"]]))
    founded = np.maximum(w.founded[rows["payer"]], w.founded[rows["payee"]])
    rows["year"] = np.maximum(
        rows["year"], founded.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    )
    rows = _keep(rows, rows["year"] <= AS_OF.year - 1)
    rows = _take(rows, _first_of([rows["payer"], rows["payee"], rows["year"]]))
    m = len(rows["year"])
    year_start = (rows["year"] - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    first = year_start + (rng.random(m) * 180).astype(np.int64)
    once = rows["payments"] <= 1
    last = np.where(once, first, first + 1 + (rng.random(m) * (year_start + 364 - first - 1)).astype(np.int64))
    rows["first"] = np.maximum(first, w.founded[rows["payer"]])
    rows["last"] = np.maximum(last, rows["first"])
    rows["amount"] = np.maximum(np.round(rows["amount"] / 100) * 100, 100).astype(np.int64)
    rows["payments"] = rows["payments"].astype(np.int64)
    rows["channel"] = rng.choice(len(_CHANNELS), m, p=_p([c[1] for c in _CHANNELS])).astype(np.int64)
    return rows


def payments_rows(sheet: _Writer) -> KindRows:
    """The ``PAYS`` rows, sorted like a settlement export (by payer, then the largest first)."""
    w = sheet.w
    pay = w.payments
    order = np.lexsort((-pay["amount"], -pay["year"], sheet.row_of[pay["payer"]]))
    channels = np.array([c[0] for c in _CHANNELS], dtype=object)

    def payments(part: slice) -> dict[str, npt.NDArray[Any]]:
        i = order[part]
        return {
            "payer": w.uscc[pay["payer"][i]],
            "payee": w.uscc[pay["payee"][i]],
            "amount": pay["amount"][i],
            "payments": pay["payments"][i],
            "year": pay["year"][i],
            "first": sheet.date(pay["first"][i]),
            "last": sheet.date(pay["last"][i]),
            "channel": channels[pay["channel"][i]],
        }

    return KindRows(len(order), payments)


def members_rows(sheet: _Writer) -> KindRows:
    """The ``IN_SEGMENT`` rows, by segment then company."""
    w = sheet.w
    mem = w.members
    order = np.lexsort((sheet.row_of[mem["company"]], mem["segment"]))
    ids = np.array(w.segments["id"], dtype=object)

    def members(part: slice) -> dict[str, npt.NDArray[Any]]:
        i = order[part]
        return {
            "company": w.uscc[mem["company"][i]],
            "segment": ids[mem["segment"][i]],
            "main": sheet.flag(mem["main"][i]),
            "since": sheet.date(mem["since"][i]),
        }

    return KindRows(len(order), members)


def segment_links_rows(sheet: _Writer) -> KindRows:
    """The ``UPSTREAM_OF`` rows: each chain's segment order."""
    w = sheet.w
    ids = np.array(w.segments["id"], dtype=object)

    def links(part: slice) -> dict[str, npt.NDArray[Any]]:
        return {
            "upstream": ids[w.segment_links["upstream"][part]],
            "downstream": ids[w.segment_links["downstream"][part]],
        }

    return KindRows(len(w.segment_links["upstream"]), links)


def segments_nodes(sheet: _Writer) -> KindRows:
    """The ``Segment`` nodes (segments.csv)."""
    table = sheet.w.segments

    def nodes(part: slice) -> dict[str, npt.NDArray[Any]]:
        return {key: np.array(values, dtype=object)[part] for key, values in table.items()}

    return KindRows(len(table["id"]), nodes)


# -- family ties and acting in concert (亲属, 一致行动) ----------------------------------

#: the random stream of the persons' ties (a stage number no other draw uses)
_S_FAMILY = 41
#: how a file prints what the relative is to the person, by the kind of tie drawn (the words, their odds)
_SPOUSE_TEXT = (("配偶", 0.6), ("夫妻", 0.3), ("妻子", 0.1))
_CHILD_TEXT = (("儿子", 0.35), ("女儿", 0.2), ("子女", 0.3), ("父子", 0.15))
_PARENT_TEXT = (("父亲", 0.5), ("母亲", 0.2), ("父母", 0.3))
_SIBLING_TEXT = (("兄弟", 0.45), ("姐妹", 0.2), ("兄弟姐妹", 0.35))
_IN_LAW_TEXT = (("翁婿", 0.5), ("岳父", 0.3), ("姻亲", 0.2))


def _words(rng: np.random.Generator, table: tuple[tuple[str, float], ...], size: int) -> npt.NDArray[Any]:
    return np.array([t[0] for t in table], dtype=object)[rng.choice(len(table), size, p=_p([t[1] for t in table]))]


class _Ties(NamedTuple):
    """The persons' ties: family rows (relative → person, the printed relation) and concert pairs."""

    family: dict[str, npt.NDArray[Any]]
    concert: dict[str, npt.NDArray[Any]]


def draw_ties(w: _World) -> _Ties:
    """Family businesses as registries show them: a founder's partner is often the spouse (the 30% + 25%
    couple that controls together), a hired legal representative often a son or daughter, some founders
    are siblings in one city; founders and partners who are not a couple sometimes sign a concert agreement.
    About 0.2 ties per standalone company: a few percent of all relationships."""
    rng = _rng(w.seed, _S_FAMILY)
    solo = w.of(_STANDALONE)
    founder, partner, lr = w.founder[solo], w.partner[solo], w.legal_rep[solo]
    couple = (partner >= 0) & (rng.random(len(solo)) < 0.3)
    concert = (partner >= 0) & ~couple & (rng.random(len(solo)) < 0.08)
    heir = (lr >= 0) & (lr != founder) & (rng.random(len(solo)) < 0.3)
    listed_child = rng.random(int(heir.sum())) < 0.5  # the heir's file lists the founder as parent, or the reverse
    by_city = _Buckets(solo, w.city[solo], len(_CITY_INDEX))
    sib = solo[rng.random(len(solo)) < 0.02]
    other = by_city.pick(rng, w.city[sib])
    sib_ok = other >= 0
    law = solo[rng.random(len(solo)) < 0.005]
    law_other = by_city.pick(rng, w.city[law])
    law_ok = law_other >= 0
    h_founder, h_lr = founder[heir], lr[heir]
    relative = np.concatenate(
        [
            partner[couple],
            np.where(listed_child, h_lr, h_founder),
            w.founder[other[sib_ok]],
            w.founder[law_other[law_ok]],
        ]
    )
    person = np.concatenate(
        [founder[couple], np.where(listed_child, h_founder, h_lr), w.founder[sib[sib_ok]], w.founder[law[law_ok]]]
    )
    n_heir = len(h_lr)
    child_words, parent_words = _words(rng, _CHILD_TEXT, n_heir), _words(rng, _PARENT_TEXT, n_heir)
    relation = np.concatenate(
        [
            _words(rng, _SPOUSE_TEXT, int(couple.sum())),
            np.where(listed_child, child_words, parent_words),
            _words(rng, _SIBLING_TEXT, int(sib_ok.sum())),
            _words(rng, _IN_LAW_TEXT, int(law_ok.sum())),
        ]
    ).astype(object)
    fam = {"relative": relative.astype(np.int64), "person": person.astype(np.int64), "relation": relation}
    ok = (fam["relative"] >= 0) & (fam["person"] >= 0) & (fam["relative"] != fam["person"])
    fam = _keep(fam, ok)
    low, high = np.minimum(fam["relative"], fam["person"]), np.maximum(fam["relative"], fam["person"])
    fam = _take(fam, _first_of([low, high]))  # one tie per pair of persons
    c_founded = w.founded[solo[concert]]
    since = c_founded + (rng.random(len(c_founded)) * np.maximum(_TODAY - c_founded, 1)).astype(np.int64)
    ended = rng.random(len(since)) < 0.15
    until = np.where(ended, np.minimum(_years_later(since, rng.integers(1, 4, len(since))), _TODAY - 1), -1)
    pairs = {"person": founder[concert], "partner": partner[concert], "since": since, "until": until}
    # one agreement per pair of persons, either way round: a founder and partner who run two companies
    # together (serial founders) sign once, and a tie stored once is walked both ways
    low, high = np.minimum(pairs["person"], pairs["partner"]), np.maximum(pairs["person"], pairs["partner"])
    return _Ties(fam, _take(pairs, _first_of([low, high])))


def family_rows(sheet: _Writer) -> KindRows:
    """The ``FAMILY`` rows (relative, person, relation as printed), by person, between written persons."""
    fam = draw_ties(sheet.w).family
    fam = _keep(fam, (sheet.pid[fam["relative"]] != "") & (sheet.pid[fam["person"]] != ""))
    order = np.lexsort((fam["relative"], sheet.pid[fam["person"]]))

    def family(part: slice) -> dict[str, npt.NDArray[Any]]:
        i = order[part]
        return {
            "relative": sheet.pid[fam["relative"][i]],
            "person": sheet.pid[fam["person"][i]],
            "relation": fam["relation"][i],
        }

    return KindRows(len(order), family)


def concert_rows(sheet: _Writer) -> KindRows:
    """The ``ACTS_IN_CONCERT`` rows (the two persons, the agreement's dates), between written persons."""
    c = draw_ties(sheet.w).concert
    c = _keep(c, (sheet.pid[c["person"]] != "") & (sheet.pid[c["partner"]] != ""))
    order = np.lexsort((c["partner"], sheet.pid[c["person"]]))

    def concert(part: slice) -> dict[str, npt.NDArray[Any]]:
        i = order[part]
        return {
            "person": sheet.pid[c["person"][i]],
            "partner": sheet.pid[c["partner"][i]],
            "since": sheet.date(c["since"][i]),
            "until": sheet.date(c["until"][i]),
        }

    return KindRows(len(order), concert)


# -- investment through funds and partnerships, former holdings (kinds-invest) ------------------------

#: the random stream of the funds and of the holders that have exited (a stage no other draw uses)
_S_INVEST = 64
#: partner roles as the files print them, by code (0 managing partner, 1 general partner, 2 limited partner)
_PARTNER_TEXT = np.array(["执行事务合伙人", "普通合伙人", "有限合伙人"], dtype=object)
#: the share of investment firms that are partnership funds (有限合伙), and the legal form they print
FUND_SHARE = 0.45
FUND_SUFFIX = "合伙企业（有限合伙）"


def draw_investments(w: _World) -> tuple[Cols, Cols]:
    """Partnership funds and their partners; the equity rows of the funds go (their holders become partners).

    Nearly half the investment firms are 有限合伙 funds: another firm (a fund manager) is the
    执行事务合伙人 with 1%, sometimes with a second general partner; the fund's former holders and
    5-20 new limited partners (entrepreneurs who founded companies, and companies investing spare cash)
    share the rest; one partner in ten has left (退伙, an end date). Returns the partners and the
    equity without the funds' holders.
    """
    rng = _rng(w.seed, _S_INVEST)
    firms = w.of(_INVEST)
    funds = firms[rng.random(len(firms)) < FUND_SHARE]
    managers = np.setdiff1d(firms, funds)
    eq = w.equity
    if len(funds) == 0 or len(managers) == 0:
        return {k: _i64([]) for k in ("investor", "person", "fund", "role", "units", "since", "until")}, eq
    moved = np.isin(eq["company"], funds)
    table = _Table("investor", "person", "fund", "role", "weight")
    # the managing partner, and for one fund in six a second general partner
    table.add(investor=_pick(rng, managers, len(funds)), person=False, fund=funds, role=0, weight=0.0)
    second = funds[rng.random(len(funds)) < 0.17]
    table.add(investor=_pick(rng, managers, len(second)), person=False, fund=second, role=1, weight=0.0)
    # the fund's holders stay on as limited partners
    i = np.flatnonzero(moved)
    table.add(investor=eq["holder"][i], person=eq["person"][i], fund=eq["company"][i], role=2, weight=eq["units"][i])
    # new limited partners: founders of standalone companies, and companies
    count = rng.integers(5, 21, len(funds))
    owner = np.repeat(np.arange(len(funds)), count)
    person = rng.random(len(owner)) < 0.6
    founders = w.founder[w.of(_STANDALONE)]
    founders = founders[founders >= 0]
    corporates = w.of(_STANDALONE, _ROOT)
    investor = np.where(person, _pick(rng, founders, len(owner)), _pick(rng, corporates, len(owner)))
    weight = rng.pareto(1.3, len(owner)) * 1000.0 + 300.0
    table.add(investor=investor, person=person, fund=funds[owner], role=2, weight=weight)
    rows = table.done()
    rows["person"] = rows["person"].astype(bool)
    rows = _keep(rows, rows["person"] | (rows["investor"] != rows["fund"]))
    rows = _take(rows, _first_of([rows["fund"], rows["investor"], rows["person"].astype(np.int64)]))
    m = len(rows["fund"])
    left = (rows["role"] == 2) & (rng.random(m) < 0.1)
    # shares: 1% for each general partner, the rest among the limited partners still in, by weight
    gp = rows["role"] < 2
    units = np.where(gp, 100, 0).astype(np.int64)
    lp = ~gp & ~left
    fund_of = np.searchsorted(funds, rows["fund"])
    lp_weight = np.bincount(fund_of[lp], weights=rows["weight"][lp], minlength=len(funds))
    gp_units = np.bincount(fund_of[gp], weights=units[gp], minlength=len(funds))
    share = np.where(lp, rows["weight"] / np.maximum(lp_weight[fund_of], 1e-9), 0.0)
    units = np.where(lp, np.floor(share * (10_000 - gp_units[fund_of])), units).astype(np.int64)
    units = np.where(left, np.clip((rows["weight"] // 10).astype(np.int64), 50, 1500), units)
    firm = ~rows["person"]
    founded = np.maximum(w.founded[rows["fund"]], np.where(firm, w.founded[np.where(firm, rows["investor"], 0)], 0))
    since = founded + (rng.random(m) * 0.5 * np.maximum(_TODAY - founded, 0)).astype(np.int64)
    since = np.minimum(since, _TODAY - 60)
    until = since + 365 + (rng.random(m) * np.maximum(_TODAY - 30 - since - 365, 0)).astype(np.int64)
    rows["units"], rows["since"] = np.maximum(units, 1), since
    rows["until"] = np.where(left & (until < _TODAY), until, -1)
    rows["units"][left & (rows["until"] < 0)] = 1  # too recent to have left: a token share
    del rows["weight"]
    return rows, _keep(eq, ~moved)


def draw_exits(w: _World) -> Cols:
    """Shareholders that have exited (退出日期): for 3% of the companies with holders, an entrepreneur who
    held 5-40% and sold out at least a year after coming in."""
    rng = _rng(w.seed, _S_INVEST + 1)
    held = np.unique(w.equity["company"])
    company = held[rng.random(len(held)) < 0.03]
    founders = w.founder[w.of(_STANDALONE)]
    holder = _pick(rng, founders[founders >= 0], len(company))
    m = len(company)
    since = w.founded[company] + (rng.random(m) * 0.4 * np.maximum(_TODAY - w.founded[company], 0)).astype(np.int64)
    until = since + 365 + (rng.random(m) * np.maximum(_TODAY - 30 - since - 365, 0)).astype(np.int64)
    keep = until < _TODAY - 30
    eq = w.equity
    held_pairs = eq["company"][eq["person"]] * np.int64(1 << 32) + eq["holder"][eq["person"]]
    keep &= ~np.isin(company * np.int64(1 << 32) + holder, held_pairs)  # not a current holder as well
    rows: Cols = {
        "holder": holder,
        "person": np.ones(m, dtype=bool),
        "company": company,
        "units": rng.integers(5, 41, m).astype(np.int64) * 100,
        "since": since,
        "until": until,
    }
    return _keep(rows, keep)


def investments_rows(sheet: _Writer) -> KindRows:
    """The ``INVESTS_IN`` rows, sorted like an export: by fund, the general partners first, larger shares first."""
    w = sheet.w
    inv = w.investments
    order = np.lexsort((-inv["units"], inv["role"], sheet.row_of[inv["fund"]]))

    def investments(part: slice) -> dict[str, npt.NDArray[Any]]:
        i = order[part]
        capital = w.capital[inv["fund"][i]]
        return {
            "investor": sheet.either(inv["person"][i], inv["investor"][i]),
            "investor_type": sheet.kind_of(inv["person"][i]),
            "fund": w.uscc[inv["fund"][i]],
            "partner_role": _PARTNER_TEXT[inv["role"][i]],
            "ratio": sheet.ratios[np.clip(inv["units"][i], 0, 10_000)],
            "amount": np.where(capital > 0, (inv["units"][i] * capital // 10_000).astype(object), ""),
            "since": sheet.date(inv["since"][i]),
            "until": sheet.date(inv["until"][i]),
        }

    return KindRows(len(order), investments)


#: relationship type → its producer; a kind missing here is written by no one (and said so)
PRODUCERS: Mapping[str, Producer] = {
    "HOLDS_SHARES": equity_rows,
    "SERVES_AS": officers_rows,
    "SUPPLIES": supply_rows,
    "GUARANTEES": guarantees_rows,
    "LOCATED_IN": located_rows,
    "OWNS_IP": ip_owner_rows,
    "MEMBER_OF": member_rows,
    "FAMILY": family_rows,
    "ACTS_IN_CONCERT": concert_rows,
    "INVESTS_IN": investments_rows,
    "PAYS": payments_rows,
    "IN_SEGMENT": members_rows,
    "UPSTREAM_OF": segment_links_rows,
}

#: node label → the producer of its file, for labels beyond companies, persons and parks
NODE_PRODUCERS: Mapping[str, Producer] = {
    "IPRight": ip_rights_nodes,
    "Association": association_nodes,
    "Segment": segments_nodes,
}


def producer(type_: str) -> Producer | None:
    """The producer of relationship type ``type_``, None when the generator makes no data for it."""
    return PRODUCERS.get(type_)


def node_producer(label: str) -> Producer | None:
    """The producer of node label ``label``'s file, None when the generator writes none for it."""
    return NODE_PRODUCERS.get(label)
