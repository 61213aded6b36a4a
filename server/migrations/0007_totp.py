from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('server', '0006_accounts')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='totp_secret',
            field=fields.CharField(max_length=32, null=True, description='base32, set at enrolment'),
        ),
        ops.AddField(
            model_name='User',
            name='totp_confirmed_at',
            field=fields.DatetimeField(null=True, description='from then on a login needs the second factor', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='User',
            name='totp_last_step',
            field=fields.BigIntField(null=True, description='the 30-second step of the last code used: used once'),
        ),
        ops.AddField(
            model_name='User',
            name='totp_recovery_hashes',
            field=fields.JSONField(default=list, description='SHA-256 of each unused single-use recovery code'),
        ),
    ]
