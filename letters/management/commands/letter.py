"""``manage.py letter TRACKING_CODE TYPE --out FILE.pdf``: issue one official letter of a case.

By default the letter is issued exactly as from the case page: it takes the
next number of the unit's register, is stored as a document of the case and
written to FILE. ``--draft`` writes the letter without a number ("Số: …") and
stores nothing. Exits 2 with a one-line error when the case is unknown, or when
its state does not allow the letter (e.g. a decision for a case not yet decided).
"""
import argparse
import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from cases.errors import CaseError
from cases.models import Case
from letters import services
from letters.models import Audience, LetterType
from letters.render import RendererUnavailable


def aware_moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid moment {text!r}, expected ISO 8601") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = "Issue an official letter of a case as a PDF (numbered and stored, or --draft: unnumbered, not stored)."

    def add_arguments(self, parser):
        parser.add_argument("tracking_code", help="the case's tracking code")
        parser.add_argument("letter_type", metavar="TYPE", choices=LetterType.values,
                            help="one of: " + ", ".join(LetterType.values))
        parser.add_argument("--out", required=True, type=Path, help="the PDF file to write")
        parser.add_argument("--to", dest="audience", choices=Audience.values, default=Audience.PETITIONER,
                            help="the addressee (accused: a denunciation's letters to the accused)")
        parser.add_argument("--draft", action="store_true", help="no number, nothing stored: a preview")
        parser.add_argument("--signer", help="username of the signing officer (printed in the signer block)")
        parser.add_argument("--now", type=aware_moment, help="issue as of this moment (ISO 8601)")

    def handle(self, *args, tracking_code, letter_type, out, audience, draft, signer=None, now=None, **options):
        translation.activate("en")  # the command's own messages; the letter itself is in Vietnamese
        case = Case.objects.filter(tracking_code=tracking_code.strip().upper()).first()
        if case is None:
            raise CommandError(f"unknown case {tracking_code}", returncode=2)
        signer_user = None
        if signer:
            signer_user = get_user_model().objects.filter(username=signer).first()
            if signer_user is None:
                raise CommandError(f"unknown signer {signer}", returncode=2)
        try:
            if draft:
                pdf = services.draft_letter(case=case, letter_type=letter_type, audience=audience, now=now).pdf
                reference = "draft"
            else:
                letter = services.issue_letter(case=case, letter_type=letter_type, audience=audience,
                                               signer=signer_user, now=now)
                pdf = letter.attachment.file.read()
                reference = letter.reference
        except (CaseError, RendererUnavailable) as error:
            message = getattr(error, "message", None) or str(error)
            raise CommandError(f"{letter_type} for {case.tracking_code}: {message}", returncode=2) from None
        out.write_bytes(pdf)
        self.stdout.write(f"{reference} {out}")
