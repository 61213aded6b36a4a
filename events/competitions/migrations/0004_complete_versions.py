from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('competitions', '0003_stage_panels')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Submission',
            name='complete',
            field=fields.BooleanField(default=True, description='every required answer and file present: only a complete version can count'),
        ),
    ]
