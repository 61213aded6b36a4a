"""The cluster test's clients: a registration rush that records every request it made, and an SMTP sink that
records every Message-ID it received (with the worker host it came from)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Attempt:
    """One registration request: when it was sent and answered, the answer, and the process that served it."""

    email: str
    started: float
    ended: float = 0.0
    status: int = 0  # 0: the connection failed or closed without an answer
    served_by: str = ""
    answer: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.status == 0 or self.status >= 500


@dataclass
class Rush:
    attempts: list[Attempt]
    seconds: float

    @property
    def per_second(self) -> float:
        return len(self.attempts) / self.seconds

    def told(self) -> dict[str, int]:
        """Registration id -> the waiting-list place its answer told, for the answered waitlisted ones."""
        return {
            a.answer["id"]: a.answer["waitlist_position"] for a in self.answered() if a.answer["status"] == "waitlisted"
        }

    def answered(self) -> list[Attempt]:
        return [a for a in self.attempts if a.status == 201]


async def rush(
    address: str,
    port: int,
    event_id: int,
    count: int,
    *,
    clients: int,
    prefix: str = "p",
    into: list[Attempt] | None = None,
) -> Rush:
    """`count` registrations (`<prefix><i>@rush.cn`) from `clients` keep-alive connections; a connection that
    failed, was closed or answered an error is opened again for the next request. Each attempt is appended to
    `into` as it starts."""
    emails: asyncio.Queue[str] = asyncio.Queue()
    for i in range(count):
        emails.put_nowait(f"{prefix}{i}@rush.cn")
    path = f"/api/v1/events/{event_id}/registrations"
    attempts: list[Attempt] = [] if into is None else into

    async def client() -> None:
        connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        while not emails.empty():
            attempt = Attempt(emails.get_nowait(), time.monotonic())
            attempts.append(attempt)
            body = json.dumps({"email": attempt.email, "name": "参会者", "privacy_notice_version": 0}).encode()
            try:
                if connection is None:
                    connection = await asyncio.open_connection(address, port)
                reader, writer = connection
                writer.write(
                    f"POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
                content = await reader.readexactly(int(headers.get("content-length", "0")))
                attempt.status = int(head[0].split(" ", 2)[1])
                attempt.served_by = headers.get("x-served-by", "")
                if attempt.status == 201:
                    attempt.answer = json.loads(content)
                # HAProxy closes a client's connection after an error it made (a 502 for a process that died).
                if attempt.failed or headers.get("connection", "").lower() == "close":
                    writer.close()
                    connection = None
            except (OSError, asyncio.IncompleteReadError, ValueError):
                if connection is not None:
                    connection[1].close()
                connection = None
            attempt.ended = time.monotonic()
        if connection is not None:
            connection[1].close()

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    return Rush(attempts, time.monotonic() - started)


@dataclass
class Received:
    message_id: str
    peer: str
    at: float


class Sink:
    """An SMTP server that accepts every mail and records its Message-ID, the sending host and the time."""

    def __init__(self, address: str, port: int) -> None:
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname=address, port=port)

    async def handle_DATA(self, server: object, session: Any, envelope: Any) -> str:
        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        with self._lock:
            message_id = str(headers["Message-ID"]).strip("<>").partition("@")[0]
            self.received.append(Received(message_id, session.peer[0], time.monotonic()))
        return "250 OK"

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.received)
