"""Issuing a letter: check the case allows it, take the register number, render, store — in one transaction.

The number is taken under the counter's row lock inside the transaction that
renders the PDF and stores the ``Letter`` and its ``cases.Attachment``: if
anything fails, the transaction rolls back and the number is free again, so
the register has no gaps; a second issuer waits on the lock, so no number is
given twice. The status of the case is never touched (letters record what the
case's acts decided; the acts themselves are ``cases.services``).
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from access import policy
from cases.errors import Conflict, Forbidden, InvalidInput, NotFound
from cases.identity import record_look
from cases.models import Attachment, Case
from deadlines import clock
from organisation.models import Unit

from . import content, numbering, render
from .models import Audience, Letter, LetterType, UnitLetterSettings


@dataclass
class Draft:
    """A letter rendered without a number (``--draft``): nothing is stored."""

    pdf: bytes
    text: content.LetterText


def _settings_of(unit: Unit) -> UnitLetterSettings | None:
    return UnitLetterSettings.objects.filter(unit=unit).first()


def _header(unit: Unit, unit_settings: UnitLetterSettings | None, day: dt.date) -> dict:
    superior = unit_settings.superior_name if unit_settings and unit_settings.superior_name else ""
    if not superior:
        above, _skipped = unit.superior_on(day)
        superior = above.name if above else ""
    name = unit_settings.header_name if unit_settings and unit_settings.header_name else unit.name
    place = unit_settings.place if unit_settings and unit_settings.place else unit.name
    return {"superior": superior, "unit_name": name, "place": place,
            "signer_title": unit_settings.signer_title if unit_settings else "CHỦ TỊCH"}


def _symbol(letter_type: str, unit_settings: UnitLetterSettings | None) -> str:
    return f"{content.TYPE_ABBREVIATIONS[letter_type]}-{unit_settings.symbol if unit_settings else 'UBND'}"


def _signer_name(signer) -> str:
    if signer is None:
        return ""
    return (signer.get_full_name() or signer.get_username()).strip()


def check(*, case: Case, letter_type: str, audience: str, actor=None) -> None:
    """Refuse what may not be issued: an unknown type (400), a user without the right (403 or 404),
    a case whose facts do not allow the letter (409)."""
    if letter_type not in LetterType.values:
        raise InvalidInput(_("unknown letter type %(type)s") % {"type": letter_type}, field="letter_type")
    if audience not in Audience.values:
        raise InvalidInput(_("unknown addressee %(who)s") % {"who": audience}, field="audience")
    if actor is not None:
        if not policy.may_view_case(actor, case):
            raise NotFound(_("unknown case"))
        if not content.may_issue(actor, case, letter_type):
            raise Forbidden(_("you are not allowed to issue this letter in this case"))
        if audience == Audience.PETITIONER and policy.is_identity_protected(case) \
                and not policy.may_see_identity(actor, case):
            raise Forbidden(_("only the officers named by the law may issue a letter naming the denouncer"))
    found = content.problems(case, letter_type, audience)
    if found:
        raise Conflict("; ".join(found))


def _compose(*, case: Case, letter_type: str, audience: str, unit: Unit, unit_settings, day: dt.date,
             reference: str, signer_name: str, draft: bool) -> tuple[bytes, content.LetterText]:
    header = _header(unit, unit_settings, day)
    with translation.override("vi"):
        text = content.build(case, letter_type, audience, unit_name=header["unit_name"])
        html = render.render_html({
            **header, "text": text, "reference": reference, "long_date": content.vn_long_date(day),
            "basis": content.vietnamese_basis(text.legal_basis), "signer_name": signer_name, "draft": draft,
        })
    if audience == Audience.ACCUSED:
        leaked = content.leaked_identity(_visible_text(html), content.identity_values(case))
        if leaked:  # a free text named the denouncer in a way scrubbing missed: never send it
            raise Conflict(_("the letter to the accused would reveal the denouncer's identity; edit the case's texts"))
    return render.to_pdf(html), text


def _visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def draft_letter(*, case: Case, letter_type: str, audience: str = Audience.PETITIONER, now=None) -> Draft:
    """The letter as it would read, without a number and without storing anything."""
    check(case=case, letter_type=letter_type, audience=audience)
    moment = now or timezone.now()
    day = clock.legal_date(moment)
    unit = Unit.objects.get(pk=content.issuing_unit_id(case, letter_type))
    unit_settings = _settings_of(unit)
    pdf, text = _compose(case=case, letter_type=letter_type, audience=audience, unit=unit,
                         unit_settings=unit_settings, day=day, reference=f"…/{_symbol(letter_type, unit_settings)}",
                         signer_name="", draft=True)
    return Draft(pdf=pdf, text=text)


def issue_letter(*, case: Case, letter_type: str, actor=None, audience: str = Audience.PETITIONER,
                 signer=None, now: dt.datetime | None = None) -> Letter:
    """Number, render and store one letter of the case (``actor`` None: the management command)."""
    if not isinstance(case, Case):
        raise NotFound(_("unknown case"))
    check(case=case, letter_type=letter_type, audience=audience, actor=actor)
    moment = now or timezone.now()
    day = clock.legal_date(moment)
    unit = Unit.objects.get(pk=content.issuing_unit_id(case, letter_type))
    unit_settings = _settings_of(unit)
    symbol = _symbol(letter_type, unit_settings)
    series = numbering.series_for(unit_settings, letter_type)
    signer_name = _signer_name(signer if signer is not None else actor)
    stored_name = None
    try:
        with transaction.atomic():
            number = numbering.next_number(unit_id=unit.pk, year=day.year, series=series)
            reference = f"{number:02d}/{symbol}"
            pdf, text = _compose(case=case, letter_type=letter_type, audience=audience, unit=unit,
                                 unit_settings=unit_settings, day=day, reference=reference,
                                 signer_name=signer_name, draft=False)
            attachment = Attachment(case=case, description=f"{text.title.capitalize()} số {reference}")
            filename = f"letter-{letter_type}-{day.year}-{number:04d}.pdf"
            attachment.file.save(f"{secrets.token_hex(8)}-{filename}", ContentFile(pdf), save=False)
            stored_name = attachment.file.name
            attachment.save()
            letter = Letter.objects.create(
                case=case, letter_type=letter_type, audience=audience, unit=unit, year=day.year, series=series,
                number=number, symbol=symbol, issued_on=day, issued_at=moment, issued_by=actor,
                signer_name=signer_name, recipients=text.recipients, legal_basis=text.legal_basis[:255],
                attachment=attachment)
            if audience == Audience.PETITIONER and actor is not None:
                record_look(user=actor, case=case, purpose="letter", granted=True, now=moment)
    except BaseException:
        if stored_name:  # the row was rolled back: do not leave its file behind
            Attachment._meta.get_field("file").storage.delete(stored_name)
        raise
    return letter
