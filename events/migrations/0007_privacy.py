from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('events', '0006_accesslog'), ('server', '0005_request_id')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PrivacyNotice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('events.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='privacy_notices', on_delete=OnDelete.CASCADE)),
                ('version', fields.IntField()),
                ('text_zh', fields.TextField(default='', unique=False)),
                ('text_en', fields.TextField(default='', unique=False)),
                ('retention_days', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'privacy_notice', 'app': 'events', 'unique_together': (('event', 'version'),), 'pk_attr': 'id', 'table_description': "One version of an event's privacy notice, as registrants accepted it. Version 0 (no row) is the default text"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Event',
            name='personal_data_erased_at',
            field=fields.DatetimeField(null=True, description='when retention anonymised its registrants', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Event',
            name='privacy_notice_version',
            field=fields.IntField(default=0, description='the current notice, 0 for the default text'),
        ),
        ops.AddField(
            model_name='Event',
            name='retention_days',
            field=fields.IntField(default=180, description="registrants' data anonymised this long after the end"),
        ),
        ops.AddField(
            model_name='Registration',
            name='anonymised_at',
            field=fields.DatetimeField(null=True, description='when its personal data was replaced', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Registration',
            name='privacy_notice_version',
            field=fields.IntField(default=0, description='the version of the notice accepted'),
        ),
    ]
