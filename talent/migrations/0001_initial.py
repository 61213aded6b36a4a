from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from talent.models import Metric, PeriodKind, ReportStatus
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('server', '0001_initial'), ('server', '0002_seed_reference_data'), ('server', '0003_calendars')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Occupation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=20)),
                ('name_zh', fields.CharField(max_length=100)),
                ('name_en', fields.CharField(default='', max_length=100)),
                ('levels', fields.JSONField(description='[{code, zh, en}] from the lowest level up', encoder=JSON_DUMPS, decoder=loads)),
                ('tracks', fields.JSONField(default=list, description='sub-trades or job tracks under it', encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'occupation', 'app': 'talent', 'pk_attr': 'id', 'table_description': 'An occupation of the national catalogue, with its own levels (codes with zh/en names).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Period',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=7)),
                ('kind', fields.CharEnumField(description='MONTHLY: monthly\nQUARTERLY: quarterly', enum_type=PeriodKind, max_length=10)),
                ('starts_on', fields.DateField()),
                ('ends_on', fields.DateField()),
                ('due_on', fields.DateField(description='reports are on time until the end of this day')),
                ('locks_on', fields.DateField(description='after this day reports can no longer be edited')),
            ],
            options={'table': 'period', 'app': 'talent', 'pk_attr': 'id', 'table_description': 'A reporting period, named the ISO way: `2026-03` (monthly) or `2026Q1` (quarterly).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LockException',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('period', fields.ForeignKeyField('talent.Period', source_field='period_id', db_constraint=True, to_field='id', related_name='exceptions', on_delete=OnDelete.CASCADE)),
                ('base', fields.ForeignKeyField('server.Organisation', source_field='base_id', db_constraint=True, to_field='id', related_name='lock_exceptions', on_delete=OnDelete.CASCADE)),
                ('until', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reason', fields.CharField(max_length=500)),
                ('granted_by', fields.ForeignKeyField('server.User', source_field='granted_by_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'lock_exception', 'app': 'talent', 'pk_attr': 'id', 'table_description': "The bureau reopens one base's reports of one locked period until a time, for a stated reason."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Programme',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('occupation', fields.ForeignKeyField('talent.Occupation', source_field='occupation_id', db_constraint=True, to_field='id', related_name='programmes', on_delete=OnDelete.RESTRICT)),
                ('base', fields.ForeignKeyField('server.Organisation', source_field='base_id', db_constraint=True, to_field='id', related_name='programmes', on_delete=OnDelete.RESTRICT)),
                ('target_level', fields.CharField(max_length=10)),
                ('track', fields.CharField(default='', max_length=50)),
                ('cohort', fields.CharField(max_length=100)),
                ('starts_on', fields.DateField()),
                ('ends_on', fields.DateField()),
                ('planned_size', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'programme', 'app': 'talent', 'pk_attr': 'id', 'table_description': 'A cohort trained at one base for one occupation and target level.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Target',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('year', fields.IntField()),
                ('occupation', fields.ForeignKeyField('talent.Occupation', source_field='occupation_id', db_constraint=True, to_field='id', related_name='targets', on_delete=OnDelete.RESTRICT)),
                ('level', fields.CharField(default='', max_length=10)),
                ('base', fields.ForeignKeyField('server.Organisation', source_field='base_id', null=True, db_constraint=True, to_field='id', related_name='targets', on_delete=OnDelete.CASCADE)),
                ('metric', fields.CharEnumField(description='ENROLLED: enrolled\nCOMPLETED: completed\nCERTIFIED: certified\nEMPLOYED: employed', enum_type=Metric, max_length=12)),
                ('value', fields.IntField()),
            ],
            options={'table': 'target', 'app': 'talent', 'unique_together': (('year', 'occupation', 'level', 'base', 'metric'),), 'pk_attr': 'id', 'table_description': 'What the bureau aims at in a year: city-wide (no base) or per base, per occupation and optionally level.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TraineeReport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('base', fields.ForeignKeyField('server.Organisation', source_field='base_id', db_constraint=True, to_field='id', related_name='trainee_reports', on_delete=OnDelete.RESTRICT)),
                ('period', fields.ForeignKeyField('talent.Period', source_field='period_id', db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.RESTRICT)),
                ('programme', fields.ForeignKeyField('talent.Programme', source_field='programme_id', db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=ReportStatus.DRAFT, description='DRAFT: draft\nSUBMITTED: submitted\nAPPROVED: approved\nRETURNED: returned', enum_type=ReportStatus, max_length=12)),
                ('opening', fields.IntField(default=0)),
                ('new_male', fields.IntField(default=0)),
                ('new_female', fields.IntField(default=0)),
                ('completed', fields.IntField(default=0)),
                ('dropped', fields.IntField(default=0)),
                ('levels', fields.JSONField(default=dict, description='{level: {assessed, certified}}', encoder=JSON_DUMPS, decoder=loads)),
                ('employed_jinan', fields.IntField(default=0)),
                ('employed_elsewhere', fields.IntField(default=0)),
                ('training_hours', fields.IntField(default=0)),
                ('comment', fields.CharField(default='', description="the bureau's comment when returning", max_length=1000)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'trainee_report', 'app': 'talent', 'unique_together': (('base', 'period', 'programme'),), 'pk_attr': 'id', 'table_description': 'One base x period x programme. Closing is derived, never stored: opening + new - completed - dropped.'},
            bases=['Model'],
        ),
    ]
