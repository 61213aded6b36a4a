"""The XLSX template and its upload: a dry run reports each row's problems and writes nothing."""

from __future__ import annotations

import io

import httpx
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from talent.models import TraineeReport
from tests.talent.support import GOOD, base_with_reporter, edited, setup

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
    hours = {"column": "J", "field": "training_hours", "message": "本期新增 45 人，但培训课时为 0"}
    assert clean.json() == [
        {"row": 3, "programme_id": programme_id, "problems": [], "warnings": [hours], "skipped": ""}
    ]
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


async def test_the_dry_run_applies_the_report_rules_of_the_form(client: httpx.AsyncClient) -> None:
    _, reporter, base_id, programme_id = await setup(client)
    url = f"/api/v1/talent/sheets/{base_id}/2026-10"
    template = await client.get(url, headers=reporter)
    keys = [cell.value for cell in next(load_workbook(io.BytesIO(template.content)).active.iter_rows(min_row=2))]  # type: ignore[union-attr]
    assessed, certified = (get_column_letter(keys.index(f"{kind}:4") + 1) for kind in ("assessed", "certified"))
    wrong = edited(template.content, {(3, "D"): 4, (3, "F"): 80, (3, assessed): 1, (3, certified): 3})
    (row,) = (await client.post(url, content=wrong, headers={**reporter, **XLSX})).json()
    assert [(p["column"], p["field"], p["message"]) for p in row["problems"]] == [
        ("G", "dropped", "期末在训人数为 -76，不能为负：期初 + 新增 − 结业 − 流失须 ≥ 0"),
        (certified, "certified:4", "“四级/中级工”的取证人数（3）不能多于参加鉴定人数（1）"),
    ]
    assert [p["field"] for p in row["warnings"]] == ["training_hours"]
    applied = await client.post(url, params={"apply": "true"}, content=wrong, headers={**reporter, **XLSX})
    assert applied.status_code == 422 and not await TraineeReport.exists()


async def test_reuploading_a_downloaded_template_skips_unchanged_and_locked_rows(client: httpx.AsyncClient) -> None:
    admin, reporter, base_id, programme_id = await setup(client)
    report_url = f"/api/v1/talent/reports/{base_id}/2026-10/{programme_id}"
    assert (await client.put(report_url, json=GOOD, headers=reporter)).status_code == 200
    url = f"/api/v1/talent/sheets/{base_id}/2026-10"
    unchanged = (await client.get(url, headers=reporter)).content
    (row,) = (await client.post(url, content=unchanged, headers={**reporter, **XLSX})).json()
    assert (row["problems"], row["skipped"]) == ([], "未改动，已跳过")
    assert (await client.post(report_url + "/submit", headers=reporter)).status_code == 200
    downloaded = (await client.get(url, headers=reporter)).content
    changed = edited(downloaded, {(3, "D"): 21})
    (row,) = (await client.post(url, content=changed, headers={**reporter, **XLSX})).json()
    assert (row["problems"], row["skipped"]) == ([], "已提交或已锁定，已跳过")
    applied = await client.post(url, params={"apply": "true"}, content=changed, headers={**reporter, **XLSX})
    assert applied.status_code == 200 and applied.json()[0]["skipped"]
    assert (await TraineeReport.get(programme_id=programme_id)).new_male == 20


async def test_the_template_names_levels_and_gives_each_programme_only_its_own(client: httpx.AsyncClient) -> None:
    admin, reporter, base_id, trainer_id = await setup(client)
    engineers = {
        "occupation": "2-02-10-09",
        "base_id": base_id,
        "target_level": "middle",
        "track": "算法工程师",
        "cohort": "2026 工程师班",
        "starts_on": "2026-09-01",
        "ends_on": "2027-06-30",
        "planned_size": 20,
    }
    engineer = await client.post("/api/v1/talent/programmes", headers=admin, json=engineers)
    assert engineer.status_code == 201, engineer.text
    url = f"/api/v1/talent/sheets/{base_id}/2026-10"
    template = await client.get(url, headers=reporter)
    sheet = load_workbook(io.BytesIO(template.content)).active
    assert sheet is not None
    labels, keys, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    named = dict(zip(keys, labels, strict=True))
    assert (named["assessed:4"], named["certified:middle"]) == ("四级/中级工：参加鉴定", "中级：取得证书")
    by_programme = {row[0]: dict(zip(keys, row, strict=True)) for row in rows}
    assert by_programme[trainer_id]["assessed:middle"] == "不适用"
    assert by_programme[engineer.json()["id"]]["certified:4"] == "不适用"
    assert by_programme[engineer.json()["id"]]["certified:middle"] is None  # its own level, left to fill in
    back = await client.post(url, content=template.content, headers={**reporter, **XLSX})  # the template, unchanged
    assert [row["problems"] for row in back.json()] == [[], []]
    typed = edited(template.content, {(3, get_column_letter(keys.index("assessed:middle") + 1)): 2})
    (trainer_row, _) = (await client.post(url, content=typed, headers={**reporter, **XLSX})).json()
    assert [p["field"] for p in trainer_row["problems"]] == ["assessed:middle"]  # a number where none belongs
