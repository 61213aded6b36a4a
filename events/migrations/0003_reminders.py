from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('events', '0002_calendars'), ('server', '0003_calendars')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReminderRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('events.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='reminder_runs', on_delete=OnDelete.CASCADE)),
                ('hours', fields.IntField()),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'reminder_run', 'app': 'events', 'unique_together': (('event', 'hours', 'starts_at'),), 'pk_attr': 'id', 'table_description': 'That the reminders of one event at one offset were scheduled: a second scheduler finds it and stops.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Event',
            name='reminder_hours',
            field=fields.JSONField(default=[24, 1], description='reminder mails this long before', encoder=JSON_DUMPS, decoder=loads),
        ),
    ]
