"""A project's uploads: the size limit, a safe name in the project's data folder, the content
checked against the name (:mod:`parcours.ingest.sniff`, within the validation budget), and the
file recorded as a data source (never replacing another file). :func:`receive` does it all for
a body that arrives in chunks, never holding it in memory.

>>> safe_name("../../etc/pass wd.csv")
'pass_wd.csv'
>>> safe_name("..\\\\x\\\\.hidden.csv.gz")
'hidden.csv.gz'
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

from parcours.errors import ParcoursError
from parcours.ingest.sniff import EXTENSIONS, EmptyUpload, UploadRejected, UploadTooLarge, ending, upload_format
from parcours.ingest.sniff import check_upload as _sniff
from parcours.project.budget import Budget
from parcours.store import sources
from parcours.store.db import Store
from parcours.store.models import DataSource

__all__ = ["EXTENSIONS", "EmptyUpload", "NoFreeName", "OverUploadLimit", "UploadRejected", "UploadTooLarge",
           "check_upload", "claim", "max_upload_bytes", "receive", "safe_name", "upload_format"]

MAX_UPLOAD_ENV = "PARCOURS_MAX_UPLOAD_MB"
DEFAULT_MAX_UPLOAD_MB = 2048
_BLOCK = 1 << 20  # bytes written at a time


class OverUploadLimit(ParcoursError):
    """The upload is larger than ``$PARCOURS_MAX_UPLOAD_MB`` (what it says before it is sent, or
    what arrives)."""

    @classmethod
    def of(cls, filename: str, limit: int) -> OverUploadLimit:
        return cls(f"{filename}: the file is larger than the upload limit of {limit / 2**20:,.0f} MB",
                   hint=f"compress it (gzip: .csv.gz), split it, or ask the administrator to raise {MAX_UPLOAD_ENV}")


class NoFreeName(ParcoursError):
    """Every name derived from the upload's is taken in the project's folder."""


def max_upload_bytes() -> int:
    """The upload size limit: ``$PARCOURS_MAX_UPLOAD_MB`` megabytes (default 2048)."""
    text = os.environ.get(MAX_UPLOAD_ENV, "").strip()
    try:
        mb = float(text) if text else DEFAULT_MAX_UPLOAD_MB
    except ValueError:
        mb = DEFAULT_MAX_UPLOAD_MB
    return int(mb * 2**20) if mb > 0 else DEFAULT_MAX_UPLOAD_MB * 2**20


def safe_name(filename: str) -> str:
    """A file name safe in the data folder: no folder part, only letters, digits, ``._-``."""
    base = re.split(r"[\\/]", filename)[-1]
    end = ending(base) or ""
    stem = base[: len(base) - len(end)] if end else base
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")[:120] or "upload"
    if stem.lower().endswith(".quarantine"):  # would collide with a quarantine file
        stem = stem[: -len(".quarantine")] + "_quarantine"
    return stem + end.lower()


def _free_names(folder: Path, wanted: str, taken: set[str]) -> list[str]:
    """Candidate names for ``wanted``: itself, then name-2.ext, name-3.ext..."""
    end = ending(wanted) or ""
    stem = wanted[: len(wanted) - len(end)]
    out = [wanted] + [f"{stem}-{i}{end}" for i in range(2, 1000)]
    return [n for n in out if n not in taken and not (folder / n).exists()]


def check_upload(path: Path, filename: str, fmt: str, gz: bool) -> list[str]:
    """:func:`parcours.ingest.sniff.check_upload` within the validation budget: a compressed
    file that expands past it raises :class:`~parcours.project.budget.OverBudget`."""
    budget = Budget.from_env()
    return _sniff(path, filename, fmt, gz, max_bytes=budget.max_bytes,
                  too_big=lambda what: budget.too_big(path.name, what))


def claim(store: Store, project_id: int, folder: Path, tmp: Path, filename: str, kind: str, fmt: str,
          user_id: int, notes: list[str]) -> DataSource:
    """Give the checked upload its name in the folder (never replacing a file) and record it;
    :class:`NoFreeName` when every candidate name is taken."""
    size = tmp.stat().st_size
    columns = json.dumps({"roles": None, "options": {}, "upload_notes": notes})
    for name in _free_names(folder, safe_name(filename), sources.names(store, project_id)):
        target = folder / name
        try:
            os.link(tmp, target)  # fails if the name was taken meanwhile
        except FileExistsError:
            continue
        try:
            return sources.add(store, project_id, name=name, original_name=re.split(r"[\\/]", filename)[-1],
                               kind=kind, format=fmt, size=size, uploaded_by=user_id, columns=columns)
        except sources.NameTaken:
            target.unlink(missing_ok=True)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    raise NoFreeName(f"no free name for {filename} in the project's data", hint="delete older uploads of this file")


async def receive(chunks: AsyncIterator[bytes], store: Store, project_id: int, folder: Path, filename: str,
                  kind: str, user_id: int, declared: int | None = None) -> tuple[DataSource, list[str]]:
    """Stream an upload's ``chunks`` to a temporary file in ``folder`` (written ~1 MB at a time, off
    the event loop), check its content (:func:`check_upload`) and record it (:func:`claim`); the
    source and the check's notes. ``declared``: the size the sender announced, refused at once
    when over the limit. Raises :class:`UploadRejected` (type or content not accepted),
    :class:`OverUploadLimit`, :class:`~parcours.project.budget.OverBudget` (expands past the
    validation budget) or :class:`NoFreeName`; nothing is left in the folder then."""
    fmt, gz = upload_format(filename)
    limit = max_upload_bytes()
    if declared is not None and declared > limit:
        raise OverUploadLimit.of(filename, limit)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".upload-{secrets.token_hex(8)}.part"
    try:
        size = 0
        with open(tmp, "wb") as f:
            pending: list[bytes] = []
            buffered = 0
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise OverUploadLimit.of(filename, limit)
                pending.append(chunk)
                buffered += len(chunk)
                if buffered >= _BLOCK:
                    await asyncio.to_thread(f.write, b"".join(pending))
                    pending, buffered = [], 0
            if pending:
                await asyncio.to_thread(f.write, b"".join(pending))
        notes = await asyncio.to_thread(check_upload, tmp, filename, fmt, gz)
        row = await asyncio.to_thread(claim, store, project_id, folder, tmp, filename, kind, fmt, user_id, notes)
    finally:
        tmp.unlink(missing_ok=True)
    return row, notes
