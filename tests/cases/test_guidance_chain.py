"""Guidance is given once on the same content (TT 07/2014 Art 6(2)(b)): across the whole chain of related
cases — every case intake linked as a repeat, and every case of the same person on the same content received
by the unit — not just the direct ``duplicate_of`` link. The refusal names the earlier guidance."""
import datetime as dt

import pytest
from django.test import Client

from cases import rules, services
from cases.errors import Conflict
from cases.models import Case, Status
from tests.factories import aware

from .conftest import complaint_kwargs

pytestmark = pytest.mark.django_db

PERSON = {"full_name": "Nguyễn Văn A", "id_number": "001090000001", "phone": "0900000001"}


def on(day, hour=9):
    return aware(dt.date(2026, 7, day), hour)


def complaint(world, day, *, person=PERSON, **overrides):
    values = complaint_kwargs(world, received=dt.date(2026, 7, day), petitioners=[dict(person)], **overrides)
    return services.case_intake(**values).case


def guide(world, case, day):
    return services.case_guide(case=case, actor=world.reception, instructions="Gửi đơn đến Tòa án nhân dân tỉnh.",
                               now=on(day, 16))


def test_the_guidance_two_links_up_the_chain_counts(world):
    """A ← B ← C: the old rule looked only at C's direct link (B, still received) and guided again."""
    first = complaint(world, 6)
    guide(world, first, 6)
    second = complaint(world, 8)
    assert second.duplicate_of == first
    services.case_archive(case=second, actor=world.reception, reason="Đã hướng dẫn.", now=on(8, 16))
    third = complaint(world, 9)
    assert third.duplicate_of == second  # the newest related case
    assert rules.earlier_guidance(third) == first
    with pytest.raises(Conflict) as error:
        guide(world, third, 9)
    message = error.value.message
    assert first.tracking_code in message and "06/07/2026" in message and "archive it instead" in message
    assert error.value.details["reasons"] == [message]
    assert Case.objects.get(pk=third.pk).status == Status.RECEIVED


def test_an_earlier_filing_guided_later_counts_though_no_link_points_to_it(world):
    """B was filed first and A repeats it; A was guided: B may not be guided again."""
    earlier = complaint(world, 6)
    later = complaint(world, 7)
    assert later.duplicate_of == earlier and earlier.duplicate_of is None
    guide(world, later, 7)
    with pytest.raises(Conflict, match=later.tracking_code):
        guide(world, earlier, 8)


def test_the_same_person_is_found_by_phone_or_by_name_on_the_same_decision(world):
    guided = complaint(world, 6)
    guide(world, guided, 6)
    by_phone = complaint(world, 7, person={"full_name": "Người khác", "phone": "+84 900 000 001"})
    by_name = complaint(world, 7, person={"full_name": "nguyen  van a"})  # no ID, no phone, same decision
    for case in (by_phone, by_name):
        Case.objects.filter(pk=case.pk).update(duplicate_of=None)  # not through a link: by the person
        case.refresh_from_db()
        assert rules.earlier_guidance(case) == guided, case
        assert not rules.not_guided_before(case)


@pytest.mark.parametrize("overrides", [
    {"respondent_number": "999/QĐ-UBND"},  # another contested decision: another content
    {"person": {"full_name": "Trần Thị B", "id_number": "001190000002"}},  # another person
])
def test_another_content_or_another_person_may_be_guided(world, overrides):
    guided = complaint(world, 6)
    guide(world, guided, 6)
    other = complaint(world, 7, **overrides)
    assert rules.earlier_guidance(other) is None
    guide(world, other, 7)
    assert Case.objects.get(pk=other.pk).status == Status.GUIDED


def test_guidance_by_another_unit_does_not_count(world):
    """The province guided the person; the commune, a body of its own, gives its own guidance once."""
    elsewhere = complaint(world, 6, actor=world.province_reception, receiving_unit=world.province,
                          competent_unit=world.province)
    services.case_guide(case=elsewhere, actor=world.province_reception, instructions="Gửi UBND xã.", now=on(6, 16))
    here = complaint(world, 7)
    assert rules.earlier_guidance(here) is None
    guide(world, here, 7)


def test_a_refusal_for_an_officer_who_may_not_see_the_earlier_case_gives_only_the_date(world):
    guided = complaint(world, 6)
    guide(world, guided, 6)
    repeat = complaint(world, 8)
    [reason] = services.guidance_refusal(repeat, actor=None)
    assert "06/07/2026" in reason and guided.tracking_code not in reason


def test_the_chain_is_read_in_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    cases = [complaint(world, 6)]
    guide(world, cases[0], 6)
    for day in range(7, 17):
        case = complaint(world, day)
        services.case_archive(case=case, actor=world.reception, reason="Trùng.", now=on(day, 16))
        cases.append(case)
    last = complaint(world, 17)
    with django_assert_max_num_queries(2):
        assert rules.earlier_guidance(last) == cases[0]


def test_the_guidance_task_answers_409_with_the_earlier_guidance(world):
    """Over HTTP: the head routing the repeat is told which case was guided and when."""
    from django.urls import reverse

    from workflows.flows import CaseFlow

    reverse("workflow:inbox")  # build the viewflow URLconf
    first = complaint(world, 6)
    guide(world, first, 6)
    repeat = Case.objects.get(pk=services.case_intake(**complaint_kwargs(
        world, received=dt.date(2026, 7, 8), petitioners=[dict(PERSON)], start_process=True)).case.pk)
    client = Client()
    client.cookies["django_language"] = "en"
    process = repeat.process
    for node, user, data in (
        (CaseFlow.classify, world.reception, {"kind": "complaint", "competent_unit": world.commune.pk,
                                              "complexity": "simple"}),
        (CaseFlow.decide_acceptance, world.head, {"decision": "guide", "instructions": "Gửi Tòa án."}),
    ):
        task = process.task_set.get(flow_task=node, status__in=["NEW", "ASSIGNED"])
        client.force_login(user)
        client.post(task.flow_task.reverse("assign", args=[process.pk, task.pk]))
        response = client.post(task.flow_task.reverse("execute", args=[process.pk, task.pk]), data)
    assert response.status_code == 409
    assert first.tracking_code in response.content.decode() and "06/07/2026" in response.content.decode()
    assert Case.objects.get(pk=repeat.pk).status == Status.RECEIVED
