"""Stream a JSON Lines file into Parquet, keeping bad lines for the quarantine.

Each line is one JSON object. A line that is not valid JSON, or not an object, is not
dropped: it becomes a row whose ``__error`` column says why, so the ingestion step can
quarantine it with its line number.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from parcours.errors import InputError
from parcours.ingest.said import said


def _open(path: Path):
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rt", encoding="utf-8") if magic == b"\x1f\x8b" else open(path, encoding="utf-8")


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return json.dumps(value, ensure_ascii=False)  # nested objects and lists stay JSON text


def jsonl_to_parquet(path: str | Path, out_path: str | Path, *, batch_rows: int = 200_000,
                     on_progress: Callable[[int], None] | None = None) -> int:
    """Write the lines of ``path`` to ``out_path``; returns the number of rows written.

    Columns: ``__row`` (1-based line number), ``__error`` (why the line is unusable, else
    null), then every key seen, in first-seen order, as text. Blank lines are skipped and
    not counted as rows.
    """
    path, out_path = Path(path), Path(out_path)
    keys: dict[str, None] = {}
    try:  # first pass: the set of keys, so that every batch has the same schema
        with _open(path) as f:
            for line in f:
                if line.strip():
                    try:
                        obj = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(obj, dict):
                        keys.update(dict.fromkeys(obj))
    except (UnicodeDecodeError, EOFError, OSError) as e:
        raise InputError(f"{path.name}: cannot read the JSON Lines file ({e})",
                         hint="check that it is UTF-8 text, one JSON object per line (gzip allowed)") from None
    names = ["__row", "__error", *keys]
    schema = pa.schema([("__row", pa.int64())] + [(n, pa.string()) for n in names[1:]])
    rows = 0
    writer = pq.ParquetWriter(out_path, schema)
    try:
        batch: dict[str, list] = {n: [] for n in names}

        def flush() -> None:
            if batch["__row"]:
                writer.write_table(pa.table(batch, schema=schema))
                for v in batch.values():
                    v.clear()
                if on_progress:
                    on_progress(rows)

        with _open(path) as f:
            for lineno, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                rows += 1
                error, obj = None, {}
                try:
                    parsed = json.loads(line)
                    if isinstance(parsed, dict):
                        obj = parsed
                    else:
                        error = said("reason.json_not_object", type=type(parsed).__name__)
                except ValueError as e:
                    error = said("reason.invalid_json", error=e.msg, column=e.colno)
                batch["__row"].append(lineno)
                batch["__error"].append(error)
                for k in keys:
                    batch[k].append(_text(obj.get(k)))
                if len(batch["__row"]) >= batch_rows:
                    flush()
        flush()
    except BaseException:
        writer.close()
        out_path.unlink(missing_ok=True)
        raise
    writer.close()
    return rows
