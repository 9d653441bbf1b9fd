"""A seeded generator of realistic synthetic data: the CSV files a user would supply, of any size.

:func:`generate` writes one CSV file per node label and relationship kind of
``graph/schema.yaml`` (file stems and columns from the schema), the bank's
client list and a prospect list (``prospects.csv``) for list matching. The
data looks like Chinese corporate registers: company names of region + 字号 +
industry + legal form, USCCs with real administrative codes and valid check
characters, founders who sit on several boards, holding-company pyramids,
state asset commissions holding stakes in hundreds of companies, supply
chains in tiers around core enterprises, guarantee circles, industrial parks
that are hubs, and client companies in clusters.

The first rows of ``companies.csv`` are five demo prospects with planted
warm paths of different kinds (a shared chairman, a 30% stake, a supply
contract, a guarantee, a shared park ...), followed by the clients that
introduce them; :attr:`GenerateSummary.demo` tells the story in words.

Everything is drawn with numpy from one seed, one random stream per stage:
the same seed and size give byte-identical files.

>>> import tempfile
>>> summary = generate(Path(tempfile.mkdtemp()), companies=300, seed=1)
>>> summary.rows["companies.csv"]
300
"""

from __future__ import annotations

import argparse
import codecs
import datetime as dt
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from graph.errors import InvalidParameter
from graph.schema import EndpointSpec, Schema, load_schema
from graph.uscc import ALPHABET
from loaders.generate_base import (
    _ACTIVE,
    _CHAIR_ROLES,
    _CHUNK,
    _CITY_INDEX,
    _CITY_OF_REGION,
    _CLOSED,
    _DATE_FIRST,
    _DATE_LAST,
    _EPOCH,
    _GB_INDUSTRY,
    _GOV,
    _INVEST,
    _LR,
    _PAIR,
    _PRODUCT_SLOTS,
    _REGION_TEXT,
    _ROLE,
    _ROOT,
    _S_ATTRS,
    _S_BANK,
    _S_CLIENTS,
    _S_DEMO,
    _S_LAYOUT,
    _S_NAMES,
    _S_ORDER,
    _S_PEOPLE,
    _S_PERSONS,
    _S_PROSPECTS,
    _S_TIDY,
    _S_USCC,
    _STANDALONE,
    _STATUS,
    _STATUS_TEXT,
    _SUB,
    _SUPERVISOR_CODES,
    _TODAY,
    _USCC_REFORM,
    _WORD_COUNT,
    _WORD_START,
    _WORDS,
    AS_OF,
    I64,
    MIN_COMPANIES,
    PROSPECTS_FILE,
    Bool,
    Chunk,
    Cols,
    Obj,
    _concat,
    _days,
    _empty,
    _first_of,
    _i64,
    _industry,
    _keep,
    _merge_stakes,
    _p,
    _pick,
    _rng,
    _round_nice,
    _skewed,
    _slots,
    _Table,
    _take,
    _years_later,
)
from loaders.generate_kinds import (
    FUND_SUFFIX,
    draw_associations,
    draw_equity,
    draw_exits,
    draw_guarantees,
    draw_investments,
    draw_ip,
    draw_parks,
    draw_payments,
    draw_segments,
    draw_supply,
    node_producer,
    plant_ip_and_associations,
    producer,
)
from loaders.generate_names import (
    ABNORMAL_FLAG,
    BLACKLIST_FLAG,
    BRANCH_HEAD_OFFICE,
    GIVEN_CHARS,
    GOV_BODIES,
    GOV_INDUSTRY,
    INDUSTRIES,
    INVESTMENT_INDUSTRY,
    REGIONS,
    RISK_FLAGS,
    ROLE_LEGAL_REP,
    STATUSES,
    SUFFIX_GROUP,
    SUFFIX_GROUP_LISTED,
    SUFFIX_LISTED,
    SUFFIX_PLAIN,
    SUPERVISOR_ROLES,
    SURNAMES,
    ZIHAO_CHARS,
    short_place,
)
from loaders.validate import name_key1

#: the public names (the day the data describes, the smallest size and the prospects file come from generate_base)
__all__ = ["AS_OF", "MIN_COMPANIES", "PROSPECTS_FILE", "GenerateSummary", "generate", "main", "no_producer_message"]


@dataclass(frozen=True)
class GenerateSummary:
    """What :func:`generate` wrote.

    ``rows`` maps each file name (``"companies.csv"`` ...) to its number of
    data rows, the header not counted. ``demo_prospects`` are the USCCs of
    the planted prospects at the top of ``companies.csv`` and ``demo`` says
    in words which warm paths were planted for them.
    """

    out_dir: Path
    companies: int
    seed: int
    rows: dict[str, int]
    seconds: float
    demo_prospects: tuple[str, ...] = ()
    demo: tuple[str, ...] = ()
    #: relationship types of the schema that no producer makes (their files are not written)
    skipped: tuple[str, ...] = ()
    #: one line per thing the caller should know (a kind without a producer)
    warnings: tuple[str, ...] = ()

    @property
    def total_rows(self) -> int:
        """Data rows over all files."""
        return sum(self.rows.values())

    def describe(self) -> str:
        """One line per file and a total, for a command line or a log."""
        lines = [f"{name:<20} {count:>12,}" for name, count in self.rows.items()]
        lines.append(f"{'total':<20} {self.total_rows:>12,}  in {self.seconds:.1f} s")
        return "\n".join([*lines, *self.warnings])


def no_producer_message(type_: str, zh: str, what: str = "relationship kind") -> str:
    """The one line said for a kind the generator makes no data for.

    >>> no_producer_message("MEMBER_OF", "商会")
    'warning: the generator makes no data for relationship kind MEMBER_OF (商会); its file is not written'
    """
    return f"warning: the generator makes no data for {what} {type_} ({zh}); its file is not written"


def generate(
    out_dir: Path,
    companies: int,
    seed: int = 0,
    *,
    headers: Literal["en", "zh"] = "en",
    encoding: str = "utf-8",
    progress: Callable[[str], None] | None = None,
) -> GenerateSummary:
    """Write a synthetic data set of ``companies`` companies into ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder for the CSV files; created if missing, files in it overwritten.
    companies
        Rows of ``companies.csv`` (at least 100); persons, parks and
        relationships scale with it.
    seed
        Same seed and size: byte-identical files. Another seed: other data.
    headers
        ``"en"``: the canonical column names of schema.yaml; ``"zh"``: the first
        Chinese header of each column (统一社会信用代码, 企业名称, 持股比例 ...),
        是/否 for booleans and 自然人/企业 as holder and guarantor types.
    encoding
        Any codec Python knows, e.g. ``"utf-8"``, ``"utf-8-sig"`` or ``"gb18030"``.
    progress
        Called with a short message as each stage finishes.

    Returns
    -------
    GenerateSummary
        Rows written per file, the seconds it took and the demo story.
    """
    if isinstance(companies, bool) or not isinstance(companies, int) or companies < MIN_COMPANIES:
        raise InvalidParameter("companies", f"need a whole number of at least {MIN_COMPANIES}, got {companies!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidParameter("seed", f"need a whole number >= 0, got {seed!r}")
    if headers not in ("en", "zh"):
        raise InvalidParameter("headers", f"need 'en' or 'zh', got {headers!r}")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InvalidParameter("encoding", f"unknown encoding {encoding!r}") from None
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    world = _World.build(companies, seed, say)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    writer = _Writer(world, out, headers == "zh", encoding, say)
    rows = writer.write_all()
    return GenerateSummary(
        out_dir=out,
        companies=companies,
        seed=seed,
        rows=rows,
        seconds=time.perf_counter() - started,
        demo_prospects=tuple(str(world.uscc[c]) for c in world.demo_prospects),
        demo=writer.story(),
        skipped=tuple(writer.skipped),
        warnings=tuple(writer.warnings),
    )


@dataclass
class _World:
    """All generated entities and relationships as numpy arrays, by company and person number.

    Companies are numbered in layout order (state bodies, investment firms,
    groups, standalone companies); ``order`` is the row order of
    companies.csv. Persons are numbered as they are created; only those with
    a relationship are written.
    """

    n: int
    seed: int
    kind: I64
    group: I64
    parent: I64
    depth: I64
    g_start: I64
    g_size: I64
    g_soe: Bool
    g_gov: I64
    g_pool_size: I64
    region: I64 = field(default_factory=_empty)
    city: I64 = field(default_factory=_empty)
    industry: I64 = field(default_factory=_empty)
    founded: I64 = field(default_factory=_empty)
    capital: I64 = field(default_factory=_empty)
    status: I64 = field(default_factory=_empty)
    listed: Bool = field(default_factory=lambda: np.zeros(0, dtype=bool))
    blacklisted: Bool = field(default_factory=lambda: np.zeros(0, dtype=bool))
    flags: I64 = field(default_factory=_empty)
    core: Bool = field(default_factory=lambda: np.zeros(0, dtype=bool))
    client: Bool = field(default_factory=lambda: np.zeros(0, dtype=bool))
    # people
    n_persons: int = 0
    g_pool: I64 = field(default_factory=_empty)
    legal_rep: I64 = field(default_factory=_empty)
    founder: I64 = field(default_factory=_empty)
    partner: I64 = field(default_factory=_empty)
    holders: I64 = field(default_factory=_empty)
    person_black: Bool = field(default_factory=lambda: np.zeros(0, dtype=bool))
    # relationships, one column per array
    officers: Cols = field(default_factory=dict)
    equity: Cols = field(default_factory=dict)
    supply: Cols = field(default_factory=dict)
    guarantees: Cols = field(default_factory=dict)
    located: Cols = field(default_factory=dict)
    #: partners of the partnership funds (INVESTS_IN) and shareholders that have exited (HOLDS_SHARES until)
    investments: Cols = field(default_factory=dict)
    exits: Cols = field(default_factory=dict)
    payments: Cols = field(default_factory=dict)
    #: the demo's planted payments (payer, payee, amount, payments, year), added to the drawn ones
    demo_payments: Cols = field(default_factory=dict)
    members: Cols = field(default_factory=dict)
    segment_links: Cols = field(default_factory=dict)
    segments: dict[str, list[Any]] = field(default_factory=dict)
    # parks
    parks: dict[str, list[str]] = field(default_factory=dict)
    park_city: I64 = field(default_factory=_empty)
    # co-owned IP rights and their owners, associations and their members (loaders.generate_kinds)
    ip_rights: Cols = field(default_factory=dict)
    ip_owners: Cols = field(default_factory=dict)
    associations: Cols = field(default_factory=dict)
    assoc_members: Cols = field(default_factory=dict)
    # the demo
    demo_prospects: I64 = field(default_factory=_empty)
    demo_introducers: I64 = field(default_factory=_empty)
    demo_bracketed: I64 = field(default_factory=_empty)
    demo_lines: list[str] = field(default_factory=list)
    pinned_posts: I64 = field(default_factory=_empty)
    protected_persons: I64 = field(default_factory=_empty)
    black_persons: I64 = field(default_factory=_empty)
    # what the files show
    order: I64 = field(default_factory=_empty)
    name: Obj = field(default_factory=lambda: np.zeros(0, dtype=object))
    #: the names as the loader compares them (loaders.validate.name_key1): unique
    name_key: Obj = field(default_factory=lambda: np.zeros(0, dtype=object))
    former: Obj = field(default_factory=lambda: np.zeros(0, dtype=object))
    uscc: Obj = field(default_factory=lambda: np.zeros(0, dtype=object))
    manager: Obj = field(default_factory=lambda: np.zeros(0, dtype=object))
    branch: Obj = field(default_factory=lambda: np.zeros(0, dtype=object))
    client_since: I64 = field(default_factory=_empty)

    @classmethod
    def build(cls, n: int, seed: int, say: Callable[[str], None]) -> _World:
        world = cls.layout(n, seed)
        world.attributes()
        say(f"companies: {n:,} laid out, {len(world.g_start):,} groups")
        world.people()
        world.equity = draw_equity(world)
        world.investments, world.equity = draw_investments(world)
        world.exits = draw_exits(world)
        posts, stakes = len(world.officers["person"]), len(world.equity["company"])
        say(f"people: {world.n_persons:,} drawn; {posts:,} posts, {stakes:,} stakes")
        world.parks, world.park_city, world.located = draw_parks(world)
        world.clients()
        world.supply = draw_supply(world)
        world.guarantees = draw_guarantees(world)
        _Demo(world, _rng(seed, _S_DEMO)).plant()
        world.tidy()
        world.ip_rights, world.ip_owners = draw_ip(world)
        world.associations, world.assoc_members = draw_associations(world)
        plant_ip_and_associations(world)
        world.payments = draw_payments(world)
        world.segments, world.segment_links, world.members = draw_segments(world)
        supply, guarantees = len(world.supply["supplier"]), len(world.guarantees["borrower"])
        located, clients = len(world.located["company"]), int(world.client.sum())
        say(f"relationships: {supply:,} supply, {guarantees:,} guarantees, {located:,} park; {clients:,} clients")
        world.file_order()
        world.company_names()
        world.usccs()
        world.bank()
        say("names, USCCs, branches and managers drawn")
        return world

    # -- who is what -------------------------------------------------------

    @classmethod
    def layout(cls, n: int, seed: int) -> _World:
        """State asset commissions, investment firms, group pyramids, standalone companies."""
        rng = _rng(seed, _S_LAYOUT)
        n_gov = min(len(GOV_BODIES), 2 + n // 25_000)
        n_inv = max(3, round(n * 0.012))
        cap = max(8, min(2500, n // 200))
        target = round(n * 0.33)
        sizes = np.minimum(2 + (rng.pareto(1.2, target // 2 + 10) * 1.5).astype(np.int64), cap)
        sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), target, side="right"))]
        in_groups = int(sizes.sum())
        g_start = n_gov + n_inv + np.cumsum(sizes) - sizes

        kind = np.full(n, _STANDALONE, dtype=np.int64)
        kind[:n_gov] = _GOV
        kind[n_gov : n_gov + n_inv] = _INVEST
        group = np.full(n, -1, dtype=np.int64)
        parent = np.full(n, -1, dtype=np.int64)
        depth = np.zeros(n, dtype=np.int64)
        members = np.arange(n_gov + n_inv, n_gov + n_inv + in_groups, dtype=np.int64)
        g_of, local = _slots(sizes)
        group[members] = g_of
        kind[members] = np.where(local == 0, _ROOT, _SUB)
        # a random recursive tree, wide at the top: most subsidiaries hang off the group's parent
        parent_local = np.floor(local * rng.random(in_groups) ** 1.7).astype(np.int64)
        parent[members] = np.where(local == 0, -1, g_start[g_of] + parent_local)
        subs = members[local > 0]
        for _ in range(200):
            deeper = depth[parent[subs]] + 1
            if np.array_equal(deeper, depth[subs]):
                break
            depth[subs] = deeper

        g_soe = rng.random(len(sizes)) < np.where(sizes >= 15, 0.35, 0.1)
        gov_weight = _p(1.0 / np.arange(1, n_gov + 1) ** 0.8)
        g_gov = np.where(g_soe, rng.choice(n_gov, len(sizes), p=gov_weight), -1).astype(np.int64)
        # each group has a pool of people who run its boards: 0 chairman, 1 president, 2 auditor
        pool_size = np.clip(np.round(1.5 + 0.6 * sizes**0.85), 3, 400).astype(np.int64)
        return cls(
            n=n,
            seed=seed,
            kind=kind,
            group=group,
            parent=parent,
            depth=depth,
            g_start=g_start.astype(np.int64),
            g_size=sizes.astype(np.int64),
            g_soe=g_soe,
            g_gov=g_gov,
            g_pool_size=pool_size,
        )

    def of(self, *kinds: int) -> I64:
        """Companies of the given kinds."""
        return np.flatnonzero(np.isin(self.kind, kinds)).astype(np.int64)

    @property
    def n_gov(self) -> int:
        return int((self.kind == _GOV).sum())

    @property
    def active(self) -> Bool:
        return np.isin(self.status, _ACTIVE)

    def gov_of(self, ids: I64) -> I64:
        """The state body (index in GOV_BODIES) each company is, or -1."""
        return np.where(self.kind[ids] == _GOV, ids, -1)

    def attributes(self) -> None:
        """Region, industry, founding date, capital, status, listing, black list and risk flags."""
        rng = _rng(self.seed, _S_ATTRS)
        n = self.n
        roots, subs, govs = self.g_start, self.of(_SUB), self.of(_GOV)
        root_of = self.g_start[np.maximum(self.group, 0)]

        self.region = rng.choice(len(REGIONS), n, p=_p([r[4] for r in REGIONS])).astype(np.int64)
        local = subs[rng.random(len(subs)) < 0.55]
        self.region[local] = self.region[root_of[local]]
        codes = np.array([r[3] for r in REGIONS])
        # state-owned groups sit where their commission is, the commission in its own city
        for g, (_, _, city, district, code) in enumerate(GOV_BODIES[: self.n_gov]):
            scope = "" if code == "100000" else code.rstrip("0")
            scope += "0" * (len(scope) % 2)
            inside = np.flatnonzero(np.char.startswith(codes, scope)).astype(np.int64)
            owned = roots[self.g_gov == g]
            self.region[owned] = _pick(rng, inside, len(owned))
            home = [i for i, r in enumerate(REGIONS) if r[1] == city and (not district or r[2] == district)]
            self.region[g] = home[0]
        self.city = _CITY_OF_REGION[self.region]

        self.industry = rng.choice(len(INDUSTRIES), n, p=_p([ind.weight for ind in INDUSTRIES])).astype(np.int64)
        self.industry[self.of(_INVEST, _GOV)] = INVESTMENT_INDUSTRY
        follow = subs[rng.random(len(subs)) < 0.5]
        self.industry[follow] = self.industry[root_of[follow]]

        # core enterprises: the biggest groups' parents and some large independents
        n_core = max(3, n // 700)
        self.core = np.zeros(n, dtype=bool)
        by_size = roots[np.argsort(-self.g_size, kind="stable")]
        self.core[by_size[: min(len(by_size), n_core * 3 // 4)]] = True
        standalone = self.of(_STANDALONE)
        self.core[rng.choice(standalone, min(len(standalone), n_core - int(self.core.sum())), replace=False)] = True

        # companies are young; parents older than their subsidiaries
        back = 100 + np.where(
            (self.kind == _ROOT) | self.core, rng.exponential(14 * 365, n), rng.exponential(9 * 365, n)
        )
        self.founded = np.maximum(_TODAY - back.astype(np.int64), _days(1985))
        for d in range(1, int(self.depth.max()) + 1):
            at = np.flatnonzero(self.depth == d)
            base = self.founded[self.parent[at]]
            self.founded[at] = base + (rng.random(len(at)) ** 1.5 * (_TODAY - 100 - base)).astype(np.int64)
        self.founded[govs] = _days(2003, 4, 6) + rng.integers(0, 900, len(govs))

        self.listed = np.zeros(n, dtype=bool)
        self.listed[roots] = rng.random(len(roots)) < np.where(self.g_size >= 10, 0.35, 0.04)
        self.listed |= self.core & (rng.random(n) < 0.5)
        self.listed[np.isin(self.kind, (_GOV, _INVEST))] = False
        # registered capital in 万元, rounded the way people register it
        median = np.select(
            [self.kind == _ROOT, self.kind == _SUB, self.kind == _INVEST], [8000.0, 1000.0, 1000.0], 100.0
        )
        median = np.where(self.core, 20_000.0, median)
        wan = np.clip(median * rng.lognormal(0.0, 1.15, n), 3, 3_000_000)
        wan = np.where(self.listed, np.maximum(wan, 10_000 * rng.lognormal(1.0, 0.8, n)), wan)
        self.capital = _round_nice(wan) * 10_000
        self.capital[govs] = 0

        self.status = rng.choice(len(STATUSES), n, p=_p([s[1] for s in STATUSES])).astype(np.int64)
        steady = np.isin(self.kind, (_ROOT, _GOV, _INVEST)) | self.core | self.listed
        self.status[steady] = _STATUS["存续"]

        private = self.of(_STANDALONE, _SUB)
        self.blacklisted = np.zeros(n, dtype=bool)
        self.blacklisted[private[rng.random(len(private)) < 0.003]] = True
        self.blacklisted &= ~(self.core | self.listed)
        bit = {f: 1 << i for i, f in enumerate(RISK_FLAGS)}
        draw = rng.random(n)
        one, two = rng.integers(0, len(RISK_FLAGS), n), rng.integers(0, len(RISK_FLAGS), n)
        flags = _i64(np.where(draw < 0.05, 1 << one, 0)) | _i64(np.where(draw < 0.012, 1 << two, 0))
        flags[self.blacklisted] |= bit[BLACKLIST_FLAG]
        flags[np.isin(self.status, _CLOSED[1:])] |= bit[ABNORMAL_FLAG]
        flags[govs] = 0
        self.flags = flags.astype(np.int64)

    # -- people ------------------------------------------------------------

    def new_persons(self, count: int) -> I64:
        ids = np.arange(self.n_persons, self.n_persons + count, dtype=np.int64)
        self.n_persons += count
        return ids

    def people(self) -> None:
        """Officers of every company: founders and partners, group boards, independent directors."""
        rng = _rng(self.seed, _S_PEOPLE)
        n = self.n
        posts = _Posts(self, rng)
        self.legal_rep = np.full(n, -1, dtype=np.int64)
        self.founder = np.full(n, -1, dtype=np.int64)
        self.partner = np.full(n, -1, dtype=np.int64)
        self.holders = np.ones(n, dtype=np.int64)

        # standalone companies and investment firms: a founder (some found several), partners
        solo = self.of(_STANDALONE, _INVEST)
        m = len(solo)
        reuse = rng.random(m) < 0.2
        reuse[0] = True
        serial_n = max(1, min(round(0.05 * m), int(reuse.sum())))
        serial = self.new_persons(serial_n)
        founder = np.empty(m, dtype=np.int64)
        picks = serial[_skewed(rng, np.full(int(reuse.sum()), serial_n), 1.2)]
        picks[:serial_n] = rng.permutation(serial)
        founder[reuse] = picks
        founder[~reuse] = self.new_persons(int((~reuse).sum()))
        k = rng.choice(4, m, p=[0.3, 0.42, 0.2, 0.08]) + 1
        partner = np.where(rng.random(m) < 0.2, serial[rng.integers(0, serial_n, m)], -1)
        partner[partner == founder] = -1
        need = (k >= 2) & (partner < 0)
        partner[need] = self.new_persons(int(need.sum()))
        partner[k < 2] = -1
        self.founder[solo], self.partner[solo], self.holders[solo] = founder, partner, k
        lr = founder.copy()
        hired = rng.random(m) < 0.12
        lr[hired] = self.new_persons(int(hired.sum()))
        self.legal_rep[solo] = lr
        large = (self.capital[solo] >= 10_000_000) & (rng.random(m) < 0.3)
        posts.register(solo, lr, large, supervisor=partner)

        # groups: a pool of people per group runs all its boards
        pools = self.new_persons(int(self.g_pool_size.sum()))
        self.g_pool = (pools[0] + np.cumsum(self.g_pool_size) - self.g_pool_size).astype(np.int64)
        roots = self.g_start
        everyone = np.arange(len(roots), dtype=np.int64)
        self.legal_rep[roots] = self.g_pool
        posts.register(
            roots,
            self.g_pool,
            np.ones(len(roots), dtype=bool),
            supervisor=self.g_pool + 2,
            board=self._board(rng, everyone, first=1),
            manager=self.g_pool + 1,
        )
        subs = self.of(_SUB)
        g = self.group[subs]
        chosen = _skewed(rng, self.g_pool_size[g], 2.0)
        sub_lr = self.g_pool[g] + np.where(chosen == 2, 0, chosen)
        self.legal_rep[subs] = sub_lr
        large = (self.capital[subs] >= 50_000_000) | ((self.depth[subs] == 1) & (rng.random(len(subs)) < 0.2))
        # supervisors: one of the group's auditors (one per 50 companies), another of its people, or none
        size = self.g_pool_size[g]
        auditors = np.clip(self.g_size[g] // 50, 1, size - 2)
        audit = 2 + (rng.random(len(subs)) * auditors).astype(np.int64)
        other = np.where(size > 3, 3 + _skewed(rng, np.maximum(size - 3, 1), 1.5), 2)
        draw = rng.random(len(subs))
        auditor = np.where(draw < 0.45, self.g_pool[g] + audit, np.where(draw < 0.8, self.g_pool[g] + other, -1))
        posts.register(subs, sub_lr, large, supervisor=auditor, board=self._board(rng, g, first=0))

        # state asset commissions: their director is the legal representative
        govs = self.of(_GOV)
        self.legal_rep[govs] = self.new_persons(len(govs))
        posts.add(self.legal_rep[govs], govs, ROLE_LEGAL_REP)

        # listed companies share a pool of independent directors (professors, accountants)
        listed = np.flatnonzero(self.listed).astype(np.int64)
        independents = self.new_persons(max(3, round(0.8 * len(listed))))
        for _ in range(3):
            posts.add(_pick(rng, independents, len(listed)), listed, "独立董事", late=True)
        self.officers = posts.table.done()

    def _board(self, rng: np.random.Generator, groups: I64, first: int) -> I64:
        """Four board seats per company filled from its group's pool (never the auditor)."""
        size = self.g_pool_size[groups]
        seats = np.empty((len(groups), 4), dtype=np.int64)
        for j in range(4):
            idx = first + (rng.random(len(groups)) ** 1.5 * (size - first)).astype(np.int64)
            seats[:, j] = self.g_pool[groups] + np.where(idx == 2, 1, idx)
        return seats

    # -- equity --------------------------------------------------------------

    def deepest(self, groups: I64) -> I64:
        """The deepest member of each group."""
        members = self.of(_ROOT, _SUB)
        ranked = members[np.lexsort((self.depth[members], self.group[members]))]
        return _i64(ranked[(np.cumsum(self.g_size) - 1)[groups]])

    # -- parks -----------------------------------------------------------------

    # -- clients -----------------------------------------------------------------

    def clients(self) -> None:
        """The bank's clients (about 7%): whole groups, core enterprises, some independents."""
        rng = _rng(self.seed, _S_CLIENTS)
        client_group = rng.random(len(self.g_start)) < 0.22
        member = self.group >= 0
        in_client_group = member & client_group[np.maximum(self.group, 0)]
        p = np.where(self.kind == _INVEST, 0.05, 0.035)
        p = np.where(in_client_group, np.where(self.kind == _ROOT, 0.9, 0.5), np.where(member, 0.01, p))
        p = np.where(self.core, 0.6, p)
        p[self.kind == _GOV] = 0.0
        self.client = (rng.random(self.n) < p) & self.active & ~self.blacklisted

    # -- supply chains -----------------------------------------------------------

    # -- guarantees --------------------------------------------------------------

    # -- finishing -------------------------------------------------------------

    def tidy(self) -> None:
        """One row per identity; an officer keeps the legal representative post and one other, the highest."""
        rng = _rng(self.seed, _S_TIDY)
        o = self.officers
        o = _take(o, np.lexsort((o["role"], o["person"], o["company"])))
        o = _take(o, _first_of([o["company"], o["person"], o["role"]]))
        is_lr = o["role"] == _LR
        keep = is_lr.copy()
        others = np.flatnonzero(~is_lr)
        first = np.ones(len(others), dtype=bool)
        first[1:] = (o["company"][others][1:] != o["company"][others][:-1]) | (
            o["person"][others][1:] != o["person"][others][:-1]
        )
        keep[others[first]] = True
        o = _keep(o, keep)
        # a legal representative cannot be the company's supervisor as well
        pair = o["company"] * _PAIR + o["person"]
        clash = np.isin(o["role"], _SUPERVISOR_CODES) & np.isin(pair, pair[o["role"] == _LR])
        o = _keep(o, ~clash)
        # some directors, executives and supervisors have left (an end date); the demo's posts stay
        m = len(o["role"])
        left = (o["role"] >= _ROLE["董事"]) & (rng.random(m) < 0.04) & (o["since"] < _TODAY - 400)
        left &= ~np.isin(o["company"] * _PAIR + o["person"], self.pinned_posts)
        until = np.maximum(o["since"] + (rng.random(m) * (_TODAY - o["since"])).astype(np.int64), o["since"] + 180)
        o["until"] = np.where(left, np.minimum(until, _TODAY), -1)
        self.officers = o

        # nobody holds shares before it exists, nobody trades before it exists
        eq = _merge_stakes(self.equity)
        firm = ~eq["person"]
        eq["since"][firm] = np.minimum(np.maximum(eq["since"][firm], self.founded[eq["holder"][firm]] + 30), _TODAY)
        self.equity = eq
        s = self.supply
        founded = np.maximum(self.founded[s["supplier"]], self.founded[s["customer"]])
        s["year"] = np.maximum(
            s["year"], founded.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        )
        s = _keep(s, s["year"] <= AS_OF.year - 1)
        self.supply = _take(s, _first_of([s["supplier"], s["customer"], s["year"]]))
        g = self.guarantees
        self.guarantees = _take(g, _first_of([g["guarantor"], g["person"], g["borrower"], g["start"]]))
        loc = self.located
        self.located = _take(loc, _first_of([loc["company"], loc["park"]]))

        black = rng.random(self.n_persons) < 0.0015
        bad_lr = self.legal_rep[self.blacklisted]
        black[bad_lr[rng.random(len(bad_lr)) < 0.6]] = True
        black[self.protected_persons] = False
        black[self.black_persons] = True
        self.person_black = black

    def file_order(self) -> None:
        """Rows of companies.csv: demo prospects, their introducers, then everybody else shuffled."""
        rng = _rng(self.seed, _S_ORDER)
        head = _i64(list(dict.fromkeys([*self.demo_prospects.tolist(), *self.demo_introducers.tolist()])))
        rest = np.setdiff1d(np.arange(self.n, dtype=np.int64), head)
        self.order = np.concatenate([head, rng.permutation(rest)])

    def company_names(self) -> None:
        """Region + 字号 + industry word + legal form, unique in file order; some former names."""
        rng = _rng(self.seed, _S_NAMES)
        n = self.n
        chars = np.array(list(ZIHAO_CHARS), dtype=object)
        a = rng.integers(0, len(chars), n)
        zihao = chars[a] + chars[(a + rng.integers(1, len(chars), n)) % len(chars)]
        members = np.flatnonzero(self.group >= 0)
        brand = members[rng.random(len(members)) < 0.75]
        zihao[brand] = zihao[self.g_start[self.group[brand]]]

        city = np.array([short_place(r[1]) for r in REGIONS], dtype=object)
        county = np.array(
            [short_place(r[2]) if r[2].endswith("市") else short_place(r[1]) for r in REGIONS], dtype=object
        )
        prefix = np.where(rng.random(n) < 0.7, county[self.region], city[self.region])
        word = _WORDS[_WORD_START[self.industry] + rng.integers(0, 1 << 20, n) % _WORD_COUNT[self.industry]]
        suffix = _choose_text(rng, SUFFIX_PLAIN, n)
        suffix[self.listed] = SUFFIX_LISTED
        suffix[np.unique(self.investments["fund"])] = FUND_SUFFIX  # partnership funds (kinds-invest)
        roots = self.g_start
        suffix[roots] = np.where(self.listed[roots], SUFFIX_GROUP_LISTED, _choose_text(rng, SUFFIX_GROUP, len(roots)))
        word[roots] = np.where(rng.random(len(roots)) < 0.5, "", word[roots])
        suffix[roots] = np.where(
            (word[roots] != "") & (suffix[roots] == "实业集团有限公司"), "集团有限公司", suffix[roots]
        )
        # a few are 字号（城市）行业有限公司, rarely with half-width brackets
        draw = rng.random(n)
        style = np.where(draw < 0.004, 2, np.where(draw < 0.08, 1, 0))
        style[roots] = 0
        style[self.demo_prospects] = 0
        style[self.demo_bracketed] = 1

        def compose(ids: I64) -> Obj:
            z, p, st = zihao[ids], prefix[ids], style[ids]
            bracketed = np.where(st == 1, z + "（" + p + "）", z + "(" + p + ")")
            return np.asarray(np.where(st == 0, p + z, bracketed) + word[ids] + suffix[ids], dtype=object)

        names = compose(np.arange(n, dtype=np.int64))
        names[: self.n_gov] = [body[0] for body in GOV_BODIES[: self.n_gov]]
        # the names the loader's comparison may change: bracketed ones (字号（城市）, 合伙企业（有限合伙）) and the
        # state bodies' (from a table); region, 字号 and industry words are left alone (a test checks them)
        suffix_codes, suffixes = pd.factorize(suffix)
        bracketed = (style > 0) | np.array([name_key1(str(x)) != x for x in suffixes], dtype=bool)[suffix_codes]
        bracketed[: self.n_gov] = True

        def lengthen(ids: I64) -> Obj:
            zihao[ids] = zihao[ids] + chars[rng.integers(0, len(chars), len(ids))]
            return compose(ids)

        # a later duplicate gets one more character in its 字号
        keys = _make_unique(names, bracketed, self.order, lengthen)
        self.name = names
        self.name_key = keys

        former = np.full(n, "", dtype=object)
        renamed = np.flatnonzero((rng.random(n) < 0.05) & (self.kind != _GOV))
        other = rng.integers(0, INVESTMENT_INDUSTRY, len(renamed))
        old_word = _WORDS[_WORD_START[other] + rng.integers(0, 1 << 20, len(renamed)) % _WORD_COUNT[other]]
        former[renamed] = prefix[renamed] + zihao[renamed] + old_word + "有限公司"
        twice = renamed[rng.random(len(renamed)) < 0.15]
        former[twice] = former[twice] + "\x1f" + prefix[twice] + zihao[twice] + "贸易有限公司"
        went_public = np.flatnonzero(self.listed & (rng.random(n) < 0.6))
        former[went_public] = [str(x).replace("股份有限公司", "有限公司") for x in names[went_public]]
        # a former name that another company now bears (as the loader compares names) is not listed
        current = set(keys.tolist())
        had = np.flatnonzero(former != "")
        former[had] = [
            "\x1f".join(f for f in str(text).split("\x1f") if name_key1(f) not in current) for text in former[had]
        ]
        former[self.demo_prospects] = ""
        self.former = former

    def usccs(self) -> None:
        """统一社会信用代码: 91 (11 for state bodies) + admin code + organisation code + GB 32100 check."""
        rng = _rng(self.seed, _S_USCC)
        n = self.n
        admin = np.array([r[3] for r in REGIONS], dtype="U6")[self.region]
        admin[: self.n_gov] = [body[4] for body in GOV_BODIES[: self.n_gov]]
        head = np.where(self.kind == _GOV, "11", "91").astype("U2")
        codes = np.zeros((n, 18), dtype=np.uint8)
        codes[:, :8] = np.char.add(head, admin).astype("S8").view(np.uint8).reshape(n, 8)
        alphabet = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)
        digits = np.frombuffer(b"0123456789", dtype=np.uint8)
        todo = np.arange(n, dtype=np.int64)
        while len(todo):
            # organisation codes: 8 digits before the 2015 reform, MA + 6 characters after it
            m = len(todo)
            body = digits[rng.integers(0, 10, (m, 8))]
            body[:, 0] = digits[rng.integers(1, 10, m)]
            modern = self.founded[todo] >= _USCC_REFORM
            body[modern, 0], body[modern, 1] = ord("M"), ord("A")
            body[modern, 2:] = alphabet[rng.integers(0, len(alphabet), (int(modern.sum()), 6))]
            body[self.kind[todo] == _GOV, :2] = ord("0")
            codes[todo, 8:16] = body
            codes[todo, 16] = _org_check(body)
            prefixes = pd.Series(np.ascontiguousarray(codes[:, :17]).view("S17").ravel())
            todo = np.flatnonzero(prefixes.duplicated().to_numpy()).astype(np.int64)
        codes[:, 17] = _uscc_check(codes[:, :17])
        self.uscc = codes.view("S18").ravel().astype("U18").astype(object)

    def bank(self) -> None:
        """Each client's branch and relationship manager.

        The bank has a 分行 in every city and opens a 支行 in a district for
        about every 60 clients there (busiest districts first); large clients
        and those of districts without a 支行 are served by the 分行营业部. A
        manager looks after 40-140 clients of one branch.
        """
        rng = _rng(self.seed, _S_BANK)
        clients = np.flatnonzero(self.client).astype(np.int64)
        region = self.region[clients]
        city_of = _CITY_OF_REGION
        per_region = np.bincount(region, minlength=len(REGIONS))
        per_city = np.bincount(city_of[region], minlength=len(_CITY_INDEX))
        opened = np.zeros(len(REGIONS), dtype=bool)
        for city in np.flatnonzero(per_city >= 60):
            regions = np.flatnonzero(city_of == city)
            busiest = regions[np.argsort(-per_region[regions], kind="stable")]
            opened[busiest[: int(per_city[city] // 60)]] = True
        opened &= np.array([bool(r[2]) for r in REGIONS])
        city_branch = np.array([short_place(r[1]) + "分行" for r in REGIONS], dtype=object)
        office = np.array([short_place(r[2]) + "支行" for r in REGIONS], dtype=object)
        big = (self.listed | self.core | (self.kind == _ROOT))[clients] & (rng.random(len(clients)) < 0.6)
        own = opened[region] & ~big
        branch = city_branch[region] + np.where(own, office[region], BRANCH_HEAD_OFFICE)
        branches, branch_of = np.unique(branch.astype(str), return_inverse=True)
        per_branch = np.bincount(branch_of, minlength=len(branches))
        managers = np.maximum(1, np.round(per_branch / rng.integers(40, 140, len(branches)))).astype(np.int64)
        first_manager = np.cumsum(managers) - managers
        names = _unique_person_names(rng, int(managers.sum()))
        manager = first_manager[branch_of] + (rng.random(len(clients)) * managers[branch_of]).astype(np.int64)
        self.manager = np.full(self.n, "", dtype=object)
        self.branch = np.full(self.n, "", dtype=object)
        self.manager[clients] = names[manager]
        self.branch[clients] = branches[branch_of].astype(object)
        # most group companies are served by the manager of their parent (a big group by several)
        in_group = np.maximum(self.group[clients], 0)
        group_clients = np.bincount(in_group, minlength=len(self.g_start))[in_group]
        follow_p = 0.6 * np.minimum(1.0, 60 / np.maximum(group_clients, 1))
        follow = clients[(self.group[clients] >= 0) & (rng.random(len(clients)) < follow_p)]
        root = self.g_start[self.group[follow]]
        follow, root = follow[self.client[root]], root[self.client[root]]
        self.manager[follow] = self.manager[root]
        self.branch[follow] = self.branch[root]
        start = np.maximum(self.founded, _days(2008)) + 30
        self.client_since = start + (rng.random(self.n) * np.maximum(_TODAY - start, 1)).astype(np.int64)


class _Posts:
    """Officer posts being registered: who holds which title at which company since when."""

    def __init__(self, world: _World, rng: np.random.Generator) -> None:
        self.w = world
        self.rng = rng
        self.table = _Table("person", "company", "role", "since")

    def add(self, person: I64, company: I64, role: str, late: bool = False) -> None:
        since = self.w.founded[company]
        if late:
            since = since + (self.rng.random(len(company)) * 0.6 * (_TODAY - since)).astype(np.int64)
        self.table.add(person=person, company=company, role=_ROLE[role], since=since)

    def register(
        self,
        companies: I64,
        lr: I64,
        large: Bool,
        *,
        supervisor: I64,
        board: I64 | None = None,
        manager: I64 | None = None,
    ) -> None:
        """Small companies: 执行董事(兼总经理) and 监事. Large ones: 董事长, a board, 总经理, 监事会."""
        rng, new = self.rng, self.w.new_persons
        m = len(companies)
        self.add(lr, companies, ROLE_LEGAL_REP)
        sup = supervisor.copy()
        fresh = (sup < 0) & (rng.random(m) < 0.6)  # the others have none, as the 2024 company law allows
        sup[fresh] = new(int(fresh.sum()))

        small = ~large
        combined = small & (rng.random(m) < 0.88)
        self.add(lr[combined], companies[combined], "执行董事兼总经理")
        split = small & ~combined
        self.add(lr[split], companies[split], "执行董事")
        title = np.where(rng.random(int(split.sum())) < 0.5, "经理", "总经理")
        for name in ("经理", "总经理"):
            self.add(new(int((title == name).sum())), companies[split][title == name], name, late=True)
        has = small & (sup >= 0)
        self.add(sup[has], companies[has], "监事")
        cfo = small & (rng.random(m) < 0.05)
        self.add(new(int(cfo.sum())), companies[cfo], "财务负责人", late=True)

        at = np.flatnonzero(large)
        big = companies[at]
        self.add(lr[at], big, "董事长")
        seats = 2 + rng.integers(0, 3, len(at))
        for j in range(4):
            on = seats > j
            who = board[at, j].copy() if board is not None else np.zeros(len(at), dtype=np.int64)
            if board is None:
                who[on] = new(int(on.sum()))
            self.add(who[on], big[on], "董事", late=j > 0)
        self.add(manager[at] if manager is not None else new(len(at)), big, "总经理", late=True)
        chair = sup[at]
        chair[chair < 0] = new(int((chair < 0).sum()))
        self.add(chair, big, "监事会主席")
        for role, share in (("职工监事", 0.5), ("财务负责人", 0.6), ("副总经理", 0.35)):
            on = rng.random(len(at)) < share
            self.add(new(int(on.sum())), big[on], role, late=True)
        secretary = self.w.listed[big]
        self.add(new(int(secretary.sum())), big[secretary], "董事会秘书", late=True)


def _choose_text(rng: np.random.Generator, table: Sequence[tuple[str, float]], size: int) -> Obj:
    texts = np.array([t for t, _ in table], dtype=object)
    return np.asarray(texts[rng.choice(len(texts), size, p=_p([w for _, w in table]))], dtype=object)


def _org_check(body: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """GB 11714 check character of 8-character organisation codes: 0-9 or X."""
    values = np.where(body >= ord("A"), body.astype(np.int64) - 55, body.astype(np.int64) - 48)
    check = 11 - (values @ np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)) % 11
    return np.where(check == 10, ord("X"), np.where(check == 11, ord("0"), check + 48)).astype(np.uint8)


def _uscc_check(first17: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """GB 32100 check characters, vectorised; :func:`graph.uscc.check_char` does one code."""
    value = np.zeros(128, dtype=np.int64)
    value[np.frombuffer(ALPHABET.encode(), dtype=np.uint8)] = np.arange(len(ALPHABET))
    weights = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
    total = value[first17] @ weights
    return np.asarray(np.frombuffer(ALPHABET.encode(), dtype=np.uint8)[(31 - total % 31) % 31], dtype=np.uint8)


def _name_keys(names: Obj, bracketed: Bool) -> Obj:
    """Company names as the loader compares them (:func:`loaders.validate.name_key1`: half-width, no blanks,
    lower case). Only the ``bracketed`` ones are normalised: the others are built from words the comparison
    leaves alone (tests/test_generate_collisions.py checks the generator's tables).

    >>> _name_keys(np.array(["千洲（深圳）针织有限公司", "千洲深圳针织"], dtype=object), np.array([True, False]))
    array(['千洲(深圳)针织有限公司', '千洲深圳针织'], dtype=object)
    """
    keys = np.array(names, dtype=object)
    at = np.flatnonzero(bracketed)
    keys[at] = [name_key1(str(name)) for name in keys[at]]
    return keys


def _make_unique(names: Obj, bracketed: Bool, order: I64, rename: Callable[[I64], Obj]) -> Obj:
    """Rename, in place, each company whose name repeats that of one earlier in ``order`` as the loader
    compares names (千洲(深圳)针织 is 千洲（深圳）针织), until none does; return the names' keys.

    ``rename`` gives the companies it is passed new names. A list (of clients, of prospects) can then
    name every company by its name alone.

    >>> names = np.array(["千洲(深圳)针织", "千洲（深圳）针织", "千洲针织"], dtype=object)
    >>> keys = _make_unique(names, np.array([True, True, False]), _i64([0, 1, 2]), lambda ids: names[ids] + "厂")
    >>> names.tolist(), keys.tolist()
    (['千洲(深圳)针织', '千洲（深圳）针织厂', '千洲针织'], ['千洲(深圳)针织', '千洲(深圳)针织厂', '千洲针织'])
    """
    keys = _name_keys(names, bracketed)
    repeated = _repeated(keys, order)
    held = Counter(keys.tolist()) if len(repeated) else Counter()
    for _ in range(50):
        if len(repeated) == 0:
            break
        held.subtract(keys[repeated].tolist())
        names[repeated] = rename(repeated)
        keys[repeated] = _name_keys(names[repeated], bracketed[repeated])
        held.update(keys[repeated].tolist())
        # a renamed company whose new name is taken (by anyone) gives way again: only they are checked
        repeated = repeated[np.array([held[key] > 1 for key in keys[repeated].tolist()], dtype=bool)]
    return keys


def _repeated(keys: Obj, order: I64) -> I64:
    """The companies (numbers from ``order``) whose name key repeats that of a company earlier in ``order``.

    >>> _repeated(np.array(["a(b)", "c", "a(b)"], dtype=object), _i64([2, 1, 0]))
    array([0])
    """
    return _i64(order[pd.Series(keys[order]).duplicated().to_numpy()])


def _named_alone(keys: Obj, companies: I64) -> Bool:
    """For each of ``companies``, whether no other company has its name key: a list may name it by its name
    alone (the loader matches a name to a company only when one company bears it).

    >>> _named_alone(np.array(["a(b)", "c", "a(b)"], dtype=object), _i64([0, 1]))
    array([False,  True])
    """
    wanted = keys[companies].tolist()
    if not wanted:
        return np.zeros(0, dtype=bool)
    count = dict.fromkeys(wanted, 0)
    for key in keys.tolist():  # a set lookup per company: faster than pandas' isin on a million strings
        if key in count:
            count[key] += 1
    return np.array([count[key] == 1 for key in wanted], dtype=bool)


def _person_names(rng: np.random.Generator, count: int) -> Obj:
    """Chinese personal names: a surname by frequency, a one- or two-character given name."""
    surnames = np.array([s for s, _ in SURNAMES], dtype=object)
    given = np.array(list(GIVEN_CHARS), dtype=object)
    family = surnames[rng.choice(len(surnames), count, p=_p([w for _, w in SURNAMES]))]
    second = np.where(rng.random(count) < 0.72, given[rng.integers(0, len(given), count)], "")
    return np.asarray(family + given[rng.integers(0, len(given), count)] + second, dtype=object)


def _unique_person_names(rng: np.random.Generator, count: int) -> Obj:
    """``count`` distinct personal names (relationship managers must be told apart)."""
    names = _person_names(rng, count)
    for _ in range(100):
        repeated = pd.Series(names).duplicated().to_numpy()
        if not repeated.any():
            break
        names[repeated] = _person_names(rng, int(repeated.sum()))
    return names


# ---------------------------------------------------------------------------
# the demo: prospects with planted warm paths


class _Demo:
    """Plants five prospects and the relationships that make them reachable from clients.

    The prospects' own relationships are replaced; the introducers are real
    clients of the generated graph. ``lines`` tells the story with
    placeholders the writer fills in: ``{c:12}`` a company, ``{p:34}`` a
    person, ``{k:5}`` a park.
    """

    def __init__(self, world: _World, rng: np.random.Generator) -> None:
        self.w = world
        self.rng = rng
        self.used: list[int] = []
        self.intro: list[int] = []
        self.new_people: list[int] = []
        self.pins: list[tuple[int, int]] = []
        self.officers = _Table("person", "company", "role", "since")
        self.equity = _Table("holder", "person", "company", "units", "since")
        self.supply = _Table("supplier", "customer", "amount", "year", "transactions", "product")
        self.guarantees = _Table("guarantor", "person", "borrower", "start", "end", "amount", "type")
        self.located = _Table("company", "park", "since")
        self.lines: list[str] = []
        o = world.officers
        self.boards = np.bincount(o["person"], minlength=world.n_persons)

    # planting primitives
    def person(self) -> int:
        p = int(self.w.new_persons(1)[0])
        self.new_people.append(p)
        return p

    def post(self, person: int, company: int, role: str, since: int | None = None) -> None:
        day = int(self.w.founded[company]) if since is None else since
        self.officers.add(person=person, company=company, role=_ROLE[role], since=day)
        self.pins.append((person, company))

    def stake(self, holder: int, is_person: bool, company: int, units: int, since: int | None = None) -> None:
        day = int(self.w.founded[company]) if since is None else since
        self.equity.add(holder=holder, person=is_person, company=company, units=units, since=day)

    def sell(self, supplier: int, customer: int, amount: int, year: int) -> None:
        tx = max(1, round(float(np.exp(0.45 * np.log(amount) - 2.3))))
        product = int(self.w.industry[supplier]) * _PRODUCT_SLOTS
        self.supply.add(
            supplier=supplier, customer=customer, amount=amount, year=year, transactions=tx, product=product
        )

    def guarantee(self, guarantor: int, borrower: int, amount: int, start: dt.date, years: int = 3) -> None:
        day = (start - _EPOCH).days
        end = int(_years_later(_i64([day]), years)[0])
        self.guarantees.add(
            guarantor=guarantor, person=False, borrower=borrower, start=day, end=end, amount=amount, type=0
        )

    def join(self, company: int, park: int, since: dt.date) -> None:
        self.located.add(company=company, park=park, since=(since - _EPOCH).days)

    def small_company(self, company: int, boss: int, supervisor: int) -> None:
        """法定代表人 and 执行董事兼总经理 ``boss``, 监事 ``supervisor``."""
        self.post(boss, company, ROLE_LEGAL_REP)
        self.post(boss, company, "执行董事兼总经理")
        self.post(supervisor, company, "监事")

    # casting
    def unused(self, candidates: I64) -> I64:
        return candidates[~np.isin(candidates, _i64(self.used))]

    def choose(self, candidates: I64) -> int:
        """A random candidate not cast yet; -1 when there is none."""
        left = self.unused(candidates)
        if len(left) == 0:
            return -1
        pick = int(left[self.rng.integers(0, len(left))])
        self.used.append(pick)
        return pick

    def good_clients(self) -> I64:
        """Clients that can introduce: active, not black-listed, old enough for the planted dates."""
        w = self.w
        ok = w.client & w.active & ~w.blacklisted & (w.kind != _GOV) & (w.founded < _days(2019))
        return np.flatnonzero(ok).astype(np.int64)

    def client(self) -> int:
        """An unused client company: the introducer of one planted path."""
        c = self.choose(self.good_clients())
        if c < 0:
            raise RuntimeError("the generated graph has too few clients for the demo")
        self.intro.append(c)
        return c

    def client_officer(self, roles: Sequence[str]) -> tuple[int, int]:
        """An unused client and one of its officers in ``roles`` who sits on at most 6 boards."""
        o = self.w.officers
        rows = np.flatnonzero(
            np.isin(o["role"], [_ROLE[r] for r in roles])
            & np.isin(o["company"], self.unused(self.good_clients()))
            & (self.boards[o["person"]] <= 6)
        )
        if len(rows):
            row = rows[self.rng.integers(0, len(rows))]
            company, person = int(o["company"][row]), int(o["person"][row])
            self.used.append(company)
            self.intro.append(company)
            return company, person
        company, person = self.client(), self.person()
        self.post(person, company, roles[0])
        return company, person

    def plant(self) -> None:
        w = self.w
        rng = self.rng
        candidates = np.flatnonzero(
            (w.kind == _STANDALONE) & w.active & ~w.blacklisted & ~w.core & ~w.client & ~w.listed
        ).astype(np.int64)
        prospects = [self.choose(candidates) for _ in range(5)]
        d0, d1, d2, d3, d4 = prospects
        # a small graph may have too few clients to introduce everybody: the bank wins a few more
        short = 17 - len(self.unused(self.good_clients()))
        if short > 0:
            ok = w.active & ~w.blacklisted & (w.kind != _GOV) & (w.founded < _days(2019)) & ~w.client
            more = self.unused(np.flatnonzero(ok).astype(np.int64))
            w.client[more[rng.permutation(len(more))[:short]]] = True
        self.wipe(_i64(prospects))
        for company, industry in zip(
            prospects, ("集成电路", "生物医药", "电子信息", "高端装备", "新能源汽车"), strict=True
        ):
            w.industry[company] = _industry(industry)
            w.status[company] = _STATUS["存续"]
            w.flags[company] = 0
            w.capital[company] = int(_round_nice(np.array([800 + rng.random() * 4000]))[0]) * 10_000
            w.founded[company] = _days(2010) + int(rng.integers(0, 3000))
        w.demo_bracketed = _i64([d3])

        # D0: five warm paths of five kinds, to five different clients
        park, neighbour = self.small_park_with_client(("集成电路", "电子信息", "科创"))
        w.region[d0], w.city[d0] = w.region[neighbour], w.city[neighbour]
        chair_client, chairman = self.client_officer(_CHAIR_ROLES)
        holder = self.client()
        # the buyer: a core enterprise that uses chips, else any core enterprise, else any client
        cores = self.good_clients()[w.core[self.good_clients()]]
        downstream = cores[
            np.isin(w.industry[cores], _i64([_industry(k) for k in ("电子信息", "人工智能", "新能源汽车")]))
        ]
        buyer = self.choose(downstream)
        buyer = buyer if buyer >= 0 else self.choose(cores)
        if buyer >= 0:
            self.intro.append(buyer)
        else:
            buyer = self.client()
        guarantor = self.client()
        payer = self.client()
        founder, partner, manager = self.person(), self.person(), self.person()
        self.post(founder, d0, ROLE_LEGAL_REP)
        self.post(founder, d0, "董事长")
        self.post(chairman, d0, "董事", since=_days(2021, 5, 8))
        self.post(manager, d0, "总经理")
        self.post(partner, d0, "监事")
        self.stake(founder, True, d0, 5500)
        self.stake(holder, False, d0, 3000, since=_days(2020, 9, 1))
        self.stake(partner, True, d0, 1500)
        self.sell(d0, buyer, 186_000_000, 2024)
        self.sell(d0, buyer, 152_400_000, 2023)
        self.guarantee(guarantor, d0, 50_000_000, dt.date(2024, 3, 15))
        self.join(d0, park, dt.date(2019, 6, 1))
        self.lines += [
            f"{{c:{d0}}}: {{p:{chairman}}} is chairman of client {{c:{chair_client}}} and a director of the prospect",
            f"{{c:{d0}}}: client {{c:{holder}}} holds 30% of the prospect",
            f"{{c:{d0}}}: the prospect supplies client {{c:{buyer}}} (1.86亿 in 2024, 1.52亿 in 2023)",
            f"{{c:{d0}}}: client {{c:{guarantor}}} guarantees a 5000万 loan of the prospect",
            f"{{c:{d0}}}: the prospect and client {{c:{neighbour}}} are both in {{k:{park}}}",
            f"{{c:{d0}}}: client {{c:{payer}}} paid the prospect 4800万 in 2024 in 24 payments (the bank's own data)",
        ]
        w.demo_payments = {
            "payer": _i64([payer]),
            "payee": _i64([d0]),
            "amount": _i64([48_000_000]),
            "payments": _i64([24]),
            "year": _i64([2024]),
        }

        # D1: its legal representative is a client's supervisor; a client supplies it; a client holds 8%
        sup_client, supervisor = self.client_officer(SUPERVISOR_ROLES)
        seller, small_holder = self.client(), self.client()
        partner = self.person()
        self.small_company(d1, supervisor, partner)
        self.stake(supervisor, True, d1, 6200)
        self.stake(small_holder, False, d1, 800, since=_days(2022, 1, 10))
        self.stake(partner, True, d1, 3000)
        self.sell(seller, d1, 8_600_000, 2024)
        self.lines += [
            f"{{c:{d1}}}: {{p:{supervisor}}} is a supervisor of client {{c:{sup_client}}} and legal representative"
            " of the prospect",
            f"{{c:{d1}}}: client {{c:{seller}}} supplies the prospect (860万 in 2024)",
            f"{{c:{d1}}}: client {{c:{small_holder}}} holds 8% of the prospect",
        ]

        # D2: two hops through a company a client controls (a stake and a guarantee), and a big park
        middle, owner = self.controlled_by_client()
        founder, partner = self.person(), self.person()
        self.small_company(d2, founder, partner)
        self.stake(founder, True, d2, 8000)
        self.stake(middle, False, d2, 2000, since=_days(2021, 7, 1))
        self.guarantee(middle, d2, 20_000_000, dt.date(2023, 11, 20), years=2)
        self.lines.append(
            f"{{c:{d2}}}: client {{c:{owner}}} controls {{c:{middle}}}, which holds 20% of the prospect"
            " and guarantees its loan (two hops)"
        )
        hub = self.biggest_park_with_client()
        if hub >= 0:
            self.join(d2, hub, dt.date(2019, 3, 1))
            w.region[d2] = w.region[np.flatnonzero(w.city == w.park_city[hub])[0]]
            w.city[d2] = w.park_city[hub]
            self.lines.append(
                f"{{c:{d2}}}: the prospect is in {{k:{hub}}}, a big park: paths through this hub rank low"
            )

        # D3: a guarantee circle through a client and a black-listed company, a black-listed supervisor,
        # and its legal representative on a client's board
        circle_client = self.client()
        bad = self.choose(np.flatnonzero(w.blacklisted & (w.founded < _days(2021))).astype(np.int64))
        founder, partner = self.person(), self.person()
        self.small_company(d3, founder, partner)
        self.stake(founder, True, d3, 10_000)
        self.guarantee(d3, circle_client, 30_000_000, dt.date(2023, 4, 1))
        if bad >= 0:
            self.intro.append(bad)
            self.guarantee(circle_client, bad, 25_000_000, dt.date(2023, 4, 1))
            self.guarantee(bad, d3, 28_000_000, dt.date(2023, 4, 1))
            self.lines.append(
                f"{{c:{d3}}}: guarantee circle: the prospect → client {{c:{circle_client}}}"
                f" → black-listed {{c:{bad}}} → the prospect"
            )
        else:
            self.guarantee(circle_client, d3, 28_000_000, dt.date(2023, 4, 1))
            self.lines.append(f"{{c:{d3}}}: the prospect and client {{c:{circle_client}}} guarantee each other")
        self.lines.append(f"{{c:{d3}}}: its supervisor {{p:{partner}}} is black-listed")
        w.black_persons = _i64([partner])
        board_client = self.client()
        self.post(founder, board_client, "董事", since=_days(2020, 6, 18))
        self.lines.append(
            f"{{c:{d3}}}: {{p:{founder}}}, its legal representative, is a director of client {{c:{board_client}}}"
        )

        # D4: a state asset commission holds 10% (a hub: cold) and a client's chairman sits on its board
        chair_client, chairman4 = self.client_officer(_CHAIR_ROLES)
        gov = int(self.w.of(_GOV)[0])
        founder, partner = self.person(), self.person()
        self.post(founder, d4, ROLE_LEGAL_REP)
        self.post(founder, d4, "董事长")
        self.post(chairman4, d4, "董事", since=_days(2022, 3, 1))
        self.post(partner, d4, "监事")
        self.stake(founder, True, d4, 6000)
        self.stake(gov, False, d4, 1000, since=_days(2020, 12, 1))
        self.stake(partner, True, d4, 3000)
        self.lines += [
            f"{{c:{d4}}}: {{p:{chairman4}}} is chairman of client {{c:{chair_client}}} and a director of the prospect",
            f"{{c:{d4}}}: {{c:{gov}}} holds 10% of the prospect; paths through this state hub rank low",
        ]

        self.merge()
        w.demo_prospects = _i64(prospects)
        w.demo_introducers = _i64(list(dict.fromkeys(self.intro)))
        w.demo_lines = self.lines
        w.pinned_posts = _i64([c * _PAIR + p for p, c in self.pins])
        protected = [chairman, supervisor, chairman4, *self.new_people]
        w.protected_persons = _i64([p for p in protected if p != partner])

    def wipe(self, prospects: I64) -> None:
        """Remove every relationship of the prospects: the demo writes theirs afresh."""
        w = self.w
        eq = w.equity
        w.equity = _keep(eq, ~(np.isin(eq["company"], prospects) | (~eq["person"] & np.isin(eq["holder"], prospects))))
        w.officers = _keep(w.officers, ~np.isin(w.officers["company"], prospects))
        s = w.supply
        w.supply = _keep(s, ~(np.isin(s["supplier"], prospects) | np.isin(s["customer"], prospects)))
        g = w.guarantees
        w.guarantees = _keep(
            g, ~(np.isin(g["borrower"], prospects) | (~g["person"] & np.isin(g["guarantor"], prospects)))
        )
        w.located = _keep(w.located, ~np.isin(w.located["company"], prospects))
        inv = w.investments
        w.investments = _keep(
            inv, ~(np.isin(inv["fund"], prospects) | (~inv["person"] & np.isin(inv["investor"], prospects)))
        )
        w.exits = _keep(w.exits, ~np.isin(w.exits["company"], prospects))

    def small_park_with_client(self, industries: Sequence[str]) -> tuple[int, int]:
        """A park of about a dozen companies (best in one of ``industries``) with an unused client in it."""
        w = self.w
        loc = w.located
        size = np.bincount(loc["park"], minlength=len(w.parks["id"]))
        fits = np.array([any(i in text for i in industries) for text in w.parks["industries"]])
        rows = np.flatnonzero(np.isin(loc["company"], self.unused(self.good_clients())))
        if len(rows):
            park = loc["park"][rows]
            best = rows[np.lexsort((rows, np.abs(size[park] - 12), ~fits[park], size[park] > 30))[0]]
            client = int(loc["company"][best])
            self.used.append(client)
            self.intro.append(client)
            return int(loc["park"][best]), client
        client = self.client()
        smallest = int(np.argmin(size))
        self.join(client, smallest, dt.date(2017, 5, 1))
        return smallest, client

    def biggest_park_with_client(self) -> int:
        """The park with the most members among those holding a client; -1 if no client is in a park."""
        w = self.w
        loc = w.located
        parks = np.unique(loc["park"][w.client[loc["company"]]])
        if len(parks) == 0:
            return -1
        size = np.bincount(loc["park"], minlength=len(w.parks["id"]))
        return int(parks[np.argmax(size[parks])])

    def controlled_by_client(self) -> tuple[int, int]:
        """A non-client company in which an unused client holds at least 50%: (company, client)."""
        w = self.w
        eq = w.equity
        used = _i64(self.used)
        rows = np.flatnonzero(
            ~eq["person"]
            & (eq["units"] >= 5000)
            & np.isin(eq["holder"], self.good_clients())
            & ~w.client[eq["company"]]
            & w.active[eq["company"]]
            & ~w.blacklisted[eq["company"]]
            & ~np.isin(eq["holder"], used)
            & ~np.isin(eq["company"], used)
            & (w.founded[eq["company"]] < _days(2020))
        )
        if len(rows):
            row = rows[self.rng.integers(0, len(rows))]
            middle, owner = int(eq["company"][row]), int(eq["holder"][row])
            self.used += [middle, owner]
            self.intro += [owner, middle]
            return middle, owner
        owner = self.client()
        middle = self.choose(
            np.flatnonzero(
                (w.kind == _STANDALONE) & ~w.client & w.active & ~w.blacklisted & (w.founded < _days(2020))
            ).astype(np.int64)
        )
        self.intro.append(middle)
        w.equity = _keep(w.equity, w.equity["company"] != middle)
        self.stake(owner, False, middle, 6000)
        self.stake(self.person(), True, middle, 4000)
        return middle, owner

    def merge(self) -> None:
        w = self.w
        w.officers = _concat(w.officers, self.officers.done())
        w.equity = _concat(w.equity, self.equity.done())
        w.supply = _concat(w.supply, self.supply.done())
        w.guarantees = _concat(w.guarantees, self.guarantees.done())
        located = self.located.done()
        w.located = _concat(w.located, located)


# ---------------------------------------------------------------------------
# writing the files


class _Column(NamedTuple):
    """A column of a written file: the schema's name for it, its header, its other names."""

    name: str
    header: str
    aliases: tuple[str, ...]


def _header(name: str, headers: Sequence[str], zh: bool) -> str:
    """The column header: the canonical name, or the first Chinese one of the schema's headers."""
    if zh:
        for h in headers:
            if any("\u4e00" <= ch <= "\u9fff" for ch in h):
                return h
    return name


def _ratio_text(units: int) -> str:
    """Basis points as a decimal fraction: 3000 → 0.3, 10000 → 1, 3333 → 0.3333."""
    return f"{units / 10_000:.4f}".rstrip("0").rstrip(".")


def _drop_suffix(name: str) -> str:
    for suffix in ("股份有限公司", "有限责任公司", "有限公司"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _swap_brackets(name: str) -> str:
    if "（" in name:
        return name.replace("（", "(").replace("）", ")")
    return name.replace("(", "（").replace(")", "）")


class _Writer:
    """Turns the world's arrays into CSV files, chunk by chunk, in the schema's columns."""

    def __init__(self, world: _World, out: Path, zh: bool, encoding: str, say: Callable[[str], None]) -> None:
        self.w = world
        self.out = out
        self.zh = zh
        self.encoding = encoding
        self.say = say
        self.schema: Schema = load_schema()
        self.rows: dict[str, int] = {}
        #: relationship types the schema declares but no producer makes (no file written)
        self.skipped: list[str] = []
        #: one line per kind or label the generator makes no data for
        self.warnings: list[str] = []
        self.dates = np.array(
            [(dt.date(1980, 1, 1) + dt.timedelta(days=i)).isoformat() for i in range(_DATE_LAST - _DATE_FIRST)],
            dtype=object,
        )
        self.ratios = np.array([_ratio_text(u) for u in range(10_001)], dtype=object)
        self.yes, self.no = ("是", "否") if zh else ("true", "false")
        self.sep = "、" if zh else ";"
        # holder and guarantor types as registers write them: 自然人 / 企业
        self.company_label = "企业" if zh else "Company"
        self.person_label = "自然人" if zh else "Person"
        self.row_of = np.empty(world.n, dtype=np.int64)
        self.row_of[world.order] = np.arange(world.n)
        self.number_persons()

    def number_persons(self) -> None:
        """Ids P00000001 ... in random order for the persons that have a relationship, and their names."""
        w = self.w
        used = np.zeros(w.n_persons, dtype=bool)
        used[w.officers["person"]] = True
        used[w.equity["holder"][w.equity["person"]]] = True
        used[w.guarantees["guarantor"][w.guarantees["person"]]] = True
        for rows, who in ((w.ip_owners, "owner"), (w.assoc_members, "member")):
            if rows:
                used[rows[who][rows["person"]]] = True
        used[w.investments["investor"][w.investments["person"]]] = True
        used[w.exits["holder"]] = True
        persons = np.flatnonzero(used).astype(np.int64)
        rng = _rng(w.seed, _S_PERSONS)
        number = rng.permutation(len(persons)) + 1
        self.persons = persons[np.argsort(number)]
        self.pid = np.full(w.n_persons, "", dtype=object)
        self.pid[persons] = [f"P{x:08d}" for x in number.tolist()]
        self.person_name = np.full(w.n_persons, "", dtype=object)
        self.person_name[persons] = _person_names(rng, len(persons))

    # values
    def date(self, days: I64) -> Obj:
        text = self.dates[np.clip(days - _DATE_FIRST, 0, len(self.dates) - 1)]
        return np.asarray(np.where(days >= 0, text, ""), dtype=object)

    def flag(self, values: Bool) -> Obj:
        return np.where(values, self.yes, self.no).astype(object)

    def either(self, person: Bool, who: I64) -> Obj:
        """A person id or a company USCC."""
        return np.asarray(np.where(person, self.pid[np.where(person, who, 0)], self.w.uscc[np.where(person, 0, who)]))

    def kind_of(self, person: Bool) -> Obj:
        return np.where(person, self.person_label, self.company_label).astype(object)

    # files
    def write_all(self) -> dict[str, int]:
        s, w = self.schema, self.w
        company = s.label("Company")
        self.write(company.file, self.columns(company.properties), w.n, self.company_chunk)
        person = s.label("Person")
        self.write(
            person.file, self.columns(person.properties, skip=("id_number",)), len(self.persons), self.person_chunk
        )
        park = s.label("Park")
        self.write(park.file, self.columns(park.properties), len(w.parks["id"]), self.park_chunk)
        for label in s.labels.values():
            if label.name in ("Company", "Person", "Park"):
                continue
            make_nodes = node_producer(label.name)
            if make_nodes is None:
                self.skipped.append(label.name)
                self.warnings.append(no_producer_message(label.name, label.zh, "node label"))
                self.say(self.warnings[-1])
                continue
            total, chunk = make_nodes(self)
            self.write(label.file, self.columns(label.properties), total, chunk)
        for kind in s.kinds.values():
            make = producer(kind.type)
            if make is None:
                self.skipped.append(kind.type)
                self.warnings.append(no_producer_message(kind.type, kind.zh))
                self.say(self.warnings[-1])
                continue
            total, chunk = make(self)
            columns = [self.endpoint(kind.source), self.endpoint(kind.target), *self.columns(kind.properties)]
            if kind.source.type_column:
                type_column = kind.source.type_column
                columns.insert(1, _Column(type_column, _header(type_column, kind.source.type_headers, self.zh), ()))
            self.write(kind.file, columns, total, chunk)
        self.write_clients()
        self.write_prospects()
        return self.rows

    def columns(self, props: dict[str, Any], skip: Sequence[str] = ()) -> list[_Column]:
        return [_Column(n, _header(n, p.headers, self.zh), p.headers) for n, p in props.items() if n not in skip]

    def endpoint(self, spec: EndpointSpec) -> _Column:
        return _Column(spec.column, _header(spec.column, spec.headers, self.zh), spec.headers)

    def write(self, stem: str, columns: list[_Column], total: int, chunk: Chunk) -> None:
        """Write ``total`` rows made by ``chunk`` under the schema's ``columns``.

        A column's values are found under its schema name or one of its
        aliases (a property renamed in schema.yaml keeps its old name as an
        alias); a property the generator makes no data for is left out.
        """
        path = self.out / f"{stem}.csv"
        with path.open("w", encoding=self.encoding, newline="") as handle:
            for start in range(0, max(total, 1), _CHUNK):
                values = chunk(slice(start, min(start + _CHUNK, total)))
                frame = pd.DataFrame(
                    {
                        column.header: values[key]
                        for column in columns
                        for key in [next((k for k in (column.name, *column.aliases) if k in values), None)]
                        if key is not None
                    }
                )
                frame.to_csv(handle, index=False, header=start == 0, lineterminator="\n")
        self.rows[path.name] = total
        self.say(f"wrote {path.name}: {total:,} rows")

    def company_chunk(self, part: slice) -> dict[str, npt.NDArray[Any]]:
        w = self.w
        ids = w.order[part]
        where = _REGION_TEXT[w.region[ids]]
        gov = w.gov_of(ids)
        for i in np.flatnonzero(gov >= 0):
            where[i] = GOV_BODIES[int(gov[i])][1:4]
        industry = _GB_INDUSTRY[w.industry[ids]]
        industry[gov >= 0] = GOV_INDUSTRY
        tags = np.array([self.sep.join(ind.tags) for ind in INDUSTRIES], dtype=object)[w.industry[ids]]
        tags[gov >= 0] = ""
        flags = np.full(len(ids), "", dtype=object)
        for i in np.flatnonzero(w.flags[ids]):
            flags[i] = self.sep.join(f for b, f in enumerate(RISK_FLAGS) if int(w.flags[ids[i]]) >> b & 1)
        capital = w.capital[ids]
        return {
            "uscc": w.uscc[ids],
            "name": w.name[ids],
            "former_names": np.array([str(f).replace("\x1f", self.sep) for f in w.former[ids]], dtype=object),
            "status": _STATUS_TEXT[w.status[ids]],
            "founded": self.date(w.founded[ids]),
            "registered_capital": np.where(capital > 0, capital.astype(object), ""),
            "province": where[:, 0],
            "city": where[:, 1],
            "district": where[:, 2],
            "industry": industry,
            "tags": tags,
            "listed": self.flag(w.listed[ids]),
            "blacklisted": self.flag(w.blacklisted[ids]),
            "risk_flags": flags,
        }

    def person_chunk(self, part: slice) -> dict[str, npt.NDArray[Any]]:
        ids = self.persons[part]
        return {"id": self.pid[ids], "name": self.person_name[ids], "blacklisted": self.flag(self.w.person_black[ids])}

    def park_chunk(self, part: slice) -> dict[str, npt.NDArray[Any]]:
        out = {key: np.array(values, dtype=object)[part] for key, values in self.w.parks.items()}
        out["industries"] = np.array([str(x).replace(" ", self.sep) for x in out["industries"]], dtype=object)
        return out

    def write_clients(self) -> None:
        """The client list in companies.csv order; 2% give only a name, as real lists do, when it names one company."""
        w = self.w
        spec = self.schema.clients
        clients = w.order[w.client[w.order]]
        name_only = _rng(w.seed, _S_BANK + 50).random(len(clients)) < 0.02
        name_only[np.isin(clients, w.demo_introducers)] = False
        name_only[name_only] = _named_alone(w.name_key, clients[name_only])

        def chunk(part: slice) -> dict[str, npt.NDArray[Any]]:
            ids = clients[part]
            return {
                "uscc": np.where(name_only[part], "", w.uscc[ids]).astype(object),
                "name": w.name[ids],
                "manager": w.manager[ids],
                "branch": w.branch[ids],
                "since": self.date(w.client_since[ids]),
            }

        self.write(spec.file, self.columns(spec.properties), len(clients), chunk)

    def write_prospects(self) -> None:
        """A prospect list (潜客): names as a colleague typed them, sometimes with the USCC.

        The demo prospects come first; then non-clients, some named without
        有限公司, with the other kind of brackets or by a former name, and
        three companies that are not in the graph at all.
        """
        w = self.w
        rng = _rng(w.seed, _S_PROSPECTS)
        pool = np.flatnonzero(~w.client & w.active & (w.kind != _GOV) & ~w.blacklisted).astype(np.int64)
        pool = pool[~np.isin(pool, w.demo_prospects)]
        count = int(np.clip(w.n // 100, 20, 2000))
        bracketed = pool[np.char.find(w.name[pool].astype(str), "（") >= 0]
        picks = np.concatenate(
            [
                rng.choice(pool, min(count, len(pool)), replace=False),
                rng.choice(bracketed, min(max(3, count // 20), len(bracketed)), replace=False),
            ]
        ).astype(np.int64)
        picks = picks[_first_of([picks])]
        ids = np.concatenate([w.demo_prospects, picks[np.argsort(self.row_of[picks], kind="stable")]])
        names = w.name[ids].copy()
        draw = rng.random(len(ids))
        # the demo prospects: exact with USCC, without 有限公司, exact, other brackets, exact with USCC
        draw[: len(w.demo_prospects)] = [0.05, 0.65, 0.5, 0.8, 0.05]
        short = (draw >= 0.6) & (draw < 0.75)
        names[short] = [_drop_suffix(str(x)) for x in names[short]]
        swap = (draw >= 0.75) & (draw < 0.85)
        names[swap] = [_swap_brackets(str(x)) for x in names[swap]]
        old = (draw >= 0.85) & (draw < 0.9) & (w.former[ids] != "")
        names[old] = [str(x).split("\x1f")[0] for x in w.former[ids][old]]
        codes = np.where((draw < 0.4) | old, w.uscc[ids], "").astype(object)
        strangers = np.array(
            [
                f"上海{str(p)[-2:]}{what}有限公司"
                for p, what in zip(_person_names(rng, 3), ("云链科技", "禾润贸易", "启明咨询"), strict=True)
            ],
            dtype=object,
        )
        strangers = strangers[~np.isin(strangers, w.name)]
        names = np.concatenate([names, strangers])
        codes = np.concatenate([codes, np.full(len(strangers), "", dtype=object)])
        columns = [
            _Column("name", "企业名称" if self.zh else "name", ()),
            _Column("uscc", "统一社会信用代码" if self.zh else "uscc", ()),
        ]
        self.write(PROSPECTS_FILE, columns, len(names), lambda part: {"name": names[part], "uscc": codes[part]})

    def story(self) -> tuple[str, ...]:
        """The demo's planted paths in words, names filled in."""
        w = self.w

        def fill(match: re.Match[str]) -> str:
            what, number = match.group(1), int(match.group(2))
            if what == "c":
                return str(w.name[number])
            if what == "p":
                return f"{self.person_name[number]} ({self.pid[number]})"
            return w.parks["name"][number]

        return tuple(re.sub(r"\{([cpk]):(\d+)\}", fill, line) for line in w.demo_lines)


# ---------------------------------------------------------------------------
# command line: python -m loaders.generate OUT --companies N --seed S


def main(argv: Sequence[str] | None = None) -> int:
    """Generate a data set from the command line; print the row counts and the demo story."""
    parser = argparse.ArgumentParser(
        prog="python -m loaders.generate", description="Write a synthetic guanxi data set."
    )
    parser.add_argument("out_dir", type=Path, help="folder for the CSV files")
    parser.add_argument("--companies", type=int, default=10_000, help="rows of companies.csv (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--headers", choices=("en", "zh"), default="en", help="English or Chinese column headers")
    parser.add_argument("--encoding", default="utf-8", help="file encoding, e.g. utf-8 or gb18030")
    parser.add_argument("--quiet", action="store_true", help="no progress messages")
    args = parser.parse_args(argv)
    summary = generate(
        args.out_dir,
        args.companies,
        args.seed,
        headers=args.headers,
        encoding=args.encoding,
        progress=None if args.quiet else print,
    )
    print(summary.describe())
    print("\n".join(summary.demo))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
