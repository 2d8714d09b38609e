"""The reception desk's live look-up: as the clerk types a petitioner's ID number, phone or name,
that person's earlier petitions in the clerk's scope (htmx, ``templates/cases/intake.html``).

The people are matched on their blind indexes (``cases.crypto.digest``), never by
decrypting: one query over the petitioners' digest indexes, joined to the cases the
clerk may look at *and* whose identities they may see (a match says who petitioned
there: in a protected case, a denunciation, only the officers of reference §5 may know).
The fragment shows no person and no content: the code, kind, status, date received and a
link, with a hint where a decided first-round complaint may still be taken to the second level.
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from access import policy
from deadlines import clock
from deadlines.models import CaseKind

from . import crypto
from .models import Case, IdentityAccess, Petitioner, Status

MAX_RESULTS = 5
MIN_NAME_CHARS = 3
FIELDS = {"id_number": "id", "phone": "phone", "full_name": "name"}
#: A first-round complaint in one of these may be taken to the second level within K5 (``appeal_due``).
SECOND_ROUND_FROM = (Status.DECIDED, Status.CLOSED)


def typed_values(params) -> dict[str, str]:
    """The row's values, by field: ``id_number=`` or the formset's ``people-3-id_number=`` alike."""
    values: dict[str, str] = {}
    for key, value in params.items():
        name = key.rsplit("-", 1)[-1]
        if name in FIELDS and (value or "").strip() and name not in values:
            values[name] = value.strip()[:200]
    return values


def person_q(values: dict[str, str]) -> Q | None:
    """Petitioners with the same ID number or phone; only if neither is given, the same name. None: too little typed."""
    id_digest = crypto.digest("id", values.get("id_number", ""))
    phone_digest = crypto.digest("phone", values.get("phone", ""))
    if id_digest or phone_digest:
        return (Q(id_number_digest=id_digest) if id_digest else Q()) | (Q(phone_digest=phone_digest) if phone_digest else Q())
    name = values.get("full_name", "")
    if len(crypto.normalise_name(name).replace(" ", "")) >= MIN_NAME_CHARS:
        return Q(name_digest=crypto.digest("name", name))
    return None


def earlier_cases(user, values: dict[str, str]) -> list[Case]:
    """At most ``MAX_RESULTS`` cases of that person the user may see with their people, newest first (one query)."""
    who = person_q(values)
    if who is None:
        return []
    scope = policy.case_q(user) & policy.identity_q(user)
    cases = list(
        Case.objects.filter(scope, pk__in=Petitioner.objects.filter(who).values("case_id"))
        .only("pk", "tracking_code", "kind", "status", "version", "round", "received_at", "appeal_due",
              "identity_protected", "receiving_unit_id", "competent_unit_id", "handler_id")
        .order_by("-received_at", "-pk")[:MAX_RESULTS]
    )
    return [case for case in cases if policy.may_see_match(user, case)]  # the policy, once more, per case


def may_file_second_round(case: Case, today) -> bool:
    return (case.kind == CaseKind.COMPLAINT and case.round == 1 and case.status in SECOND_ROUND_FROM
            and case.appeal_due is not None and case.appeal_due >= today)


@never_cache
@login_required
@require_GET
def lookup(request):
    if not policy.is_staff_member(request.user):
        raise PermissionDenied
    values = typed_values(request.GET)
    cases = earlier_cases(request.user, values)
    now = timezone.now()
    today = clock.legal_date(now)
    protected = [case for case in cases if case.identity_protected]
    if protected:  # a match in a protected case tells who petitioned there: every such look is logged
        IdentityAccess.objects.bulk_create([
            IdentityAccess(case=case, user=request.user, at=now, purpose="intake_lookup", granted=True)
            for case in protected
        ])
    rows = [{"case": case, "second_round": may_file_second_round(case, today)} for case in cases]
    return render(request, "cases/includes/lookup_results.html",
                  {"rows": rows, "asked": bool(person_q(values) is not None)})
