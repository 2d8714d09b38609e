"""Run by test_embedded_default.py in a process of its own, on the embedded default (SQLite, no Redis):
the surfaces whose SQL is written by hand — the API intake's duplicate search, the report's counts,
the queue counts — and the main pages, after the demo seed. Prints "OK" last; raises otherwise."""
import datetime as dt
import json

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from cases.models import Case  # noqa: E402
from cases.queue_counts import fold  # noqa: E402
from deadlines import clock  # noqa: E402
from organisation.models import Membership, Role, Unit, UnitLevel  # noqa: E402
from reports.figures import build_report  # noqa: E402

assert connection.vendor == "sqlite", connection.vendor
assert not settings.DEBUG
call_command("migrate", verbosity=0)
call_command("seed_demo", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)  # as ./scripts/run does: the pages use the manifest


def orm_figures(ids, date_from, date_to):
    """What the report must count, asked of the ORM (the report's SQL is written by hand)."""
    start, end = clock.legal_midnight(date_from), clock.legal_midnight(date_to + dt.timedelta(days=1))
    mine = Case.objects.filter(receiving_unit_id__in=ids)
    window = mine.filter(received_at__gte=start, received_at__lt=end)
    return {
        "received": window.count(),
        "by_kind": {kind: window.filter(kind=kind).count() for kind in ("complaint", "denunciation",
                                                                         "recommendation", "feedback")},
        "carried_over": mine.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=date_from), received_at__lt=start).count(),
        "backlog_at_end": mine.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=date_to), received_at__lt=end).count(),
        "mass": window.filter(is_mass=True).count(),
    }


year = clock.legal_today().year
for unit, rollup in ((Unit.objects.get(level=UnitLevel.PROVINCE, parent=None), True),
                     (Unit.objects.filter(level=UnitLevel.COMMUNE).order_by("pk").first(), False)):
    ids = list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True)) if rollup else [unit.pk]
    for date_from, date_to in ((dt.date(year, 1, 1), dt.date(year, 12, 31)), (dt.date(year, 6, 1), dt.date(year, 11, 30))):
        report = build_report(unit=unit, rollup=rollup, date_from=date_from, date_to=date_to)
        expected = orm_figures(ids, date_from, date_to)
        got = {"received": report["petitions"]["received"], "by_kind": report["petitions"]["by_kind"],
               "carried_over": report["petitions"]["carried_over"], "backlog_at_end": report["backlog_at_end"],
               "mass": report["mass"]}
        assert got == expected, (unit.code, date_from, got, expected)
        assert report["petitions"]["received"] > 0 or not rollup, report
assert fold() == 0  # SQLite counts live: nothing to fold

# the API intake: an idempotent replay, then a second petition by the same person flagged as a repeat
reception = Membership.objects.filter(role=Role.RECEPTION).select_related("unit", "user").order_by("pk").first()
api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=reception.user)[0].key}")
body = {"kind": "complaint", "receiving_unit": reception.unit_id, "competent_unit": reception.unit_id,
        "content": "Khiếu nại quyết định số 77/QĐ-UBND về thu hồi đất.", "respondent_number": "77/QĐ-UBND",
        "petitioners": [{"full_name": "Nguyễn Văn Nhúng", "id_number": "001099007777", "phone": ""}]}
answers = [api.post("/api/v1/cases/", data=json.dumps(body), content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY=key) for key in ("embedded-1", "embedded-1", "embedded-2")]
assert [a.status_code for a in answers] == [201, 201, 201], [(a.status_code, a.content[:300]) for a in answers]
first, replay, second = (a.json() for a in answers)
assert replay["id"] == first["id"] and second["id"] != first["id"]
assert "duplicate" in second["flags"] and "duplicate" not in first["flags"], (first["flags"], second["flags"])

# the main pages, as a head of the province
head = Membership.objects.filter(role=Role.HEAD, unit__parent=None).select_related("user").first().user
web = Client()
web.force_login(head)
case = Case.objects.get(pk=second["id"])
for url in ("/", "/workflow/inbox/", "/workflow/queue/", "/cases/queues/overdue/", f"/cases/{case.pk}/",
            "/cases/register/", "/cases/register/?format=xlsx", "/reports/", "/api/v1/cases/", "/notifications/",
            "/open311/v2/services.json", "/open311/v2/requests.xml"):
    answer = web.get(url)
    assert answer.status_code == 200, (url, answer.status_code)
print("OK")
