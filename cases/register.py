"""The reception register (sổ tiếp công dân / sổ theo dõi đơn): every petition received by the user's
units and those below, filtered in the database, paged, and exportable to xlsx.

A register is a list, not a case file: it shows the petitioner as initials, and nothing derived from
the name or the content of a protected case (reference §5) — the case page, where every look is
logged, is the place for identities.
"""
import datetime as dt

import django_filters
from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access import policy
from deadlines import clock
from deadlines.models import CaseKind
from organisation.models import Unit

from .identity import mask_name
from .models import Case, Channel, Petitioner, Status
from .paging import CappedPaginator

PAGE_SIZE = 50
# An export is a working document, not a data dump: past this many rows, narrow the filter.
EXPORT_MAX_ROWS = 20_000
CONTENT_EXCERPT = 160


class RegisterFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=gettext_lazy("kind"), choices=CaseKind.choices)
    channel = django_filters.ChoiceFilter(label=gettext_lazy("channel"), choices=Channel.choices)
    status = django_filters.ChoiceFilter(label=gettext_lazy("status"), choices=Status.choices)
    unit = django_filters.ModelChoiceFilter(label=gettext_lazy("receiving unit"), queryset=Unit.objects.none(),
                                            method="received_in")
    received_after = django_filters.DateFilter(label=gettext_lazy("received from"), method="received_from")
    received_before = django_filters.DateFilter(label=gettext_lazy("received until"), method="received_until")

    class Meta:
        model = Case
        fields = ["kind", "channel", "status"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = Unit.objects.filter(pk__in=policy.access_for(user).unit_ids())
        for name in ("received_after", "received_before"):
            self.filters[name].field.widget.input_type = "date"

    def received_in(self, queryset, name, value):
        return queryset.filter(receiving_unit__in=Unit.objects.filter(path__startswith=value.path).values("pk"))

    # Days are legal days in Asia/Ho_Chi_Minh: bounds are that zone's midnights, so the index on received_at answers.
    def received_from(self, queryset, name, value):
        return queryset.filter(received_at__gte=clock.legal_midnight(value))

    def received_until(self, queryset, name, value):
        return queryset.filter(received_at__lt=clock.legal_midnight(value + dt.timedelta(days=1)))




def register_cases(*, user):
    """Petitions received by the user's units and those below, newest first, with their people counted."""
    first = Petitioner.objects.filter(case=OuterRef("pk")).order_by("pk").values("pk")[:1]
    people = (Petitioner.objects.filter(case=OuterRef("pk")).order_by().values("case")
              .annotate(n=Count("pk")).values("n"))
    return (
        Case.objects.filter(receiving_unit__in=policy.access_for(user).unit_ids())
        .select_related("receiving_unit", "competent_unit")
        .annotate(first_petitioner_id=Subquery(first), petitioner_count=Subquery(people))
        .order_by("-received_at", "-pk")
    )


def _rows(cases) -> list[dict]:
    """The register's columns for a page of cases: one more query reads the names of the unprotected ones."""
    cases = list(cases)
    wanted = [c.first_petitioner_id for c in cases if c.first_petitioner_id and not policy.is_identity_protected(c)]
    names = dict(Petitioner.objects.filter(pk__in=wanted).values_list("pk", "full_name")) if wanted else {}
    rows = []
    for case in cases:
        protected = policy.is_identity_protected(case)
        content = "" if protected else " ".join((case.content or "").split())
        if len(content) > CONTENT_EXCERPT:
            content = content[: CONTENT_EXCERPT - 1] + "…"
        rows.append({
            "case": case,
            "received": timezone.localtime(case.received_at, clock.legal_zone()),
            "petitioner": _("[protected]") if protected else mask_name(names.get(case.first_petitioner_id, "")),
            "people": case.petitioner_count or 0,
            "content": _("[protected]") if protected else content,
            "due": case.resolution_due or case.acceptance_due,
        })
    return rows


@login_required
def register_page(request):
    if not policy.is_staff_member(request.user):
        raise Http404
    filters = RegisterFilter(request.GET or None, queryset=register_cases(user=request.user), user=request.user)
    context = {"filters": filters, "page": None, "rows": []}
    if filters.is_bound and not filters.is_valid():
        return render(request, "cases/register.html", context, status=400)
    query = request.GET.copy()
    query.pop("page", None)
    if request.GET.get("format") == "xlsx":
        return _export(filters.qs, query)
    page = CappedPaginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))  # a unit's register grows without end
    query.pop("format", None)
    context.update(page=page, rows=_rows(page.object_list), query=query.urlencode())
    return render(request, "cases/register.html", context)


HEADERS = (
    gettext_lazy("No."), gettext_lazy("received at"), gettext_lazy("tracking code"), gettext_lazy("kind"),
    gettext_lazy("channel"), gettext_lazy("petitioner"), gettext_lazy("people"), gettext_lazy("content"),
    gettext_lazy("receiving unit"), gettext_lazy("competent unit"), gettext_lazy("status"), gettext_lazy("due"),
)


def _export(cases, query) -> HttpResponse:
    from openpyxl import Workbook

    total = cases.count()
    if total > EXPORT_MAX_ROWS:
        return HttpResponse(
            _("%(n)d rows match: narrow the filter to at most %(max)d rows to export them.")
            % {"n": total, "max": EXPORT_MAX_ROWS}, status=400, content_type="text/plain; charset=utf-8")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Reception register")[:31])
    sheet.append([str(h) for h in HEADERS])
    number = 0
    for start in range(0, total, 1000):
        for row in _rows(cases[start:start + 1000]):
            number += 1
            case = row["case"]
            sheet.append([
                number, row["received"].replace(tzinfo=None), case.tracking_code, case.get_kind_display(),
                case.get_channel_display(), row["petitioner"], row["people"], row["content"],
                str(case.receiving_unit), str(case.competent_unit or ""), case.get_status_display(), row["due"],
            ])
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="so-tiep-nhan-don-{timezone.now():%Y%m%d}.xlsx"'
    book.save(response)
    return response
