"""The report page: choose a unit, roll-up and period; read the report with its charts; download it
as xlsx, PDF or CSV; sign it off; and, for the compiling office, see who has not reported.

Every page asks ``access.policy`` (``report_unit_ids``): a unit outside the user's reach is a 404.
Reports hold counts only; the list of changes since a sign-off names cases by tracking code.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from access import policy
from cases.errors import CaseError
from deadlines import clock
from organisation.models import Unit

from . import reporting_periods, tracking
from .forms import ReportForm
from .models import ReportRun, ReportSnapshot
from .presentation import report_sections
from .runs import start_run, stored_file

RECENT_RUNS = 10
DOWNLOADS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}


def _require_reporter(user) -> set[int]:
    unit_ids = policy.report_unit_ids(user)
    if not unit_ids:
        raise Http404
    return unit_ids


@login_required
def report_page(request):
    unit_ids = _require_reporter(request.user)
    today = clock.legal_today()
    form = ReportForm(request.POST or None, unit_ids=unit_ids, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        run = start_run(actor=request.user, unit=data["unit"], rollup=data["rollup"], date_from=data["date_from"],
                        date_to=data["date_to"], label=data["label"])
        return redirect("report_run", pk=run.pk)
    runs = (ReportRun.objects.filter(requested_by=request.user, unit_id__in=sorted(unit_ids))
            .select_related("unit").defer("xlsx", "pdf", "csv", "result")[:RECENT_RUNS])
    return render(request, "reports/report_page.html", {
        "form": form, "runs": runs, "reminders": tracking.reminders_for(request.user, today=today),
        "may_track": policy.may_track_submissions(request.user),
    }, status=400 if request.method == "POST" else 200)


def _visible_run(request, pk) -> ReportRun:
    run = get_object_or_404(ReportRun.objects.select_related("unit").defer("xlsx", "pdf", "csv"), pk=pk)
    if not policy.may_view_report(request.user, run.unit):
        raise Http404
    return run


def _sign_off_state(user, run: ReportRun):
    """(may sign now, the signed snapshot of the run's unit and period if any)."""
    period = reporting_periods.parse_period_code(run.label) if run.label else None
    if period is None or (period.date_from, period.date_to) != (run.date_from, run.date_to):
        return False, None
    snapshot = ReportSnapshot.objects.filter(unit=run.unit, period=period.code).select_related("signed_by").first()
    return snapshot is None and run.state == ReportRun.State.DONE and policy.may_sign_report(user, run.unit), snapshot


@login_required
def run_page(request, pk):
    run = _visible_run(request, pk)
    context = {"run": run}
    if run.state == ReportRun.State.DONE:
        may_sign, snapshot = _sign_off_state(request.user, run)
        context.update(sections=report_sections(run.result), may_sign=may_sign, snapshot=snapshot)
        if snapshot is not None and run.generated_at and run.generated_at > snapshot.generated_at:
            context["changes"] = tracking.changes_since(snapshot, run.result)
    return render(request, "reports/run_page.html", context)


@login_required
def run_progress(request, pk):
    """Polled by htmx while the run is on a worker; once it is finished, the page reloads."""
    run = _visible_run(request, pk)
    if run.is_finished and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "reports/includes/progress.html", {"run": run})


@login_required
def run_download(request, pk, fmt):
    if fmt not in DOWNLOADS:
        raise Http404
    run = _visible_run(request, pk)
    content = stored_file(run, fmt)
    if content is None:
        raise Http404
    name = f"report-{run.unit.code}-{run.label or f'{run.date_from}_{run.date_to}'}{'-rollup' if run.rollup else ''}.{fmt}"
    response = HttpResponse(content, content_type=DOWNLOADS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def run_sign_off(request, pk):
    run = _visible_run(request, pk)
    try:
        tracking.sign_off(actor=request.user, run=run)
    except CaseError as error:
        messages.error(request, error.message)
        return render(request, "reports/error.html", {"run": run, "message": error.message},
                      status=error.http_status)
    messages.success(request, _("The report is signed off."))
    return redirect("report_run", pk=run.pk)


@login_required
def submissions_page(request):
    """The compiling office's view: each unit's report for a tracked period, signed or not."""
    scope_ids = policy.compiled_scope_ids(request.user)
    if not scope_ids:
        raise Http404
    scopes = list(Unit.objects.filter(pk__in=sorted(scope_ids)).order_by("path"))
    today = clock.legal_today()
    codes = [code for year in (today.year, today.year - 1) for code in reporting_periods.tracked_period_codes(year)]
    period = request.GET.get("period") or _current_period(codes, today)
    if period not in codes:
        raise Http404
    rows = [(scope, tracking.submissions(scope=scope, period_code=period, today=today)) for scope in scopes]
    return render(request, "reports/submissions.html", {
        "periods": codes, "period": period, "deadline": reporting_periods.submission_deadline(period),
        "scopes": rows, "today": today,
    })


def _current_period(codes: list[str], today) -> str:
    """The next deadline from today, else the latest one passed."""
    upcoming = [c for c in codes if reporting_periods.submission_deadline(c) >= today]
    if upcoming:
        return min(upcoming, key=reporting_periods.submission_deadline)
    return max(codes, key=reporting_periods.submission_deadline)



