"""The examples in the operational modules' docstrings run and hold."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from loaders import catalogue, ops, ops_data, ops_schema
from queries import inventory

#: modules with examples (queries.longlist's one example, the region code, now lives in graph.uscc)
MODULES = [catalogue, ops, ops_data, ops_schema, inventory]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_doctests(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
