"""The `quancheng` command as an operator runs it: migrate, check, createadmin, serve.

(`run` and `serving` start it with the cheap test password hasher; the worker test starts `server.cli` itself.)
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.server.support import run, serving


def test_check_finds_pending_migrations_until_migrate_runs(tmp_path: Path) -> None:
    before = run(["check"], tmp_path)
    assert before.returncode == 1
    assert "problem: migration not applied: server.0001_initial (run `quancheng migrate`)" in before.stdout
    assert run(["migrate"], tmp_path).returncode == 0
    after = run(["check"], tmp_path)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "migrations: up to date" in after.stdout


def test_check_passes_on_the_migrated_test_database(database: str, tmp_path: Path) -> None:
    answer = run(["check"], tmp_path, DATABASE_URL=database)
    assert answer.returncode == 0, answer.stdout + answer.stderr


def test_check_reports_an_unreachable_database(tmp_path: Path) -> None:
    answer = run(["check"], tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert answer.returncode == 1
    assert "problem: database unreachable" in answer.stdout


def test_a_bad_setting_stops_the_command_with_one_line(tmp_path: Path) -> None:
    answer = run(["check"], tmp_path, DATABASE_URL="oracle://x")
    assert answer.returncode == 2
    assert (
        answer.stderr == "quancheng: bad setting DATABASE_URL: Value error, must start with sqlite:// or postgres://\n"
    )


def test_createadmin_non_interactive_and_interactive(tmp_path: Path) -> None:
    run(["migrate"], tmp_path)
    made = run(["createadmin", "--email", "Admin@Bureau.gov.cn", "--password", "a long password"], tmp_path)
    assert made.returncode == 0, made.stderr
    assert "admin admin@bureau.gov.cn is ready" in made.stdout
    asked = run(["createadmin"], tmp_path, stdin="clerk@bureau.gov.cn\nanother long password\n")
    assert asked.returncode == 0, asked.stderr
    with sqlite3.connect(tmp_path / "quancheng.sqlite3") as db:
        rows = db.execute('SELECT email, is_admin FROM "user" ORDER BY id').fetchall()
    assert rows == [("admin@bureau.gov.cn", 1), ("clerk@bureau.gov.cn", 1)]


def test_createadmin_refuses_bad_input(tmp_path: Path) -> None:
    run(["migrate"], tmp_path)
    answer = run(["createadmin", "--email", "not-an-email", "--password", "short"], tmp_path)
    assert answer.returncode == 2
    assert "quancheng: email: not a valid email address" in answer.stderr
    assert "quancheng: password: String should have at least 10 characters" in answer.stderr


def _register_and_wait_for_mail(api: str, data_dir: Path) -> None:
    """On the embedded default the in-process worker writes the confirmation as an .eml file."""
    run(["createadmin", "--email", "admin@bureau.gov.cn", "--password", "a long password"], data_dir)
    login = httpx.post(f"{api}/auth/login", json={"email": "admin@bureau.gov.cn", "password": "a long password"})
    admin = {"Authorization": f"Bearer {login.json()['token']}"}
    org = httpx.post(
        f"{api}/organisations", headers=admin, json={"name": {"zh": "联盟"}, "kind": "organiser", "region": "lixia"}
    ).json()
    event = httpx.post(
        f"{api}/events",
        headers=admin,
        json={
            "organisation_id": org["id"],
            "kind": "forum",
            "title": {"zh": "端到端论坛"},
            "region": "lixia",
            "starts_at": "2030-01-01T09:00:00+08:00",
            "ends_at": "2030-01-01T17:00:00+08:00",
        },
    ).json()
    httpx.post(f"{api}/events/{event['id']}/publish", headers=admin)
    made = httpx.post(
        f"{api}/events/{event['id']}/registrations",
        json={"privacy_notice_version": 0, "email": "guest@x.cn", "name": "来宾"},
    )
    assert made.status_code == 201, made.text
    deadline = time.monotonic() + 30
    while not list((data_dir / "mail").glob("*.eml")):
        assert time.monotonic() < deadline, "no mail was written"
        time.sleep(0.2)
    (mail,) = list((data_dir / "mail").glob("*.eml"))
    assert b"To: =?utf-8?b?" in mail.read_bytes() and b"guest@x.cn" in mail.read_bytes()


def test_worker_runs_until_sigterm_and_stops_cleanly(tmp_path: Path) -> None:
    run(["migrate"], tmp_path)
    environment = {**os.environ, "DATA_DIR": str(tmp_path)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "worker"], env=environment, stdout=subprocess.PIPE, text=True
    )
    assert worker.stdout is not None
    with worker.stdout:
        assert worker.stdout.readline().startswith("worker: sending mail to files in")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
        assert worker.stdout.read() == "worker: stopped\n"


def test_serve_migrates_the_embedded_default_and_answers(tmp_path: Path) -> None:
    with serving(tmp_path) as base:
        regions = httpx.get(f"{base}/api/v1/regions").json()
        assert len(regions) == 15 and regions[0]["name"]["zh"] == "历下区"
        assert (tmp_path / "secret_key").exists()
        _register_and_wait_for_mail(f"{base}/api/v1", tmp_path)
