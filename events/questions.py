"""Custom registration questions: a pydantic model built from an event's question definitions, and the one
validation of a registration request, body and answers together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, create_model

from events.models import Question, QuestionKind
from events.schemas import RegistrationIn
from server.errors import from_validation
from server.fields import Multiline
from server.identifiers import USCC, Email, Mobile
from server.schemas import OneLine

_SCALAR: dict[QuestionKind, Any] = {
    QuestionKind.TEXT: Annotated[str, StringConstraints(min_length=1, max_length=500), OneLine],
    QuestionKind.LONG_TEXT: Annotated[str, StringConstraints(min_length=1, max_length=5000), Multiline],
    QuestionKind.BOOL: bool,
    QuestionKind.DATE: date,
    QuestionKind.PHONE: Mobile,
    QuestionKind.USCC: USCC,
    QuestionKind.EMAIL: Email,
}


@dataclass(frozen=True)
class _Definition:
    """The parts of a question that shape its answer (hashable, so that built models can be cached)."""

    key: str
    kind: QuestionKind
    required: bool
    minimum: float | None
    maximum: float | None
    choice_keys: tuple[str, ...]


def _answer_type(question: _Definition) -> Any:
    if question.kind is QuestionKind.NUMBER:
        return Annotated[float, Field(ge=question.minimum, le=question.maximum, allow_inf_nan=False)]
    if question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTI_CHOICE):
        one: Any = Literal.__getitem__(question.choice_keys)
        if question.kind is QuestionKind.SINGLE_CHOICE:
            return one
        return Annotated[set[one], Field(min_length=1 if question.required else 0)]
    return _SCALAR[question.kind]


def answers_model(questions: list[Question]) -> type[BaseModel]:
    """The model for one event's answers: keyed by question key, unknown keys refused, required ones required."""
    return _model_for(
        tuple(
            _Definition(q.key, q.kind, q.required, q.minimum, q.maximum, tuple(str(c["key"]) for c in q.choices))
            for q in questions
        )
    )


@lru_cache(maxsize=512)
def _model_for(definitions: tuple[_Definition, ...]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for question in definitions:
        kind = _answer_type(question)
        default = ... if question.required else None
        fields[f"answer_{question.key}"] = (
            kind if question.required else kind | None,
            Field(default, alias=question.key),
        )
    return create_model("Answers", __config__=ConfigDict(extra="forbid"), **fields)


@lru_cache(maxsize=512)
def _registration_model(answers: type[BaseModel], signed_in: bool) -> type[RegistrationIn]:
    fields: dict[str, Any] = {"answers": (answers, Field(default_factory=dict, validate_default=True))}
    if not signed_in:  # an account registers with its own address
        fields["email"] = (Email, ...)
    return create_model("Registration", __base__=RegistrationIn, **fields)


def validate_registration(questions: list[Question], body: Any, *, signed_in: bool) -> RegistrationIn:
    """The request with its answers cleaned to JSON-ready values, or one InvalidInput listing every field error,
    the body's and the answers' (under ("body", "answers", key)) alike."""
    try:
        data = _registration_model(answers_model(questions), signed_in).model_validate(body)
    except ValidationError as exc:
        raise from_validation(exc, "body") from None
    answered = cast(BaseModel, data.answers)  # the event's answers model, in place of the documented dict
    values = answered.model_dump(mode="json", by_alias=True, exclude_none=True)
    answers = {key: sorted(value) if isinstance(value, list) else value for key, value in values.items()}
    return RegistrationIn.model_construct(**{**dict(data), "answers": answers})
