"""Run an expression and bring its (small) result back as Python values, through Arrow.

Going through Arrow rather than ``con.execute`` (which builds pandas objects) keeps
pandas out of the command line's path: it costs a third of a second to import.
"""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir


def scalar(con: Any, expr: ir.Scalar) -> Any:
    """The value of a scalar expression (``None`` for null)."""
    return con.to_pyarrow(expr).as_py()


def rows(con: Any, expr: ir.Table) -> list[dict[str, Any]]:
    """The rows of a table expression as dictionaries."""
    return con.to_pyarrow(expr).to_pylist()
