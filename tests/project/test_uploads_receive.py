"""``parcours.project.uploads.receive``: an upload arriving in chunks is written to the project's
folder within the size limit, checked, and recorded; when it is refused nothing is left behind.
A real temporary folder and a real app database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from parcours.project.uploads import OverUploadLimit, UploadRejected, receive
from parcours.store import sources
from parcours.store.users import create_user
from parcours.store.workspaces import create_project, create_workspace
from tests.store.conftest import backend, empty_url, store  # noqa: F401 - fixtures reused


@pytest.fixture
def place(store, tmp_path):  # noqa: F811
    user = create_user(store, "ada@example.org", "Ada", "ada-password-1")
    pid = create_project(store, create_workspace(store, "Support").id, "Tickets").id
    return {"store": store, "user": user.id, "pid": pid, "folder": tmp_path / "data" / str(pid)}


async def pieces(data: bytes, size: int, seen: list[int] | None = None) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        if seen is not None:
            seen.append(i)
        yield data[i:i + size]


def received(place, chunks: AsyncIterator[bytes], filename: str, declared: int | None = None):
    """``receive`` run to its end on an event loop of its own, in a thread: a browser test earlier in
    the same process may leave a loop running in this one."""
    coro = receive(chunks, place["store"], place["pid"], place["folder"], filename, "events", place["user"], declared)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def csv_bytes(rows: int) -> bytes:
    return ("customer_id,timestamp,event\n" + "".join(
        f"c{i % 97},2026-01-01T{i % 24:02d}:00:00Z,visit\n" for i in range(rows))).encode()


def test_a_file_in_many_chunks_is_written_whole_and_recorded(place):
    data = csv_bytes(80_000)  # ~2.8 MB: written in several ~1 MB blocks
    assert len(data) > 2 * (1 << 20)
    row, notes = received(place, pieces(data, 65_536), "../Ventes mars.csv")
    assert (row.name, row.original_name, row.format, row.kind, row.size) == (
        "Ventes_mars.csv", "Ventes mars.csv", "csv", "events", len(data))
    assert notes == []
    assert (place["folder"] / "Ventes_mars.csv").read_bytes() == data
    assert sorted(p.name for p in place["folder"].iterdir()) == ["Ventes_mars.csv"]  # no .part left
    assert [r.id for r in sources.list_sources(place["store"], place["pid"])] == [row.id]
    again, _ = received(place, pieces(data, 1 << 20), "Ventes mars.csv")
    assert again.name == "Ventes_mars-2.csv"  # never replacing the first


def test_past_the_limit_while_streaming_nothing_is_kept(place, monkeypatch):
    monkeypatch.setenv("PARCOURS_MAX_UPLOAD_MB", "0.05")  # 52,428 bytes
    with pytest.raises(OverUploadLimit) as e:
        received(place, pieces(csv_bytes(5_000), 8_192), "big.csv")
    assert e.value.message == "big.csv: the file is larger than the upload limit of 0 MB"
    assert "PARCOURS_MAX_UPLOAD_MB" in e.value.hint
    assert list(place["folder"].iterdir()) == []
    assert sources.list_sources(place["store"], place["pid"]) == []


def test_a_declared_size_over_the_limit_is_refused_before_reading(place, monkeypatch):
    monkeypatch.setenv("PARCOURS_MAX_UPLOAD_MB", "1")
    seen: list[int] = []
    with pytest.raises(OverUploadLimit):
        received(place, pieces(csv_bytes(10), 100, seen), "big.csv", declared=(1 << 20) + 1)
    assert seen == [] and not place["folder"].exists()


@pytest.mark.parametrize(("filename", "data", "says"), [
    ("tool.exe", b"MZ\x90\x00", "this type of file is not accepted"),
    ("events.parquet", b"customer_id,timestamp,event\n", "not a Parquet file"),
    ("events.csv", b"", "the file is empty"),
])
def test_a_refused_type_or_content_leaves_nothing(place, filename, data, says):
    with pytest.raises(UploadRejected) as e:
        received(place, pieces(data, 1024), filename)
    assert says in e.value.message
    assert not place["folder"].exists() or list(place["folder"].iterdir()) == []
    assert sources.list_sources(place["store"], place["pid"]) == []
