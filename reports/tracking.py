"""Sign-off of a period's report, who has not reported yet, reminders, and what changed since a sign-off.

* A unit's head signs the report of a reporting period (``H1-2026``…) from a finished run: the
  snapshot keeps the run's figures and generation time, never changed afterwards.
* The compiling office (``Unit.compiles_reports``) sees, for each unit under its people's committee,
  whether the period is signed on time, signed late, missing (deadline passed) or still pending.
* Before the deadline, the heads of units that have not signed get one in-app reminder a day
  (one ``INSERT … SELECT … ON CONFLICT DO NOTHING``: set-based and idempotent).
* Regenerating a signed period compares the figures and lists why they moved: cases received in the
  window but entered after the snapshot (late entries), and events recorded on the window's cases
  after it (corrections).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from access import policy
from cases.errors import Conflict, Forbidden, InvalidInput
from deadlines import clock
from organisation.models import Membership, Role, Unit

from . import reporting_periods as periods
from .models import ReportReminder, ReportRun, ReportSnapshot

# --- sign-off ------------------------------------------------------------------------------


def sign_off(*, actor, run: ReportRun, now: dt.datetime | None = None) -> ReportSnapshot:
    """Store ``run``'s figures as the unit's signed report for the period the run was made for."""
    now = now or timezone.now()
    if not policy.may_sign_report(actor, run.unit):
        raise Forbidden(_("Only the head of the unit signs off its report."))
    if run.state != ReportRun.State.DONE or run.result is None:
        raise Conflict(_("The report is not computed yet."))
    period = periods.parse_period_code(run.label) if run.label else None
    if period is None or (period.date_from, period.date_to) != (run.date_from, run.date_to):
        raise InvalidInput(_("Only the report of a reporting period (quarter, 6 months, 9 months or year) is signed off."))
    with transaction.atomic():
        if ReportSnapshot.objects.select_for_update().filter(unit=run.unit, period=period.code).exists():
            raise Conflict(_("This period's report is already signed off."))
        return ReportSnapshot.objects.create(
            unit=run.unit, period=period.code, rollup=run.rollup, date_from=run.date_from, date_to=run.date_to,
            result=run.result, generated_at=run.generated_at, signed_by=actor, signed_at=now,
            deadline=periods.submission_deadline(period.code),
        )


# --- who has not reported ---------------------------------------------------------------------

def reporting_units_q(scope: Unit) -> Q:
    """The units that report to a people's committee: every unit below it that exists, except its
    compiling office."""
    return Q(path__startswith=scope.path) & ~Q(pk=scope.pk) & Q(compiles_reports=False)


def _active_on(day: dt.date, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day}))


@dataclass(frozen=True)
class Submission:
    unit: Unit
    status: str  # "on_time", "late", "missing", "pending"
    signed_at: dt.datetime | None
    signed_by: str


def submissions(*, scope: Unit, period_code: str, today: dt.date) -> list[Submission]:
    """Each reporting unit under ``scope`` with the state of its report for the period (one query)."""
    deadline = periods.submission_deadline(period_code)
    snapshot = ReportSnapshot.objects.filter(unit=OuterRef("pk"), period=period_code)
    units = (Unit.objects.filter(reporting_units_q(scope) & _active_on(today))
             .annotate(signed_at=Subquery(snapshot.values("signed_at")[:1]),
                       signed_by_name=Subquery(snapshot.values("signed_by__username")[:1]))
             .order_by("path"))
    rows = []
    for unit in units:  # units, not cases: a few dozen rows
        if unit.signed_at is not None:
            late = deadline is not None and clock.legal_date(unit.signed_at) > deadline
            status = "late" if late else "on_time"
        else:
            status = "missing" if deadline is not None and today > deadline else "pending"
        rows.append(Submission(unit, status, unit.signed_at, unit.signed_by_name or ""))
    return rows


# --- reminders -----------------------------------------------------------------------------------

def due_reminders(today: dt.date) -> list[tuple[str, dt.date]]:
    """(period code, deadline) of every tracked period whose deadline is within
    ``REPORT_REMINDER_DAYS`` days from ``today`` (inclusive)."""
    from django.conf import settings

    days = getattr(settings, "REPORT_REMINDER_DAYS", 7)
    due = []
    for code in periods.tracked_period_codes(today.year):
        deadline = periods.submission_deadline(code)
        if deadline is not None and deadline - dt.timedelta(days=days) <= today <= deadline:
            due.append((code, deadline))
    return due


REMINDER_SQL = """
INSERT INTO {reminder} (user_id, unit_id, period, day, deadline, created_at)
SELECT DISTINCT m.user_id, u.id, %(period)s, %(day)s, %(deadline)s, %(now)s
FROM {membership} m
JOIN {unit} u ON u.id = m.unit_id
WHERE m.role = %(head)s
  AND (m.valid_from IS NULL OR m.valid_from <= %(day)s) AND (m.valid_to IS NULL OR m.valid_to >= %(day)s)
  AND (u.valid_from IS NULL OR u.valid_from <= %(day)s) AND (u.valid_to IS NULL OR u.valid_to >= %(day)s)
  AND NOT u.compiles_reports
  AND EXISTS (
      SELECT 1 FROM {unit} office JOIN {unit} scope ON scope.id = office.parent_id
      WHERE office.compiles_reports AND u.id <> scope.id AND u.path LIKE scope.path || '%%')
  AND NOT EXISTS (SELECT 1 FROM {snapshot} s WHERE s.unit_id = u.id AND s.period = %(period)s)
ON CONFLICT (user_id, unit_id, period, day) DO NOTHING
"""


def send_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind the heads (held in the unit itself) of every reporting unit without a signed report
    for a period whose deadline is near; returns how many reminders are new."""
    now = now or timezone.now()
    today = clock.legal_today(now)
    sql = REMINDER_SQL.format(reminder=ReportReminder._meta.db_table, membership=Membership._meta.db_table,
                              unit=Unit._meta.db_table, snapshot=ReportSnapshot._meta.db_table)
    created = 0
    with connection.cursor() as cursor:
        for code, deadline in due_reminders(today):
            cursor.execute(sql, {"period": code, "day": today, "deadline": deadline, "now": now,
                                 "head": Role.HEAD})
            created += cursor.rowcount
    return created


def reminders_for(user, *, today: dt.date):
    """The user's reminders still relevant: today's, for periods not signed since."""
    signed = ReportSnapshot.objects.filter(unit=OuterRef("unit_id"), period=OuterRef("period"))
    return (ReportReminder.objects.filter(user=user, day=today).exclude(Exists(signed))
            .select_related("unit").order_by("deadline", "unit__path"))


# --- what changed since a sign-off --------------------------------------------------------------

def flatten(report: dict, prefix: str = "") -> dict[str, int]:
    """``{"petitions.by_kind.complaint": 3, …}``: the integer leaves of a report."""
    flat = {}
    for key, value in report.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        elif isinstance(value, int) and not isinstance(value, bool):
            flat[name] = value
    return flat


@dataclass
class Changes:
    figures: list[tuple[str, int, int]]  # (figure, signed, now) for each figure that moved
    late_entries: list[dict]
    corrections: list[dict]

    @property
    def any(self) -> bool:
        return bool(self.figures or self.late_entries or self.corrections)


MAX_LISTED = 200


def changes_since(snapshot: ReportSnapshot, current: dict) -> Changes:
    """Compare the regenerated figures with the signed ones, and list the entries behind the move.
    Only tracking codes, kinds, dates and event names: no petitioner or denouncer data."""
    from cases.models import Case, CaseEvent

    before, after = flatten(snapshot.result), flatten(current)
    figures = [(name, before.get(name, 0), after.get(name, 0)) for name in sorted(set(before) | set(after))
               if before.get(name, 0) != after.get(name, 0)]
    scope = Unit.objects.filter(path__startswith=snapshot.unit.path) if snapshot.rollup else Unit.objects.filter(
        pk=snapshot.unit_id)
    scope_ids = list(scope.values_list("pk", flat=True))
    in_scope = Q(receiving_unit_id__in=scope_ids) | Q(competent_unit_id__in=scope_ids)
    window_end = clock.legal_midnight(snapshot.date_to + dt.timedelta(days=1))
    window = Q(received_at__gte=clock.legal_midnight(snapshot.date_from), received_at__lt=window_end)
    late = (Case.objects.filter(in_scope & window, created_at__gt=snapshot.generated_at)
            .order_by("received_at").values("pk", "tracking_code", "kind", "received_at", "created_at")[:MAX_LISTED])
    corrections = (CaseEvent.objects
                   .filter(at__gt=snapshot.generated_at, case__created_at__lte=snapshot.generated_at,
                           case__received_at__lt=window_end)
                   .filter(Q(case__receiving_unit_id__in=scope_ids) | Q(case__competent_unit_id__in=scope_ids))
                   .order_by("at", "pk")
                   .values("case__tracking_code", "case__kind", "action", "from_status", "to_status", "at")[:MAX_LISTED])
    return Changes(figures, list(late), list(corrections))
