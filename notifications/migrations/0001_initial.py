from tortoise import migrations
from tortoise.migrations import operations as ops
from notifications.models import MailStatus
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('dedupe_key', fields.CharField(unique=True, max_length=200)),
                ('topic', fields.CharField(db_index=True, description='what the mail is about, e.g. event:12', max_length=100)),
                ('supersede_key', fields.CharField(null=True, db_index=True, max_length=200)),
                ('template', fields.CharField(max_length=60)),
                ('locale', fields.CharField(max_length=8)),
                ('to_addr', fields.CharField(max_length=254)),
                ('to_name', fields.CharField(default='', max_length=100)),
                ('from_name', fields.CharField(default='', max_length=100)),
                ('context', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('calendar', fields.JSONField(null=True, description='builder name and arguments', encoder=JSON_DUMPS, decoder=loads)),
                ('message_id', fields.CharField(max_length=200)),
                ('status', fields.CharEnumField(default=MailStatus.PENDING, description='PENDING: pending\nSENDING: sending\nSENT: sent\nRETRY: retry\nFAILED: failed\nSUPERSEDED: superseded', enum_type=MailStatus, max_length=12)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('locked_by', fields.CharField(null=True, max_length=100)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_code', fields.IntField(null=True)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('refused', fields.JSONField(null=True, description='recipients the server refused', encoder=JSON_DUMPS, decoder=loads)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_message', 'app': 'notifications', 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id', 'table_description': 'A mail to send: its template, context and recipient, and where its delivery stands.'},
            bases=['Model'],
        ),
    ]
