"""One source of truth for lengths: no request field may accept more characters than the column it is stored in
(a longer value passes on SQLite and fails on PostgreSQL, after the request was already accepted)."""

from __future__ import annotations

from typing import Any

import annotated_types
import pytest
from pydantic import BaseModel
from tortoise.models import Model

from events.calendar_routes import FeedIn
from events.models import AgendaSession, CalendarFeed, Event, Question, Quota, Registration, TicketType
from events.schemas import EventIn, QuestionIn, QuotaIn, RegistrationIn, SessionIn, TicketTypeIn
from server.fields import max_length
from server.models import AuthToken, Organisation, User
from server.schemas import OrganisationIn, SignupIn, TokenIn
from talent.models import Occupation, Programme
from talent.schemas import OccupationIn, ProgrammeIn

# (request shape, field path) → (model, column) where the value is stored as typed
STORED_AS_TYPED: list[tuple[type[BaseModel], str, type[Model], str]] = [
    (SignupIn, "name", User, "name"),
    (TokenIn, "name", AuthToken, "name"),
    (OrganisationIn, "name.zh", Organisation, "name_zh"),
    (OrganisationIn, "name.en", Organisation, "name_en"),
    (EventIn, "title.zh", Event, "title_zh"),
    (EventIn, "title.en", Event, "title_en"),
    (EventIn, "summary.zh", Event, "summary_zh"),
    (EventIn, "summary.en", Event, "summary_en"),
    (EventIn, "venue", Event, "venue"),
    (EventIn, "online_url", Event, "online_url"),
    (EventIn, "timezone", Event, "timezone"),
    (SessionIn, "title.zh", AgendaSession, "title_zh"),
    (SessionIn, "room", AgendaSession, "room"),
    (TicketTypeIn, "name.zh", TicketType, "name_zh"),
    (TicketTypeIn, "name.en", TicketType, "name_en"),
    (QuotaIn, "name", Quota, "name"),
    (QuestionIn, "key", Question, "key"),
    (QuestionIn, "label.zh", Question, "label_zh"),
    (QuestionIn, "label.en", Question, "label_en"),
    (RegistrationIn, "name", Registration, "name"),
    (FeedIn, "name", CalendarFeed, "name"),
    (OccupationIn, "name.zh", Occupation, "name_zh"),
    (OccupationIn, "name.en", Occupation, "name_en"),
    (ProgrammeIn, "occupation", Occupation, "code"),
    (ProgrammeIn, "track", Programme, "track"),
    (ProgrammeIn, "cohort", Programme, "cohort"),
]


def _schema_max_length(shape: type[BaseModel], path: str) -> int | None:
    """The most characters the request field at `path` accepts: its own limit, or a pattern's fixed bound."""
    name, _, rest = path.partition(".")
    info = shape.model_fields[name]
    if rest:
        nested = info.annotation
        assert isinstance(nested, type) and issubclass(nested, BaseModel), f"{shape.__name__}.{name}"
        return _schema_max_length(nested, rest)
    return _limit(info.metadata) or _pattern_limit(shape.model_json_schema()["properties"][name])


def _limit(metadata: list[Any]) -> int | None:
    for item in metadata:
        if isinstance(item, annotated_types.MaxLen):
            return item.max_length
        if getattr(item, "max_length", None) is not None:
            return int(item.max_length)
    return None


def _pattern_limit(schema: dict[str, Any]) -> int | None:
    if "maxLength" in schema:
        return int(schema["maxLength"])
    pattern = str(schema.get("pattern", ""))
    if pattern.startswith("^") and pattern.endswith("$") and "*" not in pattern and "+" not in pattern:
        return len(pattern)  # a generous bound for an anchored pattern without repetition
    return None


@pytest.mark.parametrize(
    ("shape", "path", "model", "column"),
    STORED_AS_TYPED,
    ids=[f"{shape.__name__}.{path}" for shape, path, _, _ in STORED_AS_TYPED],
)
def test_request_fields_accept_no_more_than_their_column_holds(
    shape: type[BaseModel], path: str, model: type[Model], column: str
) -> None:
    accepted = _schema_max_length(shape, path)
    assert accepted is not None, f"{shape.__name__}.{path} has no length limit; {model.__name__}.{column} has one"
    assert accepted <= max_length(model, column)
