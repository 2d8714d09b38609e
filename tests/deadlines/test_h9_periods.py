"""One source of the reporting periods (issue 9): the SLA sweep's period start is the reports' annual window."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from cases.sla import legal_cutoffs, reporting_period_start
from config.checks import removed_setting_messages
from deadlines import periods
from reports.periods import parse_period

D = dt.date
CALENDAR_FROM_2027 = [
    {"effective_from": "2000-01-01", "cutoff_day": 14, "deadlines": {"H1": "06-10", "Y": "11-25"}},
    {"effective_from": "2027-01-01", "cutoff_day": None, "deadlines": {"H1": "07-05"}},
]


def test_by_default_the_period_starts_on_the_15th_of_december_like_the_annual_report(settings):
    settings.REPORT_PERIOD_RULES = None
    assert reporting_period_start(D(2026, 12, 14)) == D(2025, 12, 15) == parse_period("Y-2026")[0]
    assert reporting_period_start(D(2026, 12, 15)) == D(2026, 12, 15) == parse_period("Y-2027")[0]
    assert reporting_period_start(D(2026, 1, 1)) == D(2025, 12, 15)


@pytest.mark.django_db  # the sweep's cut-offs read the working calendar
def test_the_sweep_follows_the_rules_in_force(settings):
    settings.REPORT_PERIOD_RULES = CALENDAR_FROM_2027
    assert reporting_period_start(D(2027, 3, 1)) == D(2027, 1, 1) == parse_period("Y-2027")[0]
    assert reporting_period_start(D(2026, 12, 10)) == D(2025, 12, 15)
    # between the last 15/12–14/12 window and the first calendar one: still the period that began last
    assert reporting_period_start(D(2026, 12, 20)) == D(2025, 12, 15)
    cut = legal_cutoffs(dt.datetime(2027, 3, 1, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    assert cut["period_start_at"] == dt.datetime(2027, 1, 1, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def test_a_leftover_reporting_period_start_is_reported(settings):
    settings.REPORT_PERIOD_RULES = None
    assert removed_setting_messages({}) == []
    same = removed_setting_messages({"REPORTING_PERIOD_START": "12-15"})
    assert [m.id for m in same] == ["config.W001"]
    moved = removed_setting_messages({"REPORTING_PERIOD_START": "01-01"})
    assert [m.id for m in moved] == ["config.E004"] and "12-15" in moved[0].msg
    assert periods.rules() == list(periods.DEFAULT_RULES)
