"""The letters of a case (issue one, download them) and the document register of the user's units.

Scope comes from ``access.policy``: a case out of scope is a 404 that reveals
nothing; issuing asks ``letters.content.may_issue`` (who may act on that step)
and the case's facts (``letters.content.problems``). The PDF itself is served
by the case's document view (``cases.documents.download``), with its identity
rules and look log.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from access import policy
from cases.errors import CaseError
from cases.models import Case

from . import content, services
from .models import Audience, Letter, LetterType
from .render import RendererUnavailable

PAGE_SIZE = 50


def _choices(user, case: Case) -> list[dict]:
    """The letters this user may issue on the case now, with the addressee."""
    options = []
    names_hidden = policy.is_identity_protected(case) and not policy.may_see_identity(user, case)
    for letter_type in LetterType:
        if not content.may_issue(user, case, letter_type):
            continue
        for audience in Audience:
            if audience == Audience.PETITIONER and names_hidden:
                continue  # a letter naming the denouncer: only for the officers of reference §5
            if not content.problems(case, letter_type, audience):
                label = letter_type.label if audience == Audience.PETITIONER else \
                    _("%(letter)s — to the accused") % {"letter": letter_type.label}
                options.append({"value": f"{letter_type.value}:{audience.value}", "label": label})
    return options


def _rows(letters) -> list[dict]:
    return [{"letter": letter, "url": reverse("case_document", args=[letter.case_id, letter.attachment_id])}
            for letter in letters]


@login_required
def case_letters(request, case_pk: int):
    case = get_object_or_404(Case.objects.select_related("receiving_unit", "competent_unit"), pk=case_pk)
    if not policy.may_view_case(request.user, case):
        raise Http404
    status, error = 200, ""
    if request.method == "POST":
        letter_type, _sep, audience = (request.POST.get("letter") or "").partition(":")
        try:
            letter = services.issue_letter(case=case, letter_type=letter_type, audience=audience or Audience.PETITIONER,
                                           actor=request.user)
        except CaseError as failure:
            status, error = failure.http_status, failure.message
        except RendererUnavailable as failure:
            status, error = 503, str(failure)
        else:
            messages.success(request, _("Letter %(reference)s issued.") % {"reference": letter.reference})
            return redirect("case_letters", case_pk=case.pk)
    letters = case.letters.select_related("unit", "issued_by").order_by("-issued_at", "-pk")
    context = {"case": case, "rows": _rows(letters), "choices": _choices(request.user, case), "error": error}
    response = render(request, "letters/case_letters.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def register(request):
    """Every letter of the user's units (and those below), newest first."""
    if not policy.is_staff_member(request.user):
        raise Http404
    letters = (Letter.objects.filter(policy.case_q(request.user, prefix="case__"))
               .select_related("case", "unit").order_by("-issued_at", "-pk"))
    year = request.GET.get("year", "")
    if year.isdigit():
        letters = letters.filter(year=int(year))
    page = Paginator(letters, PAGE_SIZE).get_page(request.GET.get("page"))
    query = f"year={year}" if year.isdigit() else ""
    response = render(request, "letters/register.html",
                      {"page": page, "rows": _rows(page.object_list), "year": year, "query": query})
    response["Cache-Control"] = "no-store"
    return response
