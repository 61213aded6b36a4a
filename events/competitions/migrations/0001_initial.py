from tortoise import migrations
from tortoise.migrations import operations as ops
from events.competitions.models import Entrants, TeamStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('events', '0003_reminders'), ('server', '0001_initial'), ('server', '0002_seed_reference_data'), ('server', '0003_calendars')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Competition',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.OneToOneField('events.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='competition', on_delete=OnDelete.CASCADE)),
                ('entrants', fields.CharEnumField(default=Entrants.ANY, description='INDIVIDUALS: individuals\nORGANISATIONS: organisations\nANY: any', enum_type=Entrants, max_length=20)),
                ('region_codes', fields.JSONField(default=list, description='codes of the eligible regions, empty for any', encoder=JSON_DUMPS, decoder=loads)),
                ('team_min', fields.IntField(default=1)),
                ('team_max', fields.IntField(default=5)),
                ('requires_approval', fields.BooleanField(default=False, description='new teams wait for the organiser')),
                ('co_organiser', fields.ForeignKeyField('server.Organisation', source_field='co_organiser_id', null=True, db_constraint=True, to_field='id', related_name='co_organised_competitions', on_delete=OnDelete.RESTRICT)),
                ('is_challenge', fields.BooleanField(default=False, description='揭榜挂帅: the co-organiser states the need')),
                ('need_md', fields.TextField(default='', description='the need of a challenge, as the enterprise describes it', unique=False)),
                ('scenario_need_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'competition', 'app': 'competitions', 'pk_attr': 'id', 'table_description': 'The competition set up on an event of kind `competition`. A 揭榜挂帅 challenge has a co-organiser.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Stage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('competition', fields.ForeignKeyField('competitions.Competition', source_field='competition_id', db_constraint=True, to_field='id', related_name='stages', on_delete=OnDelete.CASCADE)),
                ('name_zh', fields.CharField(max_length=100)),
                ('name_en', fields.CharField(default='', max_length=100)),
                ('position', fields.IntField()),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('deadline', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('fact_sheet', fields.JSONField(default=list, description='[{key, label_zh, label_en, required, max_length}]', encoder=JSON_DUMPS, decoder=loads)),
                ('file_slots', fields.JSONField(default=list, description='[{key, label_zh, label_en, required}]', encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'competition_stage', 'app': 'competitions', 'unique_together': (('competition', 'position'),), 'pk_attr': 'id', 'table_description': 'One stage, open for submissions from `starts_at` (inclusive) until `deadline` (exclusive), both UTC.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Track',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('competition', fields.ForeignKeyField('competitions.Competition', source_field='competition_id', db_constraint=True, to_field='id', related_name='tracks', on_delete=OnDelete.CASCADE)),
                ('name_zh', fields.CharField(max_length=100)),
                ('name_en', fields.CharField(default='', max_length=100)),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'competition_track', 'app': 'competitions', 'unique_together': (('competition', 'name_zh'),), 'pk_attr': 'id', 'table_description': 'A 赛道: teams enter one, and are ranked within it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Team',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('competition', fields.ForeignKeyField('competitions.Competition', source_field='competition_id', db_constraint=True, to_field='id', related_name='teams', on_delete=OnDelete.CASCADE)),
                ('track', fields.ForeignKeyField('competitions.Track', source_field='track_id', db_constraint=True, to_field='id', related_name='teams', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=100)),
                ('leader', fields.ForeignKeyField('server.User', source_field='leader_id', db_constraint=True, to_field='id', related_name='led_teams', on_delete=OnDelete.RESTRICT)),
                ('region', fields.ForeignKeyField('server.Region', source_field='region_id', db_constraint=True, to_field='id', related_name='competition_teams', on_delete=OnDelete.RESTRICT)),
                ('organisation_name', fields.CharField(default='', description='the organisation of a company team', max_length=200)),
                ('uscc', fields.CharField(null=True, description='its 统一社会信用代码, checked', max_length=18)),
                ('status', fields.CharEnumField(description='PENDING: pending\nACTIVE: active\nREJECTED: rejected\nWITHDRAWN: withdrawn', enum_type=TeamStatus, max_length=20)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'competition_team', 'app': 'competitions', 'unique_together': (('competition', 'name'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Submission',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('team', fields.ForeignKeyField('competitions.Team', source_field='team_id', db_constraint=True, to_field='id', related_name='submissions', on_delete=OnDelete.CASCADE)),
                ('stage', fields.ForeignKeyField('competitions.Stage', source_field='stage_id', db_constraint=True, to_field='id', related_name='submissions', on_delete=OnDelete.RESTRICT)),
                ('version', fields.IntField()),
                ('facts', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('files', fields.JSONField(default=list, description='[{slot, name, key, size, sha256, kind}] of files in storage', encoder=JSON_DUMPS, decoder=loads)),
                ('submitted_by', fields.ForeignKeyField('server.User', source_field='submitted_by_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'competition_submission', 'app': 'competitions', 'unique_together': (('team', 'stage', 'version'),), 'pk_attr': 'id', 'table_description': 'One version of the entry of a team to a stage. `submitted_at` is when it was complete and committed: the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TeamInvite',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('team', fields.ForeignKeyField('competitions.Team', source_field='team_id', db_constraint=True, to_field='id', related_name='invites', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(max_length=254)),
                ('invited_by', fields.ForeignKeyField('server.User', source_field='invited_by_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'competition_team_invite', 'app': 'competitions', 'pk_attr': 'id', 'table_description': 'An invitation by email: the accept link carries a signature of (id, expiry). Nothing secret is stored.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TeamMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('team', fields.ForeignKeyField('competitions.Team', source_field='team_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('competition', fields.ForeignKeyField('competitions.Competition', source_field='competition_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('server.User', source_field='user_id', db_constraint=True, to_field='id', related_name='team_memberships', on_delete=OnDelete.CASCADE)),
                ('holder', fields.IntField(null=True)),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('left_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'competition_team_member', 'app': 'competitions', 'unique_together': (('competition', 'holder'),), 'pk_attr': 'id', 'table_description': 'A person in a team. `holder` is the id of the user while the membership is active, else NULL: the unique'},
            bases=['Model'],
        ),
    ]
