"""The heads' dashboard: where the open cases are, how old they are, how many were resolved on time.

Every figure is an aggregate computed by the database over the user's scope (``access.policy``):
one query per chart, whatever the number of cases. The charts are drawn in the browser by the
vendored Chart.js (``cases/static/vendor``) from a JSON block; the same figures are in tables
under each chart, for keyboards, screen readers and printing.
"""
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from access import policy
from deadlines import clock
from deadlines.models import CaseKind

from .models import OPEN_STATUSES, Status
from .selectors import cases_in_scope, open_cases

# Age of an open case in calendar days since receipt: the buckets of the aging histogram.
AGE_BUCKETS = ((0, 7), (8, 30), (31, 60), (61, 90), (91, 180), (181, None))
MONTHS = 12
TOP = 15


def _age_label(low: int, high: int | None) -> str:
    if high is None:
        return _("over %(n)d days") % {"n": low - 1}
    return _("%(low)d–%(high)d days") % {"low": low, "high": high}


def dashboard_data(*, user, today: dt.date) -> dict:
    open_qs = open_cases(user=user).order_by()
    by_status_kind = {(row["status"], row["kind"]): row["n"]
                      for row in open_qs.values("status", "kind").annotate(n=Count("pk"))}
    statuses = [s for s in Status if s in OPEN_STATUSES]
    kinds = list(CaseKind)
    # received before tomorrow's midnight minus `low` days: one aggregate, one row
    ages = open_qs.aggregate(**{
        f"b{i}": Count("pk", filter=Q(received_at__lt=clock.legal_midnight(today - dt.timedelta(days=low - 1)))
                       & (Q(received_at__gte=clock.legal_midnight(today - dt.timedelta(days=high))) if high is not None else Q()))
        for i, (low, high) in enumerate(AGE_BUCKETS)
    })
    first_month = (today.replace(day=1) - dt.timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    decided = (
        cases_in_scope(user=user).order_by()
        .filter(decided_on__gte=first_month, decided_on__isnull=False)
        .annotate(month=TruncMonth("decided_on"))
        .values("month")
        .annotate(total=Count("pk"), on_time=Count("pk", filter=Q(resolution_due__isnull=True)
                                                   | Q(decided_on__lte=F("resolution_due"))))
        .order_by("month")
    )
    by_handler = list(open_qs.filter(handler__isnull=False).values("handler__username")
                      .annotate(n=Count("pk")).order_by("-n", "handler__username")[:TOP])
    by_topic = list(open_qs.values("topic__name").annotate(n=Count("pk")).order_by("-n", "topic__name")[:TOP])
    by_unit = list(open_qs.annotate(unit=Coalesce("competent_unit__name", "receiving_unit__name"))
                   .values("unit").annotate(n=Count("pk")).order_by("-n", "unit")[:TOP])
    return {
        "status_kind": {
            "labels": [str(s.label) for s in statuses],
            "series": [{"label": str(k.label), "data": [by_status_kind.get((s.value, k.value), 0) for s in statuses]}
                       for k in kinds],
        },
        "aging": {"labels": [_age_label(lo, hi) for lo, hi in AGE_BUCKETS],
                  "data": [ages[f"b{i}"] for i in range(len(AGE_BUCKETS))]},
        "on_time": {"labels": [f"{row['month']:%m/%Y}" for row in decided],
                    "data": [round(100 * row["on_time"] / row["total"], 1) for row in decided],
                    "totals": [row["total"] for row in decided]},
        "handlers": {"labels": [row["handler__username"] for row in by_handler], "data": [row["n"] for row in by_handler]},
        "topics": {"labels": [row["topic__name"] or _("(no field)") for row in by_topic],
                   "data": [row["n"] for row in by_topic]},
        "units": {"labels": [row["unit"] for row in by_unit], "data": [row["n"] for row in by_unit]},
        "open_total": sum(by_status_kind.values()),
    }


@login_required
def dashboard_page(request):
    if not policy.is_staff_member(request.user):
        raise Http404
    data = dashboard_data(user=request.user, today=clock.legal_today())
    return render(request, "cases/dashboard.html", {"data": data, "chart_text": {
        "percent": _("per cent on time"), "cases": _("cases"),
    }})
