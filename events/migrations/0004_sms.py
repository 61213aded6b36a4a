from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('events', '0003_reminders'), ('server', '0001_initial'), ('server', '0002_seed_reference_data'), ('server', '0003_calendars')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Event',
            name='sms_notices',
            field=fields.JSONField(default=list, description='notice kinds also sent by SMS', encoder=JSON_DUMPS, decoder=loads),
        ),
    ]
