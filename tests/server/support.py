"""Helpers for tests of the `quancheng` command: run it, or serve with it, in a subprocess.

Both start it as `python -m tests.quancheng`: the command with the cheap test password hasher.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support import free_port


def run(args: list[str], data_dir: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATA_DIR": str(data_dir), **env}
    return subprocess.run(
        [sys.executable, "-m", "tests.quancheng", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


@contextmanager
def serving(data_dir: Path, *options: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """`quancheng serve [options]` on a free port with its data under `data_dir` (and settings from `env`);
    yields its address once ready."""
    base = f"http://127.0.0.1:{free_port()}"
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.quancheng", "serve", "--port", base.rpartition(":")[2], *options],
        env={**os.environ, **(env or {}), "DATA_DIR": str(data_dir), "BASE_URL": base},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Generous: on a shared two-core machine, migrating and seeding the demo before listening took 90 s.
        deadline = time.monotonic() + 180
        while True:
            try:
                assert httpx.get(f"{base}/readyz", timeout=1).json() == {"status": "ok"}
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
