from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('events', '0001_initial'), ('server', '0001_initial'), ('server', '0002_seed_reference_data')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CalendarFeed',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('server.User', source_field='user_id', db_constraint=True, to_field='id', related_name='calendar_feeds', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(default='', max_length=100)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'calendar_feed', 'app': 'events', 'pk_attr': 'id', 'table_description': 'A personal calendar subscription: the secret in its URL is stored hashed, and can be rotated or revoked.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='AgendaSession',
            name='uid',
            field=fields.CharField(unique=True, description='iCalendar UID, fixed at creation', max_length=100),
        ),
        ops.AddField(
            model_name='Event',
            name='agenda_in_calendar',
            field=fields.BooleanField(default=False, description='agenda sessions as their own VEVENTs'),
        ),
        ops.AddField(
            model_name='Event',
            name='alarm_minutes',
            field=fields.IntField(null=True, default=60, description='VALARM this long before, null for none'),
        ),
    ]
