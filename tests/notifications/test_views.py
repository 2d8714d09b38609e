"""Escalation digests as in-app notifications: the recipient's own, with the cases he may still see."""
import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from notifications.models import Escalation
from tests.cases.conftest import complaint_kwargs

pytestmark = pytest.mark.django_db
RECEIVED = dt.date(2026, 7, 6)


def digest(world, recipient, cases, reason="overdue"):
    return Escalation.objects.create(unit=world.commune, recipient=recipient, reason=reason,
                                     created_at=timezone.now() - dt.timedelta(minutes=len(cases)),
                                     case_count=len(cases), case_ids=[c.pk for c in cases])


def test_a_head_reads_his_digests_and_marks_them_read(world, client):
    here = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case
    elsewhere = services.case_intake(**complaint_kwargs(world, received=RECEIVED, receiving_unit=world.remote_commune,
                                                        actor=world.outsider, respondent_number="2/QĐ")).case
    digest(world, world.head, [here, elsewhere])
    digest(world, world.province_head, [here])  # someone else's
    client.force_login(world.head)
    home = client.get("/").content.decode()
    assert reverse("notification_list") in home and re.search(r'class="badge" aria-label="[^"]+">1<', home)
    page = client.get(reverse("notification_list"))
    body = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert here.tracking_code in body and elsewhere.tracking_code not in body  # no longer in his units: not named
    assert Escalation.objects.filter(recipient=world.head).count() == 1
    assert client.post(reverse("notification_mark_read")).status_code == 302
    assert not Escalation.objects.filter(recipient=world.head, read_at__isnull=True).exists()
    assert Escalation.objects.filter(recipient=world.province_head, read_at__isnull=True).exists()
    assert not re.search(r'class="badge" aria-label=', client.get("/").content.decode())


def test_nobody_reads_anothers_digests(world, client):
    case = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case
    digest(world, world.head, [case])
    client.force_login(world.handler)
    assert case.tracking_code not in client.get(reverse("notification_list")).content.decode()
    assert client.get(reverse("notification_mark_read")).status_code == 405


def test_the_list_costs_the_same_for_few_and_many_digests(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cases = [services.case_intake(**complaint_kwargs(world, received=RECEIVED, respondent_number=f"{n}/QĐ")).case
             for n in range(6)]
    client.force_login(world.head)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("notification_list"))
        return len(captured)

    digest(world, world.head, cases[:1])
    few = queries()
    for n in range(1, 6):
        digest(world, world.head, cases[: n + 1], reason="due_soon" if n % 2 else "overdue")
    assert queries() == few


def test_the_header_counts_unread_digests_and_delivered_in_app_messages_only(world, client):
    from notifications.models import Audience, Channel, Notification
    from notifications.selectors import unread_count

    case = services.case_intake(**complaint_kwargs(world, received=RECEIVED)).case
    digest(world, world.head, [case])
    digest(world, world.head, [case], reason="due_soon")
    read = digest(world, world.head, [case], reason="backlogged")
    read.read_at = timezone.now()
    read.save()
    digest(world, world.province_head, [case])  # someone else's

    def message(key, **fields):
        Notification.objects.create(**{"delivery_key": key, "channel": Channel.INAPP, "audience": Audience.STAFF,
                                       "recipient": world.head, "template_key": "handler_reminder",
                                       "created_at": timezone.now(), "state": Notification.State.SENT, **fields})

    message("sent")
    message("pending", state=Notification.State.PENDING)  # not delivered yet
    message("read", read_at=timezone.now())
    message("mail", channel=Channel.EMAIL)  # not an in-app message
    message("other", recipient=world.province_head)
    assert unread_count(user=world.head) == 3  # two digests, one message
    assert unread_count(user=world.province_head) == 2
    client.force_login(world.head)
    assert re.search(r'class="badge" aria-label="[^"]+">3<', client.get("/").content.decode())
