"""The report page's form: a unit the user may see, with or without its sub-units, and a period."""
import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from organisation.models import Unit

from . import reporting_periods

PERIOD_CHOICES = [
    ("Q1", _("Quarter 1")),
    ("Q2", _("Quarter 2")),
    ("Q3", _("Quarter 3")),
    ("Q4", _("Quarter 4")),
    ("H1", _("6 months")),
    ("9M", _("9 months")),
    ("Y", _("Year")),
    ("range", _("Date range")),
]


class DateInput(forms.DateInput):
    input_type = "date"


class ReportForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    rollup = forms.BooleanField(label=_("Include the units below"), required=False)
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, initial="H1")
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def __init__(self, *args, unit_ids, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=sorted(unit_ids)).order_by("path")
        self.fields["year"].initial = today.year

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data["period"] == "range":
            date_from, date_to = data.get("date_from"), data.get("date_to")
            if not date_from or not date_to:
                raise forms.ValidationError(_("Give both dates of the range."))
            if date_from > date_to:
                raise forms.ValidationError(_("The start of the range is after its end."))
            data["label"] = ""
        else:
            if not data.get("year"):
                raise forms.ValidationError(_("Give the year of the period."))
            period = reporting_periods.parse_period_code(f"{data['period']}-{data['year']}")
            data["date_from"], data["date_to"], data["label"] = period.date_from, period.date_to, period.code
        return data
