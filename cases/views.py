"""Case pages: the reception desk logs a petition; a citizen follows it with the receipt code and PIN."""
import secrets

from django import forms
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from access import policy

from . import citizen, documents, services
from .errors import CaseError, InvalidInput
from .forms import IntakeForm, PetitionerFormSet, filled_petitioners
from .models import IntakeSubmission
from .selectors import case_for_citizen


class TrackForm(forms.Form):
    # Generous lengths: people type "ABCD-EFGH-JKLM" or "123 456"; the look-up normalises.
    code = forms.CharField(label=gettext_lazy("Receipt code"), max_length=40)
    pin = forms.CharField(label=gettext_lazy("PIN"), max_length=20, widget=forms.PasswordInput)


@never_cache
def track(request):
    """Show the status and due dates of one case; nothing about the people in it.

    Every failed look-up — unknown code, wrong PIN, too many attempts — gets
    the same answer, so the page tells nobody whether a code exists or is locked.
    """
    form = TrackForm(request.POST or None)
    context = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        case = case_for_citizen(code=form.cleaned_data["code"], pin=form.cleaned_data["pin"],
                                client=request.META.get("REMOTE_ADDR", ""))
        if case is None:
            form.add_error(None, _("The petition could not be shown. Check the receipt code and PIN; "
                                   "after several wrong attempts, wait an hour before trying again."))
            status = 404
        else:
            context.update(citizen.public_view(case), paper=_paper(request))
    return render(request, "cases/track.html", context, status=status)


def _paper(request) -> str:
    """The printed page size asked for (``?paper=a4``); A5 otherwise, the size of a receipt."""
    return "a4" if request.GET.get("paper", "").lower() == "a4" else "a5"


# --- intake: POST, redirect, GET -------------------------------------------------------

FORM_TOKEN_SALT = "cases.intake.form-token"
FORM_TOKEN_MAX_AGE = 24 * 3600  # a form left open overnight is filled in again
SESSION_RECEIPTS = "intake_receipts"  # receipt keys made in this session
SESSION_PINS = "intake_pins"  # receipt key → PIN, until the receipt has been shown once
SESSION_RECEIPTS_KEPT = 50


def _issue_token(user) -> str:
    """A one-time form token: a random key, signed for this user (nothing to store until it is used)."""
    return signing.TimestampSigner(salt=FORM_TOKEN_SALT).sign(f"{user.pk}:{secrets.token_urlsafe(18)}")


def _token_key(user, token: str) -> str | None:
    """The random key of a token issued to this user, or None (forged, someone else's, expired)."""
    try:
        value = signing.TimestampSigner(salt=FORM_TOKEN_SALT).unsign(token or "", max_age=FORM_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    owner, _sep, key = value.partition(":")
    return key if owner == str(user.pk) and key else None


def _to_receipt(key: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(reverse("case_receipt", args=[key]))
    response.status_code = 303  # See Other: the browser GETs the receipt, a reload never re-posts
    return response


def _remember_receipt(request, key: str, pin: str) -> None:
    """This session made the receipt: it may open it, and see the PIN on it once."""
    receipts = [k for k in request.session.get(SESSION_RECEIPTS, []) if k != key][-(SESSION_RECEIPTS_KEPT - 1):]
    request.session[SESSION_RECEIPTS] = [*receipts, key]
    request.session[SESSION_PINS] = {**request.session.get(SESSION_PINS, {}), key: pin}


def _submit(request, key: str, data: dict, petitioners: list[dict], files=()) -> IntakeSubmission:
    """Consume the form's key and log the petition, in one transaction.

    The key's row is unique: a second submission of the same form waits on the
    first one's row, then finds it and makes no case of its own. A refused
    intake rolls the row back too, so the corrected form can be sent again.
    The documents brought with the petition are filed with it in the same
    transaction: a refused one leaves no case behind.
    """
    with transaction.atomic():
        submission, created = IntakeSubmission.objects.get_or_create(key=key, defaults={"clerk": request.user})
        if not created:
            return submission
        result = services.case_intake(actor=request.user, petitioners=petitioners, **data)
        for upload in files:
            services.case_attach(case=result.case, actor=request.user, file=upload,
                                 description=_("Filed at intake"))
        submission.case = result.case
        submission.save(update_fields=["case"])
    _remember_receipt(request, key, result.pin)
    return submission


@login_required
def intake(request):
    if not policy.intake_unit_ids(request.user):
        raise PermissionDenied
    key = _token_key(request.user, request.POST.get("form_token")) if request.method == "POST" else None
    if key is not None:
        done = IntakeSubmission.objects.filter(key=key, clerk=request.user, case__isnull=False).exists()
        if done:  # a reload or a second click: the petition is logged already
            return _to_receipt(key)
    form = IntakeForm(request.POST or None, request.FILES or None, user=request.user)
    people = PetitionerFormSet(request.POST or None, prefix="people")
    status = 200
    if request.method == "POST":
        valid = form.is_valid() and people.is_valid()
        if key is None:
            form.add_error(None, _("This form has expired. Check the details and submit it again."))
            status = 400
        elif valid:
            data = dict(form.cleaned_data)
            files = data.pop("attachments", None) or []
            try:
                for upload in files:  # before intake: a document that cannot be filed stops the whole form
                    try:
                        documents.validate_upload(upload)
                    except InvalidInput as error:
                        raise InvalidInput(f"{documents.display_name(upload.name)}: {error.message}",
                                           field="attachments") from None
                submission = _submit(request, key, data, filled_petitioners(people), files)
            except CaseError as error:
                field = error.field if isinstance(error, InvalidInput) and error.field in form.fields else None
                form.add_error(field, error.message)
                status = error.http_status if error.http_status != 404 else 400
            else:
                if submission.clerk_id != request.user.pk:  # cannot happen: keys are signed per user
                    raise PermissionDenied
                return _to_receipt(key)
        else:
            status = 400
    token = request.POST.get("form_token") if key is not None else _issue_token(request.user)
    return render(request, "cases/intake.html", {"form": form, "people": people, "form_token": token},
                  status=status)


@never_cache
@login_required
def receipt(request, key):
    """The receipt of a logged petition, for the session that logged it (with the PIN, once) or staff in scope.

    The PIN is stored only as a hash: it is shown on the first view of the
    receipt in the session that logged the petition, and never again.
    """
    submission = (IntakeSubmission.objects.select_related("case__receiving_unit", "clerk")
                  .filter(key=key, case__isnull=False).first())
    if submission is None:
        raise Http404
    case = submission.case
    made_here = key in request.session.get(SESSION_RECEIPTS, [])
    if not (made_here and submission.clerk_id == request.user.pk) and not policy.may_view_case(request.user, case):
        raise Http404
    pin = None
    pins = request.session.get(SESSION_PINS, {})
    if made_here and key in pins:
        pin = pins.pop(key)
        request.session[SESSION_PINS] = pins
    return render(request, "cases/receipt.html", {
        "case": case, "pin": pin, "paper": _paper(request), "unit": case.receiving_unit,
        "officer": submission.clerk.get_full_name() or submission.clerk.get_username(),
        "acceptance_basis": citizen.deadline_basis(case, "acceptance"),
        "track_url": request.build_absolute_uri(reverse("track")),
    })
