"""Files streamed in and out over HTTP: a round trip with its SHA-256, and every refusal leaving nothing on disk."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from server.clock import utcnow
from server.settings import Settings
from tests.competitions.support import Clock
from tests.events.support import organiser, published_event
from tests.support import sign_up

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40
LIMIT = 1024 * 1024  # the slot's max_mb


async def competition(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, Any]]:
    headers, org_id = await organiser(client)
    starts = utcnow() + timedelta(days=10)
    event_id = await published_event(client, headers, org_id, kind="competition", starts_at=starts)
    stage = {
        "name": {"zh": "方案提交"},
        "starts_at": (utcnow() - timedelta(hours=1)).isoformat(),
        "deadline": (starts + timedelta(hours=1)).isoformat(),
        "file_slots": [{"key": "plan", "label": {"zh": "方案书"}, "kinds": ["pdf"], "max_mb": LIMIT // 1024 // 1024}],
    }
    body = {"team_max": 2, "tracks": [{"name": {"zh": "智能制造"}}], "stages": [stage]}
    created = await client.post(f"/api/v1/events/{event_id}/competition", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return headers, created.json()


async def team_and_stage(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, str], str, dict[str, Any]]:
    """An organiser's competition with one stage (a PDF slot `plan` of 1 MiB), a leader's team, the upload path."""
    organiser_headers, created = await competition(client)
    leader_headers = await sign_up(client, "lead@x.cn", locale="en")
    body = {"name": "队", "track_id": created["tracks"][0]["id"], "region": "lixia"}
    team = await client.post(f"/api/v1/competitions/{created['id']}/teams", json=body, headers=leader_headers)
    assert team.status_code == 201, team.text
    path = f"/api/v1/teams/{team.json()['id']}/stages/{created['stages'][0]['id']}/files/plan"
    return leader_headers, organiser_headers, path, created


def upload_headers(headers: dict[str, str], media_type: str = "application/pdf") -> dict[str, str]:
    return {**headers, "Content-Type": media_type, "Accept-Language": "en"}


def stored_files(settings: Settings) -> list[Path]:
    """Every file under the submission store, finished or partial."""
    return [path for path in (settings.DATA_DIR / "submissions").rglob("*") if path.is_file()]


async def test_an_uploaded_file_comes_back_with_its_sha256(client: httpx.AsyncClient, settings: Settings) -> None:
    leader, organiser, path, _ = await team_and_stage(client)
    answer = await client.put(path, params={"name": "方案书.pdf"}, content=PDF, headers=upload_headers(leader))
    assert answer.status_code == 201, answer.text
    entry = answer.json()
    [file] = entry["files"]
    assert (entry["version"], file["slot"], file["name"], file["size"]) == (1, "plan", "方案书.pdf", len(PDF))
    assert file["sha256"] == hashlib.sha256(PDF).hexdigest()
    for reader in (leader, organiser):
        download = await client.get(f"/api/v1/submissions/{entry['id']}/files/plan", headers=reader)
        assert download.status_code == 200
        assert download.content == PDF and hashlib.sha256(download.content).hexdigest() == file["sha256"]
        assert download.headers["content-type"] == "application/pdf"
        assert download.headers["x-content-sha256"] == file["sha256"]
    again = await client.put(path, params={"name": "v2.pdf"}, content=PDF + b"%", headers=upload_headers(leader))
    assert again.json()["version"] == 2 and len(stored_files(settings)) == 2  # versions keep their own files
    missing = await client.get(f"/api/v1/submissions/{entry['id']}/files/deck", headers=leader)
    assert missing.status_code == 404


async def test_refused_uploads_are_answered_and_leave_nothing_on_disk(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    leader, _, path, _ = await team_and_stage(client)
    headers = upload_headers(leader)

    def refused(answer: httpx.Response, status: int, key: str) -> None:
        assert answer.status_code == status, answer.text
        assert key in answer.text, answer.text
        assert stored_files(settings) == []

    wrong_type = await client.put(path, params={"name": "a.exe"}, content=PDF, headers=headers)
    refused(wrong_type, 422, "Accepted here: .pdf")
    disguised = await client.put(path, params={"name": "a.pdf"}, content=b"PK\x03\x04" + PDF, headers=headers)
    refused(disguised, 422, "is not a PDF file")
    media = await client.put(path, params={"name": "a.pdf"}, content=PDF, headers=upload_headers(leader, "text/html"))
    refused(media, 400, "application/pdf")
    empty = await client.put(path, params={"name": "a.pdf"}, content=b"", headers=headers)
    refused(empty, 422, "empty")
    path_like = await client.put(path, params={"name": "../../etc/a.pdf"}, content=PDF, headers=headers)
    refused(path_like, 422, "path")
    oversize = await client.put(path, params={"name": "a.pdf"}, content=PDF * 200, headers=headers)
    refused(oversize, 413, str(LIMIT))
    unknown = await client.put(path.replace("/plan", "/deck"), params={"name": "a.pdf"}, content=PDF, headers=headers)
    refused(unknown, 422, "deck")


async def test_a_stream_past_the_slots_limit_is_cut_off_and_a_short_one_is_truncated(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    leader, _, path, _ = await team_and_stage(client)
    limit = LIMIT
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        chunk = PDF + bytes(64 * 1024 - len(PDF))
        while sent < 2 * limit:
            sent += len(chunk)
            yield chunk

    headers = {**upload_headers(leader), "Content-Length": str(limit)}
    cut = await client.put(path, params={"name": "a.pdf"}, content=endless(), headers=headers)
    assert cut.status_code == 413, cut.text
    assert sent <= limit + 64 * 1024  # stopped at the first chunk past the limit, not read to the end
    assert stored_files(settings) == []

    async def short() -> AsyncIterator[bytes]:
        yield PDF

    headers = {**upload_headers(leader), "Content-Length": str(len(PDF) + 100)}
    truncated = await client.put(path, params={"name": "a.pdf"}, content=short(), headers=headers)
    assert truncated.status_code == 422 and str(len(PDF) + 100) in truncated.text
    assert stored_files(settings) == []


async def test_an_upload_without_a_length_is_refused(client: httpx.AsyncClient) -> None:
    leader, _, path, _ = await team_and_stage(client)

    async def unannounced() -> AsyncIterator[bytes]:
        yield PDF

    answer = await client.put(path, params={"name": "a.pdf"}, content=unannounced(), headers=upload_headers(leader))
    assert answer.status_code == 400 and "Content-Length" in answer.text


async def test_a_late_upload_gets_409_naming_the_deadline(
    client: httpx.AsyncClient, settings: Settings, clock: Clock
) -> None:
    leader, _, path, created = await team_and_stage(client)
    clock.now += timedelta(days=30)
    answer = await client.put(path, params={"name": "a.pdf"}, content=PDF, headers=upload_headers(leader))
    assert answer.status_code == 409
    assert created["stages"][0]["deadline_local"] in answer.text
    assert stored_files(settings) == []


async def test_another_teams_caller_is_told_not_found(client: httpx.AsyncClient, settings: Settings) -> None:
    leader, _, path, _ = await team_and_stage(client)
    first = await client.put(path, params={"name": "a.pdf"}, content=PDF, headers=upload_headers(leader))
    stranger = await sign_up(client, "other@x.cn")
    answer = await client.put(path, params={"name": "a.pdf"}, content=PDF, headers=upload_headers(stranger))
    assert answer.status_code == 404 and len(stored_files(settings)) == 1
    download = await client.get(f"/api/v1/submissions/{first.json()['id']}/files/plan", headers=stranger)
    assert download.status_code == 404
    anonymous = await client.put(
        path, params={"name": "a.pdf"}, content=PDF, headers={"Content-Type": "application/pdf"}
    )
    assert anonymous.status_code == 401
