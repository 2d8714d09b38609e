"""A clerk's deadline calculator: the engine's public face, reading the same rules and calendar."""
import argparse
import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from deadlines.engine import DeadlineInput, compute_deadlines
from deadlines.models import CaseKind, Complexity


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("invalid date %(value)r, expected YYYY-MM-DD") % {"value": text})


def suspension(text: str) -> tuple[date, date | None]:
    """FROM:TO (the suspension and resumption decision dates); FROM: or FROM alone is still suspended."""
    start, _sep, end = text.partition(":")
    began = iso_date(start)
    resumed = iso_date(end) if end else None
    if resumed is not None and resumed < began:
        raise argparse.ArgumentTypeError(_("suspension %(value)r resumes before it starts") % {"value": text})
    return began, resumed


class Command(BaseCommand):
    help = _("Compute the statutory deadlines of a petition and print them as one JSON object.")
    requires_system_checks = []

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        raise_or_exit = parser.error

        def one_line_error(message):
            if parser.called_from_command_line:
                parser.exit(2, f"{prog_name} {subcommand}: error: {message}\n")
            raise_or_exit(message)

        parser.error = one_line_error
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=CaseKind.values)
        parser.add_argument("--received", required=True, type=iso_date)
        parser.add_argument("--round", type=int, choices=(1, 2), default=1)
        parser.add_argument("--complexity", choices=Complexity.values, default=Complexity.SIMPLE)
        parser.add_argument("--remote", action="store_true")
        parser.add_argument("--multi-site", action="store_true")
        parser.add_argument("--accepted", type=iso_date)
        parser.add_argument("--extensions", type=int, default=0)
        parser.add_argument("--extension-days", type=int, nargs="+", default=[], metavar="DAYS",
                            help="days each extension added (one number per extension; default: the full length)")
        parser.add_argument("--suspend", type=suspension, nargs="+", action="extend", default=[],
                            metavar="FROM:TO")

    def handle(self, *args, **options):
        inp = DeadlineInput(
            kind=options["kind"],
            received=options["received"],
            round=options["round"],
            complexity=options["complexity"],
            remote=options["remote"],
            multi_site=options["multi_site"],
            accepted=options["accepted"],
            extensions=options["extensions"],
            extension_days=tuple(options["extension_days"]),
            suspensions=tuple(options["suspend"]),
        )
        try:
            result = compute_deadlines(inp)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2)
        self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
