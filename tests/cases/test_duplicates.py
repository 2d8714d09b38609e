"""Duplicate and repeat detection never tells one unit who denounced in another (finding 5).

A match is shown to the clerk only when the clerk may see the other case's
people; otherwise it is a restricted link for the competent head and for the
officers who may see that case's identity.
"""
import datetime as dt
import re
import unicodedata
from types import SimpleNamespace

import pytest
from django.test import Client

from access import policy
from cases import crypto, services
from cases.models import CaseEvent, CaseLink
from cases.selectors import case_links
from organisation.models import Role, UnitLevel
from tests.factories import UnitFactory, aware, member

pytestmark = pytest.mark.django_db

DENOUNCER = {"full_name": "Lê Thị Hoa", "id_number": "001190000123", "phone": "0912345678", "address": "Tổ 3, Phú Lộc"}
ACCUSED = "Ông Trần Văn B, cán bộ địa chính xã Phú Lộc"
RECEIVED = dt.date(2026, 7, 6)


@pytest.fixture
def an_khang(db):
    """A province with two communes, Phú Lộc and Tà Lùng, and their officers."""
    province = UnitFactory(code="an-khang", name="Tỉnh An Khang", level=UnitLevel.PROVINCE)
    phuloc = UnitFactory(code="phu-loc", name="Xã Phú Lộc", parent=province)
    talung = UnitFactory(code="ta-lung", name="Xã Tà Lùng", parent=province)
    return SimpleNamespace(
        province=province, phuloc=phuloc, talung=talung,
        province_reception=member(province, Role.RECEPTION, "tiepdan"),
        province_head=member(province, Role.HEAD, "lanhdao"),
        province_handler=member(province, Role.HANDLER, "canbo"),
        phuloc_reception=member(phuloc, Role.RECEPTION, "tiepdan.phuloc"),
        phuloc_head=member(phuloc, Role.HEAD, "lanhdao.phuloc"),
        phuloc_handler=member(phuloc, Role.HANDLER, "canbo.phuloc"),
        talung_head=member(talung, Role.HEAD, "lanhdao.talung"),
    )


def denounce(actor, unit, *, person=DENOUNCER, accused=ACCUSED, day=RECEIVED, **overrides):
    values = dict(
        actor=actor, kind="denunciation", channel="in_person", received_at=aware(day), receiving_unit=unit,
        content="Tố cáo cán bộ địa chính nhận tiền của dân.", petitioners=[dict(person)], accused=accused,
        now=aware(day, 15), start_process=False,
    )
    values.update(overrides)
    return services.case_intake(**values).case


@pytest.fixture
def province_case(an_khang):
    return denounce(an_khang.province_reception, an_khang.province)


def test_a_commune_clerk_typing_a_province_denouncers_id_number_learns_nothing(an_khang, province_case):
    """The Phú Lộc reproduction: no duplicate flag, no link, nothing in the trail that points at the province."""
    case = denounce(an_khang.phuloc_reception, an_khang.phuloc, day=RECEIVED + dt.timedelta(days=2))
    case.refresh_from_db()
    assert (case.is_duplicate, case.duplicate_of, case.is_refiled, case.is_prolonged) == (False, None, False, False)
    assert CaseEvent.objects.get(case=case, action="intake").payload["flags"]["duplicate_of"] is None


def test_the_intake_response_is_the_same_whether_or_not_the_id_number_matches(an_khang, province_case):
    client = Client()
    client.force_login(an_khang.phuloc_reception)

    def receipt(id_number: str) -> str:
        form = client.get("/cases/new/").content.decode()
        token = re.search(r'name="form_token" value="([^"]+)"', form).group(1)
        response = client.post("/cases/new/", {
            "form_token": token,
            "kind": "denunciation", "channel": "in_person", "received_at": "2026-07-08T09:00",
            "receiving_unit": an_khang.phuloc.pk, "competent_unit": "", "topic": "", "content": "Tố cáo cán bộ.",
            "respondent_number": "", "respondent_date": "", "respondent_issuer": "", "respondent_act": "",
            "accused": ACCUSED, "complexity": "simple", "complexity_grounds": "", "is_signed": "on",
            "people-TOTAL_FORMS": "1", "people-INITIAL_FORMS": "0", "people-MIN_NUM_FORMS": "0",
            "people-MAX_NUM_FORMS": "200", "people-0-full_name": "Lê Thị Hoa", "people-0-id_number": id_number,
            "people-0-has_signed": "on",
        }, follow=True)
        assert response.status_code == 200 and response.redirect_chain[0][1] == 303
        html = response.content.decode()
        code = re.search(r'data-field="code">([A-Z0-9]+)<', html).group(1)
        pin = re.search(r'data-field="pin">(\d{6})<', html).group(1)
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        html = html.replace(response.redirect_chain[0][0], "RECEIPT-URL")
        return html.replace(code, "CODE").replace(pin, "PIN")

    matching, nonsense = receipt(DENOUNCER["id_number"]), receipt("079999999999")
    assert matching == nonsense
    assert province_case.tracking_code not in matching


def test_the_competent_head_gets_the_cross_unit_link_and_the_clerk_does_not(an_khang, province_case):
    case = denounce(an_khang.phuloc_reception, an_khang.phuloc, day=RECEIVED + dt.timedelta(days=2))
    link = CaseLink.objects.get()
    assert (link.case, link.related, link.kind, link.visible_to_unit) == (case, province_case, "duplicate",
                                                                           an_khang.phuloc)
    # the head of the new case's competent unit, and the officers who may see the province denouncer
    for user in (an_khang.phuloc_head, an_khang.province_head, an_khang.province_reception):
        assert list(case_links(user=user, case=case)) == [link], user
    # not the clerk who typed it, nor a handler, nor another commune, nor the province's handler
    for user in (an_khang.phuloc_reception, an_khang.phuloc_handler, an_khang.talung_head, an_khang.province_handler):
        assert not case_links(user=user).exists(), user


def test_a_match_the_clerk_may_see_keeps_the_duplicate_flag(an_khang):
    first = denounce(an_khang.phuloc_reception, an_khang.phuloc)
    second = denounce(an_khang.phuloc_reception, an_khang.phuloc, day=RECEIVED + dt.timedelta(days=3))
    assert (second.is_duplicate, second.duplicate_of) == (True, first)
    assert CaseEvent.objects.get(case=second, action="intake").payload["flags"]["duplicate_of"] == first.pk
    assert not CaseLink.objects.exists()


def test_the_visible_match_is_flagged_and_the_hidden_one_linked(an_khang, province_case):
    own = denounce(an_khang.phuloc_reception, an_khang.phuloc, person={**DENOUNCER, "id_number": ""},
                   day=RECEIVED + dt.timedelta(days=1))  # the same phone
    case = denounce(an_khang.phuloc_reception, an_khang.phuloc, day=RECEIVED + dt.timedelta(days=2))
    assert case.duplicate_of == own
    assert list(CaseLink.objects.filter(case=case).values_list("related", flat=True)) == [province_case.pk]


def test_an_unprotected_case_out_of_the_clerks_scope_is_not_reported_either(an_khang):
    complaint = dict(kind="complaint", respondent_number="12/QĐ-UBND", accused="")
    province = denounce(an_khang.province_reception, an_khang.province, **complaint)
    case = denounce(an_khang.phuloc_reception, an_khang.phuloc, day=RECEIVED + dt.timedelta(days=1), **complaint)
    assert not case.is_duplicate and case.duplicate_of is None
    assert CaseLink.objects.get(case=case).related == province
    # the province's reception may see both (the commune is below it): told of the newest
    again = denounce(an_khang.province_reception, an_khang.province, day=RECEIVED + dt.timedelta(days=2), **complaint)
    assert again.duplicate_of == case and not CaseLink.objects.filter(case=again).exists()


@pytest.mark.parametrize(
    ("person", "accused", "matches"),
    [
        ({"full_name": "X", "phone": "+84 912 345 678"}, ACCUSED, True),  # same phone, written otherwise
        ({"full_name": "le thi  HOA"}, ACCUSED, True),  # same name without diacritics, same accused, no ID number
        ({"full_name": "Lê Thị Hoa"}, "Ông Nguyễn Văn C", False),  # same name, someone else accused
        ({"full_name": "Lê Thị Hoa", "id_number": "001190000999"}, ACCUSED, False),  # same name, another ID number
    ],
)
def test_the_same_person_is_found_by_phone_or_by_name_against_the_same_accused(an_khang, person, accused, matches):
    first = denounce(an_khang.phuloc_reception, an_khang.phuloc)
    case = denounce(an_khang.phuloc_reception, an_khang.phuloc, person=person, accused=accused,
                    day=RECEIVED + dt.timedelta(days=1))
    assert case.duplicate_of == (first if matches else None)


def test_the_match_runs_on_the_digests_in_one_query(an_khang, province_case, django_assert_num_queries):
    people = [services.Petitioner(**DENOUNCER)]
    people[0].set_digests()
    with django_assert_num_queries(1):
        found = services._find_related_cases(people=people, kind="denunciation", respondent_number="",
                                             accused=ACCUSED, topic=None)
    assert found == [province_case]
    assert not policy.may_see_match(an_khang.phuloc_reception, province_case)
    assert policy.may_see_match(an_khang.province_reception, province_case)


def test_the_competent_head_finds_the_link_on_the_case_page_without_the_other_code(an_khang, province_case):
    case = denounce(an_khang.phuloc_reception, an_khang.phuloc, day=RECEIVED + dt.timedelta(days=2))
    client = Client()
    client.force_login(an_khang.phuloc_head)
    body = client.get(f"/cases/{case.pk}/").content.decode()
    assert an_khang.province.name in body and province_case.tracking_code not in body
    client.force_login(an_khang.phuloc_reception)
    assert an_khang.province.name not in client.get(f"/cases/{case.pk}/").content.decode()


# --- repeats after a withdrawal, a refusal or archiving; names as people type them -----------------------

def complain(unit_clerk, unit, *, person=DENOUNCER, day=RECEIVED, **overrides):
    values = {"kind": "complaint", "respondent_number": "12/QĐ-UBND", "accused": "", **overrides}
    return denounce(unit_clerk, unit, person=person, day=day, **values)


def test_a_complaint_refiled_after_a_full_withdrawal_is_a_repeat_with_the_withdrawal_date(an_khang):
    first = complain(an_khang.phuloc_reception, an_khang.phuloc)
    services.case_withdraw(case=first, actor=an_khang.phuloc_reception, reason="Xin rút đơn.",
                           now=aware(RECEIVED + dt.timedelta(days=2)))
    again = complain(an_khang.phuloc_reception, an_khang.phuloc, day=RECEIVED + dt.timedelta(days=10))
    assert (again.is_duplicate, again.duplicate_of) == (True, first)
    assert not again.is_refiled  # "refiled" is after a final decision: a withdrawal decided nothing
    payload = CaseEvent.objects.get(case=again, action="intake").payload
    assert payload["flags"]["refiled_after_withdrawal"] is True
    assert payload["repeat"] == {"case": first.pk, "status": "withdrawn", "reason": "refiled_after_withdrawal",
                                 "full_withdrawal": True, "withdrawn_on": "2026-07-08"}
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(an_khang.phuloc_head)
    assert "filed again after a withdrawal" in client.get(f"/cases/{again.pk}/").content.decode()


@pytest.mark.parametrize("end", ["refuse", "archive", "forward"])
def test_a_refused_archived_or_forwarded_petition_filed_again_is_a_repeat(an_khang, end):
    first = complain(an_khang.phuloc_reception, an_khang.phuloc)
    act = {
        "refuse": lambda: services.case_refuse(case=first, actor=an_khang.phuloc_head, ground="in_court", reason="Đang ở Tòa.",
                                               now=aware(RECEIVED, 16)),
        "archive": lambda: services.case_archive(case=first, actor=an_khang.phuloc_reception, reason="Trùng.",
                                                 now=aware(RECEIVED, 16)),
        "forward": lambda: services.case_forward(case=first, actor=an_khang.phuloc_reception, to_body="Tòa án",
                                                 now=aware(RECEIVED, 16)),
    }[end]
    act()
    again = complain(an_khang.phuloc_reception, an_khang.phuloc, day=RECEIVED + dt.timedelta(days=5))
    assert again.duplicate_of == first
    repeat = CaseEvent.objects.get(case=again, action="intake").payload["repeat"]
    assert repeat == {"case": first.pk, "status": first.__class__.objects.get(pk=first.pk).status, "reason": "repeat"}


def test_without_an_id_number_a_complainant_is_found_by_phone_or_by_name_on_the_same_decision(an_khang):
    first = complain(an_khang.phuloc_reception, an_khang.phuloc)
    by_phone = complain(an_khang.phuloc_reception, an_khang.phuloc, person={"full_name": "Hoa", "phone": "0912 345 678"},
                        day=RECEIVED + dt.timedelta(days=1))
    by_name = complain(an_khang.phuloc_reception, an_khang.phuloc, person={"full_name": "LÊ THỊ HOA"},
                       day=RECEIVED + dt.timedelta(days=2))
    other_decision = complain(an_khang.phuloc_reception, an_khang.phuloc, person={"full_name": "Lê Thị Hoa"},
                              day=RECEIVED + dt.timedelta(days=3), respondent_number="99/QĐ-UBND")
    assert by_phone.duplicate_of == first
    assert by_name.duplicate_of == first  # the phone-only filing gave another name: the name finds the first
    assert other_decision.duplicate_of is None


@pytest.mark.parametrize("typed", [
    "Lê Thị Hoà",  # composed (NFC)
    unicodedata.normalize("NFD", "Lê Thị Hoà"),  # decomposed, as some keyboards and PDFs give it
    "Lê Thị Hòa",  # the other tone-mark placement (hòa / hoà): both are in use
    "  lê\u00a0thị\tHOÀ ",  # case, non-breaking space, tab
    "Le Thi Hoa",  # typed without diacritics: matched too (cases.matching explains why)
])
def test_the_name_index_ignores_case_spacing_unicode_form_and_diacritics(typed):
    assert crypto.digest("name", typed) == crypto.digest("name", "Lê Thị Hoà")


def test_different_names_keep_different_indexes():
    assert crypto.digest("name", "Lê Thị Hoa") != crypto.digest("name", "Lê Thị Hoan")
    assert crypto.digest("name", "Lê Thị Hoa") != crypto.digest("name", "Lê Hoa")


def test_the_sql_search_finds_what_the_orm_query_finds(an_khang):
    """Intake's search in SQL (``matching.same_person_same_content_sql``) against the ``Q`` it mirrors, over
    people, respondents, accused and topics that match in every way and none; the same cases in the same
    order, the same columns loaded and the competent unit with them."""
    import itertools
    import random

    from cases.matching import same_person_same_content_q
    from cases.models import Case, Petitioner, Topic

    rng = random.Random(5)
    topics = [Topic.objects.create(code=f"t{n}", name=f"Lĩnh vực {n}") for n in range(2)]
    people = [
        {"full_name": "Lê Thị Hoa", "id_number": "001190000123", "phone": "0912345678"},
        {"full_name": "Le thi Hoa", "id_number": "", "phone": ""},
        {"full_name": "Trần Văn C", "id_number": "", "phone": "0987654321"},
        {"full_name": "Phạm D", "id_number": "001190000999", "phone": ""},
    ]
    numbers, accused = ["", "12/QĐ-UBND", "13/QĐ-UBND"], ["", ACCUSED, "Ông X"]
    for n in range(40):
        kind = rng.choice(["complaint", "denunciation"])
        person = rng.choice(people)
        services.case_intake(
            actor=an_khang.province_reception, kind=kind, channel="in_person", received_at=aware(RECEIVED),
            receiving_unit=an_khang.province, competent_unit=rng.choice([None, an_khang.phuloc, an_khang.province]),
            topic=rng.choice([None, *topics]), content="Nội dung", petitioners=[{**person, "address": ""}],
            respondent_number=rng.choice(numbers[1:]) if kind == "complaint" else "",
            respondent_date=RECEIVED - dt.timedelta(days=10) if kind == "complaint" else None,
            accused=rng.choice(accused[1:]) if kind == "denunciation" else "",
            now=aware(RECEIVED, 15), start_process=False,
        )
    compared = 0
    for person, kind, number, who, topic in itertools.product(people, ["complaint", "denunciation"], numbers,
                                                               accused, [None, *topics]):
        probe = [Petitioner(full_name=person["full_name"], id_number=person["id_number"], phone=person["phone"])]
        probe[0].set_digests()
        match = same_person_same_content_q(people=probe, respondent_number=number, accused=who, topic=topic)
        expected = [] if not match else list(
            Case.objects.filter(match, kind=kind).order_by("-received_at", "-pk").select_related("competent_unit")
            .only(*services.RELATED_COLUMNS)[:services.RELATED_CANDIDATES])
        found = services._find_related_cases(people=probe, kind=kind, respondent_number=number, accused=who,
                                             topic=topic)
        assert [c.pk for c in found] == [c.pk for c in expected]
        for mine, theirs in zip(found, expected):
            assert mine.get_deferred_fields() == theirs.get_deferred_fields()
            assert {f: getattr(mine, f) for f in services.RELATED_COLUMNS if "__" not in f} == \
                   {f: getattr(theirs, f) for f in services.RELATED_COLUMNS if "__" not in f}
            assert Case.competent_unit.is_cached(mine)
            assert (mine.competent_unit and (mine.competent_unit.pk, mine.competent_unit.path)) == \
                   (theirs.competent_unit and (theirs.competent_unit.pk, theirs.competent_unit.path))
        compared += len(expected)
    assert compared > 50  # the probes did find cases, in many of the combinations
