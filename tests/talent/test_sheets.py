"""The XLSX template and its upload: a dry run reports each row's problems and writes nothing."""

from __future__ import annotations

import io

import httpx
from openpyxl import Workbook, load_workbook

from talent.models import TraineeReport
from tests.talent.support import base_with_reporter, edited, setup

XLSX = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


async def test_template_upload_dry_run_then_apply(client: httpx.AsyncClient) -> None:
    _, reporter, base_id, programme_id = await setup(client)
    url = f"/api/v1/talent/sheets/{base_id}/2026-10"
    template = await client.get(url, headers=reporter)
    assert template.status_code == 200
    sheet = load_workbook(io.BytesIO(template.content)).active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["项目编号", "班次", "期初在训", "新增（男）"] and rows[1][:3] == [
        "programme_id",
        "cohort",
        "opening",
    ]
    assert rows[2][:3] == [programme_id, "2026 秋季班", 0] and "assessed:4" in rows[1]
    level_column = rows[1].index("certified:4")
    from openpyxl.utils import get_column_letter

    bad = edited(template.content, {(3, "D"): -5, (3, "E"): "twenty", (3, get_column_letter(level_column + 1)): 2.5})
    dry = await client.post(url, content=bad, headers={**reporter, **XLSX})
    assert dry.status_code == 200
    (row,) = dry.json()
    assert row["row"] == 3 and {(p["column"], p["field"]) for p in row["problems"]} == {
        ("D", "new_male"),
        ("E", "new_female"),
        (get_column_letter(level_column + 1), "certified:4"),
    }
    assert not await TraineeReport.exists()  # a dry run writes nothing
    refused = await client.post(url, params={"apply": "true"}, content=bad, headers={**reporter, **XLSX})
    assert refused.status_code == 422 and not await TraineeReport.exists()
    good = edited(
        template.content,
        {
            (3, "D"): 20,
            (3, "E"): 25,
            (3, "F"): 5,
            (3, "G"): 2,
            (3, get_column_letter(level_column)): 5,
            (3, get_column_letter(level_column + 1)): 4,
        },
    )
    clean = await client.post(url, content=good, headers={**reporter, **XLSX})
    assert clean.json() == [{"row": 3, "programme_id": programme_id, "problems": []}]
    applied = await client.post(url, params={"apply": "true"}, content=good, headers={**reporter, **XLSX})
    assert applied.status_code == 200
    report = await TraineeReport.get(programme_id=programme_id)
    assert (report.new, report.completed, report.levels) == (45, 5, {"4": {"assessed": 5, "certified": 4}})


async def test_wrong_files_and_other_bases_are_refused(client: httpx.AsyncClient) -> None:
    admin, reporter, base_id, programme_id = await setup(client)
    url = f"/api/v1/talent/sheets/{base_id}/2026-10"
    garbage = await client.post(url, content=b"not a spreadsheet", headers={**reporter, **XLSX})
    assert garbage.status_code == 422 and garbage.json()["errors"][0]["msg"] == "无法读取该文件，请上传 .xlsx 表格"
    blank = Workbook()
    out = io.BytesIO()
    blank.save(out)
    layout = await client.post(url, content=out.getvalue(), headers={**reporter, **XLSX})
    assert layout.status_code == 422
    template = (await client.get(url, headers=reporter)).content
    foreign = edited(template, {(3, "A"): 999999})
    (row,) = (await client.post(url, content=foreign, headers={**reporter, **XLSX})).json()
    assert row["problems"][0]["field"] == "programme_id"
    other, _ = await base_with_reporter(client, admin, "other@base.cn")
    assert (await client.get(url, headers=other)).status_code == 403
    assert (await client.post(url, content=template, headers={**other, **XLSX})).status_code == 403


async def test_a_programme_twice_in_one_sheet_is_a_problem(client: httpx.AsyncClient) -> None:
    _, reporter, base_id, programme_id = await setup(client)
    url = f"/api/v1/talent/sheets/{base_id}/2026-10"
    template = (await client.get(url, headers=reporter)).content
    doubled = edited(template, {(4, "A"): programme_id, (4, "B"): "again", (4, "D"): 1})
    rows = (await client.post(url, content=doubled, headers={**reporter, **XLSX})).json()
    assert [r["problems"] for r in rows][1][0]["message"] == "同一个项目在表格中出现了两次"
