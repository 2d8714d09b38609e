"""The handler's pending extension request, for the supervisors' queue (a partial index on the flagged rows).

On SQLite, adding a NOT NULL column rebuilds the table, which drops the raw-SQL indexes of
0002/0015 (outside the model state): they are read before and re-created after.
"""
from django.conf import settings
from django.db import migrations, models

_raw_indexes = []


def _read_raw_indexes(apps, schema_editor):
    _raw_indexes.clear()
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases_case' "
                       "AND sql IS NOT NULL")
        _raw_indexes.extend(cursor.fetchall())


def _restore_raw_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases_case'")
        present = {row[0] for row in cursor.fetchall()}
        for name, sql in _raw_indexes:
            if name not in present:
                cursor.execute(sql)
    _raw_indexes.clear()


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0016_dialogue_calendar_index'),
        ('organisation', '0004_append_only_membership_changes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_read_raw_indexes, migrations.RunPython.noop),
        migrations.AddField(
            model_name='case',
            name='extension_requested',
            field=models.BooleanField(default=False, verbose_name='extension requested'),
        ),
        migrations.RunPython(_restore_raw_indexes, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('extension_requested', True)), fields=['resolution_due'], name='case_extension_requested_idx'),
        ),
    ]
