"""Celery tasks of the reports: one run, and the daily reminders of unsigned reports."""
import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="reports.tasks.report_run_task", ignore_result=True)
def report_run_task(run_id: int) -> None:
    from .runs import execute_run

    execute_run(run_id)


@shared_task(name="reports.tasks.report_reminders_task", ignore_result=True)
def report_reminders_task() -> int:
    """Run by beat; idempotent (one reminder per head, unit, period and day)."""
    from .tracking import send_reminders

    created = send_reminders()
    logger.info("report reminders: %s new", created)
    return created
