"""A large submission uploaded through HTTP to a real server, against writing the same bytes to disk.

    python bench/submission_upload_http.py [--megabytes 200]

Starts `server.cli serve` (one process, SQLite under a temporary DATA_DIR), sets up a competition whose stage
takes a PDF of up to 512 MiB, and PUTs the file as a streamed body with its Content-Length. Prints MB/s of the
upload and of a plain write of the same bytes (fsync at the end, as `put` does) in the same run, their throughput
ratio (the target is at least 0.5), and the server's memory growth (peak RSS during the upload minus RSS before,
after a 1 MiB warm-up upload whose own growth, the thread pool and lazily loaded code, is printed apart).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

from bench.submission_upload import blocks, plain_write
from server.clock import utcnow
from tests.events.support import published_event
from tests.support import PASSWORD, free_port, log_in, sign_up

ROOT = Path(__file__).resolve().parent.parent
BLOCK = 1024 * 1024


def memory_kib(pid: int, field: str) -> int:
    """VmRSS or VmHWM (peak RSS) of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


async def wait_ready(client: httpx.AsyncClient) -> None:
    for _ in range(300):
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("the server did not become ready")


async def upload_path(client: httpx.AsyncClient, admin_email: str) -> tuple[str, dict[str, str]]:
    """An organiser's competition with a 512 MiB PDF slot, a leader's team; the upload path and its headers."""
    admin = await log_in(client, admin_email)
    org = await client.post(
        "/api/v1/organisations",
        json={"name": {"zh": "大赛组委会"}, "kind": "organiser", "region": "high-tech-zone"},
        headers=admin,
    )
    organiser = await sign_up(client, "host@bench.cn")
    for role in ("manager", "organiser"):
        added = await client.post(
            f"/api/v1/organisations/{org.json()['id']}/members",
            json={"email": "host@bench.cn", "role": role},
            headers=admin,
        )
        assert added.status_code == 201, added.text
    starts = utcnow() + timedelta(days=10)
    event_id = await published_event(client, organiser, org.json()["id"], kind="competition", starts_at=starts)
    stage = {
        "name": {"zh": "方案提交"},
        "starts_at": (utcnow() - timedelta(hours=1)).isoformat(),
        "deadline": (starts + timedelta(hours=1)).isoformat(),
        "file_slots": [{"key": "plan", "label": {"zh": "方案书"}, "kinds": ["pdf"], "max_mb": 512}],
    }
    body = {"tracks": [{"name": {"zh": "智能制造"}}], "stages": [stage]}
    created = await client.post(f"/api/v1/events/{event_id}/competition", json=body, headers=organiser)
    assert created.status_code == 201, created.text
    leader = await sign_up(client, "lead@bench.cn")
    team_body = {"name": "队", "track_id": created.json()["tracks"][0]["id"], "region": "lixia"}
    team = await client.post(f"/api/v1/competitions/{created.json()['id']}/teams", json=team_body, headers=leader)
    assert team.status_code == 201, team.text
    return f"/api/v1/teams/{team.json()['id']}/stages/{created.json()['stages'][0]['id']}/files/plan", leader


async def main(args: argparse.Namespace) -> None:
    block = b"%PDF-" + os.urandom(BLOCK - 5)
    size = BLOCK * args.megabytes
    admin_email = "admin@bench.cn"
    with tempfile.TemporaryDirectory() as folder:
        environment = {**os.environ, "DATA_DIR": folder, "SECRET_KEY": secrets.token_urlsafe(40)}
        command = [sys.executable, "-m", "server.cli"]
        for step in (["migrate"], ["createadmin", "--email", admin_email, "--password", PASSWORD]):
            subprocess.run([*command, *step], cwd=ROOT, env=environment, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [*command, "serve", "--workers", "1", "--port", str(port)],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
                await wait_ready(client)
                path, leader = await upload_path(client, admin_email)
                rss_cold = memory_kib(server.pid, "VmRSS")
                warm_up = {**leader, "Content-Type": "application/pdf", "Content-Length": str(BLOCK)}
                first = await client.put(path, params={"name": "small.pdf"}, content=block, headers=warm_up)
                assert first.status_code == 201, first.text
                rss_before = memory_kib(server.pid, "VmRSS")
                Path(f"/proc/{server.pid}/clear_refs").write_text("5")  # VmHWM back to VmRSS: the peak from here on
                headers = {**leader, "Content-Type": "application/pdf", "Content-Length": str(size)}
                started = time.perf_counter()
                answer = await client.put(
                    path, params={"name": "big.pdf"}, content=blocks(block, args.megabytes), headers=headers
                )
                elapsed = time.perf_counter() - started
                peak = memory_kib(server.pid, "VmHWM")
        finally:
            server.terminate()
            server.wait(timeout=30)
        assert answer.status_code == 201, answer.text
        expected = hashlib.sha256()
        for _ in range(args.megabytes):
            expected.update(block)
        assert answer.json()["files"][0]["sha256"] == expected.hexdigest()
        baseline = plain_write(Path(folder) / "plain.bin", block, args.megabytes)
    megabytes = size / 1e6
    print(f"HTTP upload (PUT, streamed): {megabytes / elapsed:8.0f} MB/s  ({megabytes:.0f} MB in {elapsed:.2f} s)")
    print(f"plain write to disk:         {megabytes / baseline:8.0f} MB/s  ({baseline:.2f} s)")
    print(f"throughput ratio:            {baseline / elapsed:8.2f}  (upload / plain write; the target is at least 0.5)")
    print(
        f"server memory growth:        {(peak - rss_before) / 1024:8.1f} MB  (peak RSS during the upload - RSS before)"
    )
    print(
        f"first upload's fixed cost:   {(rss_before - rss_cold) / 1024:8.1f} MB  (RSS after a 1 MiB warm-up - before)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=200)
    asyncio.run(main(parser.parse_args()))
