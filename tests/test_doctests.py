"""Every docstring example in the package runs: each module with examples is one test.

Modules used to be listed by hand in several test files, and a module moved or added was missed
(the rate limiter's and the body caps' examples ran nowhere). This walks the package instead.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import parcours


def _modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(parcours.__path__, "parcours."):
        if ".migrations" in info.name or info.name.endswith("__main__"):  # __main__ runs the CLI
            continue
        names.append(info.name)
    return names


MODULES = _modules()


def test_the_walk_finds_the_package():
    assert {"parcours.project.body_limits", "parcours.project.ratelimit", "parcours.store.db"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an example that writes a file writes it here
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, report=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {name} fail: run python -m doctest -v"
