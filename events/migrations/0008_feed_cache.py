from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('events', '0007_privacy')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FeedCache',
            fields=[
                ('key', fields.CharField(primary_key=True, description="SHA-256 of the feed's filter, language, site", max_length=64)),
                ('etag', fields.CharField(max_length=40)),
                ('content', fields.BinaryField()),
                ('built_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'feed_cache', 'app': 'events', 'pk_attr': 'key', 'table_description': 'A public calendar feed as last built, shared by every app process: served while its ETag still matches'},
            bases=['Model'],
        ),
    ]
