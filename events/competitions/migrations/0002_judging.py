from tortoise import migrations
from tortoise.migrations import operations as ops
from events.competitions.models import ConflictSource, ScoreKind
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('competitions', '0001_initial'), ('server', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Advancement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('stage', fields.ForeignKeyField('competitions.Stage', source_field='stage_id', description='the stage entered', db_constraint=True, to_field='id', related_name='advanced', on_delete=OnDelete.CASCADE)),
                ('team', fields.ForeignKeyField('competitions.Team', source_field='team_id', db_constraint=True, to_field='id', related_name='advancements', on_delete=OnDelete.CASCADE)),
                ('rank', fields.IntField(null=True, description="its place in the ranking of its track, NULL when chosen")),
                ('reason', fields.CharField(default='', max_length=500)),
                ('decided_by', fields.ForeignKeyField('server.User', source_field='decided_by_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'competition_advancement', 'app': 'competitions', 'unique_together': (('stage', 'team'),), 'pk_attr': 'id', 'table_description': "A team carried from one stage into the next: by its place in the ranking, or by the organiser's choice with"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CompetitionJudge',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('competition', fields.ForeignKeyField('competitions.Competition', source_field='competition_id', db_constraint=True, to_field='id', related_name='judges', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('server.User', source_field='user_id', db_constraint=True, to_field='id', related_name='judging', on_delete=OnDelete.RESTRICT)),
                ('track_ids', fields.JSONField(description='the tracks they judge', encoder=JSON_DUMPS, decoder=loads)),
                ('affiliation', fields.CharField(default='', description='the organisation they work for', max_length=200)),
                ('active', fields.BooleanField(default=True, description='off: no new entries, and never deleted once they scored')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'competition_judge', 'app': 'competitions', 'unique_together': (('competition', 'user'),), 'pk_attr': 'id', 'table_description': "A member with the `judge` role of the competition's organisation, on its panel: the tracks they judge and"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JudgeAssignment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('stage', fields.ForeignKeyField('competitions.Stage', source_field='stage_id', db_constraint=True, to_field='id', related_name='assignments', on_delete=OnDelete.CASCADE)),
                ('judge', fields.ForeignKeyField('server.User', source_field='judge_id', db_constraint=True, to_field='id', related_name='judge_assignments', on_delete=OnDelete.RESTRICT)),
                ('team', fields.ForeignKeyField('competitions.Team', source_field='team_id', db_constraint=True, to_field='id', related_name='assignments', on_delete=OnDelete.CASCADE)),
                ('cleared_at', fields.DatetimeField(null=True, description='when the judge declared no conflict', auto_now=False, auto_now_add=False)),
                ('withdrawn_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'competition_judge_assignment', 'app': 'competitions', 'unique_together': (('stage', 'judge', 'team'),), 'pk_attr': 'id', 'table_description': "A judge given a team's entry to a stage. Its files open to the judge only once `cleared_at` is set (they"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JudgeConflict',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('competition', fields.ForeignKeyField('competitions.Competition', source_field='competition_id', db_constraint=True, to_field='id', related_name='conflicts', on_delete=OnDelete.CASCADE)),
                ('judge', fields.ForeignKeyField('server.User', source_field='judge_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('team', fields.ForeignKeyField('competitions.Team', source_field='team_id', db_constraint=True, to_field='id', related_name='conflicts', on_delete=OnDelete.CASCADE)),
                ('source', fields.CharEnumField(description='DECLARED: declared\nRECORDED: recorded', enum_type=ConflictSource, max_length=20)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('recorded_by', fields.ForeignKeyField('server.User', source_field='recorded_by_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'competition_judge_conflict', 'app': 'competitions', 'unique_together': (('competition', 'judge', 'team'),), 'pk_attr': 'id', 'table_description': 'A conflict of interest between a judge and a team, for the whole competition. Same-organisation conflicts'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Results',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('stage', fields.OneToOneField('competitions.Stage', source_field='stage_id', db_constraint=True, to_field='id', related_name='results', on_delete=OnDelete.CASCADE)),
                ('ranking', fields.JSONField(description='per track, the ranked entries as published', encoder=JSON_DUMPS, decoder=loads)),
                ('notice_until', fields.DatetimeField(description='the end of the public notice period', auto_now=False, auto_now_add=False)),
                ('noticed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, description='final results, after the notice period', auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'competition_results', 'app': 'competitions', 'pk_attr': 'id', 'table_description': 'The results of a stage: the ranking frozen at 公示 (public notice), final once the notice period is over'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Rubric',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('stage', fields.OneToOneField('competitions.Stage', source_field='stage_id', db_constraint=True, to_field='id', related_name='rubric', on_delete=OnDelete.CASCADE)),
                ('criteria', fields.JSONField(description='[{key, label: {zh, en}, weight, minimum, maximum, anchors: [{score, text: {zh, en}}]}]', encoder=JSON_DUMPS, decoder=loads)),
                ('judges_per_entry', fields.IntField(default=3)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'competition_rubric', 'app': 'competitions', 'pk_attr': 'id', 'table_description': 'The weighted rubric of a stage: `criteria` as `judging.Criterion` fields with bilingual labels and anchors.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ScoreRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('assignment', fields.ForeignKeyField('competitions.JudgeAssignment', source_field='assignment_id', db_constraint=True, to_field='id', related_name='scores', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='DRAFT: draft\nSCORE: score\nCORRECTION: correction', enum_type=ScoreKind, max_length=20)),
                ('scores', fields.JSONField(description='criterion key → points', encoder=JSON_DUMPS, decoder=loads)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('by', fields.ForeignKeyField('server.User', source_field='by_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'competition_score', 'app': 'competitions', 'pk_attr': 'id', 'table_description': 'The append-only score log: rows are only ever inserted. The id orders them (`judging.replay`).'},
            bases=['Model'],
        ),
    ]
