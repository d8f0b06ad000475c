"""Formula neutralisation for CSVs people open in a spreadsheet (issue 21): OWASP's rule on text
cells only, numbers unchanged, every Arrow text type, and an exact round-trip so Parcours reads
its own CSVs back."""

from __future__ import annotations

import csv
import io

import pyarrow as pa
import pyarrow.csv as pacsv
from hypothesis import given
from hypothesis import strategies as st

from parcours.spreadsheet import (TRIGGERS, neutralise_cell, neutralise_table, restore_cell, restore_table,
                                  write_csv)

ATTACKS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+33 6 12", "-1+2", "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
           "=cmd|' /C calc'!A0"]
HARMLESS = ["view", "a=b", " =1", "", "Écran", "1-2", "'quoted", "–en dash", "\n=1"]


def written(table: pa.Table) -> list[list[str]]:
    """The CSV rows as a spreadsheet (or Python's csv module) sees them."""
    buf = io.BytesIO()
    write_csv(table, buf)
    return list(csv.reader(io.StringIO(buf.getvalue().decode("utf-8"), newline="")))


def test_text_cells_starting_a_formula_get_a_quote_numbers_stay_numbers():
    table = pa.table({"event": ATTACKS + HARMLESS[:2],
                      "amount": [-12.5, -1.0, 0.0, 3.0, -7.0, 1e-9, -0.5, 2.0, -3.0],
                      "count": pa.array([-1, 2, -3, 4, -5, 6, -7, 8, -9], pa.int64())})
    header, *rows = written(table)
    assert header == ["event", "amount", "count"]
    assert [r[0] for r in rows] == ["'" + a for a in ATTACKS] + HARMLESS[:2]
    # numbers as numbers: no quote, the same value a spreadsheet reads as a negative number
    assert [float(r[1]) for r in rows] == table["amount"].to_pylist()
    assert [r[2] for r in rows] == ["-1", "2", "-3", "4", "-5", "6", "-7", "8", "-9"]


def test_harmless_text_and_nulls_are_untouched():
    table = pa.table({"x": HARMLESS + [None]})
    assert neutralise_table(table)["x"].to_pylist() == HARMLESS + [None]


def test_every_text_type_and_the_column_names():
    values = ["=1+1", "-2", "ok", None]
    table = pa.table({"string": pa.array(values, pa.string()), "large": pa.array(values, pa.large_string()),
                      "view": pa.array(values, pa.string_view()),
                      "dict": pa.array(values, pa.string()).dictionary_encode(),
                      "@name": pa.array([1, -2, 3, None], pa.int32()),
                      "when": pa.array([None] * 4, pa.timestamp("us", tz="UTC"))})
    safe = neutralise_table(table)
    assert safe.schema.types == table.schema.types  # types kept: Parquet and Arrow readers are not surprised
    for name in ("string", "large", "view", "dict"):
        assert safe[name].to_pylist() == ["'=1+1", "'-2", "ok", None], name
    assert safe.column_names[4] == "'@name" and safe.column(4).to_pylist() == [1, -2, 3, None]
    assert restore_table(safe).equals(table)


def test_chunked_columns_keep_their_chunks():
    table = pa.Table.from_batches([pa.record_batch({"e": ["=a", "b"]}), pa.record_batch({"e": ["+c"]})])
    safe = neutralise_table(table)
    assert safe["e"].num_chunks == 2 and safe["e"].to_pylist() == ["'=a", "b", "'+c"]


@given(st.text(alphabet=st.sampled_from(list(TRIGGERS) + ["'", "a", "1", " ", "é", "\n", '"', ","]), max_size=8))
def test_round_trip_and_no_cell_starts_a_formula(value):
    safe = neutralise_cell(value)
    assert restore_cell(safe) == value
    assert not safe[:1] or safe[0] not in TRIGGERS  # what a spreadsheet sees never starts a formula
    table = pa.table({"v": [value]})
    buf = io.BytesIO()
    write_csv(table, buf)
    back = pacsv.read_csv(io.BytesIO(buf.getvalue()),
                          convert_options=pacsv.ConvertOptions(column_types={"v": pa.string()},
                                                               strings_can_be_null=False))
    assert restore_table(back)["v"].to_pylist() == [value]  # through a real CSV file and back


def test_cells_agree_with_the_vectorised_table():
    values = ATTACKS + HARMLESS + ["''=x", "'-1", "''"]
    assert neutralise_table(pa.table({"v": values}))["v"].to_pylist() == [neutralise_cell(v) for v in values]
    assert neutralise_cell(-3) == -3 and neutralise_cell(None) is None and neutralise_cell(2.5) == 2.5
