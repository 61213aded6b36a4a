"""Logging: one JSON object per line (or plain text in development), each line carrying the request id.

The request id lives in a context variable set by `server.observe` for the span of one request, so every log
line, audit entry and outbox row written while serving it can name the request without being handed it.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

LogFormat = Literal["json", "text"]

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# An incoming X-Request-ID is kept only if it is short and plain: it ends up in headers and log lines.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

# The attributes every LogRecord has; anything else was passed as `extra=` and goes into the JSON object.
# (uvicorn's `color_message` repeats the message with terminal colours.)
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
}


def accept_request_id(incoming: str | None) -> str:
    """The caller's X-Request-ID if it is sane, else a new one."""
    if incoming and _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, the `extra=` fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        entry.update({key: value for key, value in vars(record).items() if key not in _STANDARD_ATTRIBUTES})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id.get()
        return True


def handler(log_format: LogFormat) -> logging.Handler:
    """A stderr handler that writes `log_format` lines stamped with the current request id."""
    stream = logging.StreamHandler(sys.stderr)
    stream.addFilter(_RequestIdFilter())
    if log_format == "json":
        stream.setFormatter(JsonFormatter())
    else:
        stream.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    return stream


ACCESS = "quancheng.access"


def configure(log_format: LogFormat, level: int = logging.INFO, *, access: bool = True) -> None:
    """Route the application's and uvicorn's loggers through one handler of `log_format`.

    Our access log (logger `quancheng.access`, written by `server.observe`) replaces uvicorn's, which has no
    request id; `access=False` (`ACCESS_LOG=false`) turns it off and leaves the other logs as they are.
    """
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "quancheng", False):
            root.removeHandler(existing)
    installed = handler(log_format)
    installed.quancheng = True  # type: ignore[attr-defined]
    root.addHandler(installed)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger(ACCESS).disabled = not access
