"""GET /event-kinds: the one list of event kinds the pages offer, in a fixed order, named in both languages."""

from __future__ import annotations

import httpx

from events.models import EventKind
from server.i18n import LOCALES, catalogue


async def test_event_kinds_follow_the_enum_with_the_catalogues_names_in_both_languages(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/api/v1/event-kinds", headers={"Accept-Language": "en"})
    assert answer.status_code == 200, answer.text
    kinds = answer.json()
    assert [kind["code"] for kind in kinds] == [kind.value for kind in EventKind]
    assert kinds[0] == {"code": "conference", "name": {"zh": "大会", "en": "Conference"}}
    assert kinds[-1] == {"code": "training", "name": {"zh": "培训", "en": "Training"}}
    assert len({kind["name"]["zh"] for kind in kinds}) == len({kind["name"]["en"] for kind in kinds}) == len(EventKind)


async def test_the_answer_does_not_depend_on_the_readers_language(client: httpx.AsyncClient) -> None:
    chinese = await client.get("/api/v1/event-kinds", headers={"Accept-Language": "zh-CN"})
    english = await client.get("/api/v1/event-kinds", headers={"Accept-Language": "en"})
    assert chinese.json() == english.json()


def test_every_event_kind_is_named_in_each_server_catalogue() -> None:
    # translate() falls back to English and then to the key, so a missing name would not fail the request.
    keys = [f"event_kind.{kind.value}" for kind in EventKind]
    missing = [(locale, key) for locale in LOCALES for key in keys if key not in catalogue(locale)]
    assert missing == []


async def test_event_kinds_only_answer_get(client: httpx.AsyncClient) -> None:
    answer = await client.post("/api/v1/event-kinds", json={"code": "party"})
    assert answer.status_code == 405
