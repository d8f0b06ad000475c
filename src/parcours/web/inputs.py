"""Input types shared by the API's JSON bodies: text that a database can store.

JSON lets a string hold a lone surrogate (``"\\ud800"``): Python reads it, but it is not
Unicode, and the database driver fails on it when the row is written (a 500). :data:`Text`
refuses it where the body is read: 422 naming the field.

>>> from pydantic import BaseModel, ValidationError
>>> class Note(BaseModel):
...     comment: Text
>>> Note(comment="très bien").comment
'très bien'
>>> try:
...     Note(comment="a\\ud800b")
... except ValidationError as e:
...     print(e.errors()[0]["loc"], e.errors()[0]["msg"])
('comment',) Value error, not valid Unicode: a lone surrogate (\\ud800) at character 2; send UTF-8 text
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def unicode_problem(text: str) -> str | None:
    """What makes ``text`` unstorable (a lone surrogate, where), or None when it is fine."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        return f"not valid Unicode: a lone surrogate (\\u{ord(text[e.start]):04x}) at character {e.start + 1}; " \
               "send UTF-8 text"
    return None


def _storable(text: str) -> str:
    problem = unicode_problem(text)
    if problem:
        raise ValueError(problem)
    return text


Text = Annotated[str, AfterValidator(_storable)]
"""A ``str`` that is valid Unicode (no lone surrogate): storable as it is in SQLite and PostgreSQL."""
