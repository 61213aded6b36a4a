from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('events', '0004_sms'), ('server', '0005_request_id')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Event',
            name='static_entry_code',
            field=fields.BooleanField(default=True, description='the printable static QR code admits too'),
        ),
        ops.AddField(
            model_name='Registration',
            name='checkin_window',
            field=fields.BigIntField(null=True, description="the dynamic entry code's window that admitted"),
        ),
    ]
