from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('server', '0001_initial'), ('server', '0002_seed_reference_data'), ('server', '0003_calendars')]

    initial = False

    operations = [
        ops.CreateModel(
            name='JobRun',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('job', fields.CharField(max_length=60)),
                ('hour', fields.DatetimeField(description='the start of the hour, UTC', auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'job_run', 'app': 'server', 'unique_together': (('job', 'hour'),), 'pk_attr': 'id', 'table_description': 'That an hourly job ran in one hour: the unique row is claimed by one process, and the others skip it.'},
            bases=['Model'],
        ),
    ]
