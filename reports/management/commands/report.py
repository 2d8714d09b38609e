"""python manage.py report --unit CODE [--rollup] (--period H1-2026 | --from D --to D) --format F --out FILE"""
import datetime as dt
import json
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from organisation.models import Unit
from reports import exports, periods
from reports.figures import build_report


class BadArguments(Exception):
    pass


class Command(BaseCommand):
    help = "Write the periodic report of a unit (alone or with its sub-units) as JSON, xlsx, PDF or CSV."

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.error = self._one_line_error  # argparse's usage dump becomes one line and exit 2
        return parser

    def _one_line_error(self, message):
        sys.stderr.write(f"report: error: {message}\n")
        sys.exit(2)

    def add_arguments(self, parser: CommandParser):
        parser.add_argument("--unit", required=True, help="the unit's code")
        parser.add_argument("--rollup", action="store_true", help="include every unit below it")
        when = parser.add_mutually_exclusive_group(required=True)
        when.add_argument("--period", help="Q1-Q4, H1, 9M or Y and a year, e.g. H1-2026")
        when.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD (with --to)")
        parser.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD")
        parser.add_argument("--format", required=True, choices=["json", "xlsx", "pdf", "csv"])
        parser.add_argument("--out", required=True, help="the file to write ('-' for standard output)")

    def handle(self, *args, **options):
        try:
            unit, date_from, date_to = self._resolve(options)
        except BadArguments as exc:
            self._one_line_error(str(exc))
        with translation.override(settings.LANGUAGE_CODE):
            report = build_report(unit=unit, rollup=options["rollup"], date_from=date_from, date_to=date_to)
            fmt = options["format"]
            if fmt == "json":
                data = (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
            else:
                data = exports.RENDERERS[fmt](report)
        if options["out"] == "-":
            sys.stdout.buffer.write(data)
        else:
            try:
                with open(options["out"], "wb") as out:
                    out.write(data)
            except OSError as exc:
                self._one_line_error(f"cannot write {options['out']}: {exc.strerror}")

    def _resolve(self, options):
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise BadArguments(f"unknown unit {options['unit']!r}")
        if options["period"]:
            if options["date_to"]:
                raise BadArguments("--to goes with --from, not with --period")
            try:
                date_from, date_to = periods.parse_period(options["period"])
            except periods.UnknownPeriod as exc:
                raise BadArguments(str(exc)) from None
        else:
            if not options["date_to"]:
                raise BadArguments("--from needs --to")
            try:
                date_from = dt.date.fromisoformat(options["date_from"])
                date_to = dt.date.fromisoformat(options["date_to"])
            except ValueError:
                raise BadArguments("dates are YYYY-MM-DD") from None
            if date_from > date_to:
                raise BadArguments(f"--from {date_from} is after --to {date_to}")
        return unit, date_from, date_to
