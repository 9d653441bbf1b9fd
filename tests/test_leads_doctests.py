"""The examples in the lead store's docstrings run and hold."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from leads import db, distribute, tables, workflow

#: modules with examples (leads.store's one example, the region code, now lives in graph.uscc)
MODULES = [db, distribute, tables, workflow]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_doctests(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
