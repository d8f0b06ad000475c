"""CSV files people open in a spreadsheet, safe from formula injection.

A spreadsheet reads a cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula (and a tab
or carriage return first can hide one), so a customer id ``=HYPERLINK("http://evil", "click")``
in an events file would run in whoever opens ``quarantine.csv``. Following OWASP's CSV
injection guidance, every CSV Parcours writes for people puts a single quote ``'`` before such a
**text** cell; numbers (a negative amount, a duration) are written as numbers, unchanged.
Parquet, JSON and Arrow keep the raw value.

The rule is reversible, so Parcours reads its own CSVs back exactly (``parcours report
--results``): a text cell matching ``'*[=+\\-@\\t\\r]`` (quotes, then a formula character)
gets one more quote, and :func:`restore_table` takes exactly one away from such a cell. A
value that already started with a quote before a formula character (``'=x``) thus comes back
as it was; other text is never touched.

>>> import pyarrow as pa
>>> t = pa.table({"event": ["=1+2", "-1+2", "'=x", "view", None], "amount": [-1.5, 2.0, None, 3.0, 4.0]})
>>> safe = neutralise_table(t)
>>> safe["event"].to_pylist(), safe["amount"].to_pylist()
(["'=1+2", "'-1+2", "''=x", 'view', None], [-1.5, 2.0, None, 3.0, 4.0])
>>> restore_table(safe).equals(t)
True
>>> neutralise_cell("@SUM(A1)"), neutralise_cell(-3), neutralise_cell("ok")
("'@SUM(A1)", -3, 'ok')
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

TRIGGERS = "=+-@\t\r"  # OWASP: the characters a spreadsheet may start a formula with
# RE2 (pyarrow) and Python's re read these the same way.
_NEEDS_QUOTE = "^'*[=+\\-@\\t\\r]"
_QUOTED = "^'+[=+\\-@\\t\\r]"
_NEEDS_QUOTE_RE = re.compile(_NEEDS_QUOTE)
_QUOTED_RE = re.compile(_QUOTED)


def neutralise_cell(value: Any) -> Any:
    """One cell as a spreadsheet-safe value: text starting with a formula character gets a
    leading ``'``; anything that is not text is returned as it is."""
    if isinstance(value, str) and _NEEDS_QUOTE_RE.match(value):
        return "'" + value
    return value


def restore_cell(value: Any) -> Any:
    """The inverse of :func:`neutralise_cell` (for a cell read back from a Parcours CSV)."""
    if isinstance(value, str) and _QUOTED_RE.match(value):
        return value[1:]
    return value


def neutralise_table(table: pa.Table) -> pa.Table:
    """``table`` with every text cell (and column name) neutralised; other columns unchanged.

    Vectorised (one pyarrow regex pass per text column): quarantine files can have millions of rows.
    """
    return _map_text(table, _neutralise_array, neutralise_cell)


def restore_table(table: pa.Table) -> pa.Table:
    """The inverse of :func:`neutralise_table`, for a table read from a CSV Parcours wrote."""
    return _map_text(table, _restore_array, restore_cell)


def write_csv(table: pa.Table, where: str | Path | IO[bytes], **options: Any) -> None:
    """Write ``table`` as CSV (pyarrow's writer, ``options`` passed to its ``WriteOptions``),
    with its text cells neutralised for spreadsheets. Every CSV meant for people goes through here."""
    import pyarrow.csv as pacsv

    write_options = pacsv.WriteOptions(**options) if options else None
    pacsv.write_csv(neutralise_table(table), where, write_options)


def _map_text(table: pa.Table, on_array: Any, on_name: Any) -> pa.Table:
    columns = [_on_text(col, on_array) for col in table.columns]
    names = [on_name(name) for name in table.column_names]
    return pa.Table.from_arrays(columns, names=names)


def _on_text(column: pa.ChunkedArray, on_array: Any) -> pa.ChunkedArray:
    kind = column.type
    if _is_text(kind):
        return pa.chunked_array([on_array(chunk) for chunk in column.chunks], type=kind)
    if pa.types.is_dictionary(kind) and _is_text(kind.value_type):  # rewrite the few distinct values only
        return pa.chunked_array([pa.DictionaryArray.from_arrays(chunk.indices, on_array(chunk.dictionary))
                                 for chunk in column.chunks], type=kind)
    return column


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)


def _neutralise_array(values: pa.Array) -> pa.Array:
    import pyarrow.compute as pc

    if values.type == pa.string_view():  # pyarrow's regex kernels take string and large_string
        return _neutralise_array(values.cast(pa.string())).cast(pa.string_view())
    return pc.replace_substring_regex(values, pattern=_NEEDS_QUOTE, replacement="'\\0", max_replacements=1)


def _restore_array(values: pa.Array) -> pa.Array:
    import pyarrow.compute as pc

    if values.type == pa.string_view():
        return _restore_array(values.cast(pa.string())).cast(pa.string_view())
    return pc.replace_substring_regex(values, pattern="^'('*[=+\\-@\\t\\r])", replacement="\\1", max_replacements=1)
