"""Helpers for event tests: an organiser with an organisation, and events in a given shape."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from server.clock import utcnow
from tests.conftest import admin_headers, sign_up


async def organiser(client: httpx.AsyncClient, email: str = "host@organiser.cn") -> tuple[dict[str, str], int]:
    """An organiser account and the id of its organiser organisation (made by the bureau's admin)."""
    admin = await admin_headers(client, f"admin-for-{email}")
    org = await client.post(
        "/api/v1/organisations",
        json={"name": {"zh": f"承办单位 {email}"}, "kind": "organiser", "region": "high-tech-zone"},
        headers=admin,
    )
    org_id: int = org.json()["id"]
    headers = await sign_up(client, email)
    for role in ("manager", "organiser"):
        added = await client.post(
            f"/api/v1/organisations/{org_id}/members", json={"email": email, "role": role}, headers=admin
        )
        assert added.status_code == 201, added.text
    return headers, org_id


def event_body(org_id: int, **fields: Any) -> dict[str, Any]:
    starts: datetime = fields.pop("starts_at", utcnow() + timedelta(days=10))
    body: dict[str, Any] = {
        "organisation_id": org_id,
        "kind": "forum",
        "title": {"zh": "人工智能赋能制造业论坛", "en": "AI for Manufacturing Forum"},
        "summary": {"zh": "济南AI赋能专场"},
        "description": "## 议程\n\n- 主旨演讲\n- 圆桌对话",
        "region": "high-tech-zone",
        "venue": "济南高新区会展中心 A 厅",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=8)).isoformat(),
        "tags": ["manufacturing"],
    }
    body.update(fields)
    return body


async def published_event(client: httpx.AsyncClient, headers: dict[str, str], org_id: int, **fields: Any) -> int:
    created = await client.post("/api/v1/events", json=event_body(org_id, **fields), headers=headers)
    assert created.status_code == 201, created.text
    event_id: int = created.json()["id"]
    published = await client.post(f"/api/v1/events/{event_id}/publish", headers=headers)
    assert published.status_code == 200, published.text
    return event_id


async def register(
    client: httpx.AsyncClient, event_id: int, email: str, *, headers: dict[str, str] | None = None, **fields: Any
) -> httpx.Response:
    body = {"email": email, "name": email.split("@")[0], **fields}
    return await client.post(f"/api/v1/events/{event_id}/registrations", json=body, headers=headers or {})
