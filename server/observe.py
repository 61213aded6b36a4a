"""The outermost middleware: a request id for each request, the access log line and the latency histogram.

The request id is the caller's `X-Request-ID` when sane, else a new one; it is echoed in the response and held
in `server.logs.request_id` while the request runs (log lines, audit entries and outbox rows pick it up there).
Latency is labelled by route template (`/api/v1/events/{event_id:int}`), never by raw path, so the number of
series stays bounded.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any

from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server import logs, metrics

access_log = logging.getLogger(logs.ACCESS)

UNMATCHED = "unmatched"


class RouteTemplates:
    """The path template of the route that answered a request, found from the endpoint the router set."""

    def __init__(self, routes: list[BaseRoute]) -> None:
        self.routes = routes
        self._by_endpoint: dict[int, str] | None = None

    def _index(self) -> dict[int, str]:
        paths = {id(self._endpoint(route)): self._path(route) for route in self.routes}
        shared = Counter(id(self._endpoint(route)) for route in self.routes)
        return {key: path for key, path in paths.items() if shared[key] == 1}

    @staticmethod
    def _endpoint(route: BaseRoute) -> Any:
        return route.endpoint if isinstance(route, Route) else getattr(route, "app", route)

    @staticmethod
    def _path(route: BaseRoute) -> str:
        return route.path if isinstance(route, Route | Mount) else UNMATCHED

    def template(self, scope: Scope) -> str:
        endpoint = scope.get("endpoint")
        if endpoint is None:
            return UNMATCHED
        if self._by_endpoint is None:
            self._by_endpoint = self._index()
        known = self._by_endpoint.get(id(endpoint))
        if known is not None:
            return known
        # An endpoint behind several paths (the web UI's page): match again, as the router did.
        matching = dict(scope, path=scope.get("path", ""), root_path="")
        for route in self.routes:
            if self._endpoint(route) is endpoint and route.matches(matching)[0] is Match.FULL:
                return self._path(route)
        return UNMATCHED


class Observe:
    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        self.templates = RouteTemplates(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, _leaving_metrics_on_shutdown(send))
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((value for name, value in scope["headers"] if name == b"x-request-id"), b"")
        request_id = logs.accept_request_id(incoming.decode("latin-1"))
        token = logs.request_id.set(request_id)
        started = time.perf_counter()
        status = 500  # what the client sees if the app fails before it answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(n, v) for n, v in message.get("headers", []) if n.lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = self.templates.template(scope)
            metrics.REQUEST_SECONDS.labels(route=route, method=scope["method"], status=f"{status // 100}xx").observe(
                seconds
            )
            metrics.observe_pool()
            if access_log.isEnabledFor(logging.INFO):
                self._log(scope, route, status, seconds)
            logs.request_id.reset(token)

    @staticmethod
    def _log(scope: Scope, route: str, status: int, seconds: float) -> None:
        client = scope.get("client")
        access_log.info(
            "%s %s %s",
            scope["method"],
            scope["path"],
            status,
            extra={
                "method": scope["method"],
                "path": scope["path"],
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "client": client[0] if client else None,
            },
        )


def _leaving_metrics_on_shutdown(send: Send) -> Send:
    # uvicorn's worker processes end with os._exit, so no atexit hook runs: the lifespan's end is the last word.
    async def send_then_leave(message: Message) -> None:
        if message["type"] == "lifespan.shutdown.complete":
            metrics.leave()
        await send(message)

    return send_then_leave
