"""Erasing one's own account is refused while the platform or an organisation would be left without anyone to
run it (server/personal_data.py)."""

from __future__ import annotations

import httpx

from server.models import Membership, Role, User
from tests.events.support import organiser
from tests.support import admin_headers, join, provisioned

ERASE = {"confirm": True}


async def test_an_admin_cannot_erase_their_own_account(client: httpx.AsyncClient) -> None:
    admin = await admin_headers(client)
    refused = await client.post("/api/v1/me/erase", json=ERASE, headers=admin)
    assert refused.status_code == 409
    assert refused.json()["title"] == "管理员不能删除自己的账号"
    assert "请先请运维人员将另一个账号设为管理员" in refused.json()["detail"]
    assert (await client.get("/api/v1/me", headers=admin)).json()["email"] == "admin@bureau.gov.cn"
    assert (await User.get(email="admin@bureau.gov.cn")).is_active


async def test_the_only_manager_is_told_to_invite_another_before_erasing_and_then_may(
    client: httpx.AsyncClient,
) -> None:
    manager, org_id = await organiser(client, "only@organiser.cn")
    refused = await client.post("/api/v1/me/erase", json=ERASE, headers=manager)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "您是“承办单位 only@organiser.cn”唯一的管理员；请先邀请另一位管理员（或移交机构），再删除账号。"
    )
    assert (await client.patch("/api/v1/me", json={"locale": "en"}, headers=manager)).status_code == 200
    english = await client.post("/api/v1/me/erase", json=ERASE, headers=manager)
    assert english.json()["detail"].startswith("You are the only manager of “承办单位 only@organiser.cn”; invite")
    assert await Membership.filter(organisation_id=org_id, role=Role.MANAGER).count() == 1

    colleague = await provisioned(client, "colleague@organiser.cn")
    await join(client, manager, org_id, colleague, "manager")
    erased = await client.post("/api/v1/me/erase", json=ERASE, headers=manager)
    assert erased.status_code == 200, erased.text
    managers = Membership.filter(organisation_id=org_id, role=Role.MANAGER).select_related("user")
    assert [m.user.email for m in await managers] == ["colleague@organiser.cn"]
    # The one left is now the only manager, and is refused in turn.
    assert (await client.post("/api/v1/me/erase", json=ERASE, headers=colleague)).status_code == 409
