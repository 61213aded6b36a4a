from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('server', '0004_job_runs')]

    initial = False

    operations = [
        ops.AddField(
            model_name='AuditEntry',
            name='request_id',
            field=fields.CharField(null=True, description='X-Request-ID of the request that did it', max_length=64),
        ),
    ]
