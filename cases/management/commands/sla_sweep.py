"""``manage.py sla_sweep [--now ISO]``: run the SLA sweep once and print its counts as JSON."""
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.sla import sweep_sla
from deadlines import clock


def aware_datetime(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--now: not an ISO date or datetime: {value!r}") from exc
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=clock.legal_zone())


class Command(BaseCommand):
    help = "Update SLA states and flags of all cases; record events and escalations for new alerts."

    def add_arguments(self, parser):
        parser.add_argument("--now", type=aware_datetime, help="Sweep as of this moment (ISO 8601; Asia/Ho_Chi_Minh time if naive).")

    def handle(self, *args, now=None, **options):
        self.stdout.write(json.dumps(sweep_sla(now=now).as_dict()))
