"""The calendar of dialogues (lịch đối thoại): the appointments of the user's units and those below,
day by day, and those whose day has passed with no minutes recorded yet.

Names of participants only where the user may read the case's records (``case_page.may_read_records``);
one query per list, whatever the number of appointments.
"""
import itertools

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from access import policy
from deadlines import clock

from .case_page import may_read_records
from .models import Dialogue

UPCOMING_MAX = 200
AWAITING_MAX = 50


def _rows(user, dialogues) -> list[dict]:
    zone = clock.legal_zone()
    return [{
        "dialogue": d, "case": d.case, "at": d.scheduled_at.astimezone(zone),
        "participants": d.participants if may_read_records(user, d.case) else None,
    } for d in dialogues]


@login_required
def dialogue_calendar(request):
    if not policy.is_staff_member(request.user):
        raise Http404
    start = clock.legal_midnight(clock.legal_today())
    scheduled = (Dialogue.objects.filter(policy.case_q(request.user, prefix="case__"), state=Dialogue.State.SCHEDULED)
                 .select_related("case", "case__competent_unit", "case__receiving_unit", "case__handler"))
    upcoming = _rows(request.user, scheduled.filter(scheduled_at__gte=start).order_by("scheduled_at", "pk")[:UPCOMING_MAX])
    awaiting = _rows(request.user, scheduled.filter(scheduled_at__lt=start).order_by("scheduled_at", "pk")[:AWAITING_MAX])
    days = [(day, list(rows)) for day, rows in itertools.groupby(upcoming, key=lambda row: row["at"].date())]
    return render(request, "cases/dialogue_calendar.html", {"days": days, "awaiting": awaiting})
