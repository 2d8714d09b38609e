import datetime as dt

import pytest

from reports import periods

D = dt.date


@pytest.mark.parametrize(("code", "window"), [
    ("Q1-2026", (D(2025, 12, 15), D(2026, 3, 14))),
    ("Q2-2026", (D(2026, 3, 15), D(2026, 6, 14))),
    ("H1-2026", (D(2025, 12, 15), D(2026, 6, 14))),
    ("9M-2026", (D(2025, 12, 15), D(2026, 9, 14))),
    ("Y-2026", (D(2025, 12, 15), D(2026, 12, 14))),
    ("q4-2026", (D(2026, 9, 15), D(2026, 12, 14))),
])
def test_default_windows_run_from_the_15th_to_the_14th(code, window):
    assert periods.parse_period(code) == window


@pytest.mark.parametrize("code", ["H2-2026", "Y2026", "", "Q5-2026", "H1-26"])
def test_unknown_periods_are_refused(code):
    with pytest.raises(periods.UnknownPeriod):
        periods.parse_period(code)


def test_default_submission_deadlines_of_the_district_plan():
    assert periods.submission_deadline("H1-2026") == D(2026, 6, 10)
    assert periods.submission_deadline("Y-2026") == D(2026, 11, 25)
    assert periods.submission_deadline("Q1-2026") is None


def test_rules_have_effective_dates(settings):
    settings.REPORT_PERIOD_RULES = [
        {"effective_from": "2000-01-01", "cutoff_day": 14, "deadlines": {"H1": "06-10", "Y": "11-25"}},
        {"effective_from": "2027-01-01", "cutoff_day": None, "deadlines": {"H1": "07-05", "Q1": "04-05"}},
    ]
    assert periods.parse_period("Y-2026") == (D(2025, 12, 15), D(2026, 12, 14))
    assert periods.parse_period("H1-2027") == (D(2027, 1, 1), D(2027, 6, 30))
    assert periods.submission_deadline("H1-2027") == D(2027, 7, 5)
    assert periods.submission_deadline("Q1-2027") == D(2027, 4, 5)
    assert periods.submission_deadline("Y-2027") is None
