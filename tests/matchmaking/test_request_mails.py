"""Meeting requests by mail: the asked party's members learn of a request with its message, the asking party's
members of the answer; a refused request or answer mails nobody."""

from __future__ import annotations

import httpx

from tests.matchmaking.support import matchmaking_event, party
from tests.notifications.support import drain


def plain(message: object) -> str:
    body = message.get_body(("plain",))  # type: ignore[attr-defined]
    return " ".join(body.get_content().split())


async def test_a_request_mails_the_asked_party_and_its_answer_the_asking_one(client: httpx.AsyncClient) -> None:
    _, event_id = await matchmaking_event(client, mode="requests")
    asking, _, asking_party = await party(client, event_id, "it@factory.cn", "demand")
    asked, _, asked_party = await party(client, event_id, "sales@vision.cn", "supply")
    await drain()  # the registration mails
    body = {"counterpart_id": asked_party, "message": "想了解贵司的带钢表面缺陷检测方案"}
    sent = await client.post(f"/api/v1/matchmaking-parties/{asking_party}/requests", json=body, headers=asking)
    assert sent.status_code == 201, sent.text
    (mail,) = await drain()
    assert mail["To"].addresses[0].addr_spec == "sales@vision.cn"
    assert "企业 it@factory.cn希望与您洽谈" in str(mail["Subject"])
    assert "想了解贵司的带钢表面缺陷检测方案" in plain(mail) and f"/events/{event_id}" in plain(mail)
    back = {"counterpart_id": asking_party, "message": ""}
    twice = await client.post(f"/api/v1/matchmaking-parties/{asked_party}/requests", json=back, headers=asked)
    assert twice.status_code == 409
    assert await drain() == []  # a refused request mails nobody
    answer = f"/api/v1/matchmaking-parties/{asked_party}/requests/{sent.json()['id']}/answer"
    assert (await client.post(answer, json={"accept": False}, headers=asked)).status_code == 200
    (mail,) = await drain()
    assert mail["To"].addresses[0].addr_spec == "it@factory.cn"
    assert "对方的答复是：拒绝" in plain(mail)
    assert (await client.post(answer, json={"accept": True}, headers=asked)).status_code == 409
    assert await drain() == []
