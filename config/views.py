"""The home page: a way in for staff, with the SLA counts of the cases in their scope."""
from django.shortcuts import render

from cases.selectors import sla_counts
from organisation.models import Membership, Role


def home(request):
    context = {}
    if request.user.is_authenticated:
        context["counts"] = sla_counts(user=request.user)
        context["units"] = list(
            Membership.objects.filter(user=request.user).select_related("unit").order_by("unit__path", "role")
        )
        context["can_log_petitions"] = any(m.role in (Role.RECEPTION, Role.HEAD) for m in context["units"])
    return render(request, "home.html", context)
