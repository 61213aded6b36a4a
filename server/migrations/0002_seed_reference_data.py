"""Seed Jinan's regions (districts, counties, parks) and the application domains of its AI action plan."""

from __future__ import annotations

import json
from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

from server.db import row_placeholders

REGIONS = [
    ("lixia", "历下区", "Lixia District"),
    ("shizhong", "市中区", "Shizhong District"),
    ("huaiyin", "槐荫区", "Huaiyin District"),
    ("tianqiao", "天桥区", "Tianqiao District"),
    ("licheng", "历城区", "Licheng District"),
    ("changqing", "长清区", "Changqing District"),
    ("zhangqiu", "章丘区", "Zhangqiu District"),
    ("jiyang", "济阳区", "Jiyang District"),
    ("laiwu", "莱芜区", "Laiwu District"),
    ("gangcheng", "钢城区", "Gangcheng District"),
    ("pingyin", "平阴县", "Pingyin County"),
    ("shanghe", "商河县", "Shanghe County"),
    ("high-tech-zone", "济南高新区", "Jinan High-tech Zone"),
    ("qibu-zone", "起步区", "Jinan Starting Area"),
    ("southern-mountains", "南部山区", "Southern Mountain Area"),
]

DOMAINS = [
    ("manufacturing", "工业制造", "Industrial manufacturing"),
    ("agriculture", "农业", "Agriculture"),
    ("healthcare", "医疗健康", "Healthcare"),
    ("education", "教育", "Education"),
    ("energy", "能源", "Energy"),
    ("transport", "交通", "Transport"),
    ("finance", "金融", "Finance"),
    ("culture-tourism", "文化旅游", "Culture and tourism"),
    ("elderly-care", "养老", "Elderly care"),
    ("logistics", "物流", "Logistics"),
    ("digital-government", "数字政府", "Digital government"),
    ("city-governance", "城市治理", "City governance"),
    ("public-security", "安防", "Public security"),
]


# Plain SQL on the migration's own connection: the state models' query builders may belong to another engine.
async def seed(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    marks = row_placeholders(client, 2)
    for table, rows in (("region", REGIONS), ("domain", DOMAINS)):
        values = [[code, json.dumps({"zh": zh, "en": en}, ensure_ascii=False)] for code, zh, en in rows]
        await client.execute_many(f'INSERT INTO "{table}" ("code", "name") VALUES ({marks})', values)


async def unseed(apps: Any, schema_editor: Any) -> None:
    await schema_editor.client.execute_script('DELETE FROM "region"; DELETE FROM "domain";')


class Migration(migrations.Migration):
    dependencies = [("server", "0001_initial")]

    operations = [ops.RunPython(seed, unseed)]
