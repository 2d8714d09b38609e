"""Input bounds at intake and classification: dates, ID documents, phones, units that exist on the day.

Each refusal is a 400 with a message, at the service and through the intake page, and writes nothing.
"""
import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from cases.errors import InvalidInput
from cases.models import Case, CaseEvent, IntakeSubmission, Petitioner, Status
from organisation.models import UnitLevel
from tests.factories import UnitFactory, aware

from .conftest import complaint_kwargs
from .test_intake_view import URL, form_data, form_token, logged_in, receipt_of, submit

pytestmark = pytest.mark.django_db

RECEIVED = dt.date(2026, 7, 6)
HCM = dt.timezone(dt.timedelta(hours=7))


def refused(world, field, **overrides):
    """The intake is refused with a 400 on ``field`` and writes nothing."""
    with pytest.raises(InvalidInput) as raised:
        services.case_intake(**complaint_kwargs(world, **overrides))
    assert raised.value.http_status == 400 and raised.value.field == field
    assert not Case.objects.exists() and not Petitioner.objects.exists() and not CaseEvent.objects.exists()
    return raised.value.message


def person(**fields):
    return [{"full_name": "Nguyễn Văn A", **fields}]


# --- received_at ---------------------------------------------------------------------

@pytest.mark.parametrize("received_at", [
    dt.datetime(1, 1, 1, tzinfo=HCM),  # the first instant Python has: must not overflow on the way to a refusal
    dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc),
    dt.datetime(1, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=-12))),
    timezone.make_aware(dt.datetime(1, 1, 1, 9)),
    aware(dt.date(1900, 1, 1)),  # no deadline rule would apply: a case with no clock
    timezone.make_aware(dt.datetime(1999, 12, 31, 23, 59)),
])
def test_receipt_before_the_earliest_date_is_refused(world, received_at):
    assert "before 01/01/2000" in refused(world, "received_at", received_at=received_at)


@pytest.mark.parametrize("received_at", [
    dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-12))),  # would overflow in UTC
    dt.datetime(9999, 12, 31, 23, 59, tzinfo=HCM),
    aware(RECEIVED, 16),  # one hour after "now"
])
def test_receipt_in_the_future_is_refused(world, received_at):
    assert "future" in refused(world, "received_at", received_at=received_at)


def test_the_earliest_receipt_date_is_a_setting_and_its_first_minute_counts(world, settings):
    settings.EARLIEST_RECEIPT_DATE = dt.date(2026, 7, 1)
    refused(world, "received_at", received_at=timezone.make_aware(dt.datetime(2026, 6, 30, 23, 59)))
    first = timezone.make_aware(dt.datetime(2026, 7, 1, 0, 0))
    case = services.case_intake(**complaint_kwargs(world, received_at=first)).case
    assert case.received_at == first
    assert services.earliest_receipt_date() == dt.date(2026, 7, 1)


def test_a_receipt_on_the_default_earliest_day_is_accepted(world):
    case = services.case_intake(**complaint_kwargs(world, received_at=timezone.make_aware(dt.datetime(2000, 1, 1)))).case
    assert case.received_at.year == 2000


# --- respondent_date (the contested decision) -------------------------------------------

@pytest.mark.parametrize(("respondent_date", "message"), [
    (dt.date(9999, 12, 31), "after the petition was received"),
    (RECEIVED + dt.timedelta(days=1), "after the petition was received"),
    (dt.date(1999, 12, 31), "before 01/01/2000"),
    (dt.date(1, 1, 1), "before 01/01/2000"),
    ("2026-07-01", "must be a date"),
])
def test_contested_decision_dated_after_receipt_or_before_the_earliest_date_is_refused(world, respondent_date, message):
    assert message in refused(world, "respondent_date", respondent_date=respondent_date)


def test_contested_decision_of_the_day_of_receipt_is_accepted(world):
    assert services.case_intake(**complaint_kwargs(world, respondent_date=RECEIVED)).case.respondent_date == RECEIVED


def test_classification_keeps_the_contested_decision_date_in_bounds(world):
    case = services.case_intake(**complaint_kwargs(world)).case
    with pytest.raises(InvalidInput) as raised:
        services.case_classify(case=case, actor=world.reception, respondent_date=dt.date(9999, 12, 31),
                               now=aware(RECEIVED, 16))
    assert raised.value.field == "respondent_date"
    case.refresh_from_db()
    assert case.respondent_date is None and case.status == Status.RECEIVED
    assert not case.events.filter(action="classify").exists()


# --- ID documents ------------------------------------------------------------------------

@pytest.mark.parametrize(("given", "stored"), [
    ({"id_number": "001090000001"}, ("001090000001", "cccd")),
    ({"id_number": "001 090 000 001"}, ("001090000001", "cccd")),
    ({"id_number": "123.456.789"}, ("123456789", "cmnd")),
    ({"id_number": "001090000001", "id_kind": "cccd"}, ("001090000001", "cccd")),
    ({"id_number": "123456789", "id_kind": "cmnd"}, ("123456789", "cmnd")),
    ({"id_number": "c1234567", "id_kind": "passport"}, ("C1234567", "passport")),
    ({"id_number": "AB 12 34 56 78 90 12 34 56", "id_kind": "passport"}, ("AB1234567890123456", "passport")),
    ({"id_number": ""}, ("", "")),
    ({}, ("", "")),
])
def test_cccd_cmnd_and_passport_numbers_are_accepted_and_normalised(world, given, stored):
    case = services.case_intake(**complaint_kwargs(world, petitioners=person(**given))).case
    assert case.petitioners.values_list("id_number", "id_kind").get() == stored


@pytest.mark.parametrize("given", [
    {"id_number": "abc"},
    {"id_number": "12345"},
    {"id_number": "0010900000011"},  # 13 digits
    {"id_number": "B1234567"},  # a passport not marked as one
    {"id_number": "123456789", "id_kind": "cccd"},
    {"id_number": "001090000001", "id_kind": "cmnd"},
    {"id_number": "B12", "id_kind": "passport"},
    {"id_number": "B" * 21, "id_kind": "passport"},
    {"id_number": "B1234567<", "id_kind": "passport"},
    {"id_number": "001090000001", "id_kind": "driving-licence"},
])
def test_malformed_id_numbers_are_refused(world, given):
    assert "petitioner 1" in refused(world, "petitioners", petitioners=person(**given))


def test_a_second_round_keeps_a_passport_holder(world):
    first = services.case_intake(**complaint_kwargs(
        world, petitioners=person(id_number="C1234567", id_kind="passport"))).case
    services.case_accept(case=first, actor=world.head, now=aware(dt.date(2026, 7, 8)))
    services.case_assign(case=first, actor=world.head, handler=world.handler, now=aware(dt.date(2026, 7, 8)))
    services.case_start_verification(case=first, actor=world.handler, now=aware(dt.date(2026, 7, 9)))
    services.case_record_verification(case=first, actor=world.handler, findings="x", findings_differ=False,
                                      now=aware(dt.date(2026, 7, 10)))
    services.case_record_draft(case=first, actor=world.handler, decision_number="1/QĐ", summary="x",
                               now=aware(dt.date(2026, 7, 10)))
    services.case_decide(case=first, actor=world.head, decision_number="1/QĐ", summary="x",
                         now=aware(dt.date(2026, 7, 13)))
    second = services.case_appeal(case=first, actor=world.province_reception, received_at=aware(dt.date(2026, 7, 20)),
                                  competent_unit=world.province, now=aware(dt.date(2026, 7, 20)))
    assert second.petitioners.values_list("id_number", "id_kind").get() == ("C1234567", "passport")


# --- phones -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("given", "stored"), [
    ("0912345678", "0912345678"),
    ("0912 345 678", "0912345678"),
    ("0912.345.678", "0912345678"),
    ("0351-234-567", "0351234567"),
    ("+84 912 345 678", "0912345678"),
    ("+84912345678", "0912345678"),
    ("(+84) 0912 345 678", "0912345678"),
    ("0084 912 345 678", "0912345678"),
    ("84912345678", "0912345678"),
    ("0243 826 1234", "02438261234"),  # a Hà Nội landline
    ("+84 28 3822 1234", "02838221234"),
    ("", ""),
])
def test_vietnamese_phone_numbers_are_accepted_and_normalised(world, given, stored):
    case = services.case_intake(**complaint_kwargs(world, petitioners=person(phone=given))).case
    assert case.petitioners.values_list("phone", flat=True).get() == stored


@pytest.mark.parametrize("given", [
    "xyz", "091234567", "09123456789", "0123456789", "0612345678", "0412345678", "+1 202 555 0100",
    "0912345678x", "+84 12 345", "02438261234567",
])
def test_malformed_phone_numbers_are_refused(world, given):
    assert "phone" in refused(world, "petitioners", petitioners=person(phone=given))


# --- units valid on the day -------------------------------------------------------------------------

@pytest.fixture
def dissolved(world):
    """A former district: abolished on 1 July 2025 (reference §0)."""
    return UnitFactory(code="huyen-cu", name="Huyện cũ", level=UnitLevel.DISTRICT, parent=world.province,
                       valid_to=dt.date(2025, 6, 30))


def test_classification_refuses_a_dissolved_unit_and_leaves_the_case_as_it_was(world, dissolved):
    case = services.case_intake(**complaint_kwargs(world)).case
    with pytest.raises(InvalidInput) as raised:
        services.case_classify(case=case, actor=world.reception, competent_unit=dissolved, now=aware(RECEIVED, 16))
    assert raised.value.http_status == 400 and raised.value.field == "competent_unit"
    case.refresh_from_db()
    assert case.competent_unit == world.commune and not case.events.filter(action="classify").exists()
    with pytest.raises(InvalidInput):
        services.case_classify(case=case, actor=world.reception, competent_unit=dissolved.pk, now=aware(RECEIVED, 16))
    not_yet = UnitFactory(code="xa-moi", parent=world.province, valid_from=dt.date(2027, 1, 1))
    with pytest.raises(InvalidInput):
        services.case_classify(case=case, actor=world.reception, competent_unit=not_yet, now=aware(RECEIVED, 16))
    services.case_classify(case=case, actor=world.reception, competent_unit=world.province, now=aware(RECEIVED, 16))
    assert Case.objects.get(pk=case.pk).competent_unit == world.province


def test_forms_offer_only_units_that_exist_today(world, dissolved):
    from cases.forms import IntakeForm
    from workflows.forms import ClassifyForm

    not_yet = UnitFactory(code="xa-moi", parent=world.province, valid_from=timezone.localdate() + dt.timedelta(days=1))
    offered = set(ClassifyForm().fields["competent_unit"].queryset)
    assert world.commune in offered and dissolved not in offered and not_yet not in offered
    intake_form = IntakeForm(user=world.province_reception)
    assert dissolved not in set(intake_form.fields["competent_unit"].queryset)
    assert dissolved not in set(intake_form.fields["receiving_unit"].queryset)
    assert not_yet not in set(intake_form.fields["receiving_unit"].queryset)
    assert world.commune in set(intake_form.fields["receiving_unit"].queryset)


# --- through the intake page ------------------------------------------------------------------

@pytest.mark.parametrize(("overrides", "message"), [
    ({"received_at": "0001-01-01T00:00"}, "before 01/01/2000"),
    ({"received_at": "1900-01-01T09:00"}, "before 01/01/2000"),
    ({"respondent_date": "9999-12-31"}, "after the petition was received"),
    ({"respondent_date": "1990-05-01"}, "before 01/01/2000"),
    ({"people-0-id_number": "abc"}, "12 digits"),
    ({"people-0-id_number": "B1234567"}, "passport"),
    ({"people-0-id_number": "123", "people-0-id_kind": "passport"}, "6 to 20"),
    ({"people-0-phone": "xyz"}, "phone number"),
    ({"competent_unit": "dissolved"}, "valid choice"),
])
def test_the_intake_page_refuses_out_of_bounds_input_with_a_400_and_writes_nothing(world, dissolved, overrides,
                                                                                     message):
    if overrides.get("competent_unit") == "dissolved":
        overrides = {"competent_unit": dissolved.pk}
    response = submit(logged_in(world.reception), world, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists() and not Petitioner.objects.exists() and not IntakeSubmission.objects.exists()


def test_the_intake_page_stores_a_marked_passport_and_a_normalised_phone(world):
    client = logged_in(world.reception)
    receipt_of(client.post(URL, {
        **form_data(world, token=form_token(client)),
        "people-0-id_number": "c 123 4567", "people-0-id_kind": "passport", "people-0-phone": "+84 912.345.678",
    }))
    assert Petitioner.objects.values_list("id_number", "id_kind", "phone").get() == ("C1234567", "passport",
                                                                                    "0912345678")
