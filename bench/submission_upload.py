"""Submission upload throughput: a large file through `LocalSubmissionStore.put` against a plain write to disk.

    python bench/submission_upload.py [--megabytes 200] [--chunk-kib 64]

Both sides write the same chunks to a temporary folder and fsync once at the end; `put` also hashes (SHA-256),
checks the kind and renames into place. Prints MB/s of each and of hashing alone (most of the difference), their
throughput ratio, and the peak memory traced during `put` (tracemalloc, on a second upload) beside the peak RSS growth.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import resource
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

from events.competitions.storage import FileKind, LocalSubmissionStore


async def blocks(block: bytes, count: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield block


def plain_write(path: Path, block: bytes, count: int) -> float:
    started = time.perf_counter()
    with path.open("wb") as handle:
        for _ in range(count):
            handle.write(block)
        os.fsync(handle.fileno())
    return time.perf_counter() - started


def hash_only(block: bytes, count: int) -> float:
    started = time.perf_counter()
    digest = hashlib.sha256()
    for _ in range(count):
        digest.update(block)
    digest.hexdigest()
    return time.perf_counter() - started


async def main(args: argparse.Namespace) -> None:
    block = b"%PDF-" + os.urandom(args.chunk_kib * 1024 - 5)
    count = args.megabytes * 1024 // args.chunk_kib
    size = len(block) * count
    with tempfile.TemporaryDirectory() as folder:
        baseline = plain_write(Path(folder) / "plain.bin", block, count)
        hashing = hash_only(block, count)
        store = LocalSubmissionStore(Path(folder) / "submissions")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        stored = await store.put(blocks(block, count), filename="big.pdf", max_bytes=size, allowed={FileKind.PDF})
        ours = time.perf_counter() - started
        rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
        await store.delete(stored.key)
        tracemalloc.start()  # a second upload, traced: tracing slows it down, so it is not the one timed
        await store.put(blocks(block, count), filename="big.pdf", max_bytes=size, allowed={FileKind.PDF})
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert stored.size == size
    megabytes = size / 1e6
    print(f"put (hash, check, rename): {megabytes / ours:8.0f} MB/s  ({megabytes:.0f} MB in {ours:.2f} s)")
    print(f"plain write to disk:       {megabytes / baseline:8.0f} MB/s  ({baseline:.2f} s)")
    print(f"SHA-256 alone:             {megabytes / hashing:8.0f} MB/s  ({hashing:.2f} s)")
    print(f"throughput ratio:          {baseline / ours:8.2f}  (put / plain write; the target is at least 0.5)")
    print(f"peak traced memory in put: {peak / 1024:8.0f} KiB;  peak RSS growth {rss_growth} KiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--chunk-kib", type=int, default=64)
    asyncio.run(main(parser.parse_args()))
