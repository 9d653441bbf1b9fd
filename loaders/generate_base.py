"""What the generator's stages share: array types, one random stream per stage, small vectorised
helpers and the lookup tables derived from the word lists (:mod:`loaders.generate_names`).

The world (:mod:`loaders.generate`) and each relationship kind's producer
(:mod:`loaders.generate_kinds`) build on these.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from loaders.generate_names import (
    CLOSED_STATUSES,
    GUARANTEE_TYPES,
    INDUSTRIES,
    REGIONS,
    ROLE_LEGAL_REP,
    ROLES,
    STATUSES,
    SUPERVISOR_ROLES,
)

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]
Obj = npt.NDArray[np.object_]
Cols = dict[str, npt.NDArray[Any]]
Chunk = Callable[[slice], dict[str, npt.NDArray[Any]]]

MIN_COMPANIES = 100
PROSPECTS_FILE = "prospects"
#: the day the data describes: no date is later
AS_OF = dt.date(2025, 6, 30)
_EPOCH = dt.date(1970, 1, 1)
_CHUNK = 200_000

# company kinds
_STANDALONE, _ROOT, _SUB, _GOV, _INVEST = 0, 1, 2, 3, 4
# random streams: one per stage, so changing one stage leaves the others' draws alone
_S_LAYOUT, _S_ATTRS, _S_PEOPLE, _S_EQUITY, _S_SUPPLY, _S_GUARANTEE, _S_PARKS, _S_CLIENTS = range(8)
_S_DEMO, _S_TIDY, _S_NAMES, _S_USCC, _S_ORDER, _S_BANK, _S_PERSONS, _S_PROSPECTS = range(8, 16)

_ROLE = {name: i for i, name in enumerate(ROLES)}
_LR = _ROLE[ROLE_LEGAL_REP]
_SUPERVISOR_CODES = np.array([_ROLE[r] for r in SUPERVISOR_ROLES], dtype=np.int64)
_CHAIR_ROLES = ("董事长", "执行董事", "执行董事兼总经理")
_STATUS = {name: i for i, (name, _) in enumerate(STATUSES)}
_ACTIVE = np.array([_STATUS["存续"], _STATUS["在业"]], dtype=np.int64)
_CLOSED = np.array([_STATUS[s] for s in CLOSED_STATUSES], dtype=np.int64)
_NICE_MAJORITY = np.array([5100, 5500, 6000, 6500, 7000, 7500, 8000, 8500, 9000, 9500], dtype=np.int64)
_PRODUCT_SLOTS = 16  # products per industry, as an index stride
_PAIR = 1 << 32  # company * _PAIR + person: one number per (company, person) pair


def _days(year: int, month: int = 1, day: int = 1) -> int:
    """Days since 1970-01-01: how dates are kept in the arrays."""
    return (dt.date(year, month, day) - _EPOCH).days


_TODAY = _days(AS_OF.year, AS_OF.month, AS_OF.day)
_USCC_REFORM = _days(2015, 10, 1)
_DATE_FIRST, _DATE_LAST = _days(1980), _days(2032)


# small vectorised helpers


def _rng(seed: int, stage: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, stage]))


def _p(weights: npt.ArrayLike) -> F64:
    """Weights as probabilities."""
    w = np.asarray(weights, dtype=np.float64)
    return np.asarray(w / w.sum(), dtype=np.float64)


def _i64(values: Any) -> I64:
    return np.asarray(values, dtype=np.int64)


def _empty() -> I64:
    return np.zeros(0, dtype=np.int64)


def _pick(rng: np.random.Generator, pool: I64, size: int) -> I64:
    """``size`` uniform draws from ``pool``, with repeats."""
    return pool[rng.integers(0, len(pool), size)]


def _skewed(rng: np.random.Generator, sizes: I64, power: float = 2.0) -> I64:
    """An index in ``[0, size)`` for each size, skewed towards 0 (a small index is a busy one)."""
    return np.minimum((sizes * rng.random(len(sizes)) ** power).astype(np.int64), sizes - 1)


def _slots(counts: I64) -> tuple[I64, I64]:
    """For owners with ``counts[i]`` rows each: every row's owner and its place 0..count-1."""
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    start = np.cumsum(counts) - counts
    return owner, np.arange(len(owner), dtype=np.int64) - start[owner]


def _shares(rng: np.random.Generator, k: I64, first: I64, total: I64) -> tuple[I64, I64, I64]:
    """Split ``total`` basis points over ``k`` holders per owner, the first holder getting ``first``.

    Returns (owner, place, units) per holder row. Every holder gets at least
    50 bp, the others' shares are random multiples of 50 bp, and each owner's
    units add up to exactly ``total``.
    """
    owner, place = _slots(k)
    first = np.minimum(first, total - 50 * (k - 1))
    free = total - first - 50 * (k - 1)
    weight = rng.exponential(1.0, len(owner))
    weight[place == 0] = 0.0
    wsum = np.bincount(owner, weights=weight, minlength=len(k))
    extra = np.floor(weight / np.maximum(wsum[owner], 1e-12) * free[owner] / 50).astype(np.int64) * 50
    units = np.where(place == 0, first[owner], 50 + extra)
    leftover = total - np.bincount(owner, weights=units, minlength=len(k)).astype(np.int64)
    units = units + np.where(place == 1, leftover[owner], 0)
    return owner, place, units.astype(np.int64)


def _majority(rng: np.random.Generator, n: int) -> I64:
    """Controlling stakes in basis points: round numbers (51%, 60% ...) half of the time."""
    nice = _NICE_MAJORITY[rng.integers(0, len(_NICE_MAJORITY), n)]
    odd = rng.integers(50, 100, n) * 100
    return np.where(rng.random(n) < 0.5, nice, odd).astype(np.int64)


def _round_nice(values: F64) -> I64:
    """Round to two significant figures, the way people register amounts: 1234 → 1200."""
    values = np.maximum(values, 1.0)
    step = 10.0 ** np.maximum(np.floor(np.log10(values)) - 1, 0)
    return _i64(np.round(values / step) * step)


def _first_of(keys: Sequence[npt.NDArray[Any]]) -> I64:
    """Row numbers of the first row of each distinct key tuple, in row order."""
    order = np.lexsort(tuple(reversed(keys)))
    new = np.ones(len(order), dtype=bool)
    if len(order) > 1:
        same = np.ones(len(order) - 1, dtype=bool)
        for key in keys:
            ordered = key[order]
            same &= ordered[1:] == ordered[:-1]
        new[1:] = ~same
    return np.sort(order[new])


def _take(cols: Cols, index: npt.NDArray[Any]) -> Cols:
    return {name: values[index] for name, values in cols.items()}


def _keep(cols: Cols, mask: Bool) -> Cols:
    return _take(cols, np.flatnonzero(mask))


def _concat(a: Cols, b: Cols) -> Cols:
    return {name: np.concatenate([a[name], b[name].astype(a[name].dtype)]) for name in a}


class _Table:
    """Columns of equal length, built by appending blocks (a scalar stands for a whole block)."""

    def __init__(self, *names: str) -> None:
        self.blocks: dict[str, list[npt.NDArray[Any]]] = {n: [] for n in names}

    def add(self, **cols: Any) -> None:
        arrays = [np.size(v) for v in cols.values() if np.ndim(v) > 0]
        length = int(arrays[0]) if arrays else 1
        for name, blocks in self.blocks.items():
            value = np.asarray(cols[name])
            blocks.append(np.full(length, value) if value.ndim == 0 else value)

    def done(self) -> Cols:
        return {n: np.concatenate(b) if b else _empty() for n, b in self.blocks.items()}


class _Buckets:
    """Members grouped by an integer key, for "a random member with key k" draws."""

    def __init__(self, members: I64, keys: I64, n_keys: int) -> None:
        order = np.argsort(keys, kind="stable")
        self.members = members[order]
        self.counts = np.bincount(keys, minlength=n_keys).astype(np.int64)
        self.starts = np.cumsum(self.counts) - self.counts

    def pick(self, rng: np.random.Generator, want: I64) -> I64:
        """A random member of bucket ``want[i]`` for each i; -1 where that bucket is empty."""
        count = self.counts[want]
        offset = (rng.random(len(want)) * count).astype(np.int64)
        at = np.minimum(self.starts[want] + offset, max(len(self.members) - 1, 0))
        return np.where(count > 0, self.members[at], -1)


def _industry(key: str) -> int:
    return next(i for i, ind in enumerate(INDUSTRIES) if ind.key == key)


# ---------------------------------------------------------------------------
# the world: every array the files are written from


def _years_later(days: I64, years: I64 | int) -> I64:
    """The day before the same date ``years`` later: the end of a term that starts on ``days``."""
    day = days.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    later = (month + 12 * np.asarray(years)).astype("datetime64[D]") + (day - month.astype("datetime64[D]"))
    return _i64(later.astype(np.int64) - 1)


# lookup tables derived from the word lists
_CITY_INDEX = {key: i for i, key in enumerate(dict.fromkeys(f"{r[0]}|{r[1]}" for r in REGIONS))}
_CITY_OF_REGION = _i64([_CITY_INDEX[f"{r[0]}|{r[1]}"] for r in REGIONS])
_WORD_COUNT = _i64([len(ind.words) for ind in INDUSTRIES])
_WORD_START = np.cumsum(_WORD_COUNT) - _WORD_COUNT
_WORDS = np.array([w for ind in INDUSTRIES for w in ind.words], dtype=object)
_PRODUCT_COUNT = _i64([len(ind.products) for ind in INDUSTRIES])
_UPSTREAM = _i64(
    [
        [_industry(ind.upstream[j % len(ind.upstream)]) if ind.upstream else i for j in range(6)]
        for i, ind in enumerate(INDUSTRIES)
    ]
)

_REGION_TEXT = np.array([r[:3] for r in REGIONS], dtype=object)
_GB_INDUSTRY = np.array([ind.gb for ind in INDUSTRIES], dtype=object)
_STATUS_TEXT = np.array([s for s, _ in STATUSES], dtype=object)
_ROLE_TEXT = np.array(ROLES, dtype=object)
_GUARANTEE_TEXT = np.array([t for t, _ in GUARANTEE_TYPES], dtype=object)
_PRODUCTS = np.array(
    [ind.products[j % len(ind.products)] for ind in INDUSTRIES for j in range(_PRODUCT_SLOTS)], dtype=object
)


def _merge_stakes(eq: Cols) -> Cols:
    """One row per (holder, company): a holder's repeated stakes are added up."""
    person = eq["person"].astype(np.int64)
    order = np.lexsort((eq["holder"], person, eq["company"]))
    rows = _take(eq, order)
    person = person[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (
        (rows["company"][1:] != rows["company"][:-1])
        | (person[1:] != person[:-1])
        | (rows["holder"][1:] != rows["holder"][:-1])
    )
    merged = _keep(rows, new)
    merged["units"] = np.bincount(np.cumsum(new) - 1, weights=rows["units"]).astype(np.int64)
    return merged
