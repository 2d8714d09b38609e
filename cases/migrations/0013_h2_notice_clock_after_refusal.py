"""The notice clock also runs after a refusal (a complaint's notice of refusal, K2): the sweep's notice arms
now read ``status IN (resolving…, 'not_accepted')`` (``cases.sla.NOTICE_STATUSES``), so the two partial
indexes that answer them (migration 0002) are rebuilt with the same predicate."""
from django.db import migrations

OLD = "('accepted', 'in_verification', 'in_dialogue')"
NEW = "('accepted', 'in_verification', 'in_dialogue', 'not_accepted')"


def definitions(statuses):
    active = f"status IN {statuses} AND notice_due IS NOT NULL AND notice_sent_on IS NULL"
    return {
        "cases_sla_notice_idx": f"(notice_sla, notice_due) WHERE status IN {statuses} AND notice_sent_on IS NULL",
        "cases_sla_notice_stale_idx": f"(notice_sla) WHERE notice_sla <> '' AND NOT ({active})",
    }


def rebuild(statuses):
    statements = []
    for name, definition in definitions(statuses).items():
        statements += [f"DROP INDEX IF EXISTS {name}", f"CREATE INDEX {name} ON cases_case {definition}"]
    return statements


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_h2_appeals_limitation_refusal")]

    operations = [migrations.RunSQL(sql=rebuild(NEW), reverse_sql=rebuild(OLD))]
