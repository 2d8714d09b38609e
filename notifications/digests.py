"""Escalation digests, built set-based from the SLA alert events a sweep inserted.

The sweep (``cases.sla``) publishes the id range of the events it wrote; once
its transaction commits, one ``INSERT … SELECT`` groups those events into one
digest per head of each case's unit and reason. A rolled-back sweep sends
nothing; a sweep whose events all conflicted with a racing one inserted no
events and escalates nothing; the digest's unique key makes a repeat a no-op.

A mass petition (5 or more people) is reported to the heads of the unit that
received it as soon as the act that made it one commits: one notification per
head with the case's link (``report_mass_petition``).
"""
import datetime as dt

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from cases.models import Case, CaseEvent
from deadlines import clock
from organisation.models import Membership, Role

from .models import Escalation

ALERT_ACTIONS = ("sla_due_soon", "sla_overdue")


def _case_ids_agg() -> str:
    if connection.vendor == "postgresql":
        return "jsonb_agg(DISTINCT e.case_id ORDER BY e.case_id)"
    return "json_group_array(DISTINCT e.case_id)"


def build_digests(*, now: dt.datetime, first_id: int, last_id: int) -> int:
    """One digest per (head, unit, reason) over the alert events with ids in [first_id, last_id]."""
    ops = connection.ops
    today = clock.legal_date(now)  # memberships are valid by legal date, whatever zone is active
    actions = ", ".join(f"'{a}'" for a in ALERT_ACTIONS)
    sql = (
        f"INSERT INTO {Escalation._meta.db_table} (unit_id, recipient_id, reason, created_at, case_count, case_ids) "
        f"SELECT COALESCE(c.competent_unit_id, c.receiving_unit_id), m.user_id, substr(e.action, 5), %(now)s, "
        f"COUNT(DISTINCT e.case_id), {_case_ids_agg()} "
        f"FROM {CaseEvent._meta.db_table} e JOIN {Case._meta.db_table} c ON c.id = e.case_id "
        f"JOIN {Membership._meta.db_table} m ON m.unit_id = COALESCE(c.competent_unit_id, c.receiving_unit_id) "
        f"AND m.role = '{Role.HEAD}' AND (m.valid_from IS NULL OR m.valid_from <= %(today)s) "
        "AND (m.valid_to IS NULL OR m.valid_to >= %(today)s) "
        f"JOIN {get_user_model()._meta.db_table} u ON u.id = m.user_id AND u.is_active "
        f"WHERE e.id BETWEEN %(first)s AND %(last)s AND e.actor_id IS NULL AND e.action IN ({actions}) "
        "GROUP BY COALESCE(c.competent_unit_id, c.receiving_unit_id), m.user_id, e.action ON CONFLICT DO NOTHING"
    )
    params = {"now": ops.adapt_datetimefield_value(now), "today": ops.adapt_datefield_value(today),
              "first": first_id, "last": last_id}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            return cursor.rowcount
        cursor.execute("SELECT changes()")
        return cursor.fetchone()[0]


def became_mass(event) -> bool:
    """The act made the case a mass petition: received as one, or reclassified into one."""
    if event.action == "intake":
        return bool((event.payload.get("flags") or {}).get("mass"))
    return (event.payload.get("changes") or {}).get("is_mass") == [False, True]


def report_mass_petition(*, case_id: int, unit_id: int, at: dt.datetime) -> int:
    """One notification of the case to each head in force of the receiving unit (TT 07/2014 Art 27); a repeat is a no-op."""
    today = clock.legal_date(at)
    heads = (
        Membership.objects.filter(unit_id=unit_id, role=Role.HEAD, user__is_active=True)
        .exclude(valid_from__gt=today).exclude(valid_to__lt=today)
        .values_list("user_id", flat=True).distinct()
    )
    rows = [Escalation(unit_id=unit_id, recipient_id=user_id, reason=Escalation.Reason.MASS_PETITION, created_at=at,
                       case_count=1, case_ids=[case_id], case_id=case_id) for user_id in heads]
    return len(Escalation.objects.bulk_create(rows, ignore_conflicts=True))


def on_act_recorded(sender, case, event, **kwargs):
    """A mass petition is reported to the head of the receiving unit once the act that made it one commits."""
    if not became_mass(event):
        return
    case_id, unit_id, at = case.pk, case.receiving_unit_id, event.at
    transaction.on_commit(lambda: report_mass_petition(case_id=case_id, unit_id=unit_id, at=at))


def on_sla_alerts(sender, now, result, **kwargs):
    """Digests go out once the sweep's events are committed (never for a rolled-back sweep)."""

    def deliver():
        with transaction.atomic():
            result.escalations = build_digests(now=now, first_id=result.first_event_id, last_id=result.last_event_id)

    transaction.on_commit(deliver)
