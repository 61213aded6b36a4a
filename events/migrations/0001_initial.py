from tortoise import migrations
from tortoise.migrations import operations as ops
from events.models import EventKind, EventStatus, QuestionKind, RegistrationStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('server', '0002_seed_reference_data')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Event',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('server.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='CONFERENCE: conference\nFORUM: forum\nMATCHMAKING: matchmaking\nCOMPETITION: competition\nTRAINING: training', enum_type=EventKind, max_length=20)),
                ('status', fields.CharEnumField(default=EventStatus.DRAFT, description='DRAFT: draft\nPUBLISHED: published\nCANCELLED: cancelled\nCOMPLETED: completed', enum_type=EventStatus, max_length=20)),
                ('title_zh', fields.CharField(max_length=200)),
                ('title_en', fields.CharField(default='', max_length=200)),
                ('summary_zh', fields.CharField(default='', max_length=500)),
                ('summary_en', fields.CharField(default='', max_length=500)),
                ('description_md', fields.TextField(default='', unique=False)),
                ('description_html', fields.TextField(default='', unique=False)),
                ('region', fields.ForeignKeyField('server.Region', source_field='region_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.RESTRICT)),
                ('venue', fields.CharField(default='', max_length=300)),
                ('online_url', fields.CharField(default='', max_length=500)),
                ('starts_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('timezone', fields.CharField(max_length=60)),
                ('registration_opens_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('registration_closes_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('requires_approval', fields.BooleanField(default=False)),
                ('waitlist_enabled', fields.BooleanField(default=True)),
                ('offer_hours', fields.IntField(default=48)),
                ('tags', fields.ManyToManyField('server.Domain', unique=True, db_constraint=True, through='event_tag', forward_key='domain_id', backward_key='event_id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('uid', fields.CharField(unique=True, description='iCalendar UID, fixed at creation', max_length=100)),
                ('sequence', fields.IntField(default=0, description='iCalendar SEQUENCE, bumped with time, place or status')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'event', 'app': 'events', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AgendaSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('events.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('title_zh', fields.CharField(max_length=200)),
                ('title_en', fields.CharField(default='', max_length=200)),
                ('speakers', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('room', fields.CharField(default='', max_length=100)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'agenda_session', 'app': 'events', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Question',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('events.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='questions', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=40)),
                ('kind', fields.CharEnumField(description='TEXT: text\nLONG_TEXT: long_text\nNUMBER: number\nSINGLE_CHOICE: single_choice\nMULTI_CHOICE: multi_choice\nBOOL: bool\nDATE: date\nPHONE: phone\nUSCC: uscc\nEMAIL: email', enum_type=QuestionKind, max_length=20)),
                ('label_zh', fields.CharField(max_length=200)),
                ('label_en', fields.CharField(default='', max_length=200)),
                ('required', fields.BooleanField(default=False)),
                ('position', fields.IntField(default=0)),
                ('minimum', fields.FloatField(null=True)),
                ('maximum', fields.FloatField(null=True)),
                ('choices', fields.JSONField(default=list, description='[{key, zh, en, limit}]', encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'question', 'app': 'events', 'unique_together': (('event', 'key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketType',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('events.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='ticket_types', on_delete=OnDelete.CASCADE)),
                ('name_zh', fields.CharField(max_length=100)),
                ('name_en', fields.CharField(default='', max_length=100)),
                ('is_default', fields.BooleanField(default=False)),
            ],
            options={'table': 'ticket_type', 'app': 'events', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Quota',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('events.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='quotas', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('size', fields.IntField()),
                ('used', fields.IntField(default=0)),
                ('covers_all', fields.BooleanField(default=False)),
                ('is_event_capacity', fields.BooleanField(default=False, description='the quota behind Event.capacity')),
                ('ticket_types', fields.ManyToManyField('events.TicketType', unique=True, db_constraint=True, through='quota_ticket_type', forward_key='tickettype_id', backward_key='quota_id', related_name='quotas', on_delete=OnDelete.CASCADE)),
                ('question', fields.ForeignKeyField('events.Question', source_field='question_id', null=True, db_constraint=True, to_field='id', related_name='choice_quotas', on_delete=OnDelete.CASCADE)),
                ('choice_key', fields.CharField(null=True, max_length=40)),
            ],
            options={'table': 'quota', 'app': 'events', 'pk_attr': 'id', 'table_description': 'Scarce capacity: `used` counts holders and only ever moves through `events.capacity`.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Registration',
            fields=[
                ('seq', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('id', fields.UUIDField(unique=True)),
                ('event', fields.ForeignKeyField('events.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='registrations', on_delete=OnDelete.CASCADE)),
                ('ticket_type', fields.ForeignKeyField('events.TicketType', source_field='ticket_type_id', db_constraint=True, to_field='id', related_name='registrations', on_delete=OnDelete.RESTRICT)),
                ('user', fields.ForeignKeyField('server.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='registrations', on_delete=OnDelete.SET_NULL)),
                ('email', fields.CharField(max_length=254)),
                ('active_email', fields.CharField(null=True, description='email while active, else NULL', max_length=254)),
                ('name', fields.CharField(max_length=100)),
                ('locale', fields.CharField(default='zh-CN', max_length=8)),
                ('answers', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharEnumField(description='PENDING: pending\nCONFIRMED: confirmed\nWAITLISTED: waitlisted\nOFFERED: offered\nCANCELLED: cancelled\nREJECTED: rejected', enum_type=RegistrationStatus, max_length=20)),
                ('manage_token_hash', fields.CharField(unique=True, max_length=64)),
                ('offered_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('checked_in_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('checkin_nonce', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'registration', 'app': 'events', 'unique_together': (('event', 'active_email'),), 'indexes': [Index(fields=['event_id', 'status', 'seq'])], 'pk_attr': 'seq', 'table_description': "One person's place at an event. `seq` orders the waiting list, `active_email` keeps one active per email."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IdempotencyRecord',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key_hash', fields.CharField(unique=True, max_length=64)),
                ('request_hash', fields.CharField(max_length=64)),
                ('registration', fields.ForeignKeyField('events.Registration', source_field='registration_id', db_constraint=True, to_field='seq', related_name=False, on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(description='PENDING: pending\nCONFIRMED: confirmed\nWAITLISTED: waitlisted\nOFFERED: offered\nCANCELLED: cancelled\nREJECTED: rejected', enum_type=RegistrationStatus, max_length=20)),
                ('waitlist_position', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'idempotency_record', 'app': 'events', 'pk_attr': 'id', 'table_description': 'The first answer to a registration request sent with an Idempotency-Key (the key itself is stored hashed).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='QuotaHold',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('quota', fields.ForeignKeyField('events.Quota', source_field='quota_id', db_constraint=True, to_field='id', related_name='holds', on_delete=OnDelete.CASCADE)),
                ('registration', fields.ForeignKeyField('events.Registration', source_field='registration_id', db_constraint=True, to_field='seq', related_name='holds', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'quota_hold', 'app': 'events', 'unique_together': (('quota', 'registration'),), 'pk_attr': 'id', 'table_description': 'One unit of a quota held by one registration: `quancheng check` recounts these against `Quota.used`.'},
            bases=['Model'],
        ),
    ]
