from tortoise import migrations
from tortoise.migrations import operations as ops
from events.matchmaking.models import Outcome
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('events', '0007_privacy'), ('matchmaking', '0002_meetings'), ('server', '0006_accounts')]

    initial = False

    operations = [
        ops.AddField(
            model_name='MeetingEntry',
            name='held_at',
            field=fields.DatetimeField(null=True, description='checked in at the table: the meeting took place', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='MeetingEntry',
            name='outcome_a',
            field=fields.CharEnumField(null=True, description='as party_a tells it', enum_type=Outcome, max_length=12),
        ),
        ops.AddField(
            model_name='MeetingEntry',
            name='outcome_b',
            field=fields.CharEnumField(null=True, description='as party_b tells it', enum_type=Outcome, max_length=12),
        ),
        ops.AddField(
            model_name='ScheduleRun',
            name='kept',
            field=fields.ForeignKeyField('matchmaking.ScheduleRun', source_field='kept_id', null=True, description='a fill: every meeting of this schedule stays in its cell, only empty cells get new ones', db_constraint=True, to_field='id', related_name='fills', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='ScheduleRun',
            name='version',
            field=fields.IntField(default=1, description='bumped by every organiser edit of its meetings'),
        ),
    ]
