"""Each test's own SMTP server (tests/notifications/support.py), with a certificate authority for the run."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import pytest
import trustme

from tests.notifications.support import Mailbox, SmtpServer
from tests.support import free_port


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, str]:
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    return server_context, str(ca_file)


@pytest.fixture
def smtp(certificates: tuple[ssl.SSLContext, str]) -> Iterator[SmtpServer]:
    context, ca_file = certificates
    server = SmtpServer(Mailbox(), free_port(), ca_file)
    server.start(context)
    yield server
    server.stop()
