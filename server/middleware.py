"""ASGI middleware: the request body size limit."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import Request
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.api import StreamedRoute, error_locale
from server.errors import PayloadTooLarge, problem_response


class BodySizeLimit:
    """Refuse bodies over `limit` bytes with 413: at once by Content-Length, or as soon as a stream passes it.
    A streamed route (an upload) has its own declared limit in place of `limit`."""

    def __init__(self, app: ASGIApp, limit: int, routes: Sequence[BaseRoute] = ()) -> None:
        self.app = app
        self.limit = limit
        self.streamed = [route for route in routes if isinstance(route, StreamedRoute)]

    def limit_for(self, scope: Scope) -> int:
        for route in self.streamed:
            if route.matches(scope)[0] is Match.FULL:
                return route.body_limit
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        request = Request(scope)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await problem_response(PayloadTooLarge(limit=limit), error_locale(request))(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise PayloadTooLarge(limit=limit)
            return message

        await self.app(scope, limited_receive, send)
