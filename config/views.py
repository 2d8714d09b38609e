"""The home page: a way in for staff, with their units' case counts."""
from django.db.models import Count, Exists, Q
from django.shortcuts import render

from cases.models import OPEN_STATUSES, Case, SlaState
from organisation.models import Membership, Role


def unit_case_counts(user) -> dict:
    """Open / due soon / overdue cases of the user's units, in one aggregate query.

    A case belongs to its competent unit, or to its receiving unit until a
    competent one is set. Superusers and administrators see every unit.
    """
    cases = Case.objects.all()
    if not user.is_superuser:
        memberships = Membership.objects.filter(user=user)
        units = memberships.values("unit_id")
        cases = cases.filter(
            Exists(memberships.filter(role=Role.ADMIN))
            | Q(competent_unit__in=units)
            | Q(competent_unit__isnull=True, receiving_unit__in=units)
        )
    is_open = Q(status__in=OPEN_STATUSES)
    return cases.aggregate(
        open=Count("pk", filter=is_open),
        due_soon=Count("pk", filter=is_open & Q(sla_state=SlaState.DUE_SOON)),
        overdue=Count("pk", filter=is_open & Q(sla_state=SlaState.OVERDUE)),
    )


def home(request):
    context = {}
    if request.user.is_authenticated:
        context["counts"] = unit_case_counts(request.user)
        context["units"] = (
            Membership.objects.filter(user=request.user).select_related("unit").order_by("unit__path", "role")
        )
    return render(request, "home.html", context)
