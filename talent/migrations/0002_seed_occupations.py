"""Seed the AI occupations of the national catalogue (职业分类大典) with their levels and tracks."""

from __future__ import annotations

import json
from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

from server.db import row_placeholders

TRAINER_LEVELS = [
    {"code": "5", "zh": "五级/初级工", "en": "Level 5 / junior worker"},
    {"code": "4", "zh": "四级/中级工", "en": "Level 4 / intermediate worker"},
    {"code": "3", "zh": "三级/高级工", "en": "Level 3 / senior worker"},
    {"code": "2", "zh": "二级/技师", "en": "Level 2 / technician"},
    {"code": "1", "zh": "一级/高级技师", "en": "Level 1 / senior technician"},
]
ENGINEER_LEVELS = [
    {"code": "junior", "zh": "初级", "en": "Junior"},
    {"code": "middle", "zh": "中级", "en": "Intermediate"},
    {"code": "senior", "zh": "高级", "en": "Senior"},
]
OCCUPATIONS = [
    ("4-04-05-05", "人工智能训练师", "AI trainer", TRAINER_LEVELS, ["数据标注员", "人工智能算法测试员"]),
    (
        "2-02-10-09", "人工智能工程技术人员", "AI engineering technician", ENGINEER_LEVELS,
        ["算法工程师", "运维工程师"],
    ),
]


async def seed(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    marks = row_placeholders(client, 5)
    await client.execute_many(
        f'INSERT INTO "occupation" ("code", "name_zh", "name_en", "levels", "tracks") VALUES ({marks})',
        [[code, zh, en, json.dumps(levels, ensure_ascii=False), json.dumps(tracks, ensure_ascii=False)]
         for code, zh, en, levels, tracks in OCCUPATIONS],
    )


async def unseed(apps: Any, schema_editor: Any) -> None:
    await schema_editor.client.execute_script('DELETE FROM "occupation";')


class Migration(migrations.Migration):
    dependencies = [("talent", "0001_initial")]

    operations = [ops.RunPython(seed, unseed)]
