"""Mail from the outbox to a loopback SMTP server through the full path, against a bare aiosmtplib loop.

    python bench/outbox_drain.py [--messages 2000] [--pg postgres://...]

Both sides send the same rendered messages to the same aiosmtpd server on 127.0.0.1 over one connection per
batch. The full path claims rows in batches, renders the template, builds the MIME message, sends and records
each outcome in the database (SQLite by default, PostgreSQL with --pg). Prints messages/s of each and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

import aiosmtplib
import asyncpg
from aiosmtpd.controller import Controller
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from notifications.mime import build_message
from notifications.models import MailStatus, OutboxMessage
from notifications.outbox import Mail, enqueue
from notifications.templates import TEMPLATES, render
from notifications.transport import SmtpTransport
from notifications.worker import Worker
from server.db import migrate, tortoise_config

SENDER = "events@bench.cn"
CONTEXT: dict[str, Any] = dict(TEMPLATES["registration_confirmed"].placeholders)


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def full_path(port: int, messages: int) -> float:
    async with in_transaction():
        await enqueue(
            *[
                Mail(
                    template="registration_confirmed",
                    to=f"p{i}@bench.cn",
                    locale="zh-CN",
                    context=CONTEXT,
                    dedupe_key=f"bench:{i}",
                    topic="bench",
                )
                for i in range(messages)
            ]
        )
    worker = Worker(SmtpTransport.from_url(f"smtp://127.0.0.1:{port}"), sender=SENDER, batch=100)
    started = time.perf_counter()
    while await worker.drain_once():
        pass
    elapsed = time.perf_counter() - started
    assert await OutboxMessage.filter(status=MailStatus.SENT).count() == messages
    return elapsed


async def bare(port: int, messages: int) -> float:
    rendered = render("registration_confirmed", "zh-CN", CONTEXT)
    prepared = [
        build_message(
            rendered, to=f"p{i}@bench.cn", to_name="", sender=SENDER, sender_name="", message_id=f"b{i}", calendar=None
        )
        for i in range(messages)
    ]
    started = time.perf_counter()
    for offset in range(0, messages, 100):
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False) as client:
            for message in prepared[offset : offset + 100]:
                await client.send_message(message)
    return time.perf_counter() - started


async def main(args: argparse.Namespace) -> None:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    folder = tempfile.TemporaryDirectory()
    admin = None
    if args.pg:
        name = f"quancheng_bench_{secrets.token_hex(4)}"
        admin = await asyncpg.connect(f"{args.pg}/postgres")
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = f"{args.pg}/{name}"
    else:
        url = f"sqlite://{Path(folder.name) / 'bench.sqlite3'}"
    try:
        await migrate(url)
        await Tortoise.init(config=tortoise_config(url))
        baseline = await bare(port, args.messages)
        ours = await full_path(port, args.messages)
        await Tortoise.close_connections()
    finally:
        controller.stop()
        if admin is not None:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
        folder.cleanup()
    assert sink.count == 2 * args.messages
    engine = "PostgreSQL" if args.pg else "SQLite"
    print(f"outbox ({engine}): {args.messages / ours:7.0f} messages/s")
    print(f"bare aiosmtplib:   {args.messages / baseline:7.0f} messages/s")
    print(f"ratio:             {baseline / ours:7.2f}  (outbox / bare)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--pg", default="", help="a PostgreSQL server URL, e.g. postgres://postgres@127.0.0.1:5432")
    asyncio.run(main(parser.parse_args()))
