"""Which two versions the versions page compares (``map_view.diff_choice``): the two asked for
when both are versions, an error naming the range otherwise, else the last two. Its docstring
examples run."""

from __future__ import annotations

import doctest

import pytest

from parcours.model import map_view
from parcours.model.map_view import diff_choice


@pytest.mark.parametrize(("numbers", "a", "b", "expected"), [
    ([1, 2, 3], "3", "1", ("3", "1", None)),  # asked for, in any order
    ([1, 2, 3], "2", "2", ("2", "2", None)),
    ([1, 2, 3], "0", "2", ("0", "2", "choose two versions among 1 to 3")),
    ([1, 2, 3], "x", "2", ("x", "2", "choose two versions among 1 to 3")),
    ([1, 2, 3], "-1", "2", ("-1", "2", "choose two versions among 1 to 3")),
    ([], "1", "2", ("1", "2", "the project has no versions yet")),
    ([1, 2, 3], None, None, ("2", "3", None)),  # nothing asked: the last two
    ([1, 2, 3], "1", None, ("2", "3", None)),  # one of the two: the last two as well
    ([1, 2, 3], "", "", ("2", "3", None)),
    ([1], None, None, (None, None, None)),  # fewer than two: nothing to compare
    ([1], "1", None, ("1", None, None)),
    ([], None, None, (None, None, None)),
])
def test_the_versions_compared(numbers, a, b, expected):
    assert diff_choice(numbers, a, b) == expected


def test_docstring_examples_run():
    result = doctest.testmod(map_view, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 4 and result.failed == 0
