"""Forms of the case tasks. They only collect input: the services validate and act."""
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from cases import rules
from cases.forms import LimitationFieldsMixin, units_valid_on
from cases.identity import petitioners_for
from cases.models import Competence, Topic
from deadlines.models import CaseKind, Complexity
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


class DialogueForm(forms.Form):
    minutes = forms.CharField(label=_("minutes of the dialogue"), widget=forms.Textarea)


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


class ConfirmForm(forms.Form):
    """A task that needs no input beyond the confirmation itself."""


class GroundsForm(forms.Form):
    grounds = forms.CharField(label=_("grounds"), widget=forms.Textarea)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea)
    petitioner_ids = forms.TypedMultipleChoiceField(label=_("petitioners withdrawing"), coerce=int, required=False)
    continue_resolution = forms.BooleanField(label=_("continue the resolution ex officio"), required=False)

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        people = petitioners_for(user=user, case=case, purpose="withdrawal")
        self.fields["petitioner_ids"].choices = [(p["pk"], p["full_name"]) for p in people]
