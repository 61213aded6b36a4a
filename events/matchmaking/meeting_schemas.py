"""Request and response shapes of a matchmaking event: its rules and grid, parties, interest, schedules."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from events.matchmaking.models import InterestMode, Level, Outcome, Pairing, PartySide, RequestState, RunState
from server.fields import Multiline
from server.schemas import In, Instant, Name, ShortI18nText

MAX_SLOTS = 96  # across all sessions: a long day of 5-minute meetings
MAX_TABLES = 500
MAX_ENTRIES = 20
MAX_MESSAGE = 1000
MAX_TIME_LIMIT = 600


class BreakIn(In):
    after: int = Field(ge=1, le=MAX_SLOTS, description="The break follows this many slots of its session.")
    minutes: int = Field(ge=5, le=240)


class SessionIn(In):
    """A half-day (上午 / 下午): `slots` meetings of the event's slot length from `starts_at`, with breaks."""

    name: ShortI18nText
    starts_at: Instant
    slots: int = Field(ge=1, le=MAX_SLOTS)
    breaks: list[BreakIn] = Field(default=[], max_length=10)


class MatchmakingIn(In):
    """The organiser's rules and session grid; saving it again replaces both."""

    pairing: Pairing = Field(default=Pairing.SUPPLY_DEMAND, description="Who may meet whom.")
    mode: InterestMode = Field(default=InterestMode.PREFERENCES, description="Preferences or meeting requests.")
    meeting_cap: int | None = Field(default=None, ge=1, le=MAX_SLOTS, description="Most meetings per party.")
    slot_minutes: int = Field(ge=5, le=120)
    sessions: list[SessionIn] = Field(min_length=1, max_length=6)
    tables: list[Name] = Field(min_length=1, max_length=MAX_TABLES, description="The tables' names, e.g. A1.")


class SlotOut(BaseModel):
    number: int = Field(description="Slots are numbered across sessions from 0.")
    session: int
    starts_at: datetime
    ends_at: datetime


class SessionOut(BaseModel):
    name: dict[str, str]
    starts_at: datetime
    slots: int
    breaks: list[BreakIn]


class MatchmakingOut(BaseModel):
    event_id: int
    pairing: Pairing
    mode: InterestMode
    meeting_cap: int | None
    slot_minutes: int
    sessions: list[SessionOut]
    tables: list[str]
    slots: list[SlotOut]


class PartyIn(In):
    """The caller's organisation joins as a party; the caller must hold a confirmed registration."""

    organisation_id: int
    side: PartySide = Field(description="demand 需求方, supply 供给方, or both.")
    entry_ids: list[int] = Field(default=[], max_length=MAX_ENTRIES, description="Published pool entries it brings.")
    unavailable: list[Annotated[int, Field(ge=0, lt=MAX_SLOTS)]] = Field(default=[], max_length=MAX_SLOTS)


class PartyPatch(In):
    side: PartySide | None = None
    entry_ids: list[int] | None = Field(default=None, max_length=MAX_ENTRIES)
    unavailable: list[Annotated[int, Field(ge=0, lt=MAX_SLOTS)]] | None = Field(default=None, max_length=MAX_SLOTS)


class TableIn(In):
    table: int | None = Field(ge=0, lt=MAX_TABLES, description="Index into the event's tables; null: none.")


class PartyEntryOut(BaseModel):
    """What another party sees of an entry: no contact person."""

    id: int
    kind: str
    title: dict[str, str]
    domains: list[str]


class PartyOut(BaseModel):
    """A party as anyone at the event sees it: never its members' names or contact details."""

    id: int
    organisation_id: int
    organisation_name: dict[str, str]
    side: PartySide
    entries: list[PartyEntryOut]
    fixed_table: int | None
    members: int


class OwnPartyOut(PartyOut):
    """The caller's own party: with its unavailable slots."""

    unavailable: list[int]


class PreferenceIn(In):
    level: Level


class PreferenceOut(BaseModel):
    counterpart_id: int
    level: Level


class RequestIn(In):
    counterpart_id: int
    message: Annotated[str, StringConstraints(max_length=MAX_MESSAGE), Multiline] = ""


class AnswerIn(In):
    accept: bool


class RequestOut(BaseModel):
    id: int
    party_id: int
    counterpart_id: int
    message: str
    state: RequestState
    created_at: datetime
    answered_at: datetime | None


class OrganiserMeetingIn(In):
    party_ids: tuple[int, int] = Field(description="The two parties that must meet.")
    slot: int | None = Field(default=None, ge=0, lt=MAX_SLOTS, description="Fix it to this slot; null: any.")


class OrganiserMeetingOut(BaseModel):
    id: int
    party_ids: tuple[int, int]
    slot: int | None


class ScheduleIn(In):
    time_limit: float = Field(default=30, gt=0, le=MAX_TIME_LIMIT, description="Seconds the solver may take.")
    fairness_d: int | None = Field(default=2, ge=0, le=MAX_SLOTS, description="Max − min breaks aimed at.")


class StageOut(BaseModel):
    name: str
    value: int
    bound: int
    proved: bool


class ScheduledMeetingOut(BaseModel):
    id: int
    party_ids: tuple[int, int]
    slot: int
    table: int
    must: bool


class ScheduleOut(BaseModel):
    """A provisional schedule: `state` until `done`; then whether the solver proved it optimal, and if not the
    best bound of each stage."""

    id: int
    version: int = Field(description="Bumped by every edit; an edit names the version it was made on.")
    kept_id: int | None = Field(description="A fill: the schedule whose meetings it keeps in their cells.")
    state: RunState
    status: str = Field(description="optimal, feasible, infeasible or unknown once done.")
    proved: bool
    stages: list[StageOut]
    wanted: int = Field(description="Meetings asked for (preferences, accepted requests, organiser must-meets).")
    placed: int
    seconds: float | None
    error: str
    meetings: list[ScheduledMeetingOut]


class MoveIn(In):
    """Move `meeting_id` to (slot, table) of the schedule at `version`; the meeting there, if any, takes its cell."""

    version: int = Field(ge=1)
    meeting_id: int = Field(ge=1)
    slot: int = Field(ge=0, le=MAX_SLOTS)
    table: int = Field(ge=0, le=MAX_TABLES)


class VersionQuery(In):
    version: int = Field(ge=1, description="The schedule version the edit was made on.")


class ConflictOut(BaseModel):
    code: str = Field(
        description="outside_grid, party_busy, party_unavailable, own_table, table_reserved or fixed_meeting."
    )
    message: str = Field(description="In the reader's language.")
    party_id: int | None = Field(default=None, description="The party concerned, where there is one.")


class ConflictsOut(BaseModel):
    conflicts: list[ConflictOut] = Field(description="Empty when the move is fine.")


class CounterpartOut(BaseModel):
    party: PartyOut
    score: float = Field(description="The best match between one of the party's entries and one of the caller's.")
    own_entry_id: int
    their_entry_id: int
    reason: str = Field(description="Why, in words, in the reader's language.")


class AgendaMeetingOut(BaseModel):
    id: int = Field(description="The meeting (its calendar entry), for check-in and outcome.")
    slot: int
    starts_at: datetime
    ends_at: datetime
    table: str = Field(description="The table's name.")
    counterpart: PartyOut
    held: bool = Field(description="Checked in at the table.")
    outcome: Outcome | None = Field(description="The outcome this party recorded, once held.")
    check_in_code: str = Field(description="This party's signed code for the meeting, for the counterpart to scan.")
    check_in_svg: str = Field(description="The code as a QR image (SVG data URI).")


class CheckInIn(In):
    code: str = Field(min_length=1, max_length=100, description="A party's check-in code of one meeting (QM.…).")


class HeldOut(BaseModel):
    meeting_id: int
    party_ids: tuple[int, int]
    slot: int
    table: int
    held_at: datetime | None


class OutcomeIn(In):
    outcome: Outcome = Field(description="none 无后续, interested 有意向, negotiating 洽谈中, signed 已签约.")


class AgendaOut(BaseModel):
    event_id: int
    event_title: dict[str, str]
    timezone: str = Field(description="The event's zone: the agenda's times are shown in it.")
    venue: str
    party_name: dict[str, str] = Field(description="The party's organisation.")
    published: bool = Field(description="False until the organisers publish a schedule.")
    meetings: list[AgendaMeetingOut]


class SummaryGroupOut(BaseModel):
    code: str
    name: dict[str, str]
    scheduled: int
    held: int
    outcomes: dict[str, int] = Field(description="Held meetings by their furthest outcome, or `unanswered`.")


class SummaryOut(BaseModel):
    """Counts only: no party, organisation or person is named."""

    parties: int
    scheduled: int = Field(description="Meetings of the published schedule.")
    held: int = Field(description="Of those, checked in at the table.")
    outcomes: dict[str, int]
    by_domain: list[SummaryGroupOut] = Field(description="A meeting counts under each domain of both parties' entries.")
    by_region: list[SummaryGroupOut] = Field(description="A meeting counts under both organisations' regions.")
