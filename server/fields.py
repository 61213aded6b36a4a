"""What every value crossing the API boundary must be, checked once for every endpoint (docs/architecture.md,
"Input boundary").

Pydantic checks each field's own shape; `screen` then walks the parsed request (body, query, path) and refuses,
with a field message, what no field may hold because the database, a spreadsheet or a calendar cannot:

- text: C0 and C1 control characters (NUL included; tab and line feed only in `Multiline` fields), the bidi
  embedding, override and isolate controls U+202A–U+202E and U+2066–U+2069 (they reorder the text around them,
  e.g. a name that shows a different file extension), lone surrogates and the non-characters U+FFFE/U+FFFF.
  Zero-width joiners and marks (U+200B–U+200F) stay: emoji sequences and right-to-left names need them;
- integers outside PostgreSQL's `integer` (a path id out of range is a 404, see `path_id_exists`);
- dates and times outside the years 1970–2200, which every calendar, time zone and timestamp computation handles.

`fit` is the other side: a value the service derives (a sender name from an organisation name, an audit label
from an email address) is cut to its column rather than failing the change it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from functools import cache
from typing import Any, get_args

from pydantic import BaseModel, BeforeValidator
from tortoise.fields import CharField
from tortoise.models import Model

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
DATE_MIN, DATE_MAX = date(1970, 1, 1), date(2200, 12, 31)

_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_REFUSED_ANYWHERE = f"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI_CONTROLS}\ud800-\udfff\ufffe\uffff"
_ONE_LINE = re.compile(f"[\t\n\r{_REFUSED_ANYWHERE}]")
_MULTI_LINE = re.compile(f"[{_REFUSED_ANYWHERE}]")
_BIDI = re.compile(f"[{_BIDI_CONTROLS}]")

Problem = tuple[tuple[str | int, ...], str, dict[str, Any]]


def _lf(value: object) -> object:
    """Multi-line text is stored trimmed, with LF line ends only."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip() if isinstance(value, str) else value


Multiline = BeforeValidator(_lf)
"""Marks a text field where line breaks and tabs belong (descriptions, messages); every other field refuses them."""


def text_problem(text: str, *, multiline: bool) -> str | None:
    """The message key of what `text` may not contain, or None."""
    found = (_MULTI_LINE if multiline else _ONE_LINE).search(text)
    if found is None:
        return None
    return "validation.text_bidi" if _BIDI.match(found.group()) else "validation.text_control"


def screen(value: Any, loc: tuple[str | int, ...], *, multiline: bool = False) -> Iterator[Problem]:
    """Every problem of a parsed value, with its location: walks models, lists and dicts to their leaves."""
    if isinstance(value, BaseModel):
        multiline_fields = _multiline_fields(type(value))
        for name, info in type(value).model_fields.items():
            yield from screen(getattr(value, name), (*loc, info.alias or name), multiline=name in multiline_fields)
    elif isinstance(value, str):
        if key := text_problem(value, multiline=multiline):
            yield loc, key, {}
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            yield loc, "validation.int_range", {"min": INT_MIN, "max": INT_MAX}
    elif isinstance(value, date):  # datetimes too
        day = value.date() if isinstance(value, datetime) else value
        if not DATE_MIN <= day <= DATE_MAX:
            yield loc, "validation.date_range", {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()}
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from screen(key, (*loc, str(key)))
            yield from screen(item, (*loc, str(key)), multiline=multiline)
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from screen(item, (*loc, index), multiline=multiline)


def screen_raw(data: Any, loc: tuple[str | int, ...]) -> Iterator[Problem]:
    """Problems of a JSON body its handler validates itself: line breaks pass here, the handler's fields decide."""
    yield from screen(data, loc, multiline=True)


def path_id_exists(value: int) -> bool:
    """Whether a path id can name a row at all: ids are PostgreSQL `integer`s."""
    return 0 < value <= INT_MAX


@cache
def _multiline_fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(
        name
        for name, info in model.model_fields.items()
        if any(item is Multiline for item in info.metadata) or _marked(info.annotation)
    )


def _marked(annotation: Any) -> bool:
    """Whether `Multiline` is in the annotation, e.g. `Annotated[str, ..., Multiline] | None`."""
    return annotation is Multiline or any(_marked(arg) for arg in get_args(annotation))


def max_length(model: type[Model], field: str) -> int:
    """The length a text column holds."""
    column = model._meta.fields_map[field]
    assert isinstance(column, CharField)
    return column.max_length


def fit(model: type[Model], field: str, text: str) -> str:
    """`text` cut to the length of `model.field`: for values the service derives, never for what a user typed."""
    return text[: max_length(model, field)]
