from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('competitions', '0004_complete_versions')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Stage',
            name='sequence',
            field=fields.IntField(default=0, description="moves of the deadline: its calendar entry's own SEQUENCE"),
        ),
    ]
