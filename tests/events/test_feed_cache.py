"""Calendar feeds at scale: the public feed is answered from its version and served from the bytes stored for it
while nothing changed; every change to what it shows reaches the next fetch; personal feeds are never stored and
never answer with another person's feed (events/feed_cache.py, events/feeds.py `version`)."""

from __future__ import annotations

import httpx

from events.models import Event, EventStatus, FeedCache
from server.models import Organisation
from tests.events.support import entries, organiser, published_event
from tests.support import sign_up

PUBLIC = "/api/v1/calendar.ics"


async def fetch(client: httpx.AsyncClient, url: str = PUBLIC, etag: str | None = None) -> httpx.Response:
    answer = await client.get(url, headers={"If-None-Match": etag} if etag else {})
    assert answer.status_code in (200, 304), answer.text
    return answer


async def changes_the_feed(client: httpx.AsyncClient, before: httpx.Response) -> httpx.Response:
    """The next fetch after a change: the old ETag no longer gives 304, and the answer is a new feed."""
    answer = await fetch(client, etag=before.headers["etag"])
    assert answer.status_code == 200 and answer.headers["etag"] != before.headers["etag"]
    assert answer.content != before.content
    return answer


async def test_an_unchanged_public_feed_is_served_from_its_stored_bytes_and_revalidates_to_304(
    client: httpx.AsyncClient,
) -> None:
    headers, org_id = await organiser(client)
    await published_event(client, headers, org_id, title={"zh": "缓存论坛"})
    first = await fetch(client)
    assert "缓存论坛" in first.text
    [stored] = await FeedCache.all()
    assert bytes(stored.content) == first.content and stored.etag == first.headers["etag"]
    # The next fetch takes the stored bytes as they are: what is in the row is what is served.
    await FeedCache.filter(key=stored.key).update(
        content=first.content.replace("缓存论坛".encode(), "存储字节".encode())
    )
    again = await fetch(client)
    assert "存储字节" in again.text and again.headers["etag"] == first.headers["etag"]
    assert (await fetch(client, etag=first.headers["etag"])).status_code == 304
    # Each filter and language is its own feed.
    english = await fetch(client, f"{PUBLIC}?lang=en")
    assert "Quancheng events" in english.text and english.headers["etag"] != first.headers["etag"]
    assert await FeedCache.all().count() == 2


async def test_every_change_to_what_the_public_feed_shows_reaches_the_next_fetch(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    forum = await published_event(client, headers, org_id, title={"zh": "第一场"})
    other = await published_event(client, headers, org_id, title={"zh": "第二场"})
    feed = await fetch(client)
    assert len(entries(feed.content)) == 2

    edited = await client.patch(f"/api/v1/events/{forum}", json={"title": {"zh": "改名之后"}}, headers=headers)
    assert edited.status_code == 200, edited.text
    feed = await changes_the_feed(client, feed)
    assert "改名之后" in feed.text and "第一场" not in feed.text

    assert (await client.post(f"/api/v1/events/{forum}/cancel", headers=headers)).status_code == 200
    feed = await changes_the_feed(client, feed)
    assert "STATUS:CANCELLED" in feed.text

    await published_event(client, headers, org_id, title={"zh": "新发布"})
    feed = await changes_the_feed(client, feed)
    assert "新发布" in feed.text and len(entries(feed.content)) == 3

    # Taken out of the feed without its change time moving (an unpublish or a repair by hand): a count drops.
    await Event.filter(id=other).update(status=EventStatus.DRAFT)
    feed = await changes_the_feed(client, feed)
    assert "第二场" not in feed.text and len(entries(feed.content)) == 2

    await Event.filter(id=forum).delete()
    feed = await changes_the_feed(client, feed)
    assert "改名之后" not in feed.text and len(entries(feed.content)) == 1

    await Organisation.filter(id=org_id).update(name_zh="更名后的承办单位")  # the ORGANIZER every entry names
    feed = await changes_the_feed(client, feed)
    assert "更名后的承办单位" in feed.text


async def test_a_personal_feed_is_never_stored_nor_answered_with_another_persons(client: httpx.AsyncClient) -> None:
    headers, org_id = await organiser(client)
    mine = await published_event(client, headers, org_id, title={"zh": "我的活动"})
    theirs = await published_event(client, headers, org_id, title={"zh": "别人的活动"})
    feeds = {}
    for email, event_id in (("me@x.cn", mine), ("other@x.cn", theirs)):
        person = await sign_up(client, email)
        joined = await client.post(
            f"/api/v1/events/{event_id}/registrations", json={"privacy_notice_version": 0, "name": "我"}, headers=person
        )
        assert joined.status_code == 201, joined.text
        created = await client.post("/api/v1/me/calendar-feeds", json={"name": "手机"}, headers=person)
        feeds[email] = (f"/cal/{created.json()['token']}.ics", person, joined.json()["id"])
    my_url, _, _ = feeds["me@x.cn"]
    their_url, them, their_registration = feeds["other@x.cn"]

    my_feed = await fetch(client, my_url)
    their_feed = await fetch(client, their_url)
    assert "我的活动" in my_feed.text and "别人的活动" not in my_feed.text
    assert "别人的活动" in their_feed.text and "我的活动" not in their_feed.text
    # My ETag on their URL is not theirs: they get their own feed, not a 304 for mine.
    crossed = await fetch(client, their_url, etag=my_feed.headers["etag"])
    assert crossed.status_code == 200 and crossed.content == their_feed.content
    assert (await fetch(client, my_url, etag=my_feed.headers["etag"])).status_code == 304
    assert not await FeedCache.exists()

    cancelled = await client.post(f"/api/v1/registrations/{their_registration}/cancel", headers=them)
    assert cancelled.status_code == 200, cancelled.text
    after = await fetch(client, their_url, etag=their_feed.headers["etag"])
    assert after.status_code == 200 and "别人的活动" not in after.text
