"""The examples in the operational modules' docstrings run and hold."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from loaders import catalogue, ops, ops_data
from queries import inventory, longlist


@pytest.mark.parametrize("module", [catalogue, ops, ops_data, inventory, longlist], ids=lambda m: m.__name__)
def test_doctests(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
