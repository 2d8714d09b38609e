"""Every figure of the report on the hand-built fixture (tests/reports/conftest.py), written out by hand."""
import datetime as dt

import pytest

from reports.figures import build_report

from .conftest import H1

pytestmark = pytest.mark.django_db


def zero_types():
    return {"sessions": 0, "persons": 0, "cases": 0, "mass_groups": 0, "mass_persons": 0}


NO_RESULT = {"right": 0, "wrong": 0, "partly_right": 0, "not_stated": 0}

COMMUNE_A = {
    "period": {"from": "2025-12-15", "to": "2026-06-14"},
    "unit": "xa-a",
    "rollup": False,
    "reception": {
        "sessions": 2, "persons": 15, "cases": 4, "mass_groups": 1, "mass_persons": 8,
        "by_type": {
            "regular": {"sessions": 1, "persons": 3, "cases": 2, "mass_groups": 0, "mass_persons": 0},
            "periodic_head": {"sessions": 1, "persons": 12, "cases": 2, "mass_groups": 1, "mass_persons": 8},
            "ad_hoc": zero_types(),
        },
    },
    "petitions": {
        "received": 10,  # cases 2, 3, 6, 8, 10–15
        "carried_over": 4,  # cases 1, 5, 9, 19
        "total": 14,
        "by_kind": {"complaint": 6, "denunciation": 1, "recommendation": 1, "feedback": 2},
        "by_competence": {"within": 2, "outside": 1, "not_assessed": 7},
        "by_field": {"": 8, "land": 2},
        "outcome": {"accepted": 3, "not_accepted": 1, "forwarded": 1, "guided": 1, "archived": 1, "withdrawn": 0,
                    "pending": 3},
        "complaint_round": {"1": 6, "2": 0},
    },
    "complaints": {
        "in_competence": 4,  # cases 1, 2, 5, 6
        "carried_over": 1,  # case 5
        "resolved": 3,  # cases 1, 2 (decisions), 6 (termination)
        "by_decision": 2,
        "by_withdrawal": 1,
        "on_time": 2,
        "overdue": 1,
        "no_due_date": 0,
        "result": {"right": 1, "wrong": 1, "partly_right": 0, "not_stated": 0},
        "round": {"1": 3, "2": 0},
    },
    "denunciations": {
        "in_competence": 2, "carried_over": 1, "resolved": 1, "by_decision": 1, "by_withdrawal": 0, "on_time": 0,
        "overdue": 1, "no_due_date": 0, "result": {"right": 1, "wrong": 0, "partly_right": 0, "not_stated": 0},
    },
    "backlog_at_end": 5,  # cases 3, 5, 8, 14, 15
    "over_level": 0,
    "mass": 1,
}

PROVINCE_ROLLED_UP = {
    "period": {"from": "2025-12-15", "to": "2026-06-14"},
    "unit": "tinh",
    "rollup": True,
    "reception": {
        "sessions": 4, "persons": 18, "cases": 6, "mass_groups": 1, "mass_persons": 8,
        "by_type": {
            "regular": {"sessions": 2, "persons": 5, "cases": 3, "mass_groups": 0, "mass_persons": 0},
            "periodic_head": {"sessions": 1, "persons": 12, "cases": 2, "mass_groups": 1, "mass_persons": 8},
            "ad_hoc": {"sessions": 1, "persons": 1, "cases": 1, "mass_groups": 0, "mass_persons": 0},
        },
    },
    "petitions": {
        "received": 13,  # commune A's 10, and 7, 16, 17
        "carried_over": 4,  # 18 ended before the window
        "total": 17,
        "by_kind": {"complaint": 8, "denunciation": 1, "recommendation": 2, "feedback": 2},
        "by_competence": {"within": 2, "outside": 1, "not_assessed": 10},
        "by_field": {"": 10, "housing": 1, "land": 2},
        "outcome": {"accepted": 5, "not_accepted": 1, "forwarded": 1, "guided": 2, "archived": 1, "withdrawn": 0,
                    "pending": 3},
        "complaint_round": {"1": 7, "2": 1},
    },
    "complaints": {
        "in_competence": 6, "carried_over": 1, "resolved": 5, "by_decision": 4, "by_withdrawal": 1, "on_time": 4,
        "overdue": 1, "no_due_date": 0, "result": {"right": 2, "wrong": 1, "partly_right": 1, "not_stated": 0},
        "round": {"1": 4, "2": 1},
    },
    "denunciations": {
        "in_competence": 2, "carried_over": 1, "resolved": 1, "by_decision": 1, "by_withdrawal": 0, "on_time": 0,
        "overdue": 1, "no_due_date": 0, "result": {"right": 1, "wrong": 0, "partly_right": 0, "not_stated": 0},
    },
    "backlog_at_end": 5,
    "over_level": 1,
    "mass": 1,
}

PROVINCE_ALONE = {
    "period": {"from": "2025-12-15", "to": "2026-06-14"},
    "unit": "tinh",
    "rollup": False,
    "reception": {
        "sessions": 1, "persons": 2, "cases": 1, "mass_groups": 0, "mass_persons": 0,
        "by_type": {"regular": {"sessions": 1, "persons": 2, "cases": 1, "mass_groups": 0, "mass_persons": 0},
                    "periodic_head": zero_types(), "ad_hoc": zero_types()},
    },
    "petitions": {
        "received": 2, "carried_over": 0, "total": 2,
        "by_kind": {"complaint": 1, "denunciation": 0, "recommendation": 1, "feedback": 0},
        "by_competence": {"within": 0, "outside": 0, "not_assessed": 2},
        "by_field": {"": 2},
        "outcome": {"accepted": 1, "not_accepted": 0, "forwarded": 0, "guided": 1, "archived": 0, "withdrawn": 0,
                    "pending": 0},
        "complaint_round": {"1": 0, "2": 1},
    },
    "complaints": {
        "in_competence": 1, "carried_over": 0, "resolved": 1, "by_decision": 1, "by_withdrawal": 0, "on_time": 1,
        "overdue": 0, "no_due_date": 0, "result": {"right": 0, "wrong": 0, "partly_right": 1, "not_stated": 0},
        "round": {"1": 0, "2": 1},
    },
    "denunciations": {
        "in_competence": 0, "carried_over": 0, "resolved": 0, "by_decision": 0, "by_withdrawal": 0, "on_time": 0,
        "overdue": 0, "no_due_date": 0, "result": NO_RESULT,
    },
    "backlog_at_end": 0,
    "over_level": 1,
    "mass": 0,
}


@pytest.mark.parametrize(("unit", "rollup", "expected"), [
    ("commune", False, COMMUNE_A),
    ("commune", True, COMMUNE_A | {"rollup": True}),  # no sub-units: the same figures
    ("province", True, PROVINCE_ROLLED_UP),
    ("province", False, PROVINCE_ALONE),
])
def test_every_figure_of_the_six_month_report(report_world, django_assert_max_num_queries, unit, rollup, expected):
    with django_assert_max_num_queries(5):  # units, SET LOCAL jit, cases, fields, reception
        report = build_report(unit=getattr(report_world, unit), rollup=rollup, date_from=H1[0], date_to=H1[1])
    assert report == expected


def test_the_next_window_carries_over_the_backlog(report_world):
    first = build_report(unit=report_world.commune, rollup=False, date_from=H1[0], date_to=H1[1])
    after = build_report(unit=report_world.commune, rollup=False, date_from=dt.date(2026, 6, 15),
                         date_to=dt.date(2026, 9, 14))
    assert after["petitions"]["carried_over"] == first["backlog_at_end"] == 5
    assert after["petitions"]["received"] == 1  # case 4, ten minutes past the first window
    assert after["denunciations"]["resolved"] == 1 and after["denunciations"]["on_time"] == 1  # case 8
    assert after["reception"]["sessions"] == 1 and after["reception"]["persons"] == 4


def test_a_report_holds_no_personal_data(report_world):
    text = repr(build_report(unit=report_world.province, rollup=True, date_from=H1[0], date_to=H1[1]))
    for secret in ("Nội dung", "X", "RPT0", "tiepdan", "lanhdao"):
        assert secret not in text


def test_a_period_that_ends_before_it_starts_is_refused(report_world):
    with pytest.raises(ValueError):
        build_report(unit=report_world.commune, rollup=False, date_from=dt.date(2026, 2, 1),
                     date_to=dt.date(2026, 1, 1))
