"""Submission storage: real small files in, the same bytes out, and nothing left behind by any refused upload."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import time
import tracemalloc
import zipfile
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import pytest

from events.competitions.storage import (
    BadFileName,
    EmptyFile,
    FileContentMismatch,
    FileKind,
    FileKindRefused,
    FileTooLarge,
    FileTruncated,
    LocalSubmissionStore,
    StoredFileNotFound,
)
from server.errors import DomainError, problem, status_of
from server.settings import Settings

EVERY_KIND = frozenset(FileKind)
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
PDF += b"trailer <</Root 1 0 R>>\n%%EOF\n"
MP4 = (24).to_bytes(4, "big") + b"ftypisom" + b"\x00\x00\x02\x00" + b"isomiso2" + (8).to_bytes(4, "big") + b"free"


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


PPTX = zipped(
    {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": b"<Relationships/>",
        "ppt/presentation.xml": b"<p:presentation/>",
    }
)
ZIP = zipped({"model/weights.csv": b"layer,value\n1,0.5\n", "README.txt": "说明".encode()})


async def chunks(data: bytes, size: int = 7) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


@pytest.fixture
def store(tmp_path: Path) -> LocalSubmissionStore:
    return LocalSubmissionStore(tmp_path / "submissions")


async def read_back(store: LocalSubmissionStore, key: str) -> bytes:
    return b"".join([chunk async for chunk in await store.open(key)])


@pytest.mark.parametrize(
    ("filename", "data", "kind"),
    [("方案.pdf", PDF, FileKind.PDF), ("路演.PPTX", PPTX, FileKind.PPTX), ("code.zip", ZIP, FileKind.ZIP),
     ("demo.mp4", MP4, FileKind.MP4), ("slides.zip", PPTX, FileKind.ZIP)],
)  # fmt: skip
async def test_a_file_is_stored_whole_hashed_and_read_back(
    store: LocalSubmissionStore, filename: str, data: bytes, kind: FileKind
) -> None:
    stored = await store.put(chunks(data), filename=filename, max_bytes=1 << 20, allowed=EVERY_KIND)
    assert (stored.size, stored.sha256, stored.kind) == (len(data), hashlib.sha256(data).hexdigest(), kind)
    assert stored.key.endswith(f".{kind.value}") and "方案" not in stored.key
    assert files_under(store.root) == [store.root / stored.key]
    assert await read_back(store, stored.key) == data
    await store.delete(stored.key)
    assert files_under(store.root) == []
    await store.delete(stored.key)  # deleting again is not an error


async def test_the_declared_size_may_equal_the_limit(store: LocalSubmissionStore) -> None:
    stored = await store.put(
        chunks(PDF), filename="a.pdf", max_bytes=len(PDF), allowed={FileKind.PDF}, declared_size=len(PDF)
    )
    assert stored.size == len(PDF)


def refused(error: DomainError) -> tuple[int, str, str]:
    return status_of(error), problem(error, "en").detail, problem(error, "zh-CN").detail


@pytest.mark.parametrize(
    ("filename", "data", "allowed", "error", "status"),
    [
        ("plan.pdf", MP4, EVERY_KIND, FileContentMismatch, 422),
        ("demo.mp4", PDF, EVERY_KIND, FileContentMismatch, 422),
        ("deck.pptx", ZIP, EVERY_KIND, FileContentMismatch, 422),  # a ZIP without ppt/ is not a presentation
        ("code.zip", b"PK\x03\x04" + b"\x00" * 40, EVERY_KIND, FileContentMismatch, 422),  # no central directory
        ("tiny.pdf", b"%PD", EVERY_KIND, FileContentMismatch, 422),
        ("demo.mp4", MP4, {FileKind.PDF, FileKind.PPTX}, FileKindRefused, 422),
        ("setup.exe", b"MZ" + b"\x00" * 30, EVERY_KIND, FileKindRefused, 422),
        ("plan.pdf", b"", EVERY_KIND, EmptyFile, 422),
    ],
)
async def test_content_that_does_not_match_or_is_not_allowed_is_refused_and_leaves_nothing(
    store: LocalSubmissionStore,
    filename: str,
    data: bytes,
    allowed: frozenset[FileKind],
    error: type[DomainError],
    status: int,
) -> None:
    with pytest.raises(error) as caught:
        await store.put(chunks(data), filename=filename, max_bytes=1 << 20, allowed=allowed)
    assert status_of(caught.value) == status
    assert files_under(store.root) == []


async def test_the_messages_say_what_was_wrong_in_both_languages(store: LocalSubmissionStore) -> None:
    with pytest.raises(FileKindRefused) as kind:
        await store.put(chunks(MP4), filename="demo.mp4", max_bytes=1 << 20, allowed={FileKind.PDF, FileKind.PPTX})
    assert refused(kind.value) == (422, "Accepted here: .pdf, .pptx.", "此处接受：.pdf, .pptx。")
    with pytest.raises(FileContentMismatch) as content:
        await store.put(chunks(MP4), filename="plan.pdf", max_bytes=1 << 20, allowed=EVERY_KIND)
    assert refused(content.value)[1] == "The file is named .pdf but its content is not a PDF file."
    with pytest.raises(FileTooLarge) as large:
        await store.put(chunks(PDF), filename="plan.pdf", max_bytes=100, allowed=EVERY_KIND)
    assert refused(large.value) == (413, "Files may have at most 100 bytes.", "文件不能超过 100 字节。")


@pytest.mark.parametrize(
    "filename",
    ["../plan.pdf", "a/plan.pdf", "/etc/plan.pdf", "..\\plan.pdf", "plan\x00.pdf", "pl\x07an.pdf", "plan\n.pdf",
     "plan\u202efdp.exe.pdf", "plan", ".pdf", "..", "", "a" * 252 + ".pdf"],
)  # fmt: skip
async def test_path_like_or_control_character_names_are_refused(store: LocalSubmissionStore, filename: str) -> None:
    with pytest.raises(BadFileName):
        await store.put(chunks(PDF), filename=filename, max_bytes=1 << 20, allowed=EVERY_KIND)
    assert not store.root.exists() or files_under(store.root) == []


async def test_an_oversize_stream_is_read_only_to_the_first_byte_past_the_limit(store: LocalSubmissionStore) -> None:
    pulled = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal pulled
        yield b"%PDF-"
        pulled += 5
        while True:
            yield b"x"
            pulled += 1

    with pytest.raises(FileTooLarge):
        await store.put(endless(), filename="big.pdf", max_bytes=100, allowed=EVERY_KIND)
    assert pulled == 100  # the 101st byte was received, never counted as written, and nothing after it was asked for
    assert files_under(store.root) == []


async def test_a_declared_size_over_the_limit_is_refused_before_reading(store: LocalSubmissionStore) -> None:
    async def never() -> AsyncIterator[bytes]:
        raise AssertionError("read")
        yield b""  # pragma: no cover

    with pytest.raises(FileTooLarge):
        await store.put(never(), filename="big.pdf", max_bytes=100, allowed=EVERY_KIND, declared_size=101)


@pytest.mark.parametrize(("sent", "declared"), [(PDF[:40], len(PDF)), (PDF, 40)])
async def test_a_stream_shorter_or_longer_than_declared_is_refused(
    store: LocalSubmissionStore, sent: bytes, declared: int
) -> None:
    with pytest.raises(FileTruncated) as caught:
        await store.put(
            chunks(sent), filename="plan.pdf", max_bytes=1 << 20, allowed=EVERY_KIND, declared_size=declared
        )
    assert caught.value.params["declared"] == declared
    assert files_under(store.root) == []


async def test_a_client_that_disconnects_or_a_cancelled_upload_leaves_nothing(store: LocalSubmissionStore) -> None:
    async def cut_off() -> AsyncIterator[bytes]:
        yield PDF
        raise ConnectionResetError

    with pytest.raises(ConnectionResetError):
        await store.put(cut_off(), filename="plan.pdf", max_bytes=1 << 20, allowed=EVERY_KIND)
    assert files_under(store.root) == []

    halfway = asyncio.Event()

    async def stalls() -> AsyncIterator[bytes]:
        yield PDF
        halfway.set()
        await asyncio.Event().wait()
        yield b""  # pragma: no cover

    upload = asyncio.create_task(store.put(stalls(), filename="plan.pdf", max_bytes=1 << 20, allowed=EVERY_KIND))
    await halfway.wait()
    assert len(files_under(store.partials)) == 1  # the partial exists while the upload runs...
    upload.cancel()
    with pytest.raises(asyncio.CancelledError):
        await upload
    assert files_under(store.root) == []  # ...and goes with it


async def test_unknown_or_path_like_keys_are_not_found(store: LocalSubmissionStore) -> None:
    stored = await store.put(chunks(PDF), filename="plan.pdf", max_bytes=1 << 20, allowed=EVERY_KIND)
    for key in ("../secret_key", stored.key.replace(".pdf", ".mp4"), f"{stored.key}/..", "tmp/x.part", ""):
        with pytest.raises(StoredFileNotFound):
            await store.open(key)
    assert status_of(StoredFileNotFound()) == 404


def test_the_store_lives_under_data_dir_not_the_web_root(tmp_path: Path) -> None:
    store = LocalSubmissionStore.for_settings(Settings(DATA_DIR=tmp_path / "var"))
    assert store.root == (tmp_path / "var" / "submissions").resolve()


def test_partials_left_by_a_crash_are_removed_once_stale(store: LocalSubmissionStore) -> None:
    store.partials.mkdir(parents=True)
    old, fresh = store.partials / "a.part", store.partials / "b.part"
    old.write_bytes(b"%PDF-")
    fresh.write_bytes(b"%PDF-")
    two_days_ago = time.time() - 2 * 86_400
    os.utime(old, (two_days_ago, two_days_ago))
    assert store.remove_stale_partials() == 1
    assert files_under(store.root) == [fresh]


async def test_a_large_upload_is_never_held_in_memory(store: LocalSubmissionStore) -> None:
    block = b"%PDF-" + os.urandom(64 * 1024 - 5)

    async def blocks(count: int) -> AsyncIterator[bytes]:
        for _ in range(count):
            yield block

    tracemalloc.start()
    try:
        stored = await store.put(blocks(512), filename="big.pdf", max_bytes=64 << 20, allowed=EVERY_KIND)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.size == 32 << 20
    assert peak < 2 << 20  # a 32 MiB upload, under 2 MiB held at any time
    assert stored.sha256 == _sha256_of(block for _ in range(512))


def _sha256_of(parts: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()
