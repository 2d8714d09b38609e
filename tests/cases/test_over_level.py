"""Over-level (vượt cấp) follows the competent unit: recomputed whenever classification changes it, recorded with
its old and new value, routed as §4.3 says (guide a complaint, forward a denunciation) and shown where
supervisors look."""
import datetime as dt
import re

import pytest
from django.test import Client

from cases import services
from cases.errors import Conflict
from cases.models import Case, CaseEvent, Status
from tests.factories import aware

from .conftest import complaint_kwargs, denunciation_kwargs

pytestmark = pytest.mark.django_db

RECEIVED = dt.date(2026, 7, 6)


def at_province(world, make=complaint_kwargs, **overrides):
    values = {"actor": world.province_reception, "receiving_unit": world.province, "competent_unit": world.province,
              **overrides}
    return services.case_intake(**make(world, **values)).case


def classify(world, case, hour=16, **changes):
    return services.case_classify(case=case, actor=world.province_reception, now=aware(RECEIVED, hour), **changes)


def test_classifying_the_lower_unit_competent_makes_the_case_over_level_and_back(world):
    case = at_province(world)
    assert not case.is_over_level and not case.outside_competence
    classify(world, case, competent_unit=world.commune)
    case.refresh_from_db()
    assert case.is_over_level and case.outside_competence
    event = CaseEvent.objects.filter(case=case, action="classify").latest("pk")
    assert event.payload["changes"]["competent_unit"] == [world.province.pk, world.commune.pk]
    assert event.payload["changes"]["is_over_level"] == [False, True]
    assert event.payload["routing"] == {"over_level": [False, True], "outside_competence": [False, True],
                                        "route": "guide"}
    # the province takes it on itself: no longer over-level
    classify(world, case, hour=17, competent_unit=world.province)
    case.refresh_from_db()
    assert not case.is_over_level
    event = CaseEvent.objects.filter(case=case, action="classify").latest("pk")
    assert event.payload["routing"] == {"over_level": [True, False], "outside_competence": [True, False],
                                        "route": None}


def test_an_over_level_denunciation_is_forwarded_on_the_t2_clock(world):
    case = at_province(world, make=denunciation_kwargs)
    assert case.acceptance_due == dt.date(2026, 7, 15)  # T1
    classify(world, case, competent_unit=world.commune)
    case.refresh_from_db()
    assert case.is_over_level and case.acceptance_due == dt.date(2026, 7, 13)  # T2
    assert CaseEvent.objects.get(case=case, action="classify").payload["routing"]["route"] == "forward"
    with pytest.raises(Conflict, match="over the level"):
        services.case_accept(case=case, actor=world.province_head, now=aware(dt.date(2026, 7, 7)))
    services.case_forward(case=case, actor=world.province_reception, to_body=world.commune.name,
                          now=aware(dt.date(2026, 7, 8)))
    forward = CaseEvent.objects.get(case=case, action="forward").payload
    assert forward["over_level"] is True and forward["to_body"] == "Xã A" and forward["late"] is False


def test_an_over_level_complaint_is_guided_not_accepted(world):
    case = at_province(world, competent_unit=world.commune)
    assert case.is_over_level
    with pytest.raises(Conflict, match="guide the complainant"):
        services.case_accept(case=case, actor=world.head, now=aware(dt.date(2026, 7, 7)))
    services.case_guide(case=case, actor=world.province_reception, instructions="Gửi đơn đến UBND xã A.",
                        now=aware(dt.date(2026, 7, 7)))
    assert Case.objects.get(pk=case.pk).status == Status.GUIDED
    assert CaseEvent.objects.get(case=case, action="guide").payload["over_level"] is True


def test_a_classification_that_keeps_the_unit_leaves_the_flag_alone(world):
    case = at_province(world, competent_unit=world.commune)
    classify(world, case, complexity="simple")
    event = CaseEvent.objects.get(case=case, action="classify")
    assert "is_over_level" not in event.payload.get("changes", {}) and "routing" not in event.payload
    assert Case.objects.get(pk=case.pk).is_over_level


def test_the_lower_level_having_decided_clears_over_level_at_classification(world):
    """The commune decided; the second filing at the province is then no over-level, whenever it is classified."""
    first = services.case_intake(**complaint_kwargs(world)).case
    day = aware(dt.date(2026, 7, 7))
    services.case_accept(case=first, actor=world.head, now=day)
    services.case_assign(case=first, actor=world.head, handler=world.handler, now=day)
    services.case_start_verification(case=first, actor=world.handler, now=day)
    services.case_decide(case=first, actor=world.head, decision_number="1/QĐ", summary="Bác đơn.",
                         now=aware(dt.date(2026, 7, 20)))
    later = at_province(world, received=dt.date(2026, 7, 21))
    assert later.duplicate_of == first and not later.is_over_level
    services.case_classify(case=later, actor=world.province_reception, competent_unit=world.commune,
                           now=aware(dt.date(2026, 7, 21), 16))
    assert not Case.objects.get(pk=later.pk).is_over_level


def test_a_petition_withdrawn_below_and_filed_above_is_over_level(world):
    first = services.case_intake(**complaint_kwargs(world)).case
    services.case_withdraw(case=first, actor=world.reception, reason="Rút đơn.", now=aware(dt.date(2026, 7, 7)))
    later = at_province(world, received=dt.date(2026, 7, 30), competent_unit=world.commune)
    assert later.duplicate_of == first and later.is_over_level


def test_supervisors_see_the_flag_on_the_case_page_the_queue_and_the_home_counters(world):
    case = at_province(world, make=denunciation_kwargs, competent_unit=world.commune)
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(world.province_head)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "over-level" in page and "outside competence: guide or forward" in page
    queue = client.get("/cases/queues/over_level/").content.decode()
    assert case.tracking_code in queue
    home = client.get("/").content.decode()
    assert re.search(r'data-count="over_level"><a href="/cases/queues/over_level/">1<', home)
