"""ASGI middleware: the request body size limit."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.api import error_locale
from server.errors import PayloadTooLarge, problem_response


class BodySizeLimit:
    """Refuse bodies over `limit` bytes with 413: at once by Content-Length, or as soon as a stream passes it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await problem_response(PayloadTooLarge(limit=self.limit), error_locale(request))(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise PayloadTooLarge(limit=self.limit)
            return message

        await self.app(scope, limited_receive, send)
