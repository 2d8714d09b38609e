"""Escalation digests, built set-based from the SLA alert events a sweep inserted.

The sweep (``cases.sla``) publishes the id range of the events it wrote; once
its transaction commits, one ``INSERT … SELECT`` groups those events into one
digest per recipient, unit and reason: due soon to the case's handler,
overdue to the heads of its unit (and the handler). Once a day
``daily_digests`` adds the third link (still overdue after
``ESCALATE_ABOVE_AFTER_WORKING_DAYS`` working days: the heads of the unit
above) and queues one e-mail per person over all their new escalations. A rolled-back sweep sends
nothing; a sweep whose events all conflicted with a racing one inserted no
events and escalates nothing; the digest's unique key makes a repeat a no-op.

A mass petition (5 or more people) is reported to the heads of the unit that
received it as soon as the act that made it one commits: one notification per
head with the case's link (``report_mass_petition``).
"""
import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from cases.models import Case, CaseEvent
from deadlines import calendar, clock
from organisation.models import Membership, Role, Unit

from .models import Audience, Channel, Escalation, Notification

ALERT_ACTIONS = ("sla_due_soon", "sla_overdue")


def _case_ids_agg() -> str:
    if connection.vendor == "postgresql":
        return "jsonb_agg(DISTINCT e.case_id ORDER BY e.case_id)"
    return "json_group_array(DISTINCT e.case_id)"


def build_digests(*, now: dt.datetime, first_id: int, last_id: int) -> int:
    """One digest per (recipient, unit, reason) over the alert events with ids in [first_id, last_id].

    The escalation chain's first two links: a case due soon goes to its
    handler (to the heads when it has none); an overdue case goes to the heads
    of its unit and to its handler. One statement, whatever the number of cases.
    """
    ops = connection.ops
    today = clock.legal_date(now)  # memberships are valid by legal date, whatever zone is active
    unit = "COALESCE(c.competent_unit_id, c.receiving_unit_id)"
    users = get_user_model()._meta.db_table
    alerts = (f"SELECT {unit} AS unit_id, RECIPIENT AS recipient_id, substr(e.action, 5) AS reason, "
              f"COUNT(DISTINCT e.case_id) AS case_count, {_case_ids_agg()} AS case_ids "
              f"FROM {CaseEvent._meta.db_table} e JOIN {Case._meta.db_table} c ON c.id = e.case_id ")
    window = "e.id BETWEEN %(first)s AND %(last)s AND e.actor_id IS NULL"
    to_heads = (
        alerts.replace("RECIPIENT", "m.user_id")
        + f"JOIN {Membership._meta.db_table} m ON m.unit_id = {unit} "
        f"AND m.role = '{Role.HEAD}' AND (m.valid_from IS NULL OR m.valid_from <= %(today)s) "
        "AND (m.valid_to IS NULL OR m.valid_to >= %(today)s) "
        f"JOIN {users} u ON u.id = m.user_id AND u.is_active "
        f"WHERE {window} AND (e.action = 'sla_overdue' OR (e.action = 'sla_due_soon' AND c.handler_id IS NULL)) "
        f"GROUP BY {unit}, m.user_id, e.action"
    )
    to_handlers = (
        alerts.replace("RECIPIENT", "c.handler_id")
        + f"JOIN {users} u ON u.id = c.handler_id AND u.is_active "
        f"WHERE {window} AND e.action IN ('sla_due_soon', 'sla_overdue') "
        f"GROUP BY {unit}, c.handler_id, e.action"
    )
    sql = (f"INSERT INTO {Escalation._meta.db_table} (unit_id, recipient_id, reason, created_at, case_count, case_ids) "
           f"SELECT a.unit_id, a.recipient_id, a.reason, %(now)s, a.case_count, a.case_ids "
           f"FROM ({to_heads} UNION ALL {to_handlers}) a WHERE true ON CONFLICT DO NOTHING")
    params = {"now": ops.adapt_datetimefield_value(now), "today": ops.adapt_datefield_value(today),
              "first": first_id, "last": last_id}
    return _execute(sql, params)


def _execute(sql: str, params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            return cursor.rowcount
        cursor.execute("SELECT changes()")
        return cursor.fetchone()[0]


def working_days_before(day: dt.date, n: int) -> dt.date:
    """The day ``n`` working days before ``day`` (the engine's calendar)."""
    while n > 0:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


def escalate_above(*, now: dt.datetime) -> int:
    """The chain's third link: cases overdue for N working days or more go to the heads of the unit above.

    One digest per (head above, unit below) and day; a second run the same day is a no-op.
    """
    ops = connection.ops
    today = clock.legal_date(now)
    cutoff = clock.legal_midnight(working_days_before(today, settings.ESCALATE_ABOVE_AFTER_WORKING_DAYS) + dt.timedelta(days=1))
    unit = "COALESCE(c.competent_unit_id, c.receiving_unit_id)"
    agg = "jsonb_agg(c.id ORDER BY c.id)" if connection.vendor == "postgresql" else "json_group_array(c.id)"
    sql = (
        f"INSERT INTO {Escalation._meta.db_table} (unit_id, recipient_id, reason, created_at, case_count, case_ids) "
        f"SELECT below.id, m.user_id, '{Escalation.Reason.OVERDUE_ABOVE}', %(day)s, COUNT(c.id), {agg} "
        f"FROM {Case._meta.db_table} c JOIN {Unit._meta.db_table} below ON below.id = {unit} "
        f"JOIN {Membership._meta.db_table} m ON m.unit_id = below.parent_id AND m.role = '{Role.HEAD}' "
        "AND (m.valid_from IS NULL OR m.valid_from <= %(today)s) AND (m.valid_to IS NULL OR m.valid_to >= %(today)s) "
        f"JOIN {get_user_model()._meta.db_table} u ON u.id = m.user_id AND u.is_active "
        "WHERE c.sla_state = 'overdue' "
        f"AND (SELECT MAX(e.at) FROM {CaseEvent._meta.db_table} e WHERE e.case_id = c.id AND e.action = 'sla_overdue') "
        "< %(cutoff)s "
        "GROUP BY below.id, m.user_id ON CONFLICT DO NOTHING"
    )
    return _execute(sql, {"day": ops.adapt_datetimefield_value(clock.legal_midnight(today)),
                          "today": ops.adapt_datefield_value(today),
                          "cutoff": ops.adapt_datetimefield_value(cutoff)})


def _digest_context_sql(day: str) -> str:
    item = "'unit', un.name, 'count', e.case_count, 'reason', e.reason"
    if connection.vendor == "postgresql":
        return (f"jsonb_build_object('date', '{day}', 'total', SUM(e.case_count), "
                f"'items', jsonb_agg(jsonb_build_object({item}) ORDER BY un.name, e.reason))")
    return f"json_object('date', '{day}', 'total', SUM(e.case_count), 'items', json_group_array(json_object({item})))"


def queue_digest_messages(*, now: dt.datetime) -> list[int]:
    """One e-mail per person over all their undelivered escalations; those are then marked delivered.

    Set-based: one INSERT … SELECT grouped by recipient, one UPDATE. A person
    has at most one digest a day (its delivery key); escalations that arrive
    after today's digest wait for tomorrow's. The address is the user's
    e-mail, read when it is sent.
    """
    today = clock.legal_date(now)
    day = f"{today:%d/%m/%Y}"
    ops = connection.ops
    table = Escalation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {table} WHERE delivered_at IS NULL")
        last = cursor.fetchone()[0]
        if last is None:
            return []
        cursor.execute(
            f"INSERT INTO {Notification._meta.db_table} (delivery_key, channel, audience, recipient_id, address, "
            "case_id, template_key, language, context, subject, body, state, attempts, last_error, created_at) "
            f"SELECT 'digest:' || e.recipient_id || ':{today.isoformat()}', '{Channel.EMAIL}', '{Audience.STAFF}', "
            f"e.recipient_id, '', NULL, 'daily_digest', %(lang)s, {_digest_context_sql(day)}, '', '', "
            f"'{Notification.State.PENDING}', 0, '', %(now)s "
            f"FROM {table} e JOIN {Unit._meta.db_table} un ON un.id = e.unit_id "
            f"JOIN {get_user_model()._meta.db_table} u ON u.id = e.recipient_id AND u.is_active AND u.email <> '' "
            "WHERE e.delivered_at IS NULL AND e.id <= %(last)s GROUP BY e.recipient_id "
            "ON CONFLICT (delivery_key) DO NOTHING RETURNING id, recipient_id",
            {"lang": settings.LANGUAGE_CODE[:2], "now": ops.adapt_datetimefield_value(now), "last": last})
        queued = cursor.fetchall()
        recipients = [user for _pk, user in queued]
        if recipients:  # what went into a digest is delivered; the rest waits for the next one
            if connection.vendor == "postgresql":
                match, values = "recipient_id = ANY(%(users)s)", recipients
            else:
                match, values = f"recipient_id IN ({', '.join(str(int(u)) for u in recipients)})", None
            cursor.execute(f"UPDATE {table} SET delivered_at = %(now)s WHERE delivered_at IS NULL "
                           f"AND id <= %(last)s AND {match}",
                           {"now": ops.adapt_datetimefield_value(now), "last": last, "users": values})
    return [pk for pk, _user in queued]


def daily_digests(*, now: dt.datetime) -> int:
    """The chain's third link, then one digest per person, queued once committed."""
    with transaction.atomic():
        escalate_above(now=now)
        ids = queue_digest_messages(now=now)
        if ids:
            from .outbox import enqueue

            transaction.on_commit(lambda: enqueue(ids))
    return len(ids)


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
