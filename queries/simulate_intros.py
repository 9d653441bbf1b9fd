"""A synthetic introduction log, drawn from a hidden "true" strength table, to test calibration against.

:data:`TRUE_STRENGTHS` is what this simulated bank's introductions really
are worth, hop class by hop class (classes as :func:`queries.calibrate.hop_class`
names them). It differs on purpose from the defaults in ``warmth.yaml``:
directors and supervisors matter less than guessed, guarantees more, parks
less. :func:`simulate` samples prospects, takes the paths a relationship
manager would try (the warmest under the *current* warmth file, several per
prospect, so lesser classes are tried too) and draws each outcome from the
true model ``P(met) = Π TRUE_STRENGTHS[class] × Π hub discount``. Seeded and
deterministic, so a test can check that :func:`queries.calibrate.calibrate`
recovers the table.
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass
from pathlib import Path

from graph.store import GraphStore
from queries.calibrate import Attempt, class_strength, price
from queries.introductions import introductions

#: the simulated bank's truth; a class not listed is worth what the warmth file says (and is reported so)
TRUE_STRENGTHS: dict[str, float] = {
    "SERVES_AS:legal_representative": 0.85,
    "SERVES_AS:chairman": 0.8,
    "SERVES_AS:general_manager": 0.75,
    "SERVES_AS:director": 0.5,
    "SERVES_AS:executive": 0.55,
    "SERVES_AS:supervisor": 0.25,
    "SERVES_AS:other": 0.2,
    "HOLDS_SHARES:0.5": 0.85,
    "HOLDS_SHARES:0.25": 0.6,
    "HOLDS_SHARES:0.05": 0.4,
    "HOLDS_SHARES:0": 0.2,
    "SUPPLIES:1e+08": 0.9,
    "SUPPLIES:1e+07": 0.7,
    "SUPPLIES:1e+06": 0.45,
    "SUPPLIES:0": 0.3,
    "GUARANTEES": 0.9,
    "LOCATED_IN": 0.1,
}


@dataclass(frozen=True)
class Simulated:
    """The attempts drawn, and the truth they were drawn from."""

    attempts: list[Attempt]
    truth: dict[str, float]


def simulate(store: GraphStore, prospects: int, *, per_prospect: int = 4, seed: int = 0) -> Simulated:
    """Draw an introduction log over ``prospects`` non-client companies of ``store``."""
    rng = random.Random(seed)
    pool = sorted((n for n in store.iter_nodes("Company") if not n.is_client), key=lambda n: n.id)
    sample = rng.sample(pool, min(prospects, len(pool)))
    tried: list[Attempt] = []
    for node in sample:
        answer = introductions(store, node, k=per_prospect, min_warmth=0.0, distinct="none")
        tried.extend(Attempt(node.id, found.path.ids, False) for found in answer.paths)
    attempts: list[Attempt] = []
    table = dict(TRUE_STRENGTHS)
    for row, priced in enumerate(price(store, tried), start=2):
        for c in priced.classes:
            table.setdefault(c, class_strength(c, store.weights))
        truth = priced.discount * math.prod(table[c] for c in priced.classes)
        met = rng.random() < truth
        date = f"2026-{1 + row % 12:02d}-15"
        attempts.append(Attempt(priced.attempt.prospect, priced.attempt.path, met, row, date))
    return Simulated(attempts, table)


def write_log(attempts: list[Attempt], out: Path) -> Path:
    """Write ``attempts`` as an introduction log CSV (UTF-8 with BOM) that :mod:`loaders.intro_log` reads."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["prospect", "introducer", "path", "date", "outcome"])
        for a in attempts:
            writer.writerow([a.prospect, a.path[0], " > ".join(a.path), a.date or "", "met" if a.met else "declined"])
    return out
