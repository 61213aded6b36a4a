from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('notifications', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='OutboxMessage',
            name='request_id',
            field=fields.CharField(null=True, description='X-Request-ID of the request that enqueued it', max_length=64),
        ),
    ]
