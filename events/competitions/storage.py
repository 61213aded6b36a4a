"""Submitted files (方案, 路演 slides, demo videos), kept outside the web root under DATA_DIR/submissions/.

`SubmissionStore` is the whole interface, so an S3-compatible store can replace `LocalSubmissionStore`. The local
store streams an upload into `tmp/` beside the files, hashing as it goes and never holding more than one chunk,
checks its kind by content against the declared name, then renames it into place in one step. On every failure
(refused, cut off, cancelled) the partial file is removed: a key either names a whole, checked file or nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import secrets
import time
import unicodedata
import zipfile
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO, Protocol

from server.errors import InvalidInput, NotFound, PayloadTooLarge
from server.settings import Settings

READ_CHUNK = 256 * 1024
HEAD_BYTES = 8  # enough for every magic number below
MAX_NAME_LENGTH = 255


class FileKind(StrEnum):
    """What may be submitted; the value is also the file name's extension."""

    PDF = "pdf"
    PPTX = "pptx"
    ZIP = "zip"
    MP4 = "mp4"


MEDIA_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    FileKind.ZIP: "application/zip",
    FileKind.MP4: "video/mp4",
}


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str  # hex
    kind: FileKind


class EmptyFile(InvalidInput):
    key = "error.file_empty"


class FileTooLarge(PayloadTooLarge):
    key = "error.file_too_large"


class FileTruncated(InvalidInput):
    key = "error.file_truncated"


class BadFileName(InvalidInput):
    key = "error.file_name"


class FileKindRefused(InvalidInput):
    key = "error.file_kind"


class FileContentMismatch(InvalidInput):
    key = "error.file_content"


class StoredFileNotFound(NotFound):
    key = "error.file_not_found"


class SubmissionStore(Protocol):
    async def put(
        self,
        stream: AsyncIterator[bytes],
        *,
        filename: str,
        max_bytes: int,
        allowed: Collection[FileKind],
        declared_size: int | None = None,
    ) -> StoredFile:
        """Store the stream whole and checked, or raise a typed error and store nothing."""
        ...

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The stored bytes as chunks; raises `StoredFileNotFound` before the first chunk if there are none."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the file; deleting what is not there is not an error (as in S3)."""
        ...


def declared_kind(filename: str, allowed: Collection[FileKind]) -> FileKind:
    """The kind a file name claims, refusing path-like or control-character names and kinds not allowed here."""
    if (
        not filename
        or len(filename) > MAX_NAME_LENGTH
        or any(mark in filename for mark in ("/", "\\", "\x00"))
        # Cc: control characters; Cf: invisible format ones such as U+202E, which shows "fdp.exe" as "exe.pdf"
        or any(unicodedata.category(character) in ("Cc", "Cf") for character in filename)
        or filename.strip(". ") == ""
    ):
        raise BadFileName()
    stem, dot, extension = filename.rpartition(".")
    if not dot or not stem.strip():
        raise BadFileName()
    names = ", ".join(f".{kind.value}" for kind in FileKind if kind in allowed)
    try:
        kind = FileKind(extension.lower())
    except ValueError:
        raise FileKindRefused(allowed=names) from None
    if kind not in allowed:
        raise FileKindRefused(allowed=names)
    return kind


def head_matches(kind: FileKind, head: bytes) -> bool:
    """The magic number of `kind` at the start of the file (a PPTX is a ZIP; its inside is checked later)."""
    if kind is FileKind.PDF:
        return head.startswith(b"%PDF-")
    if kind in (FileKind.ZIP, FileKind.PPTX):
        return head.startswith(b"PK\x03\x04")
    # MP4: the first box is `ftyp`, and a box is at least its 8-byte header long
    return len(head) >= 8 and head[4:8] == b"ftyp" and int.from_bytes(head[:4], "big") >= 8


def archive_matches(kind: FileKind, path: Path) -> bool:
    """A ZIP's central directory reads; a PPTX also has `[Content_Types].xml` and a `ppt/` folder. Reads no members."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    if kind is FileKind.PPTX:
        return "[Content_Types].xml" in names and any(name.startswith("ppt/") for name in names)
    return True


class LocalSubmissionStore:
    """Files at `root/<2 hex>/<32 hex>.<kind>`, partial uploads in `root/tmp/` (same file system: rename is atomic)."""

    KEY = re.compile(r"(?P<shard>[0-9a-f]{2})/(?P=shard)[0-9a-f]{30}\.(?:" + "|".join(FileKind) + ")")

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.partials = self.root / "tmp"

    @classmethod
    def for_settings(cls, settings: Settings) -> LocalSubmissionStore:
        return cls(settings.DATA_DIR / "submissions")

    async def put(
        self,
        stream: AsyncIterator[bytes],
        *,
        filename: str,
        max_bytes: int,
        allowed: Collection[FileKind],
        declared_size: int | None = None,
    ) -> StoredFile:
        kind = declared_kind(filename, allowed)
        if declared_size is not None and declared_size > max_bytes:
            raise FileTooLarge(limit=max_bytes)
        if declared_size == 0:
            raise EmptyFile()
        name = secrets.token_hex(16)
        key = f"{name[:2]}/{name}.{kind.value}"
        self.partials.mkdir(parents=True, exist_ok=True)
        partial = self.partials / f"{name}.part"
        try:
            with partial.open("xb") as handle:
                size, digest = await _receive(stream, handle, kind, max_bytes, declared_size)
                await asyncio.to_thread(os.fsync, handle.fileno())
            if kind in (FileKind.ZIP, FileKind.PPTX) and not await asyncio.to_thread(archive_matches, kind, partial):
                raise FileContentMismatch(extension=kind.value, kind=kind.value.upper())
            final = self.root / key
            final.parent.mkdir(exist_ok=True)
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return StoredFile(key=key, size=size, sha256=digest, kind=kind)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        try:
            handle = self._path(key).open("rb")
        except FileNotFoundError:
            raise StoredFileNotFound() from None
        return _chunks(handle)

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def remove_stale_partials(self, older_than_seconds: float = 86_400) -> int:
        """Remove partial uploads a crashed process left behind (run at start-up); returns how many."""
        cutoff = time.time() - older_than_seconds
        stale = [path for path in self.partials.glob("*.part") if path.stat().st_mtime < cutoff]
        for path in stale:
            path.unlink(missing_ok=True)
        return len(stale)

    def _path(self, key: str) -> Path:
        if not self.KEY.fullmatch(key):
            raise StoredFileNotFound()
        return self.root / key


async def _receive(
    stream: AsyncIterator[bytes], handle: BinaryIO, kind: FileKind, max_bytes: int, declared_size: int | None
) -> tuple[int, str]:
    """Copy the stream to `handle`, stopping at the first byte past a limit; returns the size and SHA-256.

    Writes are plain blocking calls: they land in the page cache in microseconds, less than a thread hop per chunk
    would cost. The one slow call, fsync, runs in a thread (see `put`).
    """
    digest = hashlib.sha256()
    size = 0
    head = b""
    async for chunk in stream:
        size += len(chunk)
        if size > max_bytes:
            raise FileTooLarge(limit=max_bytes)
        if declared_size is not None and size > declared_size:
            raise FileTruncated(received=size, declared=declared_size)
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
            if len(head) == HEAD_BYTES and not head_matches(kind, head):
                raise FileContentMismatch(extension=kind.value, kind=kind.value.upper())
        digest.update(chunk)
        handle.write(chunk)
    if size == 0:
        raise EmptyFile()
    if declared_size is not None and size != declared_size:
        raise FileTruncated(received=size, declared=declared_size)
    if len(head) < HEAD_BYTES and not head_matches(kind, head):
        raise FileContentMismatch(extension=kind.value, kind=kind.value.upper())
    return size, digest.hexdigest()


async def _chunks(handle: BinaryIO) -> AsyncIterator[bytes]:
    with handle:
        while chunk := await asyncio.to_thread(handle.read, READ_CHUNK):
            yield chunk
