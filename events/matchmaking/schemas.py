"""Request and response shapes of the resource pool. Every length limit comes from `models.Limits`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from events.matchmaking.models import BudgetBand, EntryKind, EntryState, Limits, Maturity
from server.api import PageQuery
from server.fields import Multiline
from server.identifiers import Email
from server.schemas import In, OneLine, SearchText

Code = Annotated[str, StringConstraints(max_length=40)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=Limits.TITLE), OneLine]
Phone = Annotated[
    str,
    StringConstraints(min_length=5, max_length=Limits.CONTACT_PHONE, pattern=r"^\+?[0-9][0-9 -]*[0-9]$"),
    OneLine,
]


class EntryTitle(In):
    zh: Title
    en: Annotated[str, StringConstraints(max_length=Limits.TITLE), OneLine] = ""


class ContactIn(In):
    name: Annotated[str, StringConstraints(min_length=1, max_length=Limits.CONTACT_NAME), OneLine]
    phone: Phone
    email: Annotated[Email, StringConstraints(max_length=Limits.CONTACT_EMAIL)]


class EntryIn(In):
    """A need or a solution as its organisation describes it; edits are validated as the merged whole. Fields
    of the other kind must stay empty, and the kind's own required ones are checked by the service."""

    organisation_id: int
    kind: EntryKind
    title: EntryTitle
    description: Annotated[str, StringConstraints(max_length=Limits.DESCRIPTION), Multiline] = Field(
        default="", description="Markdown, rendered like an event's description."
    )
    domains: list[Code] = Field(min_length=1, max_length=Limits.DOMAINS, description="Domain codes from /domains.")
    region: Code | None = Field(default=None, description="A region code; required for a need.")
    expected_timing: Annotated[str, StringConstraints(max_length=Limits.TIMING), OneLine] = Field(
        default="", description="Need: when the scenario should run, e.g. 2026年下半年; required for a need."
    )
    budget_band: BudgetBand | None = Field(default=None, description="Need: optional.")
    maturity: Maturity | None = Field(default=None, description="Solution: required.")
    reference_cases: list[Annotated[str, StringConstraints(min_length=1, max_length=Limits.CASE), OneLine]] = Field(
        default=[], max_length=Limits.CASES, description="Solution: where it already runs."
    )
    contact: ContactIn


class EntryPatch(In):
    """Any subset of the entry's fields but its organisation and kind."""

    title: EntryTitle | None = None
    description: Annotated[str, StringConstraints(max_length=Limits.DESCRIPTION), Multiline] | None = None
    domains: list[Code] | None = None
    region: Code | None = None
    expected_timing: Annotated[str, StringConstraints(max_length=Limits.TIMING), OneLine] | None = None
    budget_band: BudgetBand | None = None
    maturity: Maturity | None = None
    reference_cases: list[Annotated[str, StringConstraints(max_length=Limits.CASE), OneLine]] | None = None
    contact: ContactIn | None = None


class PoolQuery(PageQuery):
    q: SearchText = Field(default="", description="Words in any order; Chinese is segmented, results ranked by BM25.")
    kind: EntryKind | None = None
    domain: Code | None = None
    region: Code | None = None


class ContactOut(BaseModel):
    name: str
    phone: str
    email: str


class EntryOut(BaseModel):
    """What anyone sees of a published entry: no contact details."""

    id: int
    organisation_id: int
    organisation_name: dict[str, str]
    kind: EntryKind
    state: EntryState
    title: dict[str, str]
    description: str = Field(description="Markdown as written, for the editor.")
    description_html: str
    domains: list[str]
    region: str | None
    expected_timing: str
    budget_band: BudgetBand | None
    maturity: Maturity | None
    reference_cases: list[str]
    published_at: datetime | None
    updated_at: datetime


class EntryWithContactOut(EntryOut):
    """An entry as a signed-in user sees it: with its contact person."""

    contact: ContactOut


# An entry in a list: what `pool.entry_out` gives the reader (a union, so that the contact is serialised too).
AnyEntryOut = EntryWithContactOut | EntryOut


class RecommendationOut(BaseModel):
    entry: AnyEntryOut = Field(description="With its contact for signed-in users.")
    score: float = Field(description="Domain overlap plus text similarity; higher is closer.")
    shared_domains: list[str]
    shared_terms: list[str]
    reason: str = Field(description="Why, in words, in the reader's language.")
