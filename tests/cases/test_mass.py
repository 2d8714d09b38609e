"""A mass petition (5 or more people, reference §4.2–4.3; TT 07/2014 Art 27) is reported to the head of the
receiving unit when it is received, and comes first in the queues among cases due the same day."""
import datetime as dt
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from cases import services
from cases.models import Case, CaseEvent, Petitioner
from notifications.models import Escalation
from organisation.models import Membership, Role
from tests.factories import aware, member

from .conftest import complaint_kwargs

pytestmark = pytest.mark.django_db

RECEIVED = dt.date(2026, 7, 6)
GROUP = [{"full_name": f"Người {i}", "id_number": f"00109000010{i}", "is_representative": i == 0} for i in range(5)]


def group_complaint(world, people=GROUP, **overrides):
    return services.case_intake(**complaint_kwargs(world, petitioners=people, **overrides)).case


def reports(case=None):
    found = Escalation.objects.filter(reason="mass_petition")
    return found.filter(case=case) if case is not None else found


def test_a_mass_petition_is_reported_to_each_head_of_the_receiving_unit(world, django_capture_on_commit_callbacks):
    second_head = member(world.commune, Role.HEAD, "pho-chu-tich")
    former_head = member(world.commune, Role.HEAD, "nguyen-chu-tich")
    Membership.objects.filter(user=former_head).update(valid_to=dt.date(2026, 6, 30))
    with django_capture_on_commit_callbacks(execute=True):
        case = group_complaint(world)
    assert case.is_mass
    assert sorted(reports(case).values_list("recipient__username", flat=True)) == sorted(
        [world.head.username, second_head.username])
    report = reports(case).get(recipient=world.head)
    assert (report.unit, report.case_count, report.case_ids, report.read_at) == (world.commune, 1, [case.pk], None)
    assert report.created_at == CaseEvent.objects.get(case=case, action="intake").at
    # nobody else: not the reception, not the handler, not the province's head above
    assert not reports().exclude(recipient__in=[world.head, second_head]).exists()


def test_fewer_than_five_people_report_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = group_complaint(world, people=GROUP[:4])
    assert not case.is_mass and not reports().exists()


def test_the_report_waits_for_the_intake_to_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = group_complaint(world)
    assert not reports().exists() and callbacks  # nothing before the commit
    for callback in callbacks:
        callback()
    assert reports(case).count() == 1
    for callback in callbacks:  # delivered twice (a retry): still one
        callback()
    assert reports(case).count() == 1


def test_a_rolled_back_intake_reports_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        group_complaint(world)
        raise RuntimeError("the clerk's browser died")
    assert not reports().exists()


def test_classification_recomputes_the_flag_from_the_people_still_in_the_case(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = group_complaint(world, people=GROUP[:4])
        # a fifth co-signatory's letter joined to the file (set up directly)
        person = Petitioner(case=case, full_name="Người 5", id_number="001090000105")
        person.save()
        services.case_classify(case=case, actor=world.reception, complexity="simple", now=aware(RECEIVED, 16))
    case.refresh_from_db()
    assert case.is_mass
    event = CaseEvent.objects.get(case=case, action="classify")
    assert event.payload["changes"]["is_mass"] == [False, True]
    assert event.payload["routing"] == {"mass": [False, True], "route": None}
    assert reports(case).get().recipient == world.head  # reported once it became one

    Petitioner.objects.filter(pk=person.pk).update(withdrawn_on=RECEIVED)
    services.case_classify(case=case, actor=world.reception, complexity="simple", now=aware(RECEIVED, 17))
    case.refresh_from_db()
    assert not case.is_mass


def test_the_head_reads_the_report_with_the_case_link(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = group_complaint(world)
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(world.head)
    body = client.get(reverse("notification_list")).content.decode()
    assert "Mass petition received" in body
    assert f'href="{reverse("case_detail", args=[case.pk])}">{case.tracking_code}<' in body
    client.force_login(world.reception)
    assert case.tracking_code not in client.get(reverse("notification_list")).content.decode()


def test_a_mass_petition_comes_first_among_cases_due_the_same_day(world):
    single = services.case_intake(**complaint_kwargs(world, respondent_number="1/QĐ")).case
    group = group_complaint(world, respondent_number="2/QĐ")
    later = services.case_intake(**complaint_kwargs(world, received=RECEIVED + dt.timedelta(days=1),
                                                    respondent_number="3/QĐ")).case
    assert single.acceptance_due == group.acceptance_due < later.acceptance_due
    client = Client()
    client.force_login(world.head)
    for url in ("/cases/queues/open/", "/cases/queues/open/?sort=-due"):
        page = client.get(url).content.decode()
        codes = [code for code in re.findall(r"[A-Z0-9]{12}", page)
                 if code in {single.tracking_code, group.tracking_code, later.tracking_code}]
        order = list(dict.fromkeys(codes))
        if "-due" in url:
            assert order == [later.tracking_code, group.tracking_code, single.tracking_code]
        else:
            assert order == [group.tracking_code, single.tracking_code, later.tracking_code]
    assert Case.objects.filter(is_mass=True).count() == 1


def test_a_partial_withdrawal_below_five_people_ends_the_mass_flag(world):
    case = group_complaint(world)
    assert case.is_mass
    leaving = Petitioner.objects.filter(case=case).order_by("-pk").values_list("pk", flat=True)[:1]
    services.case_withdraw(case=case, actor=world.reception, reason="Một người rút đơn.", petitioner_ids=list(leaving),
                           now=aware(RECEIVED, 16))
    case = Case.objects.get(pk=case.pk)
    assert not case.is_mass and case.status == "received"
    event = CaseEvent.objects.filter(case=case, action="withdraw_partially").get()
    assert event.payload["changes"]["is_mass"] == [True, False]
