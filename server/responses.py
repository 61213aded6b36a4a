"""Responses for files and feeds: ETag and Last-Modified, answered with 304 when the client already has them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response


def conditional(
    request: Request,
    content: bytes,
    *,
    media_type: str,
    filename: str,
    last_modified: datetime | None,
    disposition: str = "inline",
    max_age: int = 300,
) -> Response:
    """`content` with validators; 304 when If-None-Match (or, without it, If-Modified-Since) matches."""
    etag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    headers = {
        "ETag": etag,
        "Cache-Control": f"private, max-age={max_age}",
        "Content-Disposition": f'{disposition}; filename="{filename}"',
    }
    if last_modified is not None:
        headers["Last-Modified"] = format_datetime(last_modified.astimezone(UTC).replace(microsecond=0), usegmt=True)
    if _fresh(request, etag, last_modified):
        return Response(status_code=304, headers=headers)
    return Response(content, media_type=media_type, headers=headers)


def _fresh(request: Request, etag: str, last_modified: datetime | None) -> bool:
    if match := request.headers.get("if-none-match"):
        return etag in [tag.strip().removeprefix("W/") for tag in match.split(",")] or match.strip() == "*"
    since = request.headers.get("if-modified-since")
    if since and last_modified is not None:
        try:
            return last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False
