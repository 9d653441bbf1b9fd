"""The vectorised relationship keys are the scalar ones, row for row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from graph.records import edge_key, edge_keys


def test_edge_keys_match_edge_key() -> None:
    frame = pd.DataFrame(
        {"role": ["director", None, "chairman"], "year": [2024, np.nan, 2023.0], "start": ["2024-01-01", None, "x"]}
    )
    for identity in ([], ["role"], ["year"], ["start"], ["role", "year"], ["missing"]):
        rows = frame.to_dict("records")
        expected = [edge_key("T", [row.get(c) for c in identity]) for row in rows]
        assert edge_keys("T", frame, identity) == expected
