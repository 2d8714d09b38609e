"""Case pages: the reception desk logs a petition; a citizen follows it with the receipt code and PIN."""
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access import policy

from . import services
from .errors import CaseError, InvalidInput
from .forms import IntakeForm, PetitionerFormSet, filled_petitioners
from .models import Status
from .selectors import TrackingLocked, case_for_citizen, public_trail


class TrackForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Receipt code"), max_length=20)
    pin = forms.CharField(label=gettext_lazy("PIN"), max_length=6, widget=forms.PasswordInput)


def track(request):
    """Show the status and due dates of one case; nothing about the people in it."""
    form = TrackForm(request.POST or None)
    context = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            case = case_for_citizen(code=form.cleaned_data["code"], pin=form.cleaned_data["pin"],
                                    client=request.META.get("REMOTE_ADDR", ""))
        except TrackingLocked:
            form.add_error(None, _("Too many wrong attempts. Please try again in an hour."))
            status = 429
        else:
            if case is None:
                form.add_error(None, _("No petition matches this receipt code and PIN."))
                status = 404
            else:
                context.update(
                    case=case,
                    trail=[{**row, "label": services.act_label(row["action"]), "status": Status(row["to_status"]).label}
                           for row in public_trail(case)],
                )
    return render(request, "cases/track.html", context, status=status)


@login_required
def intake(request):
    if not policy.intake_unit_ids(request.user):
        raise PermissionDenied
    form = IntakeForm(request.POST or None, user=request.user)
    people = PetitionerFormSet(request.POST or None, prefix="people")
    status = 200
    if request.method == "POST":
        if form.is_valid() and people.is_valid():
            data = dict(form.cleaned_data)
            petitioners = filled_petitioners(people)
            try:
                result = services.case_intake(actor=request.user, petitioners=petitioners, **data)
            except CaseError as error:
                field = error.field if isinstance(error, InvalidInput) and error.field in form.fields else None
                form.add_error(field, error.message)
                status = error.http_status if error.http_status != 404 else 400
            else:
                return render(request, "cases/receipt.html", {"case": result.case, "pin": result.pin}, status=201)
        else:
            status = 400
    return render(request, "cases/intake.html", {"form": form, "people": people}, status=status)
