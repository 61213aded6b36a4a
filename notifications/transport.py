"""Where mail goes: an SMTP server named by SMTP_URL, or `.eml` files in MAIL_DIR on the embedded default."""

from __future__ import annotations

import os
import ssl
import tempfile
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib


class Connection(Protocol):
    async def send(self, message: Message) -> dict[str, tuple[int, str]]:
        """Send one message; answers the recipients the server refused (a partial refusal), by address."""
        ...


class Transport(Protocol):
    def connect(self) -> AbstractAsyncContextManager[Connection]: ...


@dataclass(frozen=True)
class SmtpTransport:
    """`smtp://` (plain), `smtp+starttls://` (STARTTLS required) or `smtps://` (TLS from the start)."""

    hostname: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool
    ca_file: str | None = None
    timeout: float = 30

    @classmethod
    def from_url(cls, url: str, *, ca_file: str | None = None) -> SmtpTransport:
        parts = urlsplit(url)
        use_tls, start_tls = parts.scheme == "smtps", parts.scheme == "smtp+starttls"
        return cls(
            hostname=parts.hostname or "localhost",
            port=parts.port or (465 if use_tls else 587 if start_tls else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=use_tls,
            start_tls=start_tls,
            ca_file=ca_file,
        )

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[Connection]:
        context = ssl.create_default_context(cafile=self.ca_file) if (self.use_tls or self.start_tls) else None
        client = aiosmtplib.SMTP(
            hostname=self.hostname,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            start_tls=self.start_tls,
            tls_context=context,
            timeout=self.timeout,
        )
        async with client:
            yield _SmtpConnection(client)


@dataclass(frozen=True)
class _SmtpConnection:
    client: aiosmtplib.SMTP

    async def send(self, message: Message) -> dict[str, tuple[int, str]]:
        refused, _ = await self.client.send_message(message)
        return {address: (response.code, response.message) for address, response in refused.items()}


@dataclass(frozen=True)
class FileTransport:
    """Each message becomes `<Message-ID>.eml` in a folder, written whole or not at all."""

    folder: Path

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[Connection]:
        self.folder.mkdir(parents=True, exist_ok=True)
        yield self

    async def send(self, message: Message) -> dict[str, tuple[int, str]]:
        name = str(message["Message-ID"]).strip("<>").replace("/", "_") + ".eml"
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            file.write(message.as_bytes())
        os.replace(temporary, self.folder / name)
        return {}


def transport_for(smtp_url: str, mail_dir: Path, ca_file: str | None = None) -> Transport:
    """SMTP when SMTP_URL is set, else files in MAIL_DIR (the embedded default)."""
    return SmtpTransport.from_url(smtp_url, ca_file=ca_file) if smtp_url else FileTransport(mail_dir)
