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
