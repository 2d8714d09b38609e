"""The home page: a way in for staff, with the SLA counts of the cases in their scope."""
from django.shortcuts import render

from cases.queues import QUEUE_TITLES
from cases.selectors import sla_counts
from access import policy
from organisation.models import Membership
from organisation.selectors import membership_changes

#: How many recent membership changes the home page shows a head (the admin has the full record).
HOME_MEMBERSHIP_CHANGES = 10


def home(request):
    context = {}
    if request.user.is_authenticated:
        counts = sla_counts(user=request.user)
        context["counts"] = counts
        context["queues"] = [{"name": name, "title": title, "count": counts[name]} for name, title in QUEUE_TITLES.items()]
        context["units"] = list(
            Membership.objects.filter(user=request.user).select_related("unit").order_by("unit__path", "role")
        )
        context["can_log_petitions"] = bool(policy.intake_unit_ids(request.user))
        context["membership_changes"] = list(membership_changes(user=request.user)[:HOME_MEMBERSHIP_CHANGES])
    return render(request, "home.html", context)
