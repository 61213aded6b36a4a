"""ASGI middleware: the request body size limit and the browser hardening headers."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import MutableHeaders
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


# 'unsafe-eval' is the one exception: the no-build Vue pages compile their templates in the browser (new Function).
# Nothing else runs or styles inline; libraries style through CSSOM (element.style, insertRule), which CSP allows.
# The one hash is that of the empty text: FullCalendar adds an empty <style> and fills it by insertRule; its icon
# font is a data: URL.
EMPTY_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
CONTENT_POLICY = (
    f"default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' {EMPTY_STYLE}; "
    "img-src 'self' data:{image_hosts}; font-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


class SecurityHeaders:
    """Browser hardening on every answer, pages and API alike: Content-Security-Policy (img-src also allows the
    hosts of MARKDOWN_IMAGE_HOSTS, the images organisers' Markdown may show), no MIME sniffing, no framing, the
    origin only as referrer to other sites, and HSTS when the site is served over https."""

    def __init__(self, app: ASGIApp, image_hosts: Sequence[str] = (), https: bool = False) -> None:
        self.app = app
        hosts = "".join(f" https://{host}" for host in image_hosts)
        self.policy = CONTENT_POLICY.format(image_hosts=hosts)
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = self.policy
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
                if self.https:
                    headers["Strict-Transport-Security"] = "max-age=31536000"
            await send(message)

        await self.app(scope, receive, send_with_headers)
