"""Reception sessions (lượt tiếp công dân): the desk's sittings, and their register.

A session is one officer's (or the head's) reception in one unit on one legal day, of one type
(regular desk, periodic reception by the head, ad hoc). Intake at the desk joins it with one
``INSERT … ON CONFLICT DO UPDATE`` that adds the people received and, for a mass petition, one
mass group with its people, so two clerks' intakes never lose a count. The register lists the
sessions of the user's units and those below; it shows counts only, never a person.
"""
import datetime as dt

import django_filters
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access import policy
from organisation.models import Unit

from .models import ReceptionSession, ReceptionType

PAGE_SIZE = 50
EXPORT_MAX_ROWS = 20_000


def join_session(*, unit_id: int, officer_id: int, day: dt.date, type: str, persons: int, mass: bool) -> int:
    """Create or join the officer's session of the day and count the intake in it; the session's id."""
    table = ReceptionSession._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} (unit_id, officer_id, date, type, persons, cases, mass_groups, mass_persons,
                                     created_at)
                VALUES (%s, %s, %s, %s, %s, 1, %s, %s, %s)
                ON CONFLICT (unit_id, officer_id, date, type) DO UPDATE SET
                    persons = {table}.persons + EXCLUDED.persons,
                    cases = {table}.cases + 1,
                    mass_groups = {table}.mass_groups + EXCLUDED.mass_groups,
                    mass_persons = {table}.mass_persons + EXCLUDED.mass_persons
                RETURNING id""",
            [unit_id, officer_id, day, type, persons, 1 if mass else 0, persons if mass else 0, timezone.now()],
        )
        return cursor.fetchone()[0]


class SessionFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(label=gettext_lazy("reception type"), choices=ReceptionType.choices)
    unit = django_filters.ModelChoiceFilter(label=gettext_lazy("unit"), queryset=Unit.objects.none(),
                                            method="in_unit")
    date_after = django_filters.DateFilter(label=gettext_lazy("from"), field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(label=gettext_lazy("until"), field_name="date", lookup_expr="lte")

    class Meta:
        model = ReceptionSession
        fields = ["type"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = Unit.objects.filter(pk__in=policy.access_for(user).unit_ids())
        for name in ("date_after", "date_before"):
            self.filters[name].field.widget.input_type = "date"

    def in_unit(self, queryset, name, value):
        return queryset.filter(unit__in=Unit.objects.filter(path__startswith=value.path).values("pk"))


def register_sessions(*, user):
    """Sessions held in the user's units and those below, newest first."""
    return (ReceptionSession.objects.filter(unit__in=policy.access_for(user).unit_ids())
            .select_related("unit", "officer").order_by("-date", "unit__path", "pk"))


HEADERS = (
    gettext_lazy("No."), gettext_lazy("date"), gettext_lazy("unit"), gettext_lazy("reception type"),
    gettext_lazy("receiving officer or head"), gettext_lazy("persons received"), gettext_lazy("cases logged"),
    gettext_lazy("mass groups"), gettext_lazy("persons in mass groups"),
)


def _officer(session) -> str:
    officer = session.officer
    return (officer.get_full_name() or officer.get_username()) if officer else ""


@login_required
def sessions_page(request):
    if not policy.is_staff_member(request.user):
        raise Http404
    filters = SessionFilter(request.GET or None, queryset=register_sessions(user=request.user), user=request.user)
    context = {"filters": filters, "page": None}
    if filters.is_bound and not filters.is_valid():
        return render(request, "cases/reception_sessions.html", context, status=400)
    query = request.GET.copy()
    query.pop("page", None)
    if request.GET.get("format") == "xlsx":
        return _export(filters.qs)
    query.pop("format", None)
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(page=page, rows=[(s, _officer(s)) for s in page.object_list], query=query.urlencode())
    return render(request, "cases/reception_sessions.html", context)


def _export(sessions) -> HttpResponse:
    from openpyxl import Workbook

    total = sessions.count()
    if total > EXPORT_MAX_ROWS:
        return HttpResponse(
            _("%(n)d rows match: narrow the filter to at most %(max)d rows to export them.")
            % {"n": total, "max": EXPORT_MAX_ROWS}, status=400, content_type="text/plain; charset=utf-8")
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Reception sessions")[:31])
    sheet.append([str(h) for h in HEADERS])
    for number, session in enumerate(sessions.iterator(chunk_size=1000), start=1):
        sheet.append([number, session.date, str(session.unit), session.get_type_display(), _officer(session),
                      session.persons, session.cases, session.mass_groups, session.mass_persons])
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="so-luot-tiep-{timezone.now():%Y%m%d}.xlsx"'
    book.save(response)
    return response
