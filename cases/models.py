"""The Case and its legal lifecycle.

The ``status`` column is an FSM field with ``protected=True``: the only way
to change it is a transition method below, called from ``cases.services``.
``ConcurrentTransitionMixin`` turns a save on a stale copy into
``ConcurrentTransition``; ``version`` is a second FSM-tracked column that
every act bumps, so acts that keep the status (extend, assign, partial
withdrawal) are protected the same way.
"""
import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField, FSMIntegerField, transition

from access import policy
from deadlines.models import CaseKind, Complexity

from . import rules
from .storage import private_storage


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    MAIL = "mail", _("Mail")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    WEB = "web", _("Web / API")
    FORWARDED = "forwarded", _("Forwarded by another body")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    FORWARDED = "forwarded", _("Forwarded")
    GUIDED = "guided", _("Guided (instructed once)")
    ARCHIVED = "archived", _("Archived")
    IN_VERIFICATION = "in_verification", _("In verification")
    IN_DIALOGUE = "in_dialogue", _("In dialogue")
    DECIDED = "decided", _("Decided")
    CLOSED = "closed", _("Closed")
    APPEALED = "appealed", _("Appealed")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The resolution clock runs in these statuses.
RESOLVING_STATUSES = (Status.ACCEPTED, Status.IN_VERIFICATION, Status.IN_DIALOGUE)
# A case in one of these is still somebody's work.
OPEN_STATUSES = (Status.RECEIVED, *RESOLVING_STATUSES, Status.SUSPENDED, Status.DECIDED)
FINAL_STATUSES = tuple(s for s in Status if s not in OPEN_STATUSES)


class SlaState(models.TextChoices):
    NONE = "", _("No active deadline")
    ON_TRACK = "on_track", _("On track")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class Topic(models.Model):
    """Field / subject of a petition (land, compensation and site clearance, social policy …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = _("field / topic")
        verbose_name_plural = _("fields / topics")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Case(ConcurrentTransitionMixin, models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    receiving_unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("receiving unit"), on_delete=models.PROTECT, related_name="received_cases"
    )
    competent_unit = models.ForeignKey(
        "organisation.Unit",
        verbose_name=_("competent unit"),
        on_delete=models.PROTECT,
        related_name="competent_cases",
        null=True,
        blank=True,
        db_index=False,  # led by the (competent_unit, status) index below
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("field / topic"), on_delete=models.PROTECT, null=True, blank=True, db_index=False
    )
    content = models.TextField(_("content"))
    is_signed = models.BooleanField(_("signed or fingerprinted"), default=True)

    respondent_number = models.CharField(_("contested decision number"), max_length=100, blank=True)
    respondent_date = models.DateField(_("contested decision date"), null=True, blank=True)
    respondent_issuer = models.CharField(_("issuing body / person"), max_length=255, blank=True)
    respondent_act = models.TextField(_("contested act"), blank=True)
    accused = models.CharField(_("accused person or body"), max_length=255, blank=True)

    round = models.PositiveSmallIntegerField(_("round"), default=1, choices=[(1, _("First")), (2, _("Second"))])
    previous_round = models.ForeignKey(
        "self",
        verbose_name=_("first-round case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        db_index=False,
    )
    complexity = models.CharField(_("complexity"), max_length=20, choices=Complexity.choices, default=Complexity.SIMPLE)
    complexity_grounds = models.TextField(_("grounds for the complexity finding"), blank=True)
    is_remote = models.BooleanField(_("remote or hard-to-reach area"), default=False)
    is_multi_site = models.BooleanField(_("checks needed at several places"), default=False)
    is_anonymous = models.BooleanField(_("anonymous / unidentifiable"), default=False)
    # Set when the case is received as, or ever becomes, a denunciation; never cleared
    # (reference §5: reclassifying must not expose a denouncer).
    identity_protected = models.BooleanField(_("denouncer identity protected"), default=False, editable=False)

    tracking_code = models.CharField(_("tracking code"), max_length=20)
    pin_hash = models.CharField(max_length=128, editable=False)

    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, protected=True)
    version = FSMIntegerField(default=0, editable=False)
    suspended_from = models.CharField(max_length=20, blank=True, editable=False)
    status_reason = models.TextField(_("reason"), blank=True)

    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    findings_differ = models.BooleanField(_("verification findings differ from the demand"), default=False)
    dialogue_held = models.BooleanField(_("dialogue held"), default=False)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    extensions = models.PositiveSmallIntegerField(_("extensions granted"), default=0)
    suspensions = models.JSONField(
        _("suspensions"), default=list, blank=True, help_text=_("[[suspended on, resumed on or null], …] as ISO dates")
    )
    notice_sent_on = models.DateField(_("notices sent on"), null=True, blank=True)

    acceptance_due = models.DateField(_("acceptance due"), null=True, blank=True)
    resolution_due = models.DateField(_("resolution due"), null=True, blank=True)
    notice_due = models.DateField(_("notice due"), null=True, blank=True)
    acceptance_sla = models.CharField(max_length=10, choices=SlaState.choices, blank=True, default="")
    resolution_sla = models.CharField(max_length=10, choices=SlaState.choices, blank=True, default="")
    notice_sla = models.CharField(max_length=10, choices=SlaState.choices, blank=True, default="")
    sla_state = models.CharField(_("SLA"), max_length=10, choices=SlaState.choices, blank=True, default="")
    deadline_basis = models.JSONField(_("deadline basis"), default=list, blank=True)

    is_backlogged = models.BooleanField(_("backlogged (tồn đọng)"), default=False)
    is_prolonged = models.BooleanField(_("prolonged (kéo dài)"), default=False)
    is_over_level = models.BooleanField(_("over-level (vượt cấp)"), default=False)
    is_mass = models.BooleanField(_("mass petition (đông người)"), default=False)
    is_duplicate = models.BooleanField(_("duplicate / repeat"), default=False)
    is_refiled = models.BooleanField(_("refiled after a final decision"), default=False)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at"]
        # Every index is paid for by each intake and each row the sweep moves:
        # keep only those a query needs (the sweep's own partial indexes live
        # in migration 0002), and make the sparse ones partial.
        constraints = [models.UniqueConstraint(fields=["tracking_code"], name="case_tracking_code_unique")]
        indexes = [
            models.Index(fields=["competent_unit", "status"]),
            models.Index(fields=["status", "sla_state"]),
            models.Index(
                fields=["previous_round"], name="case_previous_round_idx", condition=models.Q(previous_round__isnull=False)
            ),
            models.Index(fields=["duplicate_of"], name="case_duplicate_of_idx", condition=models.Q(duplicate_of__isnull=False)),
            models.Index(fields=["topic"], name="case_topic_idx", condition=models.Q(topic__isnull=False)),
            models.Index(fields=["handler"], name="case_handler_idx", condition=models.Q(handler__isnull=False)),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} ({self.tracking_code})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # --- transitions: conditions and permissions live in cases.rules -------------

    @transition(field=status, source=Status.RECEIVED, target=Status.RECEIVED, permission=policy.can_classify)
    def classify(self):
        """Reception fixes kind, field, competence and complexity before acceptance."""

    @transition(
        field=status,
        source=Status.RECEIVED,
        target=Status.ACCEPTED,
        conditions=[rules.is_acceptable],
        permission=policy.can_decide_acceptance,
    )
    def accept(self):
        pass

    @transition(field=status, source=Status.RECEIVED, target=Status.NOT_ACCEPTED, permission=policy.can_decide_acceptance)
    def refuse(self):
        pass

    @transition(field=status, source=Status.RECEIVED, target=Status.FORWARDED, permission=policy.can_route)
    def forward(self):
        pass

    @transition(
        field=status,
        source=Status.RECEIVED,
        target=Status.GUIDED,
        conditions=[rules.not_guided_before],
        permission=policy.can_route,
    )
    def guide(self):
        pass

    @transition(field=status, source=Status.RECEIVED, target=Status.ARCHIVED, permission=policy.can_route)
    def archive(self):
        pass

    @transition(
        field=status, source=RESOLVING_STATUSES, target=None, permission=policy.can_assign
    )
    def assign(self):
        """Give the case to a handler (a self-transition: the status is unchanged)."""

    @transition(
        field=status,
        source=Status.ACCEPTED,
        target=Status.IN_VERIFICATION,
        conditions=[rules.has_handler],
        permission=policy.can_handle,
    )
    def start_verification(self):
        pass

    @transition(field=status, source=Status.IN_VERIFICATION, target=Status.IN_DIALOGUE, permission=policy.can_handle)
    def start_dialogue(self):
        pass

    @transition(
        field=status,
        source=(Status.IN_VERIFICATION, Status.IN_DIALOGUE),
        target=Status.DECIDED,
        conditions=[rules.dialogue_requirement_met],
        permission=policy.can_sign,
    )
    def decide(self):
        pass

    @transition(field=status, source=Status.DECIDED, target=Status.CLOSED, permission=policy.can_sign)
    def close(self):
        pass

    @transition(
        field=status,
        source=Status.DECIDED,
        target=Status.APPEALED,
        conditions=[rules.is_first_round_complaint],
        permission=policy.can_record_appeal,
    )
    def appeal(self):
        pass

    @transition(
        field=status,
        source=RESOLVING_STATUSES,
        target=Status.SUSPENDED,
        conditions=[rules.suspension_allowed],
        permission=policy.can_sign,
    )
    def suspend(self):
        self.suspended_from = self.status

    @transition(
        field=status,
        source=Status.SUSPENDED,
        target=GET_STATE(lambda case: case.suspended_from, states=list(RESOLVING_STATUSES)),
        permission=policy.can_sign,
    )
    def resume(self):
        """The clock runs again; services close the open suspension period."""

    @transition(
        field=status,
        source=RESOLVING_STATUSES,
        target=None,
        conditions=[rules.extension_allowed],
        permission=policy.can_sign,
    )
    def extend(self):
        self.extensions += 1

    @transition(field=status, source=RESOLVING_STATUSES, target=None, permission=policy.can_handle)
    def send_notices(self):
        """Notices of acceptance went to the parties (a self-transition)."""

    @transition(
        field=status,
        source=(Status.RECEIVED, *RESOLVING_STATUSES, Status.SUSPENDED),
        target=Status.WITHDRAWN,
        permission=policy.can_record_withdrawal,
    )
    def withdraw(self):
        pass

    @transition(
        field=status,
        source=(Status.RECEIVED, *RESOLVING_STATUSES, Status.SUSPENDED),
        target=None,
        permission=policy.can_record_withdrawal,
    )
    def withdraw_partially(self):
        """Some petitioners withdraw; the case continues for the others (NĐ 155 Art 5)."""


class Petitioner(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="petitioners")
    full_name = models.CharField(_("full name"), max_length=200)
    id_number = models.CharField(_("ID number"), max_length=20, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_representative = models.BooleanField(_("representative"), default=False)
    has_signed = models.BooleanField(_("signed"), default=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    class Meta:
        verbose_name = _("petitioner")
        verbose_name_plural = _("petitioners")
        ordering = ["pk"]

    def __str__(self):
        return self.full_name


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/", storage=private_storage, max_length=200)
    description = models.CharField(_("description"), max_length=255, blank=True)
    is_original = models.BooleanField(_("original document"), default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


def append_only_trigger() -> pgtrigger.Protect:
    """On PostgreSQL the database itself refuses UPDATE and DELETE (TRUNCATE, used by test flushes, is not
    a row operation). A deliberate wipe — ``seed_demo --reset`` — runs under ``pgtrigger.ignore``."""
    return pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)


class AppendOnly(models.Model):
    """A record that is written once: saving it again is a programming error (and refused by the database)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)


class CaseEvent(AppendOnly):
    """Append-only trail of every act on a case.

    ``dedupe_key`` is unique: the SLA sweep inserts with ON CONFLICT DO
    NOTHING, so two sweeps racing can never record the same event twice.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", db_index=False)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=120, null=True, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]
        # The sweep inserts events by the hundred thousand: one index for the
        # case's trail, one for the dedupe key, none it does not need.
        constraints = [models.UniqueConstraint(fields=["dedupe_key"], name="case_event_dedupe_key_unique")]
        indexes = [
            models.Index(fields=["case", "at"], name="case_event_trail_idx"),
            models.Index(fields=["actor"], name="case_event_actor_idx", condition=models.Q(actor__isnull=False)),
        ]
        triggers = [append_only_trigger()]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.from_status}→{self.to_status}"



class IdentityAccess(AppendOnly):
    """Every look at a denouncer's identity (LTC Arts 8(3), 47, 56; reference §5). Append-only."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="identity_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), db_index=True)
    purpose = models.CharField(_("purpose"), max_length=100)
    granted = models.BooleanField(_("granted"))

    class Meta:
        verbose_name = _("identity access")
        verbose_name_plural = _("identity accesses")
        ordering = ["-at"]
        triggers = [append_only_trigger()]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} → #{self.case_id} ({self.purpose})"
