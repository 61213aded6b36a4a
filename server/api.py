"""Endpoint declarations: one decorator ties a handler to its path, its guard and its pydantic shapes.

The same declarations drive request parsing, authorisation, rendering and the OpenAPI document, so what
the document says is what the server does.
"""

from __future__ import annotations

import inspect
import re
import types
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, Union, get_args, get_origin, get_type_hints

import orjson
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.models import Model
from tortoise.queryset import QuerySet

from server.auth import SESSION_COOKIE, Caller, authenticate
from server.errors import AuthenticationRequired, BadRequest, DomainError, InvalidInput, NotFound, from_validation
from server.fields import Problem, path_id_exists, screen, screen_raw, text_problem
from server.i18n import negotiate
from server.models import User
from server.settings import Locale, Settings

if TYPE_CHECKING:
    from server.access import Guard  # guards read the Context defined here

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
R = TypeVar("R", bound=Model)


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
    def maybe_user(self) -> User | None:
        """The signed-in user, or None for an anonymous caller."""
        return self.caller.user if self.caller else None

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


class BodyStream:
    """A raw request body read as it arrives, never whole: for uploads larger than the app's body limit. The
    route declares `consumes` (its media types) and `body_limit`; BodySizeLimit holds it to that limit."""

    def __init__(self, request: Request, media_type: str, declared_size: int) -> None:
        self.request = request
        self.media_type = media_type
        self.declared_size = declared_size

    def chunks(self) -> AsyncIterator[bytes]:
        return self.request.stream()


class StreamedRoute(Route):
    """A route whose body is streamed, with its own body size limit in place of the app's."""

    def __init__(self, path: str, endpoint: Callable[..., Any], *, methods: list[str], body_limit: int) -> None:
        super().__init__(path, endpoint, methods=methods)
        self.body_limit = body_limit


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int


async def paginate(rows: QuerySet[R], query: PageQuery) -> tuple[list[R], int]:
    """The page of `rows` that `query` asks for, and how many rows there are in all."""
    total = await rows.count()
    return await rows.offset((query.page - 1) * query.per_page).limit(query.per_page), total


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Callable[..., Awaitable[Any]]
    guard: Guard
    summary: str
    tag: str
    status: int
    path_params: dict[str, type]
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    returns: Any
    produces: str = "application/json"
    body_checked: bool = True
    consumes: str | None = None
    provided: str | None = None
    rate_limited: bool = False
    body_limit: int | None = None
    hot: bool = False

    @property
    def media_types(self) -> list[str]:
        return [kind.strip() for kind in self.consumes.split(",")] if self.consumes else []

    @property
    def description(self) -> str:
        """The guard's rule in prose, then what the handler's docstring adds."""
        notes = inspect.getdoc(self.handler)
        return f"Who may call: {self.guard.describe()}" + (f"\n\n{notes}" if notes else "")

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
        guard: Guard,
        summary: str,
        tag: str,
        status: int = 200,
        produces: str = "application/json",
        consumes: str | None = None,
        rate_limited: bool = False,
        body_limit: int | None = None,
        hot: bool = False,
    ) -> Callable[[Callable[..., Awaitable[T]]], Callable[..., Awaitable[T]]]:
        """Declare an endpoint. `guard` says who may call; the handler's docstring adds to the documentation.
        The handler takes `ctx`, path parameters by name, what the guard provides, and optionally `body` and
        `query` annotated with pydantic models (`Unchecked[Model]`: a body the handler validates itself;
        `bytes` with `consumes` naming the media type: a raw upload; `BodyStream` with `consumes` naming the media
        types, comma-separated, and `body_limit`: a streamed upload); its return annotation is the response
        shape (a Response subclass for files, with `produces` naming their media type). `rate_limited`: the
        handler may answer 429 (documented with its Retry-After). `hot`: matched before every other route (a
        rush's endpoint skips trying the ~200 others; every other request tries it once more)."""

        def register(handler: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
            hints = get_type_hints(handler)
            names = [name for name in inspect.signature(handler).parameters if name != "ctx"]
            provided = guard.provides()
            if provided is not None:
                _check_provided(handler, hints, *provided)
            body = hints.get("body")
            unchecked = get_origin(body) is Unchecked
            raw = body in (bytes, BodyStream)
            if raw != (consumes is not None):
                raise TypeError(f"{handler.__name__}: a `body: bytes` goes with `consumes=` and only with it")
            if (body is BodyStream) != (body_limit is not None):
                raise TypeError(f"{handler.__name__}: a `body: BodyStream` goes with `body_limit=` and only with it")
            path_params = {
                name: hints[name]
                for name in names
                if name not in ("body", "query") and (provided is None or name != provided[0])
            }
            _check_path(handler.__name__, path, path_params, guard.path_params())
            self.endpoints.append(
                Endpoint(
                    method=method,
                    path=self.prefix + path,
                    handler=handler,
                    guard=guard,
                    summary=summary,
                    tag=tag,
                    status=status,
                    path_params=path_params,
                    body=None if raw else get_args(body)[0] if unchecked else body,
                    query=hints.get("query"),
                    returns=_rendered_shape(hints.get("return")),
                    produces=produces,
                    body_checked=not unchecked,
                    consumes=consumes,
                    provided=provided[0] if provided else None,
                    rate_limited=rate_limited,
                    body_limit=body_limit,
                    hot=hot,
                )
            )
            return handler

        return register

    def routes(self, *, hot: bool) -> list[Route]:
        """The routes of the endpoints declared `hot`, or of the others."""
        return [
            Route(e.path, _endpoint_app(e), methods=[e.method])
            if e.body_limit is None
            else StreamedRoute(e.path, _endpoint_app(e), methods=[e.method], body_limit=e.body_limit)
            for e in self.endpoints
            if e.hot is hot
        ]


_CONVERTED = {"int": int, "uuid": uuid.UUID, "str": str, "path": str, "float": float}
_PATH_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")


def _check_path(name: str, path: str, params: dict[str, type], guarded: tuple[str, ...]) -> None:
    """The path's parameters, the handler's and the guard's must agree, names and types: a route whose
    `{event_id:int}` meets `event_id: uuid.UUID` fails here, when it is declared, not on a request."""
    declared = {key: _CONVERTED[converter or "str"] for key, converter in _PATH_PARAM.findall(path)}
    if declared.keys() != params.keys():
        raise TypeError(f"{name}: path parameters {sorted(declared)} but handler takes {sorted(params)}")
    for key, kind in params.items():
        if kind is not declared[key]:
            raise TypeError(f"{name}: `{key}` is {declared[key].__name__} in the path but {kind} in the handler")
    if missing := set(guarded) - declared.keys():
        raise TypeError(f"{name}: the guard reads {sorted(missing)}, which the path lacks")


def _check_provided(handler: Callable[..., Any], hints: dict[str, Any], name: str, kind: type) -> None:
    if name not in inspect.signature(handler).parameters:
        return
    if hints.get(name) is not kind:
        raise TypeError(f"{handler.__name__}: the guard provides `{name}: {kind.__name__}`, not {hints.get(name)}")


def _rendered_shape(annotation: Any) -> Any:
    """The JSON shape of a return annotation: `Model | Response` (a handler that may answer with a file) is Model."""
    members = [a for a in get_args(annotation) if not (isinstance(a, type) and issubclass(a, Response))]
    if get_origin(annotation) in (Union, types.UnionType) and len(members) == 1:
        return members[0]
    return annotation


def _endpoint_app(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    shaped = endpoint.renders_json and endpoint.returns not in (None, type(None))
    adapter = TypeAdapter(endpoint.returns) if shaped else None
    wants_found = endpoint.provided is not None and endpoint.provided in inspect.signature(endpoint.handler).parameters

    async def app(request: Request) -> Response:
        settings: Settings = request.app.state.settings
        ctx = Context(
            request, settings, None, negotiate(request.headers.get("accept-language"), settings.DEFAULT_LOCALE)
        )
        request.state.locale = ctx.locale
        ctx.caller = await authenticate(request, settings.secret_key())
        if ctx.caller is not None:
            ctx.locale = request.state.locale = _user_locale(ctx.caller.user, ctx.locale)
        endpoint.guard.screen(ctx)
        _check_path_params(request.path_params)
        kwargs: dict[str, Any] = {"ctx": ctx}
        kwargs.update(request.path_params)
        if endpoint.query is not None:
            kwargs["query"] = _validate(endpoint.query, _query_data(endpoint.query, request.query_params), "query")
            _refuse(screen(kwargs["query"], ("query",)))
        if endpoint.body_limit is not None:
            kwargs["body"] = _body_stream(request, endpoint)
        elif endpoint.consumes is not None:
            kwargs["body"] = await request.body()
        elif endpoint.body is not None and endpoint.body_checked:
            kwargs["body"] = _validate_json(endpoint.body, await _json_body(request))
            _refuse(screen(kwargs["body"], ("body",)))
        elif endpoint.body is not None:
            data = orjson.loads(await _json_body(request))
            _refuse(screen_raw(data, ("body",)))
            kwargs["body"] = Unchecked(data)
        found = await endpoint.guard.admit(ctx, request.path_params)
        if wants_found and endpoint.provided is not None:
            kwargs[endpoint.provided] = found
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


def _query_data(model: type[BaseModel], params: QueryParams) -> dict[str, Any]:
    """The query as the model takes it: a repeated key is a list where the field is one, else a 422."""
    lists = {info.alias or name for name, info in model.model_fields.items() if _is_list(info.annotation)}
    data: dict[str, Any] = {}
    repeated: list[str] = []
    for key in params.keys():
        values = params.getlist(key)
        if key in lists:
            data[key] = values
        elif len(values) > 1:
            repeated.append(key)
        else:
            data[key] = values[0]
    if repeated:
        raise InvalidInput(errors=[(("query", key), "validation.query_repeated") for key in repeated])
    return data


def _is_list(annotation: Any) -> bool:
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_is_list(member) for member in get_args(annotation))
    return get_origin(annotation) in (list, tuple, set, frozenset)


async def _json_body(request: Request) -> bytes:
    """The raw body, once it is known to be well-formed JSON."""
    raw = await request.body()
    if not raw:
        raise BadRequest("error.body_missing")
    media_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise BadRequest("error.content_type")
    try:
        orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest("error.malformed_json", position=exc.pos) from None
    return raw


def _body_stream(request: Request, endpoint: Endpoint) -> BodyStream:
    """A streamed body's media type must be one the route takes, and its length announced: a stream that ends
    short of it is known to be cut off."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in endpoint.media_types:
        raise BadRequest("error.content_type_upload", accepted=", ".join(endpoint.media_types))
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():
        raise BadRequest("error.length_required")
    return BodyStream(request, media_type, int(declared))


def _validate(model: type[BaseModel], data: Any, part: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc, part) from None


def _validate_json(model: type[BaseModel], raw: bytes) -> Any:
    """A JSON body in pydantic's strict mode: `false` is not 0 and `"3"` is not 3 (a query's text still is)."""
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        raise from_validation(exc, "body") from None


def _check_path_params(params: dict[str, Any]) -> None:
    """A path id no row can have, or a path segment no column holds, names nothing: 404."""
    for value in params.values():
        if isinstance(value, int) and not path_id_exists(value):
            raise NotFound()
        if isinstance(value, str) and text_problem(value, multiline=False):
            raise NotFound()


def _refuse(problems: Iterable[Problem]) -> None:
    if found := list(problems):
        raise InvalidInput(errors=found)


def error_locale(request: Request) -> Locale:
    """The language for an error answer: what the endpoint settled on, else what the client asked for."""
    locale: Locale | None = getattr(request.state, "locale", None)
    if locale is None:
        locale = negotiate(request.headers.get("accept-language"), request.app.state.settings.DEFAULT_LOCALE)
    return locale


__all__ = ["Api", "BodyStream", "Context", "DomainError", "Endpoint", "Page", "PageQuery", "Unchecked", "paginate"]
