"""Responses for files and feeds: ETag and Last-Modified, answered with 304 when the client already has them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response

from server import spreadsheets
from server.personal_data import Row, as_sheets


def etag_of(*parts: object) -> str:
    """A strong ETag from everything the representation is made of."""
    return '"' + hashlib.sha256(repr(parts).encode()).hexdigest()[:32] + '"'


def conditional(
    request: Request,
    build: Callable[[], bytes],
    *,
    etag: str,
    media_type: str,
    filename: str,
    last_modified: datetime | None,
    max_age: int = 300,
) -> Response:
    """304 when If-None-Match (or, without it, If-Modified-Since) matches; else what `build` makes.

    `etag` must be derived from every input of `build`, so that a match needs no building at all.
    """
    headers = {
        "ETag": etag,
        "Cache-Control": f"private, max-age={max_age}",
        "Content-Disposition": f'inline; filename="{filename}"',
    }
    if last_modified is not None:
        headers["Last-Modified"] = format_datetime(last_modified.astimezone(UTC).replace(microsecond=0), usegmt=True)
    if is_fresh(request, etag, last_modified):
        return Response(status_code=304, headers=headers)
    return Response(build(), media_type=media_type, headers=headers)


def is_fresh(request: Request, etag: str, last_modified: datetime | None) -> bool:
    """The client's copy is current: its If-None-Match holds `etag` (or, without one, If-Modified-Since is not
    before `last_modified`)."""
    if match := request.headers.get("if-none-match"):
        return etag in [tag.strip().removeprefix("W/") for tag in match.split(",")] or match.strip() == "*"
    since = request.headers.get("if-modified-since")
    if since and last_modified is not None:
        try:
            return last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def personal_data_workbook(data: dict[str, list[Row]], name: str) -> Response:
    """A person's copy of their data as an XLSX attachment (one sheet per section), never cached."""
    headers = {"Content-Disposition": f'attachment; filename="{name}.xlsx"', "Cache-Control": "no-store"}
    return Response(spreadsheets.to_workbook(as_sheets(data)), media_type=spreadsheets.XLSX, headers=headers)
