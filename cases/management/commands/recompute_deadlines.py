"""``manage.py recompute_deadlines``: bring the stored due dates of open cases in line with the rules and calendar.

Run by itself after a rule or calendar change (``cases.recompute``); by hand
after a bulk load of rules or overrides, or when a queued recompute was lost.
Prints the counts as JSON. Idempotent: a second run changes nothing.
"""
import argparse
import datetime as dt
import json

from django.core.management.base import BaseCommand

from cases.management.commands.sla_sweep import aware_datetime
from cases.recompute import recompute_open_cases
from deadlines.changes import DataChange
from deadlines.models import CaseKind


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r}, expected YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Recompute the stored due dates of open cases with the rules and calendar in force; record an event " \
           "for each case whose dates moved, then run the SLA sweep."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=CaseKind.values, action="append",
                            help="only cases of this kind (repeatable; default every kind)")
        parser.add_argument("--from", dest="first", type=iso_date,
                            help="only cases whose deadlines reach this day or later")
        parser.add_argument("--to", dest="last", type=iso_date, help="only cases received on or before this day")
        parser.add_argument("--now", type=aware_datetime, help="as of this moment (ISO 8601)")
        parser.add_argument("--no-sweep", action="store_true", help="do not run the SLA sweep afterwards")

    def handle(self, *args, kind=None, first=None, last=None, now=None, no_sweep=False, **options):
        change = None
        if kind or first or last:
            change = DataChange(model="command", description="", first=first, last=last,
                                kinds=tuple(kind) if kind else None)
        result = recompute_open_cases(change=change, now=now, sweep=not no_sweep)
        self.stdout.write(json.dumps(result.as_dict()))
