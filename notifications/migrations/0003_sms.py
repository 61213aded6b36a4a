from tortoise import migrations
from tortoise.migrations import operations as ops
from notifications.models import Channel
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('notifications', '0002_request_id')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='OutboxMessage',
            options={'table': 'outbox_message', 'app': 'notifications', 'indexes': [Index(fields=['status', 'next_attempt_at']), Index(fields=['to_addr', 'sent_at'])], 'pk_attr': 'id', 'table_description': 'A message to send: its channel, template, context and recipient, and where its delivery stands.'},
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='channel',
            field=fields.CharEnumField(default=Channel.MAIL, description='MAIL: mail\nSMS: sms', enum_type=Channel, max_length=8),
        ),
        ops.AddIndex(
            model_name='OutboxMessage',
            index=Index(fields=['to_addr', 'sent_at']),
        ),
    ]
