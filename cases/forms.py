"""Reception desk forms. They collect input; the intake service validates and decides."""
from django import forms
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deadlines import clock
from deadlines.models import CaseKind, Complexity
from access import policy
from organisation.models import Unit

from . import formats
from .identity import IDENTITY_FIELDS
from .models import Channel, ForceMajeure, IdKind, ReceptionType, Topic


def units_valid_on(day):
    """The units that exist on ``day``: the only ones a form may offer (a dissolved unit has nobody to act)."""
    return Unit.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


class LimitationFieldsMixin(forms.Form):
    """The K1 facts of a complaint (LKN Art 9): when the complainant received or learned of the decision,
    and proven days of force majeure that are not counted, with their ground."""

    knew_on = forms.DateField(
        label=_("received or learned of the contested decision on"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Complaints only; the limitation period (90 days) runs from this day. "
                    "Empty: the decision's date."),
    )
    force_majeure_days = forms.IntegerField(label=_("days of force majeure not counted"), min_value=0,
                                            max_value=3650, required=False, initial=0)
    force_majeure_ground = forms.ChoiceField(label=_("force majeure ground"), required=False,
                                             choices=[("", "—"), *ForceMajeure.choices])
    force_majeure_note = forms.CharField(label=_("force majeure details"), required=False,
                                         widget=forms.Textarea(attrs={"rows": 2}))

    LIMITATION_FIELDS = ("knew_on", "force_majeure_days", "force_majeure_ground", "force_majeure_note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # After the contested decision's fields where the form has them, else last.
        names = [name for name in self.fields if name not in self.LIMITATION_FIELDS]
        at = names.index("respondent_act") + 1 if "respondent_act" in names else len(names)
        self.order_fields([*names[:at], *self.LIMITATION_FIELDS, *names[at:]])

    def clean_force_majeure_days(self):
        return self.cleaned_data.get("force_majeure_days") or 0


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by ``cases.documents.validate_upload`` before intake."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


#: Fields that belong to some kinds only: shown (``data-kinds``) and kept only for those kinds.
KIND_ONLY_FIELDS = {
    **{name: (CaseKind.COMPLAINT,) for name in ("respondent_number", "respondent_date", "respondent_issuer",
                                                  "respondent_act", *LimitationFieldsMixin.LIMITATION_FIELDS)},
    "accused": (CaseKind.DENUNCIATION,),
}


class IntakeForm(LimitationFieldsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=CaseKind.choices)
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    reception_type = forms.ChoiceField(
        label=_("reception type"), choices=ReceptionType.choices, initial=ReceptionType.REGULAR, required=False,
        help_text=_("For a petition received in person: it is counted in this reception session of the day."),
    )
    received_at = forms.DateTimeField(label=_("received at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    receiving_unit = forms.ModelChoiceField(label=_("receiving unit"), queryset=Unit.objects.none())
    competent_unit = forms.ModelChoiceField(
        label=_("competent unit"), queryset=Unit.objects.none(), required=False,
        help_text=_("Leave empty if not yet known: classification sets it, and no petition is accepted without it."),
    )
    topic = forms.ModelChoiceField(label=_("field / topic"), queryset=Topic.objects.all(), required=False)
    content = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 5}))
    respondent_number = forms.CharField(label=_("contested decision number"), max_length=100, required=False)
    respondent_date = forms.DateField(label=_("contested decision date"), required=False,
                                      widget=forms.DateInput(attrs={"type": "date"}))
    respondent_issuer = forms.CharField(label=_("issuing body / person"), max_length=255, required=False)
    respondent_act = forms.CharField(label=_("contested act"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    accused = forms.CharField(label=_("accused person or body"), max_length=255, required=False)
    complexity = forms.ChoiceField(label=_("complexity"), choices=Complexity.choices, initial=Complexity.SIMPLE)
    complexity_grounds = forms.CharField(label=_("grounds for the complexity finding"), required=False,
                                         widget=forms.Textarea(attrs={"rows": 2}))
    is_signed = forms.BooleanField(label=_("signed or fingerprinted"), required=False, initial=True)
    is_anonymous = forms.BooleanField(label=_("anonymous / unidentifiable"), required=False)
    is_multi_site = forms.BooleanField(label=_("checks needed at several places"), required=False)
    attachments = MultipleFileField(
        label=_("attachments (scans, evidence)"), required=False,
        help_text=_("PDF, images, Word, Excel, ODT or text; up to 20 MB each. They are filed with the case."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["received_at"].initial = now
        earliest = settings.EARLIEST_RECEIPT_DATE
        self.fields["received_at"].widget.attrs.update(min=f"{earliest:%Y-%m-%d}T00:00", max=f"{now:%Y-%m-%dT%H:%M}")
        self.fields["respondent_date"].widget.attrs.update(min=f"{earliest:%Y-%m-%d}", max=f"{now:%Y-%m-%d}")
        valid = units_valid_on(clock.legal_date(now))  # the legal day, whatever zone the clerk's page shows
        self.fields["competent_unit"].queryset = valid
        receiving = valid.filter(pk__in=policy.intake_unit_ids(user))
        self.fields["receiving_unit"].queryset = receiving
        self.fields["receiving_unit"].initial = receiving.order_by("path").first()
        for name, kinds in KIND_ONLY_FIELDS.items():
            self.fields[name].kinds = " ".join(kinds)  # the template's data-kinds; intake.js shows the kind's own

    def clean(self):
        """A field of another kind is ignored, whatever the page sent (it may be hidden, not emptied)."""
        data = super().clean()
        data["reception_type"] = data.get("reception_type") or ReceptionType.REGULAR
        kind = data.get("kind")
        for name, kinds in KIND_ONLY_FIELDS.items():
            if kind not in kinds:
                data[name] = 0 if name == "force_majeure_days" else None if name in ("knew_on", "respondent_date") else ""
                self.errors.pop(name, None)
        return data


class PetitionerForm(forms.Form):
    """One row per person; a row left blank is ignored (the service insists on a name otherwise)."""

    full_name = forms.CharField(label=_("full name"), max_length=200, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=30, required=False)
    id_kind = forms.ChoiceField(
        label=_("ID document"), required=False,
        choices=[("", _("CCCD or CMND (by the number of digits)")), *IdKind.choices],
    )
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    address = forms.CharField(label=_("address"), max_length=255, required=False)
    is_representative = forms.BooleanField(label=_("representative"), required=False)
    has_signed = forms.BooleanField(label=_("signed"), required=False, initial=True)

    LOOKUP_FIELDS = ("full_name", "id_number", "phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["aria-label"] = field.label  # the column header is the visible label
        for name in self.LOOKUP_FIELDS:  # typing here shows the person's earlier petitions (htmx, cases.lookup)
            self.fields[name].widget.attrs.update({
                "hx-get": reverse("case_lookup"), "hx-trigger": "keyup changed delay:500ms, change",
                "hx-include": "closest tr", "hx-target": "#petitioner-lookup", "hx-sync": "closest tr:replace",
                "autocomplete": "off",
            })

    def clean(self):
        """The same checks as the intake service, shown next to the field."""
        data = super().clean()
        try:
            data["id_number"], data["id_kind"] = formats.id_document(data.get("id_number"), data.get("id_kind"))
        except ValueError as error:
            self.add_error("id_number", str(error))
        try:
            data["phone"] = formats.phone(data.get("phone"))
        except ValueError as error:
            self.add_error("phone", str(error))
        return data


PetitionerFormSet = forms.formset_factory(PetitionerForm, extra=3, max_num=200, validate_max=True)



def filled_petitioners(formset) -> list[dict]:
    """The rows the clerk wrote something in."""
    return [row for row in formset.cleaned_data if row and any(row.get(name) for name in IDENTITY_FIELDS)]
