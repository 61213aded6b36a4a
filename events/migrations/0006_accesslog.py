from tortoise import migrations
from tortoise.migrations import operations as ops
from events.models import Purpose
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('events', '0005_entry_codes'), ('server', '0005_request_id')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PersonalDataRead',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('actor', fields.ForeignKeyField('server.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('actor_label', fields.CharField(description="the staff member's email when it was read", max_length=254)),
                ('event', fields.ForeignKeyField('events.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='personal_data_reads', on_delete=OnDelete.CASCADE)),
                ('organisation_id', fields.IntField(db_index=True)),
                ('purpose', fields.CharEnumField(description='LIST: list\nEXPORT: export\nDOOR: door\nDETAIL: detail\nDELIVERY: delivery', enum_type=Purpose, max_length=20)),
                ('people', fields.IntField(description="how many registrants' data the answer held")),
                ('request_id', fields.CharField(null=True, description='X-Request-ID of the request that read it', max_length=64)),
            ],
            options={'table': 'personal_data_read', 'app': 'events', 'indexes': [Index(fields=['event_id', 'at'])], 'pk_attr': 'id', 'table_description': "That a member of staff was shown registrants' personal data: who, when, which event, how many people, why."},
            bases=['Model'],
        ),
    ]
