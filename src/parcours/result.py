"""The result of an analysis: JSON-ready data plus tables convertible to pandas, Polars, Arrow."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa

from parcours.spreadsheet import write_csv


class ResultTable:
    """One result table. ``.to_pandas()``, ``.to_polars()``, ``.to_arrow()``; shows in Jupyter."""

    def __init__(self, name: str, table: pa.Table) -> None:
        self.name = name
        self._table = table

    def to_arrow(self) -> pa.Table:
        return self._table

    def to_pandas(self):  # noqa: ANN201 - pandas is a dependency, imported lazily
        return self._table.to_pandas()

    def to_polars(self):  # noqa: ANN201
        try:
            import polars as pl
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("to_polars() needs polars: pip install 'parcours[polars]'") from e
        return pl.from_arrow(self._table)

    def __len__(self) -> int:
        return self._table.num_rows

    def __repr__(self) -> str:
        return f"<ResultTable {self.name}: {self._table.num_rows} rows × {self._table.num_columns} columns>"

    def _repr_html_(self) -> str:
        head = self._table.slice(0, 50).to_pandas()
        more = f"<p>{self._table.num_rows - 50} more rows</p>" if self._table.num_rows > 50 else ""
        return f"<h4>{self.name}</h4>" + head.to_html(index=False) + more


# Tables that come with these keys of analysis.json, whatever follows the prefix (the groups
# of ``--by``, the feedback's tables); the analyses' own tables are declared in the registry.
_TABLE_PREFIXES = ("breakdown_", "feedback_")


def analysis_key_of(table: str) -> str | None:
    """The analysis.json key a table of ``parcours analyze`` belongs to; None for another file.
    A table whose key is absent was not computed by the run that wrote the folder
    (``--analyses``, no ``--by``, no ``--feedback``).

    >>> analysis_key_of("backward_moves"), analysis_key_of("breakdown_summary"), analysis_key_of("notes")
    ('conformance', 'breakdown', None)
    """
    from parcours.analysis.registry import table_keys  # declarations only: no engine imported

    for prefix in _TABLE_PREFIXES:
        if table.startswith(prefix):
            return prefix.rstrip("_")
    return table_keys().get(table)


@dataclass
class AnalysisResult:
    """What ``parcours.analyze`` returns: ``data`` (the content of ``analysis.json``) and tables.

    >>> result.summary["journeys"]          # doctest: +SKIP
    >>> result["transitions"].to_pandas()   # doctest: +SKIP
    """

    data: dict[str, Any]
    tables: dict[str, pa.Table] = field(default_factory=dict)
    quarantine: pa.Table | None = None  # the quarantined rows (file, row, reason, ...), as Arrow
    cached_from: Path | None = None  # the cache entry it was read from (``analyze(cache=...)``), else None
    text_models: dict[str, Any] = field(default_factory=dict)  # language → text model adapted to the scored comments
    JSON_NAME: ClassVar[str] = "analysis.json"

    @property
    def summary(self) -> dict[str, Any]:
        return self.data["summary"]

    def __getitem__(self, name: str) -> ResultTable:
        if name not in self.tables:
            raise KeyError(f"no table {name!r}; tables are: {', '.join(self.tables)}")
        return ResultTable(name, self.tables[name])

    def table_names(self) -> list[str]:
        return list(self.tables)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.data, ensure_ascii=False, indent=indent, default=str)

    def stale_tables(self, out_dir: str | Path) -> list[str]:
        """CSV tables an earlier ``parcours analyze`` left in ``out_dir`` that this result does
        not have (it left that analysis out, or had no breakdown or feedback): :meth:`save`
        removes them, so that the folder's tables are this result's."""
        out = Path(out_dir)
        if self.JSON_NAME != "analysis.json" or not (out / self.JSON_NAME).is_file():
            return []
        return sorted(p.name for p in out.glob("*.csv")
                      if analysis_key_of(p.stem) is not None and p.stem not in self.tables)

    def save(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``analysis.json`` (or the result's own JSON name), one CSV per table and
        ``quarantine.csv`` (text cells neutralised for spreadsheets: :mod:`parcours.spreadsheet`;
        the JSON keeps raw values); returns the paths. Tables of an earlier analysis in the same folder
        that this one does not have are removed (:meth:`stale_tables`)."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        for stale in self.stale_tables(out):
            (out / stale).unlink(missing_ok=True)
        name = self.JSON_NAME
        written = {name: out / name}
        written[name].write_text(self.to_json() + "\n", encoding="utf-8")
        for name, table in self.tables.items():
            path = out / f"{name}.csv"
            write_csv(table, path)
            written[f"{name}.csv"] = path
        if self.quarantine is not None:
            path = out / "quarantine.csv"
            write_csv(self.quarantine, path)
            written["quarantine.csv"] = path
        if self.text_models or (out / "text_models").is_dir():  # the models adapted to the scored comments
            from parcours.text.adapt import save

            for path in save(self.text_models, out / "text_models"):
                written[f"text_models/{path.name}"] = path
        return written

    def _repr_html_(self) -> str:
        s = self.summary
        items = "".join(f"<li>{k}: {s[k]:,}</li>" for k in ("events", "journeys", "customers"))
        return f"<h3>Parcours analysis</h3><ul>{items}</ul><p>Tables: {', '.join(self.tables)}</p>"
