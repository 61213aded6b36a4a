from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('competitions', '0002_judging')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CompetitionJudge',
            name='stage_ids',
            field=fields.JSONField(null=True, description='the stages they judge, NULL or empty for every one', encoder=JSON_DUMPS, decoder=loads),
        ),
    ]
