"""Public pages: a citizen follows a petition with the receipt code and PIN."""
from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Status
from .selectors import TrackingLocked, case_for_citizen, public_trail
from .services import act_label


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
                    trail=[{**row, "label": act_label(row["action"]), "status": Status(row["to_status"]).label}
                           for row in public_trail(case)],
                )
    return render(request, "cases/track.html", context, status=status)
