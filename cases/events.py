"""Domain events: ``cases`` publishes, other apps subscribe; ``cases`` imports none of them.

* ``act_beginning`` — sent at the start of an act's transaction, before the case row is
  written, so a subscriber can take its locks in a fixed order (the workflow locks the
  process first, as its task pages do, and no act can deadlock against a task page).
* ``act_recorded`` — sent inside the act's transaction, right after its ``CaseEvent`` row
  is written. A subscriber that writes to the database does it in the same transaction
  (the workflow keeps the process in step with the case); one with outside effects
  registers them with ``transaction.on_commit``.
* ``sla_alerts_recorded`` — sent inside the sweep's transaction with the id range of the
  SLA alert events it inserted, so digests can be built set-based from exactly those.
"""
from django.dispatch import Signal

act_beginning = Signal()  # case
act_recorded = Signal()  # case, event, workflow (False: no workflow mirror wanted, e.g. bulk loads)
sla_alerts_recorded = Signal()  # now, result (cases.sla.SweepResult: first/last event id, events)


def begin(case) -> None:
    act_beginning.send(sender=type(case), case=case)


def publish(case, event, *, workflow: bool = True) -> None:
    act_recorded.send(sender=type(case), case=case, event=event, workflow=workflow)


def publish_sla_alerts(*, now, result) -> None:
    """``result.escalations`` is for a subscriber to fill in once its digests are written."""
    if result.events:
        sla_alerts_recorded.send(sender=None, now=now, result=result)
