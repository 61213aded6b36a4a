"""Errors a user can cause, and the one place that turns them into problem+json (docs/architecture.md#errors)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from starlette.responses import Response

from server.i18n import translate
from server.settings import Locale


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """The body of every error answer (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] = []
    details: dict[str, Any] | None = None  # what a page needs to recover, e.g. the current state after a 409


class DomainError(Exception):
    """An error the user can cause. `key` names its message in the catalogue; `params` fill it in."""

    key = "error.bad_request"
    details: dict[str, Any] | None = None  # sent as is (JSON) under `details`; set by errors that carry state

    def __init__(
        self,
        key: str | None = None,
        /,
        *,
        errors: Sequence[tuple[tuple[str | int, ...], str] | tuple[tuple[str | int, ...], str, dict[str, Any]]] = (),
        **params: Any,
    ) -> None:
        self.key = key or self.key
        self.params = params
        # (loc, message key[, its own parameters]), translated when rendered
        self.field_errors = [(e[0], e[1], e[2] if len(e) == 3 else {}) for e in errors]
        super().__init__(self.key)


class BadRequest(DomainError):
    key = "error.bad_request"


class InvalidInput(DomainError):
    """Field-level problems; build with `errors=[(("body", "email"), "validation.email_taken")]`."""

    key = "error.invalid_input"

    def __init__(self, key: str | None = None, /, **kwargs: Any) -> None:
        super().__init__(key, **kwargs)
        self.validation: ValidationError | None = None
        self.prefix: tuple[str, ...] = ()


class AuthenticationRequired(DomainError):
    key = "error.authentication_required"


class PermissionDenied(DomainError):
    key = "error.permission_denied"


class NotFound(DomainError):
    key = "error.not_found"


class MethodNotAllowed(DomainError):
    key = "error.method_not_allowed"


class Conflict(DomainError):
    key = "error.conflict"


class PayloadTooLarge(DomainError):
    key = "error.payload_too_large"


class RateLimited(DomainError):
    key = "error.rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after=retry_after)
        self.retry_after = retry_after


class Unavailable(DomainError):
    key = "error.unavailable"


class InternalError(DomainError):
    key = "error.internal"


# The single mapping from error kind to HTTP status; domain packages subclass these kinds.
STATUS: dict[type[DomainError], int] = {
    BadRequest: 400,
    AuthenticationRequired: 401,
    PermissionDenied: 403,
    NotFound: 404,
    MethodNotAllowed: 405,
    Conflict: 409,
    PayloadTooLarge: 413,
    InvalidInput: 422,
    RateLimited: 429,
    InternalError: 500,
    Unavailable: 503,
    DomainError: 400,
}


def status_of(error: DomainError) -> int:
    return next(STATUS[kind] for kind in type(error).__mro__ if kind in STATUS)


def from_validation(exc: ValidationError, *prefix: str) -> InvalidInput:
    """Wrap pydantic's errors for one part of the request, e.g. `("body",)` or `("body", "answers")`."""
    error = InvalidInput()
    error.validation, error.prefix = exc, prefix
    return error


def _validation_fields(exc: ValidationError, prefix: tuple[str, ...], locale: Locale) -> list[FieldError]:
    return [
        FieldError(loc=[*prefix, *detail["loc"]], msg=_validation_message(detail, locale), type=detail["type"])
        for detail in exc.errors(include_url=False)
    ]


def _validation_message(detail: ErrorDetails, locale: Locale) -> str:
    key = f"validation.{detail['type']}"
    context = {name: _short(value) for name, value in (detail.get("ctx") or {}).items()}
    if locale == "zh-CN" and "expected" in context:  # pydantic joins the choices in English: "'a', 'b' or 'c'"
        context["expected"] = context["expected"].replace("' or '", "'、'").replace("', '", "'、'")
    message = translate(key, locale, **context)
    if message == key:  # a pydantic error type the catalogue lacks: keep pydantic's English words
        return detail["msg"] if locale == "en" else translate("validation.invalid", locale)
    return message


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "..."


def field_error(loc: Sequence[str | int], key: str, locale: Locale, **params: Any) -> FieldError:
    """A field's problem as the reader sees it: its path, the message in their language and its type."""
    return FieldError(loc=list(loc), msg=translate(key, locale, **params), type=key.rpartition(".")[2])


def problem(error: DomainError, locale: Locale) -> Problem:
    status = status_of(error)
    fields: list[FieldError] = []
    if isinstance(error, InvalidInput) and error.validation is not None:
        fields = _validation_fields(error.validation, error.prefix, locale)
    fields += [field_error(loc, key, locale, **{**error.params, **own}) for loc, key, own in error.field_errors]
    detail = fields[0].msg if len(fields) == 1 else translate(f"{error.key}.detail", locale, **error.params)
    return Problem(
        type=f"urn:quancheng:problem:{error.key.removeprefix('error.')}",
        title=translate(error.key, locale, **error.params),
        status=status,
        detail=detail,
        errors=fields,
        details=error.details,
    )


def problem_response(error: DomainError, locale: Locale) -> Response:
    body = problem(error, locale)
    headers: dict[str, str] = {"Content-Language": locale}
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    return Response(
        orjson.dumps(body.model_dump(mode="json", exclude_none=True)),
        status_code=body.status,
        media_type="application/problem+json",
        headers=headers,
    )
