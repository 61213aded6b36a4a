from tortoise import migrations
from tortoise.migrations import operations as ops
from events.matchmaking.models import BudgetBand, EntryKind, EntryState, Maturity
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('server', '0001_initial'), ('server', '0002_seed_reference_data'), ('server', '0003_calendars')]

    initial = True

    operations = [
        ops.CreateModel(
            name='PoolEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('server.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='pool_entries', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='NEED: need\nSOLUTION: solution', enum_type=EntryKind, max_length=10)),
                ('state', fields.CharEnumField(default=EntryState.DRAFT, description='DRAFT: draft\nSUBMITTED: submitted\nPUBLISHED: published\nMATCHED: matched\nCLOSED: closed', enum_type=EntryState, max_length=10)),
                ('title_zh', fields.CharField(max_length=200)),
                ('title_en', fields.CharField(default='', max_length=200)),
                ('description_md', fields.TextField(default='', unique=False)),
                ('description_html', fields.TextField(default='', unique=False)),
                ('domains', fields.ManyToManyField('server.Domain', unique=True, db_constraint=True, through='pool_entry_domain', forward_key='domain_id', backward_key='pool_entry_id', related_name='pool_entries', on_delete=OnDelete.CASCADE)),
                ('region', fields.ForeignKeyField('server.Region', source_field='region_id', null=True, db_constraint=True, to_field='id', related_name='pool_entries', on_delete=OnDelete.RESTRICT)),
                ('expected_timing', fields.CharField(default='', description='need: when, e.g. 2026年下半年', max_length=100)),
                ('budget_band', fields.CharEnumField(null=True, description='need: optional', enum_type=BudgetBand, max_length=10)),
                ('maturity', fields.CharEnumField(null=True, description='solution: required', enum_type=Maturity, max_length=20)),
                ('reference_cases', fields.JSONField(default=list, description='solution: where it already runs', encoder=JSON_DUMPS, decoder=loads)),
                ('contact_name', fields.CharField(max_length=100)),
                ('contact_phone', fields.CharField(max_length=20)),
                ('contact_email', fields.CharField(max_length=254)),
                ('term_count', fields.IntField(default=0, description='search terms in title, description and cases (BM25 length)')),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'pool_entry', 'app': 'matchmaking', 'indexes': [Index(fields=['state', 'kind'])], 'pk_attr': 'id', 'table_description': 'A need or a solution of one organisation. Its state moves only through `events.matchmaking.pool.transition`.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PoolTerm',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('entry', fields.ForeignKeyField('matchmaking.PoolEntry', source_field='entry_id', db_constraint=True, to_field='id', related_name='terms', on_delete=OnDelete.CASCADE)),
                ('term', fields.CharField(db_index=True, max_length=40)),
                ('count', fields.IntField()),
            ],
            options={'table': 'pool_term', 'app': 'matchmaking', 'unique_together': (('entry', 'term'),), 'pk_attr': 'id', 'table_description': "The inverted index of the pool: how often each segmented term occurs in an entry. Rewritten with the entry's"},
            bases=['Model'],
        ),
    ]
