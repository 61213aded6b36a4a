from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('server', '0001_initial'), ('server', '0002_seed_reference_data'), ('server', '0003_calendars'), ('talent', '0002_seed_occupations')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Programme',
            name='event_ids',
            field=fields.JSONField(default=list, description='Quancheng training events of this cohort', encoder=JSON_DUMPS, decoder=loads),
        ),
    ]
