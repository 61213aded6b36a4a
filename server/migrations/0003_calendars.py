from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('server', '0001_initial'), ('server', '0002_seed_reference_data')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Organisation',
            name='contact_email',
            field=fields.CharField(default='', description='ORGANIZER of its calendar invitations', max_length=254),
        ),
    ]
