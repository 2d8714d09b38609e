"""Reception sessions (lượt tiếp công dân) and the reports' stamps on a case: the day processing ended,
the resolution due date in force at the decision, and the decision's result.

Existing cases are back-filled set-based: ``ended_on`` from the first event that moved the case out of
the pending statuses, ``resolution_due_at_decision`` from the stored due date of decided or terminated
cases (the best record there is for them). On SQLite the raw-SQL indexes are kept as in 0017.
"""
import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

_m0017 = importlib.import_module("cases.migrations.0017_h5_extension_requested")

PENDING = ("received", "accepted", "in_verification", "in_dialogue", "suspended")


def _backfill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    first_end = (CaseEvent.objects.filter(case=models.OuterRef("pk")).exclude(to_status__in=PENDING)
                 .exclude(to_status="").order_by("at").values("at")[:1])
    Case.objects.exclude(status__in=PENDING).update(
        ended_on=models.functions.Coalesce(
            models.functions.TruncDate(models.Subquery(first_end), tzinfo=_legal_zone()),
            "decided_on", "terminated_on", "closed_on"))
    Case.objects.filter(models.Q(decided_on__isnull=False) | models.Q(terminated_on__isnull=False)).update(
        resolution_due_at_decision=models.F("resolution_due"))


def _legal_zone():
    from deadlines import clock

    return clock.legal_zone()


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0019_queue_due_order'),
        ('organisation', '0004_append_only_membership_changes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_m0017._read_raw_indexes, _m0017._restore_raw_indexes),
        migrations.AddField(
            model_name='case',
            name='ended_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='processing ended on'),
        ),
        migrations.AddField(
            model_name='case',
            name='resolution_due_at_decision',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='resolution due at the decision'),
        ),
        migrations.AddField(
            model_name='case',
            name='result',
            field=models.CharField(blank=True, choices=[('', 'Not stated'), ('right', 'Right (well founded)'), ('wrong', 'Wrong (unfounded)'), ('partly_right', 'Partly right')], default='', max_length=20, verbose_name='result'),
        ),
        migrations.CreateModel(
            name='ReceptionSession',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(verbose_name='date')),
                ('type', models.CharField(choices=[('regular', 'Regular reception at the desk'), ('periodic_head', 'Periodic reception by the head'), ('ad_hoc', 'Ad hoc reception')], default='regular', max_length=20, verbose_name='reception type')),
                ('persons', models.PositiveIntegerField(default=0, verbose_name='persons received')),
                ('cases', models.PositiveIntegerField(default=0, verbose_name='cases logged')),
                ('mass_groups', models.PositiveIntegerField(default=0, verbose_name='mass groups')),
                ('mass_persons', models.PositiveIntegerField(default=0, verbose_name='persons in mass groups')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('officer', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='receiving officer or head')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reception_sessions', to='organisation.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'reception session',
                'verbose_name_plural': 'reception sessions',
                'ordering': ['-date', 'unit', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='case',
            name='reception_session',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='case_set', to='cases.receptionsession', verbose_name='reception session'),
        ),
        migrations.RunPython(_m0017._restore_raw_indexes, _m0017._read_raw_indexes),
        migrations.RunPython(_backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('reception_session__isnull', False)), fields=['reception_session'], name='case_reception_session_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('ended_on__isnull', True)), fields=['received_at'], name='case_pending_received_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('ended_on__isnull', False)), fields=['ended_on', 'received_at'], name='case_ended_idx'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('decided_on__isnull', False)), fields=['decided_on'], name='case_decided_idx'),
        ),
        migrations.AddIndex(
            model_name='receptionsession',
            index=models.Index(fields=['date', 'unit'], name='reception_session_date_idx'),
        ),
        migrations.AddConstraint(
            model_name='receptionsession',
            constraint=models.UniqueConstraint(fields=('unit', 'officer', 'date', 'type'), name='reception_session_one_per_day'),
        ),
    ]
