"""The Case and its legal lifecycle.

The ``status`` column is an FSM field with ``protected=True``: the only way
to change it is a transition method below, called from ``cases.services``.
``ConcurrentTransitionMixin`` turns a save on a stale copy into
``ConcurrentTransition``; ``version`` is a second FSM-tracked column that
every act bumps, so acts that keep the status (extend, assign, partial
withdrawal) are protected the same way.
"""
import datetime as dt
import threading

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django_fsm import (
    GET_STATE,
    ConcurrentTransitionMixin,
    FSMField,
    FSMFieldMixin,
    FSMIntegerField,
    transition,
)

from access import policy
from deadlines.models import CaseKind, Complexity

from . import crypto, rules
from .rules import RefusalGround
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
# Processing has ended (routed out, refused, decided or concluded, withdrawn): the reports' "no longer pending".
PENDING_STATUSES = (Status.RECEIVED, *RESOLVING_STATUSES, Status.SUSPENDED)
ENDED_STATUSES = tuple(s for s in Status if s not in PENDING_STATUSES)


def next_due(prefix: str = "") -> models.Case:
    """The deadline a case runs against now, in SQL: the acceptance's while it awaits acceptance, the
    resolution's while it is being resolved; none while suspended (the clock is stopped) or once decided.
    An accepted case's acceptance date is met history, not a due date (it put suspended cases and
    cases without a resolution period at the top of the inbox with a past date)."""
    return models.Case(
        models.When(**{f"{prefix}status": Status.RECEIVED}, then=F(f"{prefix}acceptance_due")),
        models.When(**{f"{prefix}status__in": RESOLVING_STATUSES}, then=F(f"{prefix}resolution_due")),
        default=None, output_field=models.DateField(),
    )


def next_due_of(case) -> dt.date | None:
    """``next_due`` of a case (or a row with its status and both due dates) in Python."""
    if case.status == Status.RECEIVED:
        return case.acceptance_due
    return case.resolution_due if case.status in RESOLVING_STATUSES else None


class Competence(models.TextChoices):
    """Whether the petition is within the receiving unit's competence (TT 07/2014 Art 6, reference §4.2)."""

    UNKNOWN = "", _("Not assessed (treated as within)")
    WITHIN = "within", _("Within the receiving unit's competence")
    OUTSIDE = "outside", _("Outside the receiving unit's competence")


def status_label(kind: str, status: str) -> str:
    """A status as staff read it: a decided denunciation is *concluded* (LTC Art 35), not decided."""
    if status == Status.DECIDED and kind == CaseKind.DENUNCIATION:
        return str(_("Concluded"))
    return str(Status(status).label) if status in Status.values else status


class ForceMajeure(models.TextChoices):
    """Objective obstacles whose days are not counted in the complaint limitation period (K1, LKN Art 9)."""

    ILLNESS = "illness", _("Illness")
    NATURAL_DISASTER = "natural_disaster", _("Natural disaster")
    WAR = "war", _("War or enemy action")
    FAR_AWAY = "far_away", _("Work or study far away")
    OTHER = "other", _("Other objective obstacle")


class SlaState(models.TextChoices):
    NONE = "", _("No active deadline")
    ON_TRACK = "on_track", _("On track")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


_unprotected = threading.local()


class ProtectedFSMField(FSMField):
    """An ``FSMField(protected=True)`` whose protection is lifted per thread, not per process.

    django-fsm-2's ``refresh_from_db`` turns ``protected`` off on the field object shared by
    every thread and back on afterwards; a transition racing in another thread then read
    "Direct status modification is not allowed" (a 500). Here the flip only affects the
    thread that refreshes.
    """

    @property
    def protected(self):
        return self._protected and not getattr(_unprotected, "on", False)

    @protected.setter
    def protected(self, value):
        if not hasattr(self, "_protected"):
            self._protected = bool(value)  # the field's declaration
        else:
            _unprotected.on = not value  # refresh_from_db lifting it for a moment, in this thread only


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


class ReceptionType(models.TextChoices):
    """How citizens were received (LTCD 42/2013 Arts 12, 18; TT 02/2021 reception forms)."""

    REGULAR = "regular", _("Regular reception at the desk")
    PERIODIC_HEAD = "periodic_head", _("Periodic reception by the head")
    AD_HOC = "ad_hoc", _("Ad hoc reception")


class DecisionResult(models.TextChoices):
    """What a complaint decision or a denunciation conclusion found (TT 02/2021 forms: right, wrong, partly right)."""

    UNSPECIFIED = "", _("Not stated")
    RIGHT = "right", _("Right (well founded)")
    WRONG = "wrong", _("Wrong (unfounded)")
    PARTLY_RIGHT = "partly_right", _("Partly right")


class ReceptionSession(models.Model):
    """A reception sitting (lượt tiếp công dân) of one officer or head, in one unit, on one legal day, of one type.

    Intake at the desk creates or joins it (``cases.services.case_intake``, one upsert), adding the
    people received and, for a mass petition (5 or more people), one mass group and its people.
    The counters are what the periodic report sums; the cases logged are ``Case.reception_session``.
    """

    unit = models.ForeignKey("organisation.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="reception_sessions")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("receiving officer or head"),
                                on_delete=models.PROTECT, related_name="+", db_index=False)
    date = models.DateField(_("date"))
    type = models.CharField(_("reception type"), max_length=20, choices=ReceptionType.choices,
                            default=ReceptionType.REGULAR)
    persons = models.PositiveIntegerField(_("persons received"), default=0)
    cases = models.PositiveIntegerField(_("cases logged"), default=0)
    mass_groups = models.PositiveIntegerField(_("mass groups"), default=0)
    mass_persons = models.PositiveIntegerField(_("persons in mass groups"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reception session")
        verbose_name_plural = _("reception sessions")
        ordering = ["-date", "unit", "pk"]
        constraints = [models.UniqueConstraint(fields=["unit", "officer", "date", "type"],
                                               name="reception_session_one_per_day")]
        indexes = [models.Index(fields=["date", "unit"], name="reception_session_date_idx")]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.get_type_display()} ({self.persons})"


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
    # A denunciation's text usually names the denouncer: encrypted at rest when the case is protected.
    content = crypto.EncryptedTextField(_("content"), encrypt_when="identity_protected")
    is_signed = models.BooleanField(_("signed or fingerprinted"), default=True)

    respondent_number = models.CharField(_("contested decision number"), max_length=100, blank=True)
    respondent_date = models.DateField(_("contested decision date"), null=True, blank=True)
    respondent_issuer = models.CharField(_("issuing body / person"), max_length=255, blank=True)
    respondent_act = models.TextField(_("contested act"), blank=True)
    # K1 (LKN Art 9): the limitation runs from the day the complainant received or learned of the decision or act;
    # proven days of force majeure are not counted.
    knew_on = models.DateField(_("received or learned of the contested decision on"), null=True, blank=True)
    force_majeure_days = models.PositiveSmallIntegerField(_("days of force majeure not counted"), default=0)
    force_majeure_ground = models.CharField(
        _("force majeure ground"), max_length=20, choices=ForceMajeure.choices, blank=True
    )
    force_majeure_note = models.TextField(_("force majeure details"), blank=True)
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
    # The statutory criteria the finding rests on (cases.grounds.ComplexityCriterion codes).
    complexity_criteria = models.JSONField(_("complexity criteria"), default=list, blank=True)
    is_remote = models.BooleanField(_("remote or hard-to-reach area"), default=False)
    is_multi_site = models.BooleanField(_("checks needed at several places"), default=False)
    is_anonymous = models.BooleanField(_("anonymous / unidentifiable"), default=False)
    competence = models.CharField(_("competence"), max_length=10, choices=Competence.choices, blank=True, default="")
    # Set when the case is received as, or ever becomes, a denunciation; never cleared
    # (reference §5: reclassifying must not expose a denouncer).
    identity_protected = models.BooleanField(_("denouncer identity protected"), default=False, editable=False)

    tracking_code = models.CharField(_("tracking code"), max_length=20)
    pin_hash = models.CharField(max_length=128, editable=False)

    status = ProtectedFSMField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, protected=True
    )
    version = FSMIntegerField(default=0, editable=False)
    suspended_from = models.CharField(max_length=20, blank=True, editable=False)
    status_reason = models.TextField(_("reason"), blank=True)
    refusal_ground = models.CharField(_("ground for not accepting"), max_length=30, choices=RefusalGround.choices,
                                      blank=True)

    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    # The legal day the case stopped pending (routed out, refused, decided or concluded, fully withdrawn):
    # the reports' carried-over and backlog read it. Set once by ``cases.services._act``.
    ended_on = models.DateField(_("processing ended on"), null=True, blank=True, editable=False)
    # The resolution due date in force when the decision (or the termination) was made: "on time" in reports.
    resolution_due_at_decision = models.DateField(_("resolution due at the decision"), null=True, blank=True,
                                                  editable=False)
    result = models.CharField(_("result"), max_length=20, choices=DecisionResult.choices, blank=True, default="")
    reception_session = models.ForeignKey(
        ReceptionSession, verbose_name=_("reception session"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="case_set", db_index=False,
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    findings_differ = models.BooleanField(_("verification findings differ from the demand"), default=False)
    # Kept in step with the Dialogue records: a dialogue was held, or the invited complainant stayed away
    # without a valid reason (NĐ 124 Art 28(5) as amended by NĐ 155 Art 11). The rules read the records.
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
    # The days each extension added, one per extension (an extension may be shorter than the most T4 allows).
    extension_days = models.JSONField(_("days of each extension"), default=list, blank=True)
    suspensions = models.JSONField(
        _("suspensions"), default=list, blank=True, help_text=_("[[suspended on, resumed on or null], …] as ISO dates")
    )
    notice_sent_on = models.DateField(_("notices sent on"), null=True, blank=True)
    # A full withdrawal ends a resolution under way with a termination decision (đình chỉ giải quyết).
    termination_number = models.CharField(_("termination decision number"), max_length=100, blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    # K8 (LKN Art 11(8)): 30 days after the termination notice a later complaint on the same matter is
    # not accepted. Set once the notice is recorded as sent.
    lapse_on = models.DateField(_("complaint right lapses after"), null=True, blank=True)

    acceptance_due = models.DateField(_("acceptance due"), null=True, blank=True)
    resolution_due = models.DateField(_("resolution due"), null=True, blank=True)
    notice_due = models.DateField(_("notice due"), null=True, blank=True)
    # Set when a complaint is decided: the last day of a second complaint (K5, round 1) and the day the
    # decision becomes final if not challenged (K6 round 1, K7 round 2).
    appeal_due = models.DateField(_("second complaint due by"), null=True, blank=True)
    final_on = models.DateField(_("decision final on"), null=True, blank=True)
    # Set only where the rule changed during the acceptance window (reference §9): the stricter
    # reading's date, which the SLA sweep alerts on; the stored acceptance_due keeps the applied reading.
    acceptance_alert_due = models.DateField(_("acceptance alert date"), null=True, blank=True)
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
    # A first-round complaint left undecided past its resolution deadline whose complainant went to the
    # second level (LKN Arts 7(1), 33(1); reference §4.3): still the lower level's duty to resolve.
    is_escalated = models.BooleanField(_("taken to the second level while overdue"), default=False)
    # The handler asked for an extension and the head has not answered yet (the supervisors' queue).
    extension_requested = models.BooleanField(_("extension requested"), default=False)
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
        constraints = [
            models.UniqueConstraint(fields=["tracking_code"], name="case_tracking_code_unique"),
            models.CheckConstraint(
                condition=~models.Q(kind=CaseKind.DENUNCIATION) | models.Q(identity_protected=True),
                name="case_denunciation_identity_protected",
            ),
        ]
        indexes = [
            models.Index(fields=["competent_unit", "status"]),
            models.Index(fields=["status", "sla_state"]),
            # The overdue and due-soon queues in their default order ("due"; read backwards for "-due"):
            # a page of 50 is the first 50 entries of this index, not a sort of every such case in scope.
            # sla_state leads: without it the planner walked all open cases in due order to find the
            # overdue ones, whose acceptance-stage rows (no resolution date) sort last.
            models.Index(fields=["sla_state", "resolution_due", "acceptance_due", "-is_mass", "id"],
                         name="case_open_due_order_idx", condition=models.Q(status__in=OPEN_STATUSES)),
            # The inbox and the task queue in due order (workflows.views.CaseTaskColumnsMixin.due_ordering):
            # a page of a head's 166,000 tasks walks the first entries of this index instead of sorting them.
            models.Index(next_due(), F("is_mass").desc(), F("id"),
                         name="case_open_next_due_idx", condition=models.Q(status__in=OPEN_STATUSES)),
            models.Index(
                fields=["previous_round"], name="case_previous_round_idx", condition=models.Q(previous_round__isnull=False)
            ),
            models.Index(fields=["duplicate_of"], name="case_duplicate_of_idx", condition=models.Q(duplicate_of__isnull=False)),
            models.Index(fields=["topic"], name="case_topic_idx", condition=models.Q(topic__isnull=False)),
            models.Index(fields=["handler"], name="case_handler_idx", condition=models.Q(handler__isnull=False)),
            models.Index(fields=["reception_session"], name="case_reception_session_idx",
                         condition=models.Q(reception_session__isnull=False)),
            # reports: cases still pending (carried over, backlog) and those that ended in a window
            models.Index(fields=["received_at"], name="case_pending_received_idx", condition=models.Q(ended_on__isnull=True)),
            models.Index(fields=["ended_on", "received_at"], name="case_ended_idx",
                         condition=models.Q(ended_on__isnull=False)),
            models.Index(fields=["decided_on"], name="case_decided_idx", condition=models.Q(decided_on__isnull=False)),
            # reports: the periodic report counts the cases received in its window from this index alone
            # (index-only scan, reports.figures), not from their 70-column rows: every column it reads.
            models.Index(fields=["received_at"], name="case_report_window_idx",
                         include=["receiving_unit", "competent_unit", "topic", "kind", "status", "competence", "result",
                                  "round", "is_over_level", "is_mass", "accepted_on", "decided_on", "terminated_on",
                                  "ended_on", "resolution_due_at_decision"]),
            models.Index(fields=["resolution_due"], name="case_extension_requested_idx",
                         condition=models.Q(extension_requested=True)),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} ({self.tracking_code})"

    @property
    def state_fields(self):
        """django-fsm filters all the model's fields for its FSM ones on every instance (each load of a
        case): they are fixed, so found once per class."""
        cls = type(self)
        fields = cls.__dict__.get("_fsm_state_fields")
        if fields is None:
            fields = tuple(f for f in self._meta.fields if isinstance(f, FSMFieldMixin))
            cls._fsm_state_fields = fields
        return fields

    def save(self, *args, **kwargs):
        self.protect_identity_if_required()
        super().save(*args, **kwargs)

    def protect_identity_if_required(self) -> None:
        # Whenever the case is a denunciation it is protected, and that is never cleared (reference §5).
        if self.kind == CaseKind.DENUNCIATION:
            self.identity_protected = True

    def record_saved_state(self) -> None:
        """What ``save()`` does last, for a case written by hand-made SQL: django-fsm's optimistic lock
        compares later updates with the state saved now."""
        self._update_initial_state()

    @property
    def due_now(self) -> dt.date | None:
        """The deadline running now (``next_due_of``): what the inbox and the kanban show and sort by."""
        return next_due_of(self)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def outside_competence(self) -> bool:
        """Routed out, not accepted here: classified outside the receiving unit's competence, or over-level (§4.3)."""
        return rules.outside_competence(self)

    @property
    def status_label(self) -> str:
        return status_label(self.kind, self.status)

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

    @transition(
        field=status,
        source=Status.IN_VERIFICATION,
        target=Status.IN_DIALOGUE,
        conditions=[rules.dialogue_applies],
        permission=policy.can_handle,
    )
    def start_dialogue(self):
        pass

    @transition(
        field=status,
        source=(Status.IN_VERIFICATION, Status.IN_DIALOGUE),
        target=Status.IN_DIALOGUE,
        conditions=[rules.dialogue_applies],
        permission=policy.can_handle,
    )
    def schedule_dialogue(self):
        """Invite the parties to a dialogue (a rescheduling keeps the case in dialogue)."""

    @transition(
        field=status,
        source=RESOLVING_STATUSES,
        target=None,
        permission=policy.can_sign,
    )
    def reassess_complexity(self):
        """The resolver finds the case more (or less) complex than at acceptance; the deadline follows."""

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
        source=(Status.DECIDED, Status.CLOSED),
        target=Status.APPEALED,
        conditions=[rules.is_first_round_complaint, rules.not_taken_to_second_level, rules.within_appeal_window],
        permission=policy.can_record_appeal,
    )
    def appeal(self):
        """A second complaint within K5 of the decision: a closed case is reopened into the second round."""

    @transition(
        field=status,
        source=RESOLVING_STATUSES,
        target=None,
        conditions=[rules.is_first_round_complaint, rules.not_taken_to_second_level, rules.lower_level_overdue],
        permission=policy.can_record_appeal,
    )
    def appeal_overdue(self):
        """The first level let its resolution period pass: the complainant goes to the second level within K5
        of its expiry (LKN Arts 7(1), 33(1)); the first case stays open, flagged (a self-transition)."""
        self.is_escalated = True

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

    @transition(
        field=status,
        source=(*RESOLVING_STATUSES, Status.NOT_ACCEPTED),
        target=None,
        conditions=[rules.notices_pending],
        permission=policy.can_handle,
    )
    def send_notices(self):
        """Notices of acceptance, or of refusal with its reasons, went to the parties (a self-transition)."""

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


class IdKind(models.TextChoices):
    CCCD = "cccd", _("Citizen identity card (CCCD, 12 digits)")
    CMND = "cmnd", _("Old identity card (CMND, 9 digits)")
    PASSPORT = "passport", _("Passport (foreigners)")


class Petitioner(models.Model):
    """A person behind a petition. Every petitioner's identity is encrypted at rest (``cases.crypto``);
    the digests are blind indexes for matching the same person across cases (they cannot be read back)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="petitioners")
    full_name = crypto.EncryptedCharField(_("full name"), max_length=200)
    id_number = crypto.EncryptedCharField(_("ID number"), max_length=20, blank=True)
    # Which document the ID number is from: CCCD (12 digits), CMND (9 digits) or a passport.
    id_kind = models.CharField(_("ID document"), max_length=10, choices=IdKind.choices, blank=True)
    phone = crypto.EncryptedCharField(_("phone"), max_length=20, blank=True)
    address = crypto.EncryptedCharField(_("address"), max_length=255, blank=True)
    id_number_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    phone_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    name_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    is_representative = models.BooleanField(_("representative"), default=False)
    has_signed = models.BooleanField(_("signed"), default=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    class Meta:
        verbose_name = _("petitioner")
        verbose_name_plural = _("petitioners")
        ordering = ["pk"]
        # Partial: only petitioners who gave the value are matched.
        indexes = [
            models.Index(fields=[field], name=f"petitioner_{short}_idx", condition=~models.Q(**{field: ""}))
            for field, short in (("id_number_digest", "id_dg"), ("phone_digest", "phone_dg"), ("name_digest", "name_dg"))
        ]

    def __str__(self):
        return self.full_name

    def set_digests(self) -> None:
        """Compute the blind indexes (``bulk_create`` does not call ``save``: call this before it)."""
        for target, source, kind in crypto.DIGESTS:
            setattr(self, target, crypto.digest(kind, getattr(self, source)))

    def save(self, *args, **kwargs):
        self.set_digests()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {source for _t, source, _k in crypto.DIGESTS} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *(target for target, _s, _k in crypto.DIGESTS)}
        super().save(*args, **kwargs)


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



class CaseLink(AppendOnly):
    """A match intake found but could not show the clerk: the same person in a case the clerk may not
    see, or whose identity is protected from them (reference §5).

    It is shown only to the head of the new case's competent unit (``visible_to_unit``) and to the
    officers who may see the related case's identity (``access.policy.case_links_q``).
    """

    class Kind(models.TextChoices):
        DUPLICATE = "duplicate", _("duplicate / repeat")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links")
    related = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DUPLICATE)
    found_at = models.DateTimeField(_("found at"))
    visible_to_unit = models.ForeignKey(
        "organisation.Unit", verbose_name=_("shown to the head of"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("related case")
        verbose_name_plural = _("related cases")
        ordering = ["-found_at", "pk"]
        triggers = [append_only_trigger()]

    def __str__(self):
        return f"#{self.case_id} ~ #{self.related_id}"


class Dialogue(models.Model):
    """A dialogue appointment of a complaint (LKN Arts 30, 39; NĐ 124 Art 28 as amended by NĐ 155 Art 11).

    The invitation names the time, place and content and reaches the parties at least 5 days before
    (K10, from 1/7/2026). The minutes record who attended and who did not; an invited complainant
    who stays away without a valid reason does not stop the case (Art 28(5)). Written only by the
    services, each change with its event.
    """

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        ABSENT = "absent", _("Complainant absent without a valid reason")
        POSTPONED = "postponed", _("Postponed")

    DONE = (State.HELD, State.ABSENT)  # states that meet the dialogue requirement

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="dialogues")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.SCHEDULED)
    scheduled_at = models.DateTimeField(_("time of the dialogue"))
    place = models.CharField(_("place"), max_length=255)
    participants = models.JSONField(_("invited participants"), default=list)
    invited_on = models.DateField(_("invitation sent on"))
    basis = models.JSONField(_("lead time basis"), default=dict, blank=True)
    held_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    attendance = models.JSONField(_("attended"), default=list, blank=True)
    absent = models.JSONField(_("absent"), default=list, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    outcome = models.TextField(_("points agreed and still disputed"), blank=True)
    absence_reason = models.TextField(_("reason given for the absence"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dialogue")
        verbose_name_plural = _("dialogues")
        ordering = ["scheduled_at", "pk"]
        # the dialogue calendar: appointments still to be held, by time
        indexes = [models.Index(fields=["scheduled_at"], name="dialogue_scheduled_idx",
                                condition=models.Q(state="scheduled"))]

    def __str__(self):
        return f"#{self.case_id} {self.scheduled_at:%d/%m/%Y %H:%M} {self.get_state_display()}"


class CaseNotice(models.Model):
    """A written decision to be sent to the parties, with its own clock (K11: 3 working days for a
    complaint's suspension, resumption or termination from 1/7/2026; T5: 5 working days for a
    denunciation's). Its SLA state is kept by ``cases.notice_sweep`` like a case's."""

    class Purpose(models.TextChoices):
        SUSPENSION = "suspension", _("Suspension decision")
        RESUMPTION = "resumption", _("Resumption decision")
        TERMINATION = "termination", _("Termination decision")
        EXTENSION = "extension", _("Extension decision")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    purpose = models.CharField(_("decision"), max_length=20, choices=Purpose.choices)
    decided_on = models.DateField(_("decided on"))
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    due = models.DateField(_("to be sent by"), null=True, blank=True)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    sla = models.CharField(max_length=10, choices=SlaState.choices, blank=True, default="")
    rule = models.CharField(_("timer code"), max_length=10, blank=True)
    legal_source = models.CharField(_("legal source"), max_length=255, blank=True)
    basis = models.JSONField(_("deadline basis"), default=dict, blank=True)
    grounds = models.JSONField(_("grounds"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("decision notice")
        verbose_name_plural = _("decision notices")
        ordering = ["decided_on", "pk"]
        # The sweep's partial indexes are raw SQL in the migration (like the case's, migration 0002).

    def __str__(self):
        return f"#{self.case_id} {self.get_purpose_display()} {self.decided_on:%d/%m/%Y}"


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


class IntakeSubmission(models.Model):
    """One intake form, submitted once: its one-time token and the case it made.

    The row is written in the intake's own transaction, so of two submissions
    of the same form (a double click, a reload of the POST) exactly one makes
    a case; the other finds this row and is sent to the same receipt. Its
    random ``key`` is also the receipt's address: nothing guessable.
    """

    key = models.CharField(max_length=64, unique=True)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.OneToOneField(Case, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class PairCounts(models.Model):
    """One (receiving unit, competent unit) pair's count per supervisor queue: the columns
    ``cases.queue_counts`` writes (one per name in its ``CONDITIONS``), shared by the base rows and
    their deltas so the two tables cannot drift apart."""

    receiving_unit_id = models.IntegerField()
    competent_key = models.IntegerField()
    open = models.BigIntegerField(default=0)
    overdue = models.BigIntegerField(default=0)
    due_soon = models.BigIntegerField(default=0)
    backlogged = models.BigIntegerField(default=0)
    prolonged = models.BigIntegerField(default=0)
    over_level = models.BigIntegerField(default=0)
    mass = models.BigIntegerField(default=0)
    duplicate = models.BigIntegerField(default=0)
    unassigned = models.BigIntegerField(default=0)
    extension_requests = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class QueueCount(PairCounts):
    """How many open cases of one (receiving unit, competent unit) pair each supervisor queue holds.

    Kept by the database's own triggers on PostgreSQL (``cases.queue_counts``), never written
    by code: the home counters sum a handful of these rows instead of reading every open case.
    ``competent_key`` is the competent unit's id, or 0 while none is set.
    """

    class Meta:
        constraints = [models.UniqueConstraint(fields=["receiving_unit_id", "competent_key"], name="unique_queue_count")]
        indexes = [models.Index(fields=["competent_key"], name="queuecount_competent")]


class QueueCountDelta(PairCounts):
    """A change to one pair's queue counts not yet folded into its ``QueueCount`` row.

    Appended by the same triggers (``cases.queue_counts``): an act never updates a shared
    counter row, so acts on cases of one unit do not wait on each other's commit. The
    counts read are the base row plus these; ``queue_counts.fold`` moves them into the base
    rows (beat, and ``recount``).
    """

    class Meta:
        indexes = [
            models.Index(fields=["receiving_unit_id"], name="queuecountdelta_receiving"),
            models.Index(fields=["competent_key"], name="queuecountdelta_competent"),
        ]
