"""Synthetic operational files for a generated graph: events, tags, chains, branches and RMs, outcomes.

:func:`generate_ops` reads a folder written by :func:`loaders.generate.generate`
(``companies.csv`` and ``clients.csv``, any headers and encoding it can
write) and writes beside them the files :mod:`loaders.ops` reads:
``events.csv``, ``tags.csv``, ``chains.csv``, ``memberships.csv``,
``branches.csv`` and ``outcomes.csv``. Seeded and deterministic: the same
graph and seed give byte-identical files.

The hidden rule
---------------
Every company gets a latent quality ``q ~ N(0, 1)`` that nobody sees. It
drives what can be seen:

* **tags**: tag ``t`` with probability ``sigmoid(base_t + 0.9 q)`` (专精特新,
  小巨人, 高新技术企业, 科技型中小企业, 瞪羚企业 ...; 上市 follows the graph's
  ``listed`` column);
* **events**: ``Poisson(0.5 exp(0.5 q))`` events of catalogue types, dated
  within two years before :data:`loaders.generate.AS_OF`, amounts scaled by
  registered capital (so big companies make A-grade events);
* **outcomes**, for a third of the companies (one record each, product from
  the company's events)::

      logit P(won) = -1.6 + 2.0 [专精特新] + 1.5 [高新技术企业] + 2.2 [小巨人] + 1.5 [上市]
                     + 1.8 A + 1.2 B + 0.6 C            (grades of events in the last 365 days)
                     + 0.9 log10(registered capital / 10 million) + 1.2 [client]
                     + 0.4 q + N(0, 0.4)

  so a model that sees tags, recent events, size and client status finds
  real signal (held-out AUC well above 0.75), and ``q`` keeps it imperfect.

Chains are five fixed industry chains (集成电路, 生物医药, 新能源汽车, 人工智能,
光伏) with their segments (上游/中游/下游, one segment refining another);
companies tagged with a chain's name in ``companies.csv`` join one of its
segments. Branches are the clients' branches: a 分行营业部 covers its city (a
4-digit region prefix), a 支行 its district (6 digits, more specific wins),
and every city the USCCs use has a branch; every manager of ``clients.csv``
is an RM of their client's branch, with a capacity of 30–120 leads.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from graph.errors import InvalidParameter, LoadError
from graph.messages import Message
from loaders.catalogue import Catalogue, load_catalogue
from loaders.generate import AS_OF
from loaders.generate_base import _first_of
from loaders.generate_names import BRANCH_HEAD_OFFICE, REGIONS, short_place
from loaders.ops_schema import load_ops_schema
from loaders.read import read_table

#: chain → (segment, position, parent) rows
CHAINS: dict[str, tuple[tuple[str, str, str | None], ...]] = {
    "集成电路": (
        ("材料", "上游", None),
        ("设备", "上游", None),
        ("设计", "中游", None),
        ("制造", "中游", None),
        ("晶圆代工", "中游", "制造"),
        ("封测", "下游", None),
    ),
    "生物医药": (
        ("原料药", "上游", None),
        ("研发外包", "上游", None),
        ("创新药", "中游", None),
        ("医疗器械", "中游", None),
        ("医药流通", "下游", None),
    ),
    "新能源汽车": (
        ("电池材料", "上游", None),
        ("动力电池", "中游", None),
        ("电驱电控", "中游", None),
        ("整车", "下游", None),
        ("充电设施", "下游", None),
    ),
    "人工智能": (
        ("算力芯片", "上游", None),
        ("数据服务", "上游", None),
        ("算法模型", "中游", None),
        ("行业应用", "下游", None),
    ),
    "光伏": (("硅料", "上游", None), ("电池片", "中游", None), ("组件", "中游", None), ("电站", "下游", None)),
}
#: tag → base log-odds of the tag (before 0.9 q)
TAG_BASE: dict[str, float] = {
    "高新技术企业": -1.2,
    "专精特新": -2.0,
    "小巨人": -3.5,
    "科技型中小企业": -1.5,
    "瞪羚企业": -3.0,
    "拟上市": -3.8,
}
#: the hidden rule's weights (see the module docstring)
RULE: dict[str, float] = {
    "intercept": -1.6,
    "专精特新": 2.0,
    "高新技术企业": 1.5,
    "小巨人": 2.2,
    "上市": 1.5,
    "A": 1.8,
    "B": 1.2,
    "C": 0.6,
    "size": 0.9,
    "client": 1.2,
    "q": 0.4,
    "noise": 0.4,
}
SOURCES = ("企查查", "天眼查", "中国政府采购网", "公司公告", "招聘网站", "地方发改委")
FILES = ("events", "tags", "chains", "memberships", "branches", "outcomes")
_S_Q, _S_TAGS, _S_EVENTS, _S_CHAINS, _S_BRANCHES, _S_OUTCOMES = range(6)


@dataclass(frozen=True)
class OpsSummary:
    """What :func:`generate_ops` wrote: data rows per file."""

    out_dir: Path
    rows: dict[str, int]

    def describe(self) -> str:
        return "\n".join(f"{name:<20} {count:>12,}" for name, count in self.rows.items())


def _rng(seed: int, stage: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, 9_000 + stage]))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def _read(folder: Path, stem: str, what: Literal["nodes", "clients"], name: str) -> pd.DataFrame:
    for suffix in (".csv", ".xlsx"):
        path = folder / f"{stem}{suffix}"
        if path.is_file():
            return read_table(path, what, name).frame.reset_index(drop=True)
    raise LoadError(Message("load.no_generated", folder=str(folder), file=f"{stem}.csv"))


def _truthy(values: pd.Series) -> np.ndarray:
    return values.str.strip().str.lower().isin(["true", "是", "1", "y", "yes"]).to_numpy(dtype=bool)


def _capital(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").fillna(1e6).clip(lower=1e4).to_numpy(dtype=np.float64)


class _Built:
    """The operational tables for one graph, as frames with canonical columns."""

    def __init__(self, companies: pd.DataFrame, clients: pd.DataFrame, seed: int, catalogue: Catalogue) -> None:
        self.c = companies
        self.n = len(companies)
        self.seed = seed
        self.cat = catalogue
        self.uscc = companies["uscc"].to_numpy(dtype=object)
        self.names = companies["name"].to_numpy(dtype=object)
        self.capital = _capital(companies.get("registered_capital", pd.Series([""] * self.n)))
        client_ids = set(clients["uscc"])
        self.client = np.array([u in client_ids for u in self.uscc], dtype=bool)
        self.clients = clients
        self.q = _rng(seed, _S_Q).standard_normal(self.n)

    def tags(self) -> pd.DataFrame:
        rng = _rng(self.seed, _S_TAGS)
        company: list[str] = []
        tag: list[str] = []
        self.has: dict[str, np.ndarray] = {}
        for name, base in TAG_BASE.items():
            hit = rng.random(self.n) < _sigmoid(base + 0.9 * self.q)
            self.has[name] = hit
            company += list(self.uscc[hit])
            tag += [name] * int(hit.sum())
        listed = _truthy(self.c.get("listed", pd.Series([""] * self.n)))
        self.has["上市"] = listed
        company += list(self.uscc[listed])
        tag += ["上市"] * int(listed.sum())
        days = rng.integers(0, 5 * 365, len(company))
        dates = [(AS_OF - dt.timedelta(days=int(d))).isoformat() for d in days]
        frame = pd.DataFrame({"company": company, "tag": tag, "date": dates})
        return frame.sort_values(["company", "tag"], kind="stable").reset_index(drop=True)

    def events(self) -> pd.DataFrame:
        rng = _rng(self.seed, _S_EVENTS)
        types = list(self.cat.types.values())
        counts = rng.poisson(0.5 * np.exp(0.5 * self.q))
        owner = np.repeat(np.arange(self.n), counts)
        kind = rng.integers(0, len(types), len(owner))
        days = rng.integers(0, 730, len(owner))
        # amounts around 2-60% of registered capital: big companies make big events
        amount = np.maximum(np.round(self.capital[owner] * np.exp(rng.normal(-1.6, 1.0, len(owner))), -4), 1e4)
        has_amount = rng.random(len(owner)) < 0.75
        # one event per company, type and day: the loader knows an event by (company, type, date, source,
        # text), the source and text follow from the type, so a second one would be dropped as a repeat
        once = _first_of([owner, kind, days])
        owner, kind, days, amount, has_amount = owner[once], kind[once], days[once], amount[once], has_amount[once]
        rows = []
        self.grades = np.zeros((self.n, 3), dtype=np.float64)
        for i, k, d, a, known in zip(owner, kind, days, amount, has_amount, strict=True):
            t = types[int(k)]
            value = float(a) if known and t.thresholds is not None else None
            grade = t.grade(value)
            if d < 365:
                self.grades[int(i), "ABC".index(grade)] += 1
            rows.append(
                {
                    "company": self.uscc[i],
                    "name": self.names[i],
                    "event_type": t.name,
                    "date": (AS_OF - dt.timedelta(days=int(d))).isoformat(),
                    "amount": None if value is None else f"{value:.0f}",
                    "source": SOURCES[int(k) % len(SOURCES)],
                    "text": f"{self.names[i]}：{t.name}",
                }
            )
        self.event_products = {r["company"]: self.cat.types[r["event_type"]].products[0] for r in rows}
        return pd.DataFrame(rows, columns=["company", "name", "event_type", "date", "amount", "source", "text"])

    def chains(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        rng = _rng(self.seed, _S_CHAINS)
        chain_rows = [
            {"chain": chain, "segment": s, "position": p, "parent": parent}
            for chain, segments in CHAINS.items()
            for s, p, parent in segments
        ]
        tags = self.c.get("tags", pd.Series([""] * self.n)).fillna("")
        members = []
        for i, text in enumerate(tags):
            for chain in CHAINS:
                if chain in text.replace("；", ";").split(";"):
                    segments = CHAINS[chain]
                    seg = segments[int(rng.integers(0, len(segments)))][0]
                    members.append({"company": self.uscc[i], "name": self.names[i], "chain": chain, "segment": seg})
        return pd.DataFrame(chain_rows), pd.DataFrame(members, columns=["company", "name", "chain", "segment"])

    def branches(self) -> pd.DataFrame:
        rng = _rng(self.seed, _S_BRANCHES)
        city_name = {r[3][:4]: r[1] for r in REGIONS}
        rows: list[dict[str, object]] = []
        taken: set[str] = set()
        pairs = self.clients[["branch", "manager", "uscc"]].copy()
        pairs["code"] = pairs["uscc"].str[2:8]
        for branch, group in pairs.groupby("branch", sort=True):
            code_counts = group.loc[group["uscc"].str.len() == 18, "code"].value_counts()
            if str(branch).endswith(BRANCH_HEAD_OFFICE):
                codes = sorted({str(c)[:4] for c in code_counts.index})
                own = [
                    c
                    for c in codes
                    if short_place(city_name.get(c, "")) and str(branch).startswith(short_place(city_name[c]))
                ]
                codes = own or codes[:1]
            else:
                codes = [str(code_counts.index[0])] if len(code_counts) else []
            codes = [c for c in codes if c not in taken]
            taken.update(codes)
            managers = sorted(set(group["manager"]) - {""})
            for code in codes:
                rows.append({"branch": branch, "region_code": code, "manager": None, "capacity": None})
            for manager in managers:
                rows.append(
                    {"branch": branch, "region_code": None, "manager": manager, "capacity": int(rng.integers(30, 121))}
                )
        # every city the USCCs use has a branch (its 分行营业部), with one RM
        for city in sorted({str(u)[2:6] for u in self.uscc} - taken):
            if city not in city_name:
                continue
            branch = short_place(city_name[city]) + "分行" + BRANCH_HEAD_OFFICE
            rows.append({"branch": branch, "region_code": city, "manager": None, "capacity": None})
            if not any(r["branch"] == branch and r["manager"] for r in rows):
                rows.append({"branch": branch, "region_code": None, "manager": f"{branch}客户经理", "capacity": 60})
            taken.add(city)
        frame = pd.DataFrame(rows, columns=["branch", "region_code", "manager", "capacity"])
        return frame.astype({"capacity": "Int64"})

    def outcomes(self) -> pd.DataFrame:
        rng = _rng(self.seed, _S_OUTCOMES)
        chosen = np.flatnonzero(rng.random(self.n) < 1 / 3)
        r = RULE
        logit = (
            r["intercept"]
            + sum(r[t] * self.has[t].astype(np.float64) for t in ("专精特新", "高新技术企业", "小巨人", "上市"))
            + self.grades @ np.array([r["A"], r["B"], r["C"]])
            + r["size"] * np.log10(self.capital / 1e7)
            + r["client"] * self.client
            + r["q"] * self.q
            + rng.normal(0.0, r["noise"], self.n)
        )
        won = rng.random(self.n) < _sigmoid(logit)
        days = rng.integers(0, 3 * 365, self.n)
        rows = [
            {
                "company": self.uscc[i],
                "name": self.names[i],
                "product": self.event_products.get(self.uscc[i], "流动资金贷款"),
                "date": (AS_OF - dt.timedelta(days=int(days[i]))).isoformat(),
                "outcome": "won" if won[i] else "lost",
            }
            for i in chosen
        ]
        return pd.DataFrame(rows, columns=["company", "name", "product", "date", "outcome"])


_ZH_OUTCOME = {"won": "成功", "lost": "失败"}


def _zh_headers() -> dict[str, dict[str, str]]:
    """Each kind's canonical column → its first Chinese header, from ops_schema.yaml."""
    schema = load_ops_schema()
    out: dict[str, dict[str, str]] = {}
    for kind in schema.kinds.values():
        heads = {c.name: next((h for h in c.headers if not h.isascii()), c.name) for c in kind.columns}
        heads["company"] = next(h for h in schema.uscc_headers if not h.isascii())
        heads["name"] = next(h for h in schema.name_headers if not h.isascii())
        out[kind.name] = heads
    return out


def generate_ops(
    out_dir: str | Path,
    seed: int = 0,
    *,
    graph_dir: str | Path | None = None,
    headers: Literal["en", "zh"] = "en",
    encoding: str = "utf-8",
    catalogue: Catalogue | None = None,
) -> OpsSummary:
    """Write the six operational files for the generated graph in ``graph_dir`` (default ``out_dir``).

    ``headers="zh"`` writes the first Chinese header of each column and
    成功/失败 outcomes; ``encoding`` any codec (``gb18030`` for GBK).
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidParameter("seed", f"need a whole number >= 0, got {seed!r}")
    if headers not in ("en", "zh"):
        raise InvalidParameter("headers", f"need 'en' or 'zh', got {headers!r}")
    out = Path(out_dir)
    source = Path(graph_dir) if graph_dir is not None else out
    companies = _read(source, "companies", "nodes", "Company")
    clients = _read(source, "clients", "clients", "clients")
    built = _Built(companies, clients, seed, catalogue or load_catalogue())
    tags = built.tags()
    events = built.events()
    chains, members = built.chains()
    frames = {
        "events": events,
        "tags": tags,
        "chains": chains,
        "memberships": members,
        "branches": built.branches(),
        "outcomes": built.outcomes(),
    }
    zh = _zh_headers()
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    for name, frame in frames.items():
        if headers == "zh":
            if name == "outcomes":
                frame = frame.assign(outcome=frame["outcome"].map(_ZH_OUTCOME))
            frame = frame.rename(columns=zh[name])
        frame.to_csv(out / f"{name}.csv", index=False, encoding=encoding, lineterminator="\n")
        rows[f"{name}.csv"] = len(frame)
    return OpsSummary(out, rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Write the operational files for a generated graph folder."""
    parser = argparse.ArgumentParser(prog="python -m loaders.generate_ops", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder written by guanxi generate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--headers", choices=("en", "zh"), default="en")
    parser.add_argument("--encoding", default="utf-8")
    args = parser.parse_args(argv)
    print(generate_ops(args.folder, args.seed, headers=args.headers, encoding=args.encoding).describe())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
