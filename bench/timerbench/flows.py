"""Bench-only flows: viewflow's own timer sweep and a bare process start, for comparison with the SLA sweep."""
from datetime import timedelta

from django.utils import timezone
from viewflow import this
from viewflow.workflow import flow


class DueTimerFlow(flow.Flow):
    """Start, then a database timer already due: ``fire_due_timers`` fires it."""

    start = flow.StartHandle().Next(this.wait)
    wait = flow.Timer(lambda activation: timezone.now() - timedelta(seconds=1)).Next(this.end)
    end = flow.End()


class BareFlow(flow.Flow):
    """A process and its first task, nothing else: viewflow's bare process start."""

    start = flow.StartHandle().Next(this.wait)
    wait = flow.Timer(timedelta(days=365)).Next(this.end)
    end = flow.End()
