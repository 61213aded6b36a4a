"""Endpoint declarations: one decorator ties a handler to its path, its caller rule and its pydantic shapes.

The same declarations drive request parsing, authorisation, rendering and the OpenAPI document, so what
the document says is what the server does.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar, Union, get_args, get_origin, get_type_hints

import orjson
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.auth import SESSION_COOKIE, Caller, authenticate
from server.errors import AuthenticationRequired, BadRequest, DomainError, PermissionDenied, from_validation
from server.i18n import negotiate
from server.models import User
from server.settings import Locale, Settings

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class Allow(StrEnum):
    """The coarse caller rule of an endpoint; finer rules (which organisation) are checked by the handler."""

    ANYONE = "anyone"
    USER = "signed-in user"
    ADMIN = "admin"


@dataclass
class Context:
    """What a handler knows about its request."""

    request: Request
    settings: Settings
    caller: Caller | None
    locale: Locale
    cookies: list[dict[str, Any]] = field(default_factory=list)

    @property
    def user(self) -> User:
        if self.caller is None:
            raise AuthenticationRequired()
        return self.caller.user

    @property
    def client_ip(self) -> str:
        return self.request.client.host if self.request.client else "unknown"


class PageQuery(BaseModel):
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=50, ge=1, le=200)


class Unchecked(Generic[M]):
    """A request body the handler validates itself, so that its field errors come in one answer with those only
    the handler can find (answers to an event's own questions); `M` still documents the body."""

    def __init__(self, data: Any) -> None:
        self.data = data


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Callable[..., Awaitable[Any]]
    allow: Allow
    summary: str
    tag: str
    status: int
    rule: str
    path_params: dict[str, type]
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    returns: Any
    produces: str = "application/json"
    body_checked: bool = True

    @property
    def renders_json(self) -> bool:
        return not (isinstance(self.returns, type) and issubclass(self.returns, Response))

    @property
    def openapi_path(self) -> str:
        return "/".join(part.split(":")[0] + ("}" if ":" in part else "") for part in self.path.split("/"))


class Api:
    """A collection of endpoints under one prefix; `server.app` mounts the routes of every package's Api."""

    def __init__(self, prefix: str = "/api/v1") -> None:
        self.prefix = prefix
        self.endpoints: list[Endpoint] = []

    def route(
        self,
        method: str,
        path: str,
        *,
        allow: Allow,
        summary: str,
        tag: str,
        status: int = 200,
        rule: str = "",
        produces: str = "application/json",
    ) -> Callable[[Callable[..., Awaitable[T]]], Callable[..., Awaitable[T]]]:
        """Declare an endpoint. The handler takes `ctx`, path parameters by name, and optionally `body` and
        `query` annotated with pydantic models (`Unchecked[Model]`: a body the handler validates itself); its
        return annotation is the response shape (a Response subclass for files, with `produces` naming their
        media type)."""

        def register(handler: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
            hints = get_type_hints(handler)
            names = [name for name in inspect.signature(handler).parameters if name != "ctx"]
            body = hints.get("body")
            unchecked = get_origin(body) is Unchecked
            self.endpoints.append(
                Endpoint(
                    method=method,
                    path=self.prefix + path,
                    handler=handler,
                    allow=allow,
                    summary=summary,
                    tag=tag,
                    status=status,
                    rule=rule,
                    path_params={name: hints[name] for name in names if name not in ("body", "query")},
                    body=get_args(body)[0] if unchecked else body,
                    query=hints.get("query"),
                    returns=_rendered_shape(hints.get("return")),
                    produces=produces,
                    body_checked=not unchecked,
                )
            )
            return handler

        return register

    def routes(self) -> list[Route]:
        return [Route(e.path, _endpoint_app(e), methods=[e.method]) for e in self.endpoints]


def _rendered_shape(annotation: Any) -> Any:
    """The JSON shape of a return annotation: `Model | Response` (a handler that may answer with a file) is Model."""
    members = [a for a in get_args(annotation) if not (isinstance(a, type) and issubclass(a, Response))]
    if get_origin(annotation) in (Union, types.UnionType) and len(members) == 1:
        return members[0]
    return annotation


def _endpoint_app(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    shaped = endpoint.renders_json and endpoint.returns not in (None, type(None))
    adapter = TypeAdapter(endpoint.returns) if shaped else None

    async def app(request: Request) -> Response:
        settings: Settings = request.app.state.settings
        ctx = Context(
            request, settings, None, negotiate(request.headers.get("accept-language"), settings.DEFAULT_LOCALE)
        )
        request.state.locale = ctx.locale
        ctx.caller = await authenticate(request, settings.secret_key())
        if ctx.caller is not None:
            ctx.locale = request.state.locale = _user_locale(ctx.caller.user, ctx.locale)
        _authorise(endpoint.allow, ctx)
        kwargs: dict[str, Any] = {"ctx": ctx}
        kwargs.update(request.path_params)
        if endpoint.query is not None:
            kwargs["query"] = _validate(endpoint.query, dict(request.query_params), "query")
        if endpoint.body is not None and endpoint.body_checked:
            kwargs["body"] = _validate(endpoint.body, await _json_body(request), "body")
        elif endpoint.body is not None:
            kwargs["body"] = Unchecked(await _json_body(request))
        result = await endpoint.handler(**kwargs)
        if isinstance(result, Response):
            response = result
        elif adapter is None:
            response = Response(status_code=204 if endpoint.status == 200 else endpoint.status)
        else:
            content = orjson.dumps(adapter.dump_python(result, mode="json"))
            response = Response(content, status_code=endpoint.status, media_type="application/json")
        if getattr(request.state, "stale_session", False):
            response.delete_cookie(SESSION_COOKIE)
        for cookie in ctx.cookies:
            response.set_cookie(**cookie)
        response.headers["Content-Language"] = ctx.locale
        return response

    return app


def _user_locale(user: User, fallback: Locale) -> Locale:
    return "en" if user.locale == "en" else "zh-CN" if user.locale == "zh-CN" else fallback


def _authorise(allow: Allow, ctx: Context) -> None:
    if allow is Allow.ANYONE:
        return
    if ctx.caller is None:
        raise AuthenticationRequired()
    if allow is Allow.ADMIN and not ctx.caller.user.is_admin:
        raise PermissionDenied()


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        raise BadRequest("error.body_missing")
    media_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise BadRequest("error.content_type")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest("error.malformed_json", position=exc.pos) from None


def _validate(model: type[BaseModel], data: Any, part: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc, part) from None


def error_locale(request: Request) -> Locale:
    """The language for an error answer: what the endpoint settled on, else what the client asked for."""
    locale: Locale | None = getattr(request.state, "locale", None)
    if locale is None:
        locale = negotiate(request.headers.get("accept-language"), request.app.state.settings.DEFAULT_LOCALE)
    return locale


__all__ = ["Allow", "Api", "Context", "DomainError", "Endpoint", "Page", "PageQuery", "Unchecked"]
