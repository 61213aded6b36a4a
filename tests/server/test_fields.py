"""The input boundary (server/fields.py): what no field may hold is refused once, for every endpoint, with a
field message; out-of-range path ids are 404s; stored oddities do not break calendars, exports or mail links."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from openpyxl import load_workbook
from pydantic import BaseModel

from events import mailing
from events.models import Event
from notifications.models import OutboxMessage
from server.fields import INT_MAX, Multiline, screen, text_problem
from server.models import Organisation
from server.settings import load_settings
from server.spreadsheets import to_xlsx
from tests.events.support import event_body, organiser, published_event, register
from tests.support import sign_up


@pytest.mark.parametrize("text", ["a\x00b", "\x01", "a\x7fb", "\x85", "x\u202ey", "\u2066x", "\ud800", "\uffff"])
def test_control_bidi_and_surrogate_characters_are_refused_in_any_text(text: str) -> None:
    assert text_problem(text, multiline=True) is not None
    assert text_problem(text, multiline=False) is not None


@pytest.mark.parametrize("text", ["泉城 AI", "👩‍💻 team", "a\u200bb", "عربي\u200f", "café"])
def test_ordinary_text_emoji_with_joiners_and_marks_pass(text: str) -> None:
    assert text_problem(text, multiline=False) is None


def test_line_breaks_and_tabs_pass_only_in_multiline_fields() -> None:
    assert text_problem("one\n\ttwo", multiline=True) is None
    assert text_problem("one\ntwo", multiline=False) == "validation.text_control"
    assert text_problem("x\u202ey", multiline=True) == "validation.text_bidi"


def test_screen_walks_models_lists_and_dicts_with_locations() -> None:
    from typing import Annotated

    class Inner(BaseModel):
        notes: Annotated[str, Multiline] | None = None
        tags: list[str] = []

    class Outer(BaseModel):
        inner: Inner
        by_key: dict[str, int] = {}
        when: date | None = None

    value = Outer(inner=Inner(notes="a\nb", tags=["ok", "b\x00d"]), by_key={"k\x01": 2**40}, when=date(1, 1, 1))
    problems = {(loc, key) for loc, key, _ in screen(value, ("body",))}
    assert problems == {
        (("body", "inner", "tags", 1), "validation.text_control"),
        (("body", "by_key", "k\x01"), "validation.text_control"),
        (("body", "by_key", "k\x01"), "validation.int_range"),
        (("body", "when"), "validation.date_range"),
    }


async def test_nul_in_a_signup_name_is_a_422_with_the_field_named_in_both_languages(client: httpx.AsyncClient) -> None:
    body = {"email": "nul@example.cn", "password": "long enough pw", "name": "A\x00B"}
    for language, words in (("en", "control characters"), ("zh-CN", "控制字符")):
        answer = await client.post("/api/v1/auth/signup", json=body, headers={"Accept-Language": language})
        assert answer.status_code == 422, answer.text
        [error] = answer.json()["errors"]
        assert error["loc"] == ["body", "name"]
        assert words in error["msg"]


async def test_control_characters_in_query_values_are_a_422(client: httpx.AsyncClient) -> None:
    answer = await client.get("/api/v1/events?q=%00x")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["query", "q"]


async def test_a_registrants_control_character_is_refused_in_the_handler_validated_body(
    client: httpx.AsyncClient,
) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    answer = await client.post(
        f"/api/v1/events/{event_id}/registrations",
        json={"privacy_notice_version": 0, "email": "x@example.cn", "name": "X\x01Y"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == ["body", "name"]


async def test_event_dates_outside_1970_to_2200_are_refused(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    body = event_body(org_id, starts_at=datetime(1, 1, 2, 9, tzinfo=UTC))
    answer = await client.post("/api/v1/events", json=body, headers=headers)
    assert answer.status_code == 422, answer.text
    locations = {tuple(e["loc"]) for e in answer.json()["errors"]}
    assert locations == {("body", "starts_at"), ("body", "ends_at")}


async def test_json_false_is_not_zero_and_text_is_not_a_number_in_bodies(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    answer = await client.post("/api/v1/events", json={**event_body(org_id), "capacity": False}, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "capacity"]
    answer = await client.post("/api/v1/events", json={**event_body(org_id), "capacity": "12"}, headers=headers)
    assert answer.status_code == 422


@pytest.mark.parametrize("event_id", [INT_MAX + 1, 2**63, 10**30])
async def test_path_ids_beyond_the_integer_column_are_404(client: httpx.AsyncClient, event_id: int) -> None:
    assert (await client.get(f"/api/v1/events/{event_id}")).status_code == 404
    assert (await client.get(f"/api/v1/events/{event_id}/calendar.ics")).status_code == 404


async def test_filters_longer_than_their_column_find_nothing_or_are_refused(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/organisations", params={"q": "x" * 19})).status_code == 200
    assert (await client.get("/api/v1/events", params={"region": "r" * 41})).status_code == 422
    assert (await client.get("/api/v1/events", params={"tag": "t" * 41})).status_code == 422
    headers = await sign_up(client, "long@example.cn")
    assert (await client.get("/api/v1/talent/periods/2026-03-and-more/exceptions", headers=headers)).status_code < 500


async def test_405_names_every_method_the_path_takes(client: httpx.AsyncClient) -> None:
    answer = await client.delete("/api/v1/events")
    assert answer.status_code == 405
    assert {method.strip() for method in answer.headers["Allow"].split(",")} >= {"GET", "POST"}


async def test_a_stored_event_in_year_one_does_not_break_the_feeds(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    starts = datetime(1, 1, 2, 9, tzinfo=UTC)
    await Event.filter(id=event_id).update(starts_at=starts, ends_at=starts + timedelta(hours=8))
    assert (await client.get(f"/api/v1/events/{event_id}/calendar.ics")).status_code == 200
    assert (await client.get("/api/v1/calendar.ics")).status_code == 200


def test_xlsx_export_drops_characters_xml_cannot_hold() -> None:
    import io

    sheet = load_workbook(io.BytesIO(to_xlsx([["name"], ["A\x01B\x00C"]], "rows"))).active
    assert sheet is not None
    assert sheet["A2"].value == "ABC"


def test_a_mail_link_with_a_huge_timestamp_is_invalid_not_an_overflow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mailing, "_configured", mailing.Site.of(load_settings(SECRET_KEY="k" * 40)))
    assert mailing.link_is_valid(f"qcl_{'9' * 30}_abc", uuid.uuid4()) is False


async def test_long_emails_and_organisation_names_fit_the_columns_derived_from_them(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id)
    await Organisation.filter(id=org_id).update(name_zh="名" * 200)  # the sender name of its mails
    email = "a" * 60 + "@" + "b" * 60 + ".cn"  # over the audit label's 100 characters
    member = await sign_up(client, email)
    answer = await register(client, event_id, email=email, headers=member)
    assert answer.status_code == 201, answer.text
    assert len((await OutboxMessage.get(to_addr=email, topic=f"event:{event_id}")).from_name) == 100
