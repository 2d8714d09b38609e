"""Open311 GeoReport v2: the services offered, the clients' API keys, and what a request adds to its case.

Only feedback (phản ánh) and recommendations (kiến nghị) are offered: complaints and
denunciations need a signed, identified petition under the law (LKN Art 8, LTC Art 23).
"""
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases import crypto
from cases.models import Case, Topic
from deadlines.models import CaseKind
from organisation.models import Unit

#: The datatypes of a service attribute (GeoReport v2, GET service definition).
ATTRIBUTE_DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_DATATYPES = ("singlevaluelist", "multivaluelist")

#: The attribute every service definition carries: the submitter's consent to publish the description.
CONSENT_CODE = "publish_consent"


class ServiceKind(models.TextChoices):
    FEEDBACK = CaseKind.FEEDBACK.value, _("Feedback")
    RECOMMENDATION = CaseKind.RECOMMENDATION.value, _("Recommendation")


def validate_attributes(value) -> None:
    """The attribute definitions: a list of {code, datatype, required, description, order, values}."""
    if not isinstance(value, list):
        raise ValidationError(_("attributes must be a list"))
    codes = set()
    for item in value:
        if not isinstance(item, dict) or not str(item.get("code", "")).strip():
            raise ValidationError(_("each attribute needs a code"))
        code = str(item["code"])
        if code in codes or code == CONSENT_CODE:
            raise ValidationError(_("attribute code %(code)s is used twice or reserved") % {"code": code})
        codes.add(code)
        if item.get("datatype") not in ATTRIBUTE_DATATYPES:
            raise ValidationError(_("attribute %(code)s: unknown datatype") % {"code": code})
        values = item.get("values", [])
        if item["datatype"] in LIST_DATATYPES and (
            not isinstance(values, list) or not values
            or not all(isinstance(v, dict) and str(v.get("key", "")) for v in values)
        ):
            raise ValidationError(_("attribute %(code)s: a list needs values with a key and a name") % {"code": code})


class Open311Service(models.Model):
    """A feedback or recommendation field (``cases.Topic``) offered to Open311 clients."""

    service_code = models.SlugField(_("service code"), max_length=40, unique=True)
    name = models.CharField(_("service name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    topic = models.ForeignKey(Topic, verbose_name=_("field / topic"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices, default=ServiceKind.FEEDBACK)
    group = models.CharField(_("group"), max_length=100, blank=True)
    keywords = models.CharField(_("keywords"), max_length=255, blank=True, help_text=_("Comma-separated."))
    attributes = models.JSONField(
        _("attributes"), default=list, blank=True, validators=[validate_attributes],
        help_text=_('A list of {"code", "datatype", "required", "description", "order", "values": [{"key", "name"}]}.'),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("Open311 service")
        verbose_name_plural = _("Open311 services")
        ordering = ["group", "service_code"]
        constraints = [
            # Complaints and denunciations are never offered.
            models.CheckConstraint(condition=models.Q(kind__in=ServiceKind.values), name="open311_service_kind"),
        ]

    def __str__(self):
        return f"{self.service_code}: {self.name}"


class Open311ApiKey(models.Model):
    """A client's key for posting requests. Only its SHA-256 is stored: the key is shown once, when made."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    unit = models.ForeignKey(
        Unit, verbose_name=_("receiving unit"), on_delete=models.PROTECT, related_name="+",
        help_text=_("Requests are received by this unit, or by a unit below it named as jurisdiction_id."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def set_new_key(self) -> str:
        """Give the row a fresh random key and return it (the only time it can be read)."""
        key = secrets.token_urlsafe(32)
        self.key_hash = self.hash(key)
        self.key_prefix = key[:8]
        return key

    @classmethod
    def lookup(cls, key: str):
        """The active key row for ``key``, or None."""
        if not key:
            return None
        return cls.objects.select_related("unit").filter(key_hash=cls.hash(key), active=True).first()


class Open311Request(models.Model):
    """What an Open311 request adds to its case, written in the intake's transaction."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="open311", primary_key=True)
    service = models.ForeignKey(Open311Service, on_delete=models.PROTECT, related_name="requests")
    api_key = models.ForeignKey(Open311ApiKey, null=True, on_delete=models.SET_NULL, related_name="+")
    token = models.CharField(max_length=43, unique=True)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # The address as given (may name a house: encrypted, staff only) and its public, street-level form.
    address_string = crypto.EncryptedCharField(_("address"), max_length=255, blank=True)
    street_address = models.CharField(_("street-level address"), max_length=255, blank=True)
    address_id = models.CharField(max_length=100, blank=True)
    email = crypto.EncryptedCharField(_("e-mail"), max_length=254, blank=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    attribute_values = models.JSONField(default=dict, blank=True)
    publish_consent = models.BooleanField(_("consent to publish the description"), default=False)
    # Kept only with the consent: the text the public lists may show.
    public_description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")

    def __str__(self):
        return f"Open311 #{self.case_id}"
