"""Official letters of a case and the unit's document register (NĐ 30/2020 on administrative documents).

* ``RegisterCounter`` is one numbering series: per unit and calendar year, and per
  letter type where the unit (or ``settings.LETTERS_SERIES_PER_TYPE``) asks for it.
  Its row is locked while a letter is numbered and stored, so numbers have no gap
  and no duplicate however many people issue at once (``letters.numbering``).
* ``Letter`` is written once: the issued document, with its number, recipients and
  signer; its PDF is a document of the case (a ``cases.Attachment``), so it is
  downloaded through the case's guarded document view.
"""
import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LetterType(models.TextChoices):
    RECEIPT = "receipt", _("Receipt (giấy biên nhận)")
    ACCEPTANCE = "acceptance", _("Notice of acceptance (thông báo thụ lý)")
    REFUSAL = "refusal", _("Notice of refusal, with reasons (thông báo không thụ lý)")
    GUIDANCE = "guidance", _("Guidance (văn bản hướng dẫn)")
    FORWARDING = "forwarding", _("Forwarding slip (phiếu chuyển đơn)")
    DIALOGUE_INVITATION = "dialogue_invitation", _("Dialogue invitation (giấy mời đối thoại)")
    EXTENSION = "extension", _("Extension decision (quyết định gia hạn)")
    SUSPENSION = "suspension", _("Notice of suspension (thông báo tạm đình chỉ)")
    RESUMPTION = "resumption", _("Notice of resumption (thông báo tiếp tục)")
    DECISION = "decision", _("Complaint decision (quyết định giải quyết khiếu nại)")
    CONCLUSION = "conclusion", _("Denunciation conclusion (kết luận nội dung tố cáo)")


class Audience(models.TextChoices):
    PETITIONER = "petitioner", _("The petitioner")
    ACCUSED = "accused", _("The accused (no part of the denouncer's identity)")


class UnitLetterSettings(models.Model):
    """How a unit heads and numbers its letters; a unit without a row uses the defaults."""

    unit = models.OneToOneField("organisation.Unit", verbose_name=_("unit"), on_delete=models.CASCADE,
                                related_name="letter_settings")
    symbol = models.CharField(_("unit symbol"), max_length=30, default="UBND",
                              help_text=_("The issuer's abbreviation in the letter symbol, e.g. UBND in 05/TB-UBND."))
    header_name = models.CharField(_("name in the letter header"), max_length=200, blank=True,
                                   help_text=_("Defaults to the unit's name."))
    superior_name = models.CharField(_("superior body in the letter header"), max_length=200, blank=True,
                                     help_text=_("Defaults to the unit above it."))
    place = models.CharField(_("place name in the date line"), max_length=100, blank=True,
                             help_text=_("Defaults to the unit's name."))
    signer_title = models.CharField(_("signer's title"), max_length=100, default="CHỦ TỊCH")
    series_per_type = models.BooleanField(
        _("one number series per letter type"), default=False,
        help_text=_("Otherwise one series per unit and calendar year for every letter."))

    class Meta:
        verbose_name = _("letter settings of a unit")
        verbose_name_plural = _("letter settings of units")

    def __str__(self):
        return f"{self.unit} ({self.symbol})"


class RegisterCounter(models.Model):
    """The last number given in one series of a unit's document register."""

    unit = models.ForeignKey("organisation.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    series = models.CharField(_("series"), max_length=30, blank=True, default="",
                              help_text=_("Empty: every letter type shares the series."))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document register series")
        verbose_name_plural = _("document register series")
        constraints = [models.UniqueConstraint(fields=["unit", "year", "series"], name="letters_counter_unique")]

    def __str__(self):
        return f"{self.unit} {self.year} {self.series or '*'}: {self.last_number}"


class Letter(models.Model):
    """One issued letter: numbered in its unit's register, stored as a document of the case. Append-only."""

    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="letters")
    letter_type = models.CharField(_("letter"), max_length=30, choices=LetterType.choices)
    audience = models.CharField(_("addressed to"), max_length=20, choices=Audience.choices,
                                default=Audience.PETITIONER)
    unit = models.ForeignKey("organisation.Unit", verbose_name=_("issuing unit"), on_delete=models.PROTECT,
                             related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    series = models.CharField(_("series"), max_length=30, blank=True, default="")
    number = models.PositiveIntegerField(_("number"))
    symbol = models.CharField(_("symbol"), max_length=60)
    issued_on = models.DateField(_("issued on"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  help_text=_("Empty when the letter came from the management command."))
    signer_name = models.CharField(_("signer"), max_length=200, blank=True)
    recipients = models.JSONField(_("recipients"), default=list)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    attachment = models.OneToOneField("cases.Attachment", verbose_name=_("document"), on_delete=models.PROTECT,
                                      related_name="letter")

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "series", "number"], name="letters_number_unique"),
        ]
        indexes = [models.Index(fields=["case", "issued_at"], name="letters_case_idx")]
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self):
        return f"{self.reference} {self.get_letter_type_display()}"

    @property
    def reference(self) -> str:
        """``05/TB-UBND``: the number, two digits at least (NĐ 30/2020 Appendix I), and the symbol."""
        return f"{self.number:02d}/{self.symbol}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Letter rows are append-only.")
        super().save(*args, **kwargs)
