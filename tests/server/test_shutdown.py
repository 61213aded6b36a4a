"""`quancheng serve` on SIGTERM: stops accepting, finishes the request in flight, then exits 0."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson

from tests.support import PASSWORD


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_sigterm_lets_a_slow_request_finish_refuses_new_ones_and_exits_0(tmp_path: Path) -> None:
    environment = {**os.environ, "DATA_DIR": str(tmp_path), "LOG_FORMAT": "json"}
    email = "admin@bureau.gov.cn"
    for command in (["migrate"], ["createadmin", "--email", email, "--password", PASSWORD]):
        done = subprocess.run(
            [sys.executable, "-m", "server.cli", *command], env=environment, capture_output=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
    port = _free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
            env=environment,
            stdout=log_file,
            stderr=log_file,
        )
        try:
            deadline = time.monotonic() + 90  # start-up imports take long on a loaded machine
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
            body = orjson.dumps({"email": email, "password": PASSWORD})
            slow = socket.create_connection(("127.0.0.1", port), timeout=30)
            with slow:
                # A client that sends its body slowly: the request is in flight when the signal comes.
                slow.sendall(
                    b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: slow-1\r\n"
                    b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n"
                )
                slow.sendall(body[:10])
                time.sleep(0.5)
                server.send_signal(signal.SIGTERM)
                refused_by = time.monotonic() + 10
                while True:  # the listening socket closes: new clients are turned away
                    try:
                        socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    except ConnectionRefusedError:
                        break
                    assert time.monotonic() < refused_by, "still accepting after SIGTERM"
                    time.sleep(0.1)
                assert server.poll() is None, "exited with a request in flight"
                slow.sendall(body[10:])
                answer = b""
                while b"\r\n\r\n" not in answer:
                    chunk = slow.recv(65536)
                    assert chunk, "connection closed without an answer"
                    answer += chunk
            assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
            assert b"x-request-id: slow-1" in answer.lower()
            assert server.wait(timeout=30) == 0
        finally:
            if server.poll() is None:
                server.kill()
                server.wait(timeout=30)
    lines = [orjson.loads(line) for line in log_path.read_bytes().splitlines() if line.startswith(b"{")]
    (access,) = [line for line in lines if line["logger"] == "quancheng.access" and line["request_id"] == "slow-1"]
    assert access["route"] == "/api/v1/auth/login" and access["status"] == 200
