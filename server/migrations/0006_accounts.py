from tortoise import migrations
from tortoise.migrations import operations as ops
from server.models import Role
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('server', '0005_request_id')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OrganisationInvite',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('server.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='invites', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(max_length=254)),
                ('role', fields.CharEnumField(description='MANAGER: manager\nORGANISER: organiser\nCHECKER: checker\nJUDGE: judge\nREPORTER: reporter', enum_type=Role, max_length=20)),
                ('invited_by', fields.ForeignKeyField('server.User', source_field='invited_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'organisation_invite', 'app': 'server', 'pk_attr': 'id', 'table_description': 'An invitation to hold a role, by email: the accept link signs (id, expiry), and nothing secret is stored.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='User',
            name='email_verified_at',
            field=fields.DatetimeField(null=True, description='when a mailed link proved the address', auto_now=False, auto_now_add=False),
        ),
    ]
