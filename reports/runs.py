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
        execute_run(run.pk, now=now, with_files=False)
        run.refresh_from_db()
    return run


def _advance(run_id: int, **fields) -> None:
    # Each stage is saved in its own statement (outside any long transaction) so the page sees it.
    ReportRun.objects.filter(pk=run_id).update(**fields)


RENDERERS = {"xlsx": "render_xlsx", "pdf": "render_pdf", "csv": "render_csv"}


def render_file(run: ReportRun, fmt: str) -> bytes:
    """One file of a finished run, rendered from its stored figures (the same numbers as the page)."""
    from . import exports

    return getattr(exports, RENDERERS[fmt])(run.result)


def execute_run(run_id: int, *, now: dt.datetime | None = None, with_files: bool = True) -> None:
    """Compute one run: the figures, then (on a worker) the three files; a run already claimed is left
    alone. A run in the request renders its files at the first download instead (``stored_file``)."""
    from .figures import build_report

    claimed = ReportRun.objects.filter(pk=run_id, state=ReportRun.State.QUEUED).update(
        state=ReportRun.State.RUNNING, progress=5)
    if not claimed:
        return
    run = ReportRun.objects.select_related("unit").get(pk=run_id)
    try:
        generated_at = now or timezone.now()
        report = build_report(unit=run.unit, rollup=run.rollup, date_from=run.date_from, date_to=run.date_to)
        run.result = report
        if not with_files:
            _advance(run_id, result=report, generated_at=generated_at, progress=100, state=ReportRun.State.DONE)
            return
        _advance(run_id, result=report, generated_at=generated_at, progress=STAGES[0][1])
        for stage, progress in STAGES[1:]:
            fields = {stage: render_file(run, stage), "progress": progress}
            if progress == 100:
                fields["state"] = ReportRun.State.DONE
            _advance(run_id, **fields)
    except Exception as exc:  # the page shows the failure instead of polling for ever
        logger.exception("report run %s failed", run_id)
        _advance(run_id, state=ReportRun.State.FAILED, error=str(exc)[:255])


def stored_file(run: ReportRun, fmt: str) -> bytes | None:
    """The stored file of a finished run, rendered and stored now if the run was computed in a request."""
    if run.state != ReportRun.State.DONE:
        return None
    content = ReportRun.objects.filter(pk=run.pk).values_list(fmt, flat=True).first()
    if content is None:
        if run.result is None:
            run.result = ReportRun.objects.values_list("result", flat=True).get(pk=run.pk)
        content = render_file(run, fmt)
        ReportRun.objects.filter(pk=run.pk, **{f"{fmt}__isnull": True}).update(**{fmt: content})
    return bytes(content)
