"""Partial indexes matching the SLA sweep's WHERE arms (cases/sla.py).

Each index holds only the rows one arm of the sweep can select, so a sweep
that changes nothing reads a few index pages, and one that changes k rows
reads about k. Raw SQL (same text on PostgreSQL and SQLite) keeps them out of
the model state: they are a property of the sweep's queries, not of the model.
"""
from django.db import migrations

RESOLVING = "('accepted', 'in_verification', 'in_dialogue')"
UNRESOLVED = "('received', 'accepted', 'in_verification', 'in_dialogue', 'suspended')"
ACTIVE = {
    "acceptance": "status = 'received' AND acceptance_due IS NOT NULL",
    "resolution": f"status IN {RESOLVING} AND resolution_due IS NOT NULL",
    "notice": f"status IN {RESOLVING} AND notice_due IS NOT NULL AND notice_sent_on IS NULL",
}
RUNNING = {
    "acceptance": "status = 'received'",
    "resolution": f"status IN {RESOLVING}",
    "notice": f"status IN {RESOLVING} AND notice_sent_on IS NULL",
}

INDEXES = {}
for deadline in ("acceptance", "resolution", "notice"):
    INDEXES[f"cases_sla_{deadline}_idx"] = f"({deadline}_sla, {deadline}_due) WHERE {RUNNING[deadline]}"
    INDEXES[f"cases_sla_{deadline}_stale_idx"] = f"({deadline}_sla) WHERE {deadline}_sla <> '' AND NOT ({ACTIVE[deadline]})"
INDEXES.update(
    {
        "cases_backlog_due_idx": f"(resolution_due) WHERE NOT is_backlogged AND status IN {RESOLVING}",
        "cases_backlog_recv_idx": f"(received_at) WHERE NOT is_backlogged AND status IN {UNRESOLVED}",
        # keyed on id, not status: a later AlterField of status drops every index on that column
        "cases_backlogged_idx": "(id) WHERE is_backlogged",
        "cases_prolong_recv_idx": f"(received_at) WHERE NOT is_prolonged AND status IN {UNRESOLVED}",
        "cases_prolong_refiled_idx": "(id) WHERE is_refiled AND NOT is_prolonged",
        "cases_prolonged_idx": "(id) WHERE is_prolonged",
    }
)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX {name} ON cases_case {definition}",
            reverse_sql=f"DROP INDEX {name}",
        )
        for name, definition in INDEXES.items()
    ]
