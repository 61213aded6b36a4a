"""The committed migrations build exactly the schema the models describe."""

from __future__ import annotations

from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from server.db import tortoise_config
from server.models import Domain, Region


async def test_models_have_no_changes_missing_a_migration(database: str) -> None:
    apps = tortoise_config(database)["apps"]
    writers = await MigrationAutodetector(Tortoise.apps, apps).changes()
    assert [w.name for w in writers] == [], "run `tortoise makemigrations` and commit the file"


async def test_reference_data_is_seeded_in_both_languages(database: str) -> None:
    regions = await Region.all().order_by("id")
    assert len(regions) == 15
    assert (regions[0].code, regions[0].name) == ("lixia", {"zh": "历下区", "en": "Lixia District"})
    assert {d.name["zh"] for d in await Domain.all()} >= {"工业制造", "医疗健康", "数字政府", "安防"}
    assert await Domain.all().count() == 13
