"""The legal today (issue 6): every legal date is read in Asia/Ho_Chi_Minh, whatever zone a request activates."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from access import policy
from cases import rules, services
from cases.models import Case, SlaState
from cases.sla import legal_cutoffs, quiet_intake_state, sweep_params
from deadlines import clock
from tests.cases.conftest import World, complaint_kwargs

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = dt.UTC
# Zones far from UTC+7 on either side: a request from them sees another calendar date around midnight.
ZONES = ["America/Los_Angeles", "Pacific/Kiritimati", "UTC"]


def hcm(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=HCM)


@pytest.fixture(params=ZONES)
def foreign_zone(request):
    with timezone.override(request.param):
        yield request.param


@pytest.mark.parametrize("moment, day", [
    (hcm(2026, 7, 7, 0, 30), dt.date(2026, 7, 7)),  # 6/7 in Los Angeles, 7/7 in Kiritimati
    (hcm(2026, 7, 6, 23, 30), dt.date(2026, 7, 6)),  # 6/7 in Los Angeles, 7/7 in Kiritimati
    (hcm(2026, 12, 31, 23, 59), dt.date(2026, 12, 31)),
    (hcm(2027, 1, 1, 0, 1), dt.date(2027, 1, 1)),
])
def test_the_legal_date_is_the_date_in_ho_chi_minh_city(foreign_zone, moment, day):
    assert clock.legal_date(moment) == day
    assert clock.legal_date(moment.astimezone(UTC)) == day
    assert clock.legal_date(moment.astimezone(ZoneInfo(foreign_zone))) == day
    assert services._local_date(moment.astimezone(UTC)) == day


def test_the_activated_zone_does_show_another_date_there(foreign_zone):
    """The premise of the tests above: around midnight the activated zone's date differs."""
    moment = hcm(2026, 7, 6, 23, 30) if foreign_zone == "Pacific/Kiritimati" else hcm(2026, 7, 7, 0, 30)
    assert timezone.localdate(moment) != clock.legal_date(moment)


def test_naive_moments_are_refused():
    with pytest.raises(ValueError):
        clock.legal_date(dt.datetime(2026, 7, 7, 0, 30))


def test_legal_midnight_is_00_00_in_ho_chi_minh_city(foreign_zone):
    midnight = clock.legal_midnight(dt.date(2026, 12, 15))
    assert midnight == dt.datetime(2026, 12, 14, 17, 0, tzinfo=UTC)


def test_today_of_the_policy_and_the_rules_follows_ho_chi_minh_city(foreign_zone, time_machine):
    time_machine.move_to(hcm(2026, 7, 7, 0, 30), tick=False)
    assert clock.legal_today() == policy.legal_today() == dt.date(2026, 7, 7)
    assert rules.act_date(object()) == dt.date(2026, 7, 7)
    time_machine.move_to(hcm(2026, 7, 6, 23, 30), tick=False)
    assert clock.legal_today() == policy.legal_today() == rules.act_date(object()) == dt.date(2026, 7, 6)


@pytest.mark.django_db
def test_the_sweep_cutoffs_are_midnights_in_ho_chi_minh_city(foreign_zone, settings):
    settings.REPORT_PERIOD_RULES = None  # the default rules: reporting periods start on 15/12
    settings.SLA_PROLONGED_AFTER_DAYS = 180
    settings.SLA_DUE_SOON_WORKING_DAYS = 3
    # 00:30 on Tue 15/12/2026 in Ho Chi Minh City is still 14/12 in Los Angeles and UTC.
    cut = legal_cutoffs(hcm(2026, 12, 15, 0, 30))
    assert cut["today"] == dt.date(2026, 12, 15)
    assert cut["period_start_at"] == hcm(2026, 12, 15)  # the new period has started
    assert cut["prolonged_before_at"] == hcm(2026, 6, 18)  # 180 days before 15/12, at midnight
    assert cut["soon"] == dt.date(2026, 12, 18)
    # 23:30 on 14/12 is already 15/12 in Kiritimati: still the old period here.
    cut = legal_cutoffs(hcm(2026, 12, 14, 23, 30))
    assert cut["today"] == dt.date(2026, 12, 14)
    assert cut["period_start_at"] == hcm(2025, 12, 15)
    assert cut["prolonged_before_at"] == hcm(2026, 6, 17)
    params = sweep_params(hcm(2026, 12, 14, 23, 30))
    assert params["today"] in (dt.date(2026, 12, 14), "2026-12-14")


@pytest.mark.django_db
def test_intake_near_midnight_counts_from_the_day_in_ho_chi_minh_city(foreign_zone):
    world = World()
    # Tue 7/7/2026 00:30 in Ho Chi Minh City: Mon 6/7 in Los Angeles, 7/7 in Kiritimati.
    received = hcm(2026, 7, 7, 0, 30)
    case = services.case_intake(**complaint_kwargs(world, received_at=received, now=received + dt.timedelta(hours=1))).case
    assert case.acceptance_due == dt.date(2026, 7, 16)  # 7 working days counted from Tue 7/7, not Mon 6/7
    assert case.deadline_basis[0]["from"] == "2026-07-07"
    # Mon 6/7 23:30 in Ho Chi Minh City: already Tue 7/7 in Kiritimati.
    received = hcm(2026, 7, 6, 23, 30)
    case = services.case_intake(**complaint_kwargs(world, received_at=received, now=received + dt.timedelta(minutes=20))).case
    assert case.acceptance_due == dt.date(2026, 7, 15)
    assert quiet_intake_state(Case.objects.get(pk=case.pk), received + dt.timedelta(minutes=20)) == SlaState.ON_TRACK


@pytest.mark.django_db
def test_the_queue_filters_received_dates_in_ho_chi_minh_city(foreign_zone):
    from django.test import Client

    world = World()
    late = hcm(2026, 7, 6, 23, 30)  # 6/7 here, 7/7 in Kiritimati
    early = hcm(2026, 7, 7, 0, 30)  # 7/7 here, 6/7 in Los Angeles
    first = services.case_intake(**complaint_kwargs(world, received_at=late, now=early + dt.timedelta(hours=2))).case
    second = services.case_intake(**complaint_kwargs(world, received_at=early, now=early + dt.timedelta(hours=2))).case
    client = Client()
    client.force_login(world.head)
    response = client.get("/cases/queues/open/", {"received_after": "2026-07-07", "received_before": "2026-07-07"})
    assert response.status_code == 200
    shown = {row["pk"] for row in response.context["page"].object_list}  # the queue reads its rows as values
    assert shown == {second.pk} and first.pk not in shown
