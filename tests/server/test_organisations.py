"""Organisations and memberships: who may create which kind, who may manage members, and no crossing over."""

from __future__ import annotations

import httpx

from server.models import AuditEntry, Membership, Organisation
from tests.support import admin_headers, sign_up

VALID_USCC = "91350100M000100Y43"


async def create(client: httpx.AsyncClient, headers: dict[str, str], **fields: object) -> httpx.Response:
    body = {"name": {"zh": "济南智算科技有限公司", "en": "Jinan Compute Ltd"}, "kind": "company", "region": "lixia"}
    return await client.post("/api/v1/organisations", json={**body, **fields}, headers=headers)


async def test_a_user_creates_a_company_and_becomes_its_manager(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "boss@example.cn")
    answer = await create(client, headers, uscc=VALID_USCC.lower())
    assert answer.status_code == 201
    body = answer.json()
    assert (body["kind"], body["region"], body["uscc"]) == ("company", "lixia", VALID_USCC)
    me = (await client.get("/api/v1/me", headers=headers)).json()
    assert me["memberships"] == [
        {
            "id": me["memberships"][0]["id"],
            "organisation_id": body["id"],
            "organisation_kind": "company",
            "role": "manager",
        }
    ]
    assert await AuditEntry.filter(action="organisation.create", organisation_id=body["id"]).exists()


async def test_privileged_kinds_are_created_by_admins_only(client: httpx.AsyncClient) -> None:
    user = await sign_up(client, "someone@example.cn")
    for kind in ("bureau", "organiser", "training_base"):
        refused = await create(client, user, kind=kind)
        assert refused.status_code == 403
    assert await Organisation.all().count() == 0
    admin = await admin_headers(client)
    made = await create(client, admin, kind="training_base", name={"zh": "济南人工智能实训基地"})
    assert made.status_code == 201
    assert made.json()["name"] == {"zh": "济南人工智能实训基地", "en": ""}
    assert await Membership.all().count() == 0  # the admin manages it as admin, not as a member


async def test_invalid_uscc_unknown_region_and_unknown_kind_get_field_errors(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "x@example.cn")
    bad_check = await create(client, headers, uscc="91350100M000100Y44")
    assert bad_check.status_code == 422
    assert bad_check.json()["errors"][0] == {
        "loc": ["body", "uscc"],
        "msg": "统一社会信用代码校验位不正确",
        "type": "uscc_check",
    }
    bad_shape = await create(client, headers, uscc="9135010OM000100Y43", kind="space_agency")
    assert {tuple(e["loc"]) for e in bad_shape.json()["errors"]} == {("body", "uscc"), ("body", "kind")}
    unknown_region = await create(client, headers, region="atlantis")
    assert unknown_region.status_code == 422
    assert unknown_region.json()["errors"][0]["loc"] == ["body", "region"]
    missing_zh = await create(client, headers, name={"en": "Only English"})
    assert missing_zh.json()["errors"][0]["loc"] == ["body", "name", "zh"]
    assert await Organisation.all().count() == 0


async def test_a_uscc_belongs_to_one_organisation(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "y@example.cn")
    assert (await create(client, headers, uscc=VALID_USCC)).status_code == 201
    again = await create(client, headers, uscc=VALID_USCC)
    assert again.status_code == 422
    assert again.json()["errors"][0]["msg"] == "该统一社会信用代码已被其他机构使用"


async def test_creating_an_organisation_needs_sign_in(client: httpx.AsyncClient) -> None:
    assert (await create(client, {})).status_code == 401


async def test_directory_filters_and_pages(client: httpx.AsyncClient) -> None:
    admin = await admin_headers(client)
    for index in range(3):
        await create(client, admin, name={"zh": f"公司{index}"}, region="lixia")
    await create(
        client,
        admin,
        name={"zh": "高新区承办单位", "en": "Hi-tech Organiser"},
        kind="organiser",
        region="high-tech-zone",
    )
    page = (await client.get("/api/v1/organisations?per_page=2&page=2")).json()
    assert (page["total"], page["page"], len(page["items"])) == (4, 2, 2)
    organisers = (await client.get("/api/v1/organisations?kind=organiser")).json()
    assert [o["name"]["en"] for o in organisers["items"]] == ["Hi-tech Organiser"]
    by_text = (await client.get("/api/v1/organisations", params={"q": "hi-tech"})).json()
    assert by_text["total"] == 1
    by_region = (await client.get("/api/v1/organisations?region=lixia")).json()
    assert by_region["total"] == 3
    bad = await client.get("/api/v1/organisations?kind=nonsense")
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "kind"]


async def test_one_organisation_is_public(client: httpx.AsyncClient) -> None:
    headers = await sign_up(client, "pub@example.cn")
    org_id = (await create(client, headers)).json()["id"]
    assert (await client.get(f"/api/v1/organisations/{org_id}")).json()["name"]["zh"] == "济南智算科技有限公司"
    assert (await client.get("/api/v1/organisations/424242")).status_code == 404


async def test_managers_edit_their_organisation_and_nobody_else_does(client: httpx.AsyncClient) -> None:
    manager = await sign_up(client, "editor@example.cn")
    org = (await create(client, manager)).json()
    other = (await create(client, await sign_up(client, "rival@example.cn"), uscc=VALID_USCC)).json()
    url = f"/api/v1/organisations/{org['id']}"
    changed = await client.patch(
        url, json={"name": {"zh": "济南智算"}, "region": "shizhong", "contact_email": "Events@JNZS.cn"}, headers=manager
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["name"], body["region"], body["contact_email"], body["kind"]) == (
        {"zh": "济南智算", "en": ""},
        "shizhong",
        "events@jnzs.cn",
        "company",
    )
    cleared = await client.patch(url, json={"contact_email": None}, headers=manager)
    assert cleared.json()["contact_email"] == "" and cleared.json()["region"] == "shizhong"  # only what was sent
    bad = await client.patch(url, json={"region": "atlantis", "uscc": VALID_USCC, "kind": "bureau"}, headers=manager)
    assert bad.status_code == 422
    assert {e["loc"][-1] for e in bad.json()["errors"]} == {"kind"}  # the kind is not a field here
    taken = await client.patch(url, json={"uscc": VALID_USCC}, headers=manager)  # the rival's
    assert taken.status_code == 422 and taken.json()["errors"][0]["msg"] == "该统一社会信用代码已被其他机构使用"
    unknown = await client.patch(url, json={"region": "atlantis"}, headers=manager)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"] == ["body", "region"]
    rival = await client.patch(f"/api/v1/organisations/{other['id']}", json={"name": {"zh": "改名"}}, headers=manager)
    assert rival.status_code == 403
    assert (await Organisation.get(id=other["id"])).name_zh == "济南智算科技有限公司"
    assert await AuditEntry.filter(action="organisation.update", organisation_id=org["id"]).count() == 2
