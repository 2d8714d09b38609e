"""In-app notifications: a person's escalation digests and messages, and marking them read."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .selectors import cases_of, escalations_for, messages_for

PAGE_SIZE = 20
MESSAGES_SHOWN = 50


@login_required
def notification_list(request):
    page = Paginator(escalations_for(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    cases = cases_of(user=request.user, escalations=page)
    rows = [{"escalation": e, "cases": [cases[pk] for pk in e.case_ids if pk in cases]} for e in page]
    notes = list(messages_for(user=request.user).only("pk", "subject", "body", "created_at", "read_at", "case_id")
                 [:MESSAGES_SHOWN])
    response = render(request, "notifications/list.html", {"page": page, "rows": rows, "notes": notes})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def mark_read(request):
    now = timezone.now()
    updated = escalations_for(user=request.user).filter(read_at__isnull=True).update(read_at=now)
    updated += messages_for(user=request.user).filter(read_at__isnull=True).update(read_at=now)
    messages.success(request, _("%(n)d notifications marked as read.") % {"n": updated})
    return redirect("notification_list")
