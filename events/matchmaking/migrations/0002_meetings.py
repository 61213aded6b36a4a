from tortoise import migrations
from tortoise.migrations import operations as ops
from events.matchmaking.models import InterestMode, Level, Pairing, PartySide, RequestState, RunState
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('events', '0005_entry_codes'), ('matchmaking', '0001_initial'), ('server', '0001_initial'), ('server', '0002_seed_reference_data'), ('server', '0003_calendars'), ('server', '0004_job_runs'), ('server', '0005_request_id')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Matchmaking',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.OneToOneField('events.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='matchmaking', on_delete=OnDelete.CASCADE)),
                ('pairing', fields.CharEnumField(default=Pairing.SUPPLY_DEMAND, description='SUPPLY_DEMAND: supply_demand\nANY: any', enum_type=Pairing, max_length=20)),
                ('mode', fields.CharEnumField(default=InterestMode.PREFERENCES, description='PREFERENCES: preferences\nREQUESTS: requests', enum_type=InterestMode, max_length=20)),
                ('meeting_cap', fields.IntField(null=True, description='most meetings one party has, NULL for no cap')),
                ('slot_minutes', fields.IntField()),
                ('sessions', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('tables', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'matchmaking', 'app': 'matchmaking', 'pk_attr': 'id', 'table_description': 'The rules and session grid of one event of kind `matchmaking`. `sessions` holds `grid.SessionIn` rows'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Party',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('matchmaking', fields.ForeignKeyField('matchmaking.Matchmaking', source_field='matchmaking_id', db_constraint=True, to_field='id', related_name='parties', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('server.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='matchmaking_parties', on_delete=OnDelete.RESTRICT)),
                ('side', fields.CharEnumField(description='DEMAND: demand\nSUPPLY: supply\nBOTH: both', enum_type=PartySide, max_length=10)),
                ('entries', fields.ManyToManyField('matchmaking.PoolEntry', unique=True, db_constraint=True, through='matchmaking_party_entry', forward_key='poolentry_id', backward_key='matchmaking_party_id', related_name='parties', on_delete=OnDelete.CASCADE)),
                ('fixed_table', fields.IntField(null=True, description="index into Matchmaking.tables: the supplier's own booth")),
                ('unavailable', fields.JSONField(default=list, description='slot numbers the party cannot meet in', encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'matchmaking_party', 'app': 'matchmaking', 'unique_together': (('matchmaking', 'organisation'),), 'pk_attr': 'id', 'table_description': "One organisation's team at a matchmaking event: its colleagues share one schedule."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MeetingEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('matchmaking', fields.ForeignKeyField('matchmaking.Matchmaking', source_field='matchmaking_id', db_constraint=True, to_field='id', related_name='meeting_entries', on_delete=OnDelete.CASCADE)),
                ('party_a', fields.ForeignKeyField('matchmaking.Party', source_field='party_a_id', db_constraint=True, to_field='id', related_name='entries_a', on_delete=OnDelete.CASCADE)),
                ('party_b', fields.ForeignKeyField('matchmaking.Party', source_field='party_b_id', db_constraint=True, to_field='id', related_name='entries_b', on_delete=OnDelete.CASCADE)),
                ('uid', fields.CharField(unique=True, max_length=100)),
                ('sequence', fields.IntField(default=0)),
                ('slot', fields.IntField()),
                ('table', fields.IntField()),
                ('cancelled', fields.BooleanField(default=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'matchmaking_meeting_entry', 'app': 'matchmaking', 'unique_together': (('party_a', 'party_b'),), 'pk_attr': 'id', 'table_description': "The calendar identity of one pair's meeting at an event: its UID stays, its SEQUENCE bumps when a published"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MeetingRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('party', fields.ForeignKeyField('matchmaking.Party', source_field='party_id', db_constraint=True, to_field='id', related_name='requests_sent', on_delete=OnDelete.CASCADE)),
                ('counterpart', fields.ForeignKeyField('matchmaking.Party', source_field='counterpart_id', db_constraint=True, to_field='id', related_name='requests_received', on_delete=OnDelete.CASCADE)),
                ('message', fields.TextField(default='', unique=False)),
                ('state', fields.CharEnumField(default=RequestState.PENDING, description='PENDING: pending\nACCEPTED: accepted\nDECLINED: declined', enum_type=RequestState, max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'matchmaking_request', 'app': 'matchmaking', 'unique_together': (('party', 'counterpart'),), 'pk_attr': 'id', 'table_description': 'A meeting `party` asks `counterpart` for (mode `requests`), one per ordered pair.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OrganiserMeeting',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('matchmaking', fields.ForeignKeyField('matchmaking.Matchmaking', source_field='matchmaking_id', db_constraint=True, to_field='id', related_name='organiser_meetings', on_delete=OnDelete.CASCADE)),
                ('party_a', fields.ForeignKeyField('matchmaking.Party', source_field='party_a_id', db_constraint=True, to_field='id', related_name='organiser_meetings_a', on_delete=OnDelete.CASCADE)),
                ('party_b', fields.ForeignKeyField('matchmaking.Party', source_field='party_b_id', db_constraint=True, to_field='id', related_name='organiser_meetings_b', on_delete=OnDelete.CASCADE)),
                ('slot', fields.IntField(null=True, description='the slot the organiser fixes it to, NULL for any')),
            ],
            options={'table': 'matchmaking_organiser_meeting', 'app': 'matchmaking', 'unique_together': (('party_a', 'party_b'),), 'pk_attr': 'id', 'table_description': 'A must-meet the organiser adds, optionally fixed to a slot. `party_a` has the smaller party id.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PartyMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('party', fields.ForeignKeyField('matchmaking.Party', source_field='party_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('registration', fields.OneToOneField('events.Registration', source_field='registration_id', db_constraint=True, to_field='seq', related_name='party_member', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'matchmaking_party_member', 'app': 'matchmaking', 'pk_attr': 'id', 'table_description': 'A confirmed registrant of the event in a party, in one party at most.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Preference',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('party', fields.ForeignKeyField('matchmaking.Party', source_field='party_id', db_constraint=True, to_field='id', related_name='preferences', on_delete=OnDelete.CASCADE)),
                ('counterpart', fields.ForeignKeyField('matchmaking.Party', source_field='counterpart_id', db_constraint=True, to_field='id', related_name='preferred_by', on_delete=OnDelete.CASCADE)),
                ('level', fields.CharEnumField(description='MUST: must\nWANT: want\nNO: no', enum_type=Level, max_length=10)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'matchmaking_preference', 'app': 'matchmaking', 'unique_together': (('party', 'counterpart'),), 'pk_attr': 'id', 'table_description': 'How `party` stands to meeting `counterpart` (mode `preferences`).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ScheduleRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('matchmaking', fields.ForeignKeyField('matchmaking.Matchmaking', source_field='matchmaking_id', db_constraint=True, to_field='id', related_name='schedule_runs', on_delete=OnDelete.CASCADE)),
                ('state', fields.CharEnumField(default=RunState.QUEUED, description='QUEUED: queued\nRUNNING: running\nDONE: done\nFAILED: failed', enum_type=RunState, max_length=10)),
                ('time_limit', fields.FloatField()),
                ('fairness_d', fields.IntField(null=True)),
                ('status', fields.CharField(default='', description='scheduler.Status once done', max_length=12)),
                ('stages', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('objective', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('wanted', fields.IntField(default=0, description='meetings the problem asked for')),
                ('seconds', fields.FloatField(null=True)),
                ('error', fields.CharField(default='', max_length=500)),
                ('created_by', fields.ForeignKeyField('server.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='schedule_runs', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, description="set on the event's published schedule only", auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'matchmaking_schedule_run', 'app': 'matchmaking', 'pk_attr': 'id', 'table_description': 'One computation of a provisional schedule, run off the request path, with its meetings once `done`.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ScheduledMeeting',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('run', fields.ForeignKeyField('matchmaking.ScheduleRun', source_field='run_id', db_constraint=True, to_field='id', related_name='meetings', on_delete=OnDelete.CASCADE)),
                ('party_a', fields.ForeignKeyField('matchmaking.Party', source_field='party_a_id', db_constraint=True, to_field='id', related_name='scheduled_a', on_delete=OnDelete.CASCADE)),
                ('party_b', fields.ForeignKeyField('matchmaking.Party', source_field='party_b_id', db_constraint=True, to_field='id', related_name='scheduled_b', on_delete=OnDelete.CASCADE)),
                ('slot', fields.IntField()),
                ('table', fields.IntField()),
                ('must', fields.BooleanField(default=False)),
            ],
            options={'table': 'matchmaking_scheduled_meeting', 'app': 'matchmaking', 'unique_together': (('run', 'slot', 'table'),), 'pk_attr': 'id', 'table_description': 'A meeting of a provisional schedule: two parties at one slot and table.'},
            bases=['Model'],
        ),
    ]
