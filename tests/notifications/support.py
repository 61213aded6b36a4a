"""A real SMTP server on 127.0.0.1 (aiosmtpd) with STARTTLS and AUTH, whose answers a test can script."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from notifications.transport import SmtpTransport

USER, PASSWORD = "mailer", "s3cret pass"


@dataclass
class Mailbox:
    """What the server received, and the answers it will give to the next DATA commands."""

    received: list[EmailMessage] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    refuse_recipients: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse_recipients:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = self.answers.pop(0) if self.answers else "250 OK"
        if answer.startswith("250"):
            self.received.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return answer


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login == USER.encode() and data.password == PASSWORD.encode()
    return AuthResult(success=ok)


@dataclass
class SmtpServer:
    mailbox: Mailbox
    port: int
    ca_file: str
    controller: Controller | None = None

    def url(self, password: str = PASSWORD) -> str:
        return f"smtp+starttls://{USER}:{password.replace(' ', '%20')}@127.0.0.1:{self.port}"

    def transport(self, password: str = PASSWORD) -> SmtpTransport:
        return SmtpTransport.from_url(self.url(password), ca_file=self.ca_file)

    def start(self, tls: ssl.SSLContext) -> None:
        self.controller = Controller(
            self.mailbox,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=tls,
            require_starttls=True,
            auth_required=True,
            authenticator=_authenticate,
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
