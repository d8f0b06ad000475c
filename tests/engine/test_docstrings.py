"""The examples in the engine's and the CLI's docstrings run (Spark URLs, memory sizes, file lists)."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("module", ["parcours.engine.connection", "parcours.cli.analyze", "parcours.analysis.movements"])
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
