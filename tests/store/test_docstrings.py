"""The examples in the store's docstrings run (they use an in-memory SQLite database)."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("module", ["parcours.store", "parcours.store.db", "parcours.store.map_diff", "parcours.store.collect",
                                    "parcours.store.comments", "parcours.store.members", "parcours.store.surveys",
                                    "parcours.store.sources"])
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
