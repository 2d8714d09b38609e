"""What the API keeps of its own: the result of each intake sent with an Idempotency-Key."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases import crypto


class IdempotentIntake(models.Model):
    """One intake per (caller, key): a retry is answered from here, never by a second case.

    Written in the intake's own transaction, so a case exists if and only if its row does;
    two concurrent requests with the same key meet at the unique constraint.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("idempotency key"), max_length=255)
    body_hash = models.CharField(max_length=64)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    status_code = models.PositiveSmallIntegerField()
    # The citizen's tracking PIN, encrypted: a retry must hand the portal the same PIN it lost.
    pin = crypto.EncryptedCharField(max_length=20)
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        verbose_name = _("idempotent intake")
        verbose_name_plural = _("idempotent intakes")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="api_idempotent_intake_user_key")]

    def __str__(self):
        return f"{self.user_id}:{self.key}"
