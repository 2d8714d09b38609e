"""Forms of the case tasks. They only collect input: the services validate and act."""
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from cases import grounds as legal_grounds
from cases import rules
from cases.forms import LimitationFieldsMixin, units_valid_on
from cases.identity import petitioners_for
from cases.models import Competence, DecisionResult, Topic
from deadlines.models import CaseKind, Complexity
from deadlines.rules import extension_length
from organisation.models import Unit

from access import policy


class ClassifyForm(LimitationFieldsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=CaseKind.choices)
    competent_unit = forms.ModelChoiceField(label=_("competent unit"), queryset=Unit.objects.none())
    topic = forms.ModelChoiceField(label=_("field / topic"), queryset=Topic.objects.all(), required=False)
    complexity = forms.ChoiceField(label=_("complexity"), choices=Complexity.choices)
    complexity_grounds = forms.CharField(label=_("grounds for the complexity finding"), widget=forms.Textarea, required=False)
    is_multi_site = forms.BooleanField(label=_("checks needed at several places"), required=False)
    competence = forms.ChoiceField(
        label=_("competence"), choices=Competence.choices, required=False,
        help_text=_("Outside the receiving unit's competence, or sent over the level of the competent unit: "
                    "a complaint is guided once, a denunciation forwarded within 5 working days (TT 07/2014 Art 8; "
                    "LTC Art 24(2))."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competent_unit"].queryset = units_valid_on(policy.legal_today())  # never a dissolved unit

    @classmethod
    def initial_for(cls, case):
        return {
            "kind": case.kind,
            "competent_unit": case.competent_unit_id or case.receiving_unit_id,
            "topic": case.topic_id,
            "complexity": case.complexity,
            "complexity_grounds": case.complexity_grounds,
            "is_multi_site": case.is_multi_site,
            "competence": case.competence,
            "knew_on": case.knew_on,
            "force_majeure_days": case.force_majeure_days,
            "force_majeure_ground": case.force_majeure_ground,
            "force_majeure_note": case.force_majeure_note,
        }


class AcceptanceForm(forms.Form):
    ACCEPT, REFUSE, FORWARD, GUIDE, ARCHIVE = "accept", "refuse", "forward", "guide", "archive"

    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[
            (ACCEPT, _("Accept for resolution")),
            (REFUSE, _("Do not accept (state the reason)")),
            (FORWARD, _("Forward to the competent body")),
            (GUIDE, _("Guide the petitioner (once)")),
            (ARCHIVE, _("Archive")),
        ],
    )
    ground = forms.ChoiceField(label=_("ground for not accepting"), choices=(), required=False)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea, required=False)
    to_body = forms.CharField(label=_("forward to"), max_length=255, required=False)
    petitioner_notified = forms.BooleanField(
        label=_("the petitioner was told where the petition was forwarded"), required=False, initial=True)
    instructions = forms.CharField(label=_("instructions to the petitioner"), widget=forms.Textarea, required=False)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.route = None
        if case is None:
            return
        self.fields["ground"].choices = [("", "—"), *rules.refusal_grounds(case.kind, case.round)]
        if rules.outside_competence(case):
            # §4.3: outside competence or over-level, the step is routing — guide a complaint, forward a
            # denunciation — or archiving a repeat; accepting it here is not offered.
            self.route = rules.competence_route(case)
            field = self.fields["decision"]
            field.choices = [(value, label) for value, label in field.choices if value in (self.route, self.ARCHIVE)]
            field.initial = self.route
            field.help_text = " ".join(str(p) for p in rules.competence_problems(case))
            if case.competent_unit_id and case.competent_unit_id != case.receiving_unit_id:
                self.fields["to_body"].initial = case.competent_unit.name

    def clean(self):
        data = super().clean()
        needed = {self.REFUSE: "ground", self.ARCHIVE: "reason", self.FORWARD: "to_body", self.GUIDE: "instructions"}
        field = needed.get(data.get("decision"))
        if field and not data.get(field):
            self.add_error(field, _("This field is required for the chosen decision."))
        if data.get("decision") == self.REFUSE and data.get("ground") == rules.RefusalGround.OTHER \
                and not data.get("reason"):
            self.add_error("reason", _("State the ground in words."))
        return data


class RefuseForm(forms.Form):
    """Not accepting, from the case page: a ground that fits the case's kind, and the reason in words."""

    ground = forms.ChoiceField(label=_("ground for not accepting"), choices=())
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea, required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ground"].choices = rules.refusal_grounds(case.kind, case.round)

    def clean(self):
        data = super().clean()
        if data.get("ground") == rules.RefusalGround.OTHER and not data.get("reason"):
            self.add_error("reason", _("State the ground in words."))
        return data


class SecondComplaintForm(forms.Form):
    """A second complaint, taken to the superior of the first level."""

    received_at = forms.DateTimeField(label=_("second complaint received at"),
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    content = forms.CharField(label=_("content of the second complaint"), widget=forms.Textarea, required=False,
                              help_text=_("Leave empty to carry the first complaint's content over."))


class AppealForm(SecondComplaintForm):
    decision_received_on = forms.DateField(
        label=_("the complainant received the decision on"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only if later than the decision's date: the K5 window then runs from this day."),
    )


class AssignHandlerForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("handler"), queryset=get_user_model().objects.none())

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = (
            get_user_model()
            .objects.filter(policy.handler_candidates_q(case))
            .distinct()
            .order_by("username")
        )


class VerifyForm(forms.Form):
    findings = forms.CharField(label=_("verification findings"), widget=forms.Textarea)
    findings_differ = forms.BooleanField(
        label=_("the findings differ from the complainant's demands (a dialogue is needed)"), required=False
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None and case.kind != CaseKind.COMPLAINT:
            del self.fields["findings_differ"]  # a dialogue is a complaint's step (LKN Art 30), never a denunciation's


PEOPLE_HELP = _("One per line: name and role (complainant, representative, respondent, related party, body).")


class DialogueScheduleForm(forms.Form):
    """The invitation to the dialogue: time, place and who is invited (NĐ 124 Art 28(1))."""

    scheduled_at = forms.DateTimeField(label=_("time of the dialogue"),
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label=_("place"), max_length=255)
    participants = forms.CharField(label=_("invited participants"), widget=forms.Textarea, help_text=PEOPLE_HELP)
    invited_on = forms.DateField(label=_("invitation sent on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("Leave empty if the invitation goes out today."))


class DialogueRecordForm(forms.Form):
    """What happened at the scheduled dialogue (NĐ 124 Art 28(4)–(5))."""

    HELD, ABSENT, POSTPONED = "held", "absent", "postponed"

    result = forms.ChoiceField(label=_("result"), widget=forms.RadioSelect, choices=[
        (HELD, _("The dialogue was held: record the minutes")),
        (ABSENT, _("The invited complainant did not come, without a valid reason: the case goes on to a decision")),
        (POSTPONED, _("An invited party could not come for a valid reason: the dialogue is postponed")),
    ])
    attendance = forms.CharField(label=_("who attended"), widget=forms.Textarea, required=False, help_text=PEOPLE_HELP)
    absent = forms.CharField(label=_("who was absent"), widget=forms.Textarea, required=False, help_text=PEOPLE_HELP)
    minutes = forms.CharField(label=_("minutes of the dialogue"), widget=forms.Textarea, required=False)
    outcome = forms.CharField(label=_("points agreed and still disputed"), widget=forms.Textarea, required=False)
    reason = forms.CharField(label=_("reason given for the absence"), widget=forms.Textarea, required=False)


class DecisionForm(forms.Form):
    decision_number = forms.CharField(label=_("decision number"), max_length=100)
    summary = forms.CharField(label=_("summary"), widget=forms.Textarea)
    outcome = forms.CharField(label=_("outcome"), max_length=255, required=False)


class ConclusionForm(forms.Form):
    """A denunciation ends in a conclusion on its content and the handling measures (LTC Art 35)."""

    conclusion_number = forms.CharField(label=_("conclusion number"), max_length=100)
    summary = forms.CharField(label=_("summary of the conclusion on the content of the denunciation"),
                              widget=forms.Textarea)
    measures = forms.CharField(label=_("handling measures"), widget=forms.Textarea,
                               help_text=_("What is to be done about the violations found, by whom (LTC Art 35(1)); "
                                           "say so if none is needed."))


def outcome_form(case):
    """The form of a case's outcome: a decision, or a denunciation's conclusion."""
    return ConclusionForm if case.kind == CaseKind.DENUNCIATION else DecisionForm


class SignOrReturnMixin(forms.Form):
    """The head signs the draft, or sends it back to the handler with a comment (then the outcome fields are not needed)."""

    SIGN, RETURN = "sign", "return"

    choice = forms.ChoiceField(label=_("your decision on the draft"), widget=forms.RadioSelect, required=False,
                               initial=SIGN, choices=[(SIGN, _("Sign")),
                                                      (RETURN, _("Send the draft back to the handler"))])
    comment = forms.CharField(label=_("comment for the handler"), widget=forms.Textarea, required=False,
                              help_text=_("Required when the draft is sent back: what is to be changed."))

    def returning(self) -> bool:
        return self.data.get(self.add_prefix("choice")) == self.RETURN

    def full_clean(self):
        if self.is_bound and self.returning():
            for name in self.base_fields:
                if name not in ("choice", "comment"):
                    self.fields[name].required = False
        super().full_clean()

    def clean(self):
        data = super().clean()
        if data.get("choice") == self.RETURN and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say what is to be changed in the draft."))
        return data


class ResultMixin(forms.Form):
    """What the signed decision or conclusion found: the periodic reports' right / wrong / partly right."""

    result = forms.ChoiceField(label=_("result"), choices=DecisionResult.choices, required=False)


class SignDecisionForm(SignOrReturnMixin, DecisionForm, ResultMixin):
    pass


class SignConclusionForm(SignOrReturnMixin, ConclusionForm, ResultMixin):
    pass


def sign_form(case):
    """The head's signing form: the outcome to sign, or the draft sent back with a comment."""
    return SignConclusionForm if case.kind == CaseKind.DENUNCIATION else SignDecisionForm


class ExtensionDaysMixin:
    """The days of an extension, offered up to the limit of the rule in force for the case (T4)."""

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        limit = extension_length(kind=case.kind, round=case.round, complexity=case.complexity, remote=case.is_remote,
                                 on=case.accepted_on or policy.legal_today())
        if limit:
            self.fields["days"].widget.attrs["max"] = limit
            self.fields["days"].initial = limit
            self.fields["days"].help_text = _("At most %(limit)d days.") % {"limit": limit}


class RequestExtensionForm(ExtensionDaysMixin, forms.Form):
    days = forms.IntegerField(label=_("days requested"), min_value=1)
    grounds = forms.CharField(label=_("grounds"), widget=forms.Textarea)


class RefuseExtensionForm(forms.Form):
    reason = forms.CharField(label=_("reason for the refusal"), widget=forms.Textarea)


class ConfirmForm(forms.Form):
    """A task that needs no input beyond the confirmation itself."""


class GroundsForm(forms.Form):
    grounds = forms.CharField(label=_("grounds"), widget=forms.Textarea)


class LegalGroundForm(forms.Form):
    """A suspension or resumption decision: the ground the law gives, chosen from the list for the case's kind."""

    ground = forms.ChoiceField(label=_("legal ground"), widget=forms.RadioSelect)
    grounds = forms.CharField(label=_("details"), widget=forms.Textarea, required=False,
                              help_text=_("Required for another ground."))
    decision_number = forms.CharField(label=_("decision number"), max_length=100, required=False)
    choices_by_kind = None  # kind -> the grounds the law gives

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = (self.choices_by_kind or {}).get(case.kind, ())
        self.fields["ground"].choices = [(choice.value, choice.label) for choice in allowed]


class SuspendForm(LegalGroundForm):
    choices_by_kind = legal_grounds.SUSPENSION_GROUNDS


class ResumeForm(LegalGroundForm):
    choices_by_kind = legal_grounds.RESUMPTION_GROUNDS


class ExtendForm(ExtensionDaysMixin, forms.Form):
    days = forms.IntegerField(label=_("days added"), min_value=1)
    grounds = forms.CharField(label=_("grounds"), widget=forms.Textarea)
    decision_number = forms.CharField(label=_("decision number"), max_length=100, required=False)


class ReassessComplexityForm(forms.Form):
    complexity = forms.ChoiceField(label=_("complexity"), choices=Complexity.choices)
    criteria = forms.MultipleChoiceField(label=_("criteria met (NĐ 31 Art 3; NĐ 124 Art 3a)"),
                                         choices=legal_grounds.ComplexityCriterion.choices,
                                         widget=forms.CheckboxSelectMultiple, required=False)
    grounds = forms.CharField(label=_("grounds for the complexity finding"), widget=forms.Textarea)


class SendNoticeForm(forms.Form):
    notice = forms.TypedChoiceField(label=_("decision sent to the parties"), coerce=int)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notice"].choices = [
            (notice.pk, notice_label(notice)) for notice in case.notices.filter(sent_on__isnull=True)
        ]


def notice_label(notice) -> str:
    text = f"{notice.get_purpose_display()} · {notice.decided_on:%d/%m/%Y}"
    if notice.decision_number:
        text += f" · {notice.decision_number}"
    if notice.due:
        text += " · " + str(_("to be sent by %(day)s") % {"day": f"{notice.due:%d/%m/%Y}"})
    return text


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea)
    petitioner_ids = forms.TypedMultipleChoiceField(label=_("petitioners withdrawing"), coerce=int, required=False)
    decision_number = forms.CharField(
        label=_("termination decision number"), max_length=100, required=False,
        help_text=_("Required when everyone withdraws a case already accepted: the resolution is terminated."))
    continue_resolution = forms.BooleanField(label=_("continue the resolution ex officio"), required=False)
    continue_ground = forms.ChoiceField(
        label=_("ground for continuing (LTC Art 33)"), required=False,
        choices=[("", "—"), *legal_grounds.ContinueGround.choices])

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        people = petitioners_for(user=user, case=case, purpose="withdrawal")
        self.fields["petitioner_ids"].choices = [(p["pk"], p["full_name"]) for p in people]
        if case.kind != CaseKind.DENUNCIATION:
            del self.fields["continue_resolution"], self.fields["continue_ground"]
