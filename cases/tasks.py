"""Celery tasks of the case engine."""
import logging

from celery import shared_task

from .sla import sweep_sla

logger = logging.getLogger(__name__)


@shared_task(name="cases.tasks.sla_sweep_task", ignore_result=True)
def sla_sweep_task() -> dict:
    """Run by beat every ``SLA_SWEEP_INTERVAL_SECONDS``; any number of workers may run it at once."""
    result = sweep_sla().as_dict()
    logger.info("SLA sweep: %s", result)
    return result


@shared_task(name="cases.tasks.recompute_deadlines_task", ignore_result=True)
def recompute_deadlines_task(change: dict | None = None) -> dict:
    """Queued once a rule or calendar change commits (``cases.recompute``); idempotent."""
    from deadlines.changes import DataChange

    from .recompute import recompute_open_cases

    result = recompute_open_cases(change=DataChange.from_dict(change) if change else None).as_dict()
    logger.info("deadline recompute: %s", result)
    return result


@shared_task(name="cases.tasks.purge_orphan_files_task", ignore_result=True)
def purge_orphan_files_task() -> int:
    """Daily: uploads left behind by acts that rolled back (``cases.documents.purge_orphan_files``)."""
    import datetime as dt

    from .documents import purge_orphan_files

    deleted = purge_orphan_files(older_than=dt.timedelta(hours=1))
    logger.info("orphan upload files deleted: %s", deleted)
    return deleted


@shared_task(name="cases.tasks.fold_queue_counts_task", ignore_result=True)
def fold_queue_counts_task() -> int:
    """Beat: fold the queue counts' pending deltas into their base rows (``cases.queue_counts.fold``)."""
    from django.db import transaction

    from . import queue_counts

    with transaction.atomic():
        folded = queue_counts.fold()
    logger.info("queue count deltas folded: %s", folded)
    return folded
