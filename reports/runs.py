"""Starting and computing report runs: small ones in the request, large roll-ups on a Celery worker.

The worker moves ``progress`` through the stages it really passes (figures, xlsx, PDF, CSV), so the
page's progress bar says where it is, not a guess.
"""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from organisation.models import Unit

from .models import ReportRun

logger = logging.getLogger(__name__)

#: Progress after each stage (figures are most of the work).
STAGES = (("figures", 60), ("xlsx", 75), ("pdf", 92), ("csv", 100))


def runs_in_background(unit: Unit, rollup: bool) -> bool:
    """Roll-ups always go to a worker; a single unit only when it holds more than
    ``REPORT_BACKGROUND_CASES`` cases (one indexed count)."""
    if rollup:
        return True
    from django.db.models import Q

    from cases.models import Case

    threshold = getattr(settings, "REPORT_BACKGROUND_CASES", 50_000)
    cases = Case.objects.filter(Q(receiving_unit=unit) | Q(competent_unit=unit))
    return cases[: threshold + 1].count() > threshold


def start_run(*, actor, unit: Unit, rollup: bool, date_from: dt.date, date_to: dt.date, label: str = "",
              now: dt.datetime | None = None) -> ReportRun:
    """Record the run; compute it now, or queue it for a worker once the row is committed."""
    now = now or timezone.now()
    background = runs_in_background(unit, rollup)
    run = ReportRun.objects.create(
        unit=unit, rollup=rollup, date_from=date_from, date_to=date_to, label=label, requested_by=actor,
        requested_at=now, in_background=background,
    )
    if background:
        from .tasks import report_run_task

        transaction.on_commit(lambda: report_run_task.delay(run.pk))
    else:
        execute_run(run.pk, now=now)
        run.refresh_from_db()
    return run


def _advance(run_id: int, **fields) -> None:
    # Each stage is saved in its own statement (outside any long transaction) so the page sees it.
    ReportRun.objects.filter(pk=run_id).update(**fields)


def execute_run(run_id: int, *, now: dt.datetime | None = None) -> None:
    """Compute one run: figures, then the three files; idempotent (a finished run is left alone)."""
    from .exports import render_csv, render_pdf, render_xlsx
    from .figures import build_report

    claimed = ReportRun.objects.filter(pk=run_id, state=ReportRun.State.QUEUED).update(
        state=ReportRun.State.RUNNING, progress=5)
    if not claimed:
        return
    run = ReportRun.objects.select_related("unit").get(pk=run_id)
    try:
        generated_at = now or timezone.now()
        report = build_report(unit=run.unit, rollup=run.rollup, date_from=run.date_from, date_to=run.date_to)
        _advance(run_id, result=report, generated_at=generated_at, progress=STAGES[0][1])
        renderers = {"xlsx": render_xlsx, "pdf": render_pdf, "csv": render_csv}
        for stage, progress in STAGES[1:]:
            content = renderers[stage](report)
            fields = {stage: content, "progress": progress}
            if progress == 100:
                fields["state"] = ReportRun.State.DONE
            _advance(run_id, **fields)
    except Exception as exc:  # the page shows the failure instead of polling for ever
        logger.exception("report run %s failed", run_id)
        _advance(run_id, state=ReportRun.State.FAILED, error=str(exc)[:255])
