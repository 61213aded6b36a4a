"""Organiser exports: CSV and XLSX with question answers, in the organiser's language, safe in spreadsheets."""

from __future__ import annotations

import csv
import io

import httpx
from openpyxl import load_workbook

from tests.events.support import organiser, published_event, register
from tests.support import log_in


async def event_with_answers(client: httpx.AsyncClient) -> tuple[dict[str, str], int]:
    headers, org_id = await organiser(client)
    event_id = await published_event(client, headers, org_id, capacity=1)
    question = {
        "key": "track",
        "kind": "single_choice",
        "label": {"zh": "分论坛", "en": "Track"},
        "choices": [{"key": "mfg", "label": {"zh": "智能制造", "en": "Manufacturing"}}],
    }
    await client.post(f"/api/v1/events/{event_id}/questions", json=question, headers=headers)
    await client.post(
        f"/api/v1/events/{event_id}/questions",
        json={"key": "lunch", "kind": "bool", "label": {"zh": "用餐", "en": "Lunch"}},
        headers=headers,
    )
    await register(
        client, event_id, "a@x.cn", name='=HYPERLINK("http://evil")', answers={"track": "mfg", "lunch": True}
    )
    await register(client, event_id, "b@x.cn", name="王五", answers={"lunch": False})
    return headers, event_id


async def test_csv_export_in_chinese_with_answers_and_no_formulas(client: httpx.AsyncClient) -> None:
    headers, event_id = await event_with_answers(client)
    answer = await client.get(f"/api/v1/events/{event_id}/registrations?format=csv", headers=headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"] == f'attachment; filename="registrations-{event_id}.csv"'
    assert answer.content.startswith(b"\xef\xbb\xbf")
    watermark, *rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert len(watermark) == 1 and watermark[0].startswith("由 host <host@organiser.cn> 于 ")
    assert "导出（访问记录 #" in watermark[0] and "请勿外传" in watermark[0]
    assert rows[0] == [
        "报名编号",
        "状态",
        "姓名",
        "邮箱",
        "票种",
        "候补位次",
        "报名时间",
        "签到时间",
        "说明",
        "分论坛",
        "用餐",
    ]
    assert rows[1][1:5] == ["已确认", '\'=HYPERLINK("http://evil")', "a@x.cn", "普通票"]
    assert rows[1][9:] == ["智能制造", "是"]
    assert rows[2][1:6] == ["候补中", "王五", "b@x.cn", "普通票", "1"]
    assert rows[2][9:] == ["", "否"]


async def test_xlsx_export_in_the_organisers_english(client: httpx.AsyncClient) -> None:
    headers, event_id = await event_with_answers(client)
    from server.models import User

    await User.filter(email="host@organiser.cn").update(locale="en")
    headers = await log_in(client, "host@organiser.cn")
    answer = await client.get(f"/api/v1/events/{event_id}/registrations", params={"format": "xlsx"}, headers=headers)
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None and sheet.title == "Registrations"
    watermark, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert str(watermark[0]).startswith("Exported by ") and "<host@organiser.cn> at " in str(watermark[0])
    assert rows[0][:3] == ["Registration", "Status", "Name"] and rows[0][9:] == ["Track", "Lunch"]
    assert rows[1][1] == "Confirmed" and rows[1][9:] == ["Manufacturing", "Yes"]
    assert rows[1][2] == '\'=HYPERLINK("http://evil")'


async def test_listing_counts_and_filters(client: httpx.AsyncClient) -> None:
    headers, event_id = await event_with_answers(client)
    listed = (await client.get(f"/api/v1/events/{event_id}/registrations?status=waitlisted", headers=headers)).json()
    assert [r["email"] for r in listed["items"]] == ["b@x.cn"]
    assert listed["counts"]["confirmed"] == 1 and listed["counts"]["waitlisted"] == 1 and listed["checked_in"] == 0
    (seated,) = (await client.get(f"/api/v1/events/{event_id}/registrations?status=confirmed", headers=headers)).json()[
        "items"
    ]
    await client.post(f"/api/v1/registrations/{seated['id']}/check-in", json={"nonce": "n" * 8}, headers=headers)
    listed = (await client.get(f"/api/v1/events/{event_id}/registrations?status=waitlisted", headers=headers)).json()
    assert listed["checked_in"] == 1  # of the whole event, not of the filtered rows
    found = (await client.get(f"/api/v1/events/{event_id}/registrations", params={"q": "王"}, headers=headers)).json()
    assert found["total"] == 1
    bad = await client.get(f"/api/v1/events/{event_id}/registrations?format=pdf", headers=headers)
    assert bad.status_code == 422
