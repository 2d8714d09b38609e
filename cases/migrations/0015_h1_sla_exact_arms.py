"""The acceptance alert date (reference §9), and partial indexes that return only the rows that change.

* ``acceptance_alert_due``: set only where the acceptance rule changed during
  the window; the sweep alerts on ``COALESCE(acceptance_alert_due, acceptance_due)``,
  so the acceptance index is keyed on that expression.
* The sweep's un-flag arms used to read every flagged row (``(id) WHERE
  is_backlogged`` / ``is_prolonged``) to re-check it: at 1M cases with 100k
  overdue, a sweep with nothing to change read ~10,500 buffers. Each un-flag
  arm now has an index holding only the flagged rows it can select, read as a
  range past today's cut-off (see ``cases.sla._flag_arms``), so a no-op sweep
  reads index pages only.

Raw SQL (same text on PostgreSQL and SQLite), outside the model state, like ``0002_sla_indexes``.
"""
from django.db import migrations, models

RESOLVING = "('accepted', 'in_verification', 'in_dialogue')"
UNRESOLVED = "('received', 'accepted', 'in_verification', 'in_dialogue', 'suspended')"
WAITING = "('received', 'suspended')"

NEW = {
    "cases_sla_acceptance_alert_idx": "(acceptance_sla, (COALESCE(acceptance_alert_due, acceptance_due))) "
                                      "WHERE status = 'received'",
    "cases_unbacklog_closed_idx": f"(id) WHERE is_backlogged AND status NOT IN {UNRESOLVED}",
    "cases_unbacklog_due_idx": f"(resolution_due, received_at) WHERE is_backlogged AND status IN {RESOLVING}",
    "cases_unbacklog_waiting_idx": f"(received_at) WHERE is_backlogged AND status IN {WAITING}",
    "cases_unprolong_closed_idx": f"(id) WHERE is_prolonged AND NOT is_refiled AND status NOT IN {UNRESOLVED}",
    "cases_unprolong_recv_idx": f"(received_at) WHERE is_prolonged AND NOT is_refiled AND status IN {UNRESOLVED}",
}
# Replaced by the above (0002_sla_indexes).
OLD = {
    "cases_sla_acceptance_idx": "(acceptance_sla, acceptance_due) WHERE status = 'received'",
    "cases_backlogged_idx": "(id) WHERE is_backlogged",
    "cases_prolonged_idx": "(id) WHERE is_prolonged",
}


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0014_h3_dialogue_notices'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='acceptance_alert_due',
            field=models.DateField(blank=True, null=True, verbose_name='acceptance alert date'),
        ),
        *[
            # IF EXISTS: on SQLite a table rebuilt by a later migration has already lost 0002's raw indexes
            migrations.RunSQL(sql=f"DROP INDEX IF EXISTS {name}",
                              reverse_sql=f"CREATE INDEX IF NOT EXISTS {name} ON cases_case {definition}")
            for name, definition in OLD.items()
        ],
        *[
            migrations.RunSQL(sql=f"CREATE INDEX {name} ON cases_case {definition}", reverse_sql=f"DROP INDEX {name}")
            for name, definition in NEW.items()
        ],
    ]
