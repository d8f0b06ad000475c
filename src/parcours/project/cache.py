"""Results cached by a fingerprint of the data, the map and the options.

A second ``parcours analyze`` with the same inputs returns the stored result at once.
The fingerprint covers:

- each input file (events, feedback; every file of a folder): its resolved path, size,
  modification time and a hash of its first and last MiB, so that a file exported again
  (even to the same name and size) is read again;
- the map's whole content (as validated, so comments and layout do not count);
- every option that changes a figure (period, segment, breakdown, columns, time zone...),
  the engine, and the version of Parcours (a new version may compute differently).

Tables of an engine (``table:NAME``, an Ibis table) have no cheap fingerprint: they are
never cached. A result is written to a temporary folder then renamed, so a reader never
sees half of one; a damaged entry is ignored and computed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.ipc as ipc

from parcours.model import JourneyMap
from parcours.result import AnalysisResult

EDGE_BYTES = 1 << 20


def default_dir() -> Path:
    """``PARCOURS_CACHE_DIR``, else ``$XDG_CACHE_HOME/parcours/results`` (``~/.cache/...``)."""
    given = os.environ.get("PARCOURS_CACHE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "parcours" / "results"


def file_identity(path: str | Path) -> list[Any]:
    """What identifies a file (or every file of a folder) for the cache."""
    p = Path(path).resolve()
    files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    out: list[Any] = []
    for f in files:
        st = f.stat()
        h = hashlib.blake2b(digest_size=16)
        with open(f, "rb") as fh:
            h.update(fh.read(EDGE_BYTES))
            if st.st_size > 2 * EDGE_BYTES:
                fh.seek(-EDGE_BYTES, os.SEEK_END)
                h.update(fh.read(EDGE_BYTES))
        out.append([str(f), st.st_size, st.st_mtime_ns, h.hexdigest()])
    return out


def fingerprint(events: Any, journey_map: JourneyMap, options: dict[str, Any], feedback: Any = None) -> str | None:
    """The cache key, or ``None`` when the inputs cannot be fingerprinted (a table).

    ``options``: the settings (an ``AnalysisSpec``'s ``cache_options()``); ``feedback``: the
    feedback file, fingerprinted by content (or ``options["feedback"]``)."""
    from parcours import __version__

    if not isinstance(events, (str, Path)) or not Path(events).exists():
        return None
    feedback = feedback if feedback is not None else options.get("feedback")
    if feedback is not None and not isinstance(feedback, (str, Path)):
        return None
    key = {
        "version": __version__,
        "events": file_identity(events),
        "feedback": file_identity(feedback) if feedback is not None else None,
        "map": journey_map.model_dump(mode="json", exclude_none=True),
        "options": {k: v for k, v in sorted(options.items()) if k != "feedback"},
    }
    text = json.dumps(key, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load(folder: Path, key: str) -> AnalysisResult | None:
    """The stored result for ``key``, or ``None`` (absent or unreadable)."""
    entry = folder / key
    try:
        data = json.loads((entry / "analysis.json").read_text(encoding="utf-8"))
        names = json.loads((entry / "tables.json").read_text(encoding="utf-8"))
        tables = {n: _read(entry / f"{i}.arrow") for i, n in enumerate(names)}
        quarantine = _read(entry / "quarantine.arrow") if (entry / "quarantine.arrow").exists() else None
        text_models = {}
        if (entry / "text_models").is_dir():
            from parcours.text.adapt import load_folder

            text_models = load_folder(entry / "text_models")
    except (OSError, ValueError, pa.ArrowException):
        return None
    return AnalysisResult(data=data, tables=tables, quarantine=quarantine, cached_from=entry, text_models=text_models)


def store(folder: Path, key: str, result: AnalysisResult) -> Path:
    """Write ``result`` under ``key`` (atomically: a temporary folder renamed)."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key[:12]}-", dir=folder))
    try:
        (tmp / "analysis.json").write_text(result.to_json(indent=None), encoding="utf-8")
        (tmp / "tables.json").write_text(json.dumps(list(result.tables)), encoding="utf-8")
        for i, table in enumerate(result.tables.values()):
            _write(tmp / f"{i}.arrow", table)
        if result.quarantine is not None:
            _write(tmp / "quarantine.arrow", result.quarantine)
        if result.text_models:
            from parcours.text.adapt import save

            save(result.text_models, tmp / "text_models")
        target = folder / key
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder / key


def _write(path: Path, table: pa.Table) -> None:
    with ipc.new_file(str(path), table.schema) as w:
        w.write_table(table)


def _read(path: Path) -> pa.Table:
    with ipc.open_file(str(path)) as r:
        return r.read_all()
