"""The supervisors' queues: overdue, due soon, backlogged … for the user's units and those below.

Each list is one selector (``cases.selectors.queue``) filtered, sorted and
paged in the database: the page costs the same whatever the number of cases.
"""
import datetime as dt

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from access import policy
from deadlines import clock
from deadlines.models import CaseKind
from organisation.models import Unit

from . import services
from .errors import CaseError
from .models import OPEN_STATUSES, Case, Status, status_label
from .paging import CappedPaginator
from .selectors import QUEUES, queue
from .widgets import FastSelect

QUEUE_TITLES = {
    "open": _("Open cases"),
    "overdue": _("Overdue"),
    "due_soon": _("Due soon"),
    "backlogged": _("Backlogged"),
    "prolonged": _("Prolonged"),
    "over_level": _("Over-level"),
    "mass": _("Mass petitions"),
    "duplicate": _("Duplicate / repeat"),
    "unassigned": _("Without a handler"),
    "extension_requests": _("Extension requests"),
}
# On the same due date a mass petition comes first: it is a priority (TT 07/2014 Art 27).
SORTS = {
    "due": ("resolution_due", "acceptance_due", "-is_mass", "pk"),
    "-due": ("-resolution_due", "-acceptance_due", "-is_mass", "-pk"),
    "received": ("received_at", "pk"),
    "-received": ("-received_at", "-pk"),
}
PAGE_SIZE = 50
# A typed date is clamped to these, so that its midnight converts to UTC without overflowing.
FIRST_DAY, LAST_DAY = dt.date(1, 1, 2), dt.date(9999, 12, 30)


class QueueFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=CaseKind.choices, widget=FastSelect)
    status = django_filters.ChoiceFilter(label=_("status"), choices=[(s.value, s.label) for s in OPEN_STATUSES],
                                         widget=FastSelect)
    unit = django_filters.ModelChoiceFilter(label=_("unit"), queryset=Unit.objects.none(), method="in_unit",
                                      widget=FastSelect)
    # Legal dates of receipt (Asia/Ho_Chi_Minh), whatever zone the request activated: ranges on received_at.
    received_after = django_filters.DateFilter(label=_("received from"), method="received_from")
    received_before = django_filters.DateFilter(label=_("received until"), method="received_until")

    class Meta:
        model = Case
        fields = ["kind", "status"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = Unit.objects.filter(pk__in=policy.access_for(user).unit_ids())
        for name in ("received_after", "received_before"):
            self.filters[name].field.widget.input_type = "date"

    def received_from(self, queryset, name, value):
        return queryset.filter(received_at__gte=clock.legal_midnight(max(value, FIRST_DAY)))

    def received_until(self, queryset, name, value):
        return queryset.filter(received_at__lt=clock.legal_midnight(min(value, LAST_DAY) + dt.timedelta(days=1)))

    def in_unit(self, queryset, name, value):
        """A unit's cases, with its sub-units' (received or competent there)."""
        units = Unit.objects.filter(path__startswith=value.path).values("pk")
        return queryset.filter(Q(competent_unit__in=units) | Q(receiving_unit__in=units))


@login_required
def queue_page(request, name: str):
    if name not in QUEUES or not policy.is_staff_member(request.user):
        raise Http404
    cases = queue(user=request.user, name=name)
    filters = QueueFilter(request.GET or None, queryset=cases, user=request.user)
    if filters.is_bound and not filters.is_valid():
        return render(request, "cases/queue.html", {"filters": filters, "name": name,
                                                     "title": QUEUE_TITLES[name], "page": None}, status=400)
    sort = request.GET.get("sort", "due")
    rows = filters.qs.order_by(*SORTS.get(sort, SORTS["due"])).values(*ROW_FIELDS)
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    reassign = BulkReassignForm(user=request.user) if policy.reassign_unit_ids(request.user) else None
    return render(request, "cases/queue.html", {
        "filters": filters, "page": page, "rows": rows_html(_rows(page), pickable=reassign is not None), "name": name, "title": QUEUE_TITLES[name], "sort": sort,
        "query": query.urlencode(), "statuses": Status, "reassign": reassign,
    })


# A row is read as plain values, not as a Case: a page of 50 model instances (70-odd fields, their
# units and handler, django-fsm's state snapshot) cost more than the rest of the page.
ROW_FIELDS = ("pk", "tracking_code", "kind", "status", "resolution_due", "acceptance_due", "sla_state",
              "is_over_level", "is_mass", "is_duplicate", "is_backlogged", "competent_unit__name",
              "receiving_unit__name", "handler__username")
FLAG_LABELS = (("is_over_level", _("over-level")), ("is_mass", _("mass petition")),
               ("is_duplicate", _("duplicate / repeat")), ("is_backlogged", _("backlogged")))


def _rows(page) -> list[dict]:
    """The page's cases with every cell ready to print: labels are looked up once per page, not once
    per cell (the choices' labels are lazy translations), and dates are formatted here."""
    kinds = {value: str(label) for value, label in CaseKind.choices}
    badges = {"overdue": str(_("Overdue")), "due_soon": str(_("Due soon"))}
    flags = [(field, str(label)) for field, label in FLAG_LABELS]
    rows = []
    for case in page:
        due = case["resolution_due"] or case["acceptance_due"]
        rows.append({
            "pk": case["pk"], "tracking_code": case["tracking_code"], "kind": kinds.get(case["kind"], case["kind"]),
            "status": status_label(case["kind"], case["status"]),
            "unit": case["competent_unit__name"] or case["receiving_unit__name"],
            "due": due.strftime("%d/%m/%Y") if due else "—", "badge": badges.get(case["sla_state"], ""),
            "handler": case["handler__username"] or "—",
            "flags": [label for field, label in flags if case[field]],
        })
    return rows


def rows_html(rows: list[dict], *, pickable: bool) -> str:
    """The table's body, built here rather than by the template engine: 50 rows of nine cells each
    took the template most of the page's time. Every value is escaped by ``format_html``."""
    pick = gettext("Select %(code)s")
    parts = []
    for row in rows:
        cells = [format_html('<td><input type="checkbox" name="cases" value="{}" id="pick-{}" aria-label="{}"></td>',
                             row["pk"], row["pk"], pick % {"code": row["tracking_code"]})] if pickable else []
        cells.append(format_html('<td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td>',
                                 reverse("case_detail", args=[row["pk"]]), row["tracking_code"], row["kind"], row["status"], row["unit"]))
        badge = format_html(' <span class="badge">{}</span>', row["badge"]) if row["badge"] else ""
        cells.append(format_html("<td>{}{}</td><td>{}</td><td>{}</td>", row["due"], badge, row["handler"],
                                 format_html_join("", '<span class="badge">{}</span> ', ((f,) for f in row["flags"]))))
        parts.append(mark_safe(f"<tr>{''.join(cells)}</tr>"))  # noqa: S308 — every part was escaped above
    return mark_safe("\n".join(parts))  # noqa: S308


class BulkReassignForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("handler"), queryset=get_user_model().objects.none(), widget=FastSelect)
    cases = forms.TypedMultipleChoiceField(label=_("cases"), coerce=int, choices=(), required=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = policy.reassign_unit_ids(user)
        self.fields["handler"].queryset = (
            get_user_model().objects.filter(policy.handlers_q(units)).distinct().order_by("username")
        )
        self.fields["cases"].choices = [(pk, pk) for pk in self.data.getlist("cases") if str(pk).isdigit()] if (
            self.is_bound) else []


@login_required
@require_POST
def bulk_reassign(request, name: str):
    """Give the chosen cases of a queue to one handler: one ``case_assign`` act per case, each traced."""
    if name not in QUEUES or not policy.reassign_unit_ids(request.user):
        raise Http404
    form = BulkReassignForm(request.POST, user=request.user)
    back = redirect(f"{reverse('case_queue', args=[name])}?{request.POST.get('query', '')}")
    if not form.is_valid():
        messages.error(request, _("Choose a handler and at least one case."))
        return back
    chosen = queue(user=request.user, name=name).filter(pk__in=form.cleaned_data["cases"])
    done, refused = 0, []
    for case in chosen:
        try:
            services.case_assign(case=case, actor=request.user, handler=form.cleaned_data["handler"])
            done += 1
        except CaseError as error:
            refused.append(f"{case.tracking_code}: {error.message}")
    if done:
        messages.success(request, _("%(n)d cases reassigned.") % {"n": done})
    for line in refused:
        messages.warning(request, line)
    return back
