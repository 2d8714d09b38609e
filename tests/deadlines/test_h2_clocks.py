"""The clocks after a complaint decision (K5, K6, K7), the complaint limitation (K1) and the complaint notice (K2).

Expected dates counted by hand from reference §3.1 and the §7 calendar.
"""
from datetime import date

import pytest

from deadlines.engine import DeadlineInput, compute_deadlines, limitation_due

pytestmark = pytest.mark.django_db

D = date


def run(**kwargs):
    return compute_deadlines(DeadlineInput(**kwargs))


@pytest.mark.parametrize(("decided", "remote", "due"), [
    (D(2025, 6, 2), False, D(2025, 7, 2)),    # Mon + 30 = Wed, no roll
    (D(2025, 6, 2), True, D(2025, 7, 17)),    # + 45 = Thu
    (D(2026, 7, 30), False, D(2026, 9, 3)),   # + 30 = Sat 29/8; 31/8–2/9 National Day break
])
def test_a_first_decision_opens_k5_and_becomes_final_under_k6(decided, remote, due):
    result = run(kind="complaint", received=D(2025, 5, 5), accepted=D(2025, 5, 7), decided=decided, remote=remote)
    assert result.appeal_due == result.final_on == due
    rules = {entry["deadline"]: entry["rule"] for entry in result.basis}
    assert rules["appeal"] == "K5" and rules["final"] == "K6"
    assert result.as_json()["appeal_due"] == due.isoformat()


def test_a_second_decision_becomes_final_under_k7_with_no_k5():
    result = run(kind="complaint", round=2, received=D(2026, 8, 3), accepted=D(2026, 8, 4), decided=D(2026, 8, 20))
    assert result.appeal_due is None
    assert result.final_on == D(2026, 9, 21)  # Thu 20/8 + 30 = Sat 19/9 -> Mon 21/9
    assert [e["rule"] for e in result.basis if e["deadline"] == "final"] == ["K7"]


def test_only_a_complaint_decision_has_k5_to_k7():
    result = run(kind="denunciation", received=D(2026, 7, 6), accepted=D(2026, 7, 8), decided=D(2026, 7, 30))
    assert (result.appeal_due, result.final_on) == (None, None)


def test_a_decision_before_the_receipt_is_refused():
    with pytest.raises(ValueError, match="decided"):
        run(kind="complaint", received=D(2026, 7, 6), decided=D(2026, 7, 1))


def test_k1_is_90_calendar_days_rolled_and_lengthened_by_force_majeure():
    assert limitation_due(D(2026, 3, 1)).due == D(2026, 6, 1)  # Sat 30/5 -> Mon 1/6
    assert limitation_due(D(2026, 3, 1), not_counted=40).due == D(2026, 7, 9)
    window = limitation_due(D(2026, 4, 10))
    assert (window.due, window.rule, window.source, window.length) == (D(2026, 7, 9), "K1", "LKN Art 9", 90)
    assert limitation_due(D(2011, 1, 1)) is None  # before the Law on Complaints
    with pytest.raises(ValueError):
        limitation_due(D(2026, 3, 1), not_counted=-1)


@pytest.mark.parametrize(("received", "accepted", "due", "length"), [
    (D(2026, 6, 30), D(2026, 7, 2), D(2026, 7, 14), 10),  # the rule in force on the day of receipt, not of acceptance
    (D(2026, 7, 1), D(2026, 7, 2), D(2026, 7, 10), 7),
])
def test_a_complaints_notice_runs_from_receipt_under_k2(received, accepted, due, length):
    result = run(kind="complaint", received=received, accepted=accepted)
    assert result.notice_due == due and result.notice_start == "receipt"
    entry = next(e for e in result.basis if e["deadline"] == "notice")
    assert (entry["rule"], entry["from"], entry["length"]) == ("K2", received.isoformat(), length)


def test_a_denunciations_notice_still_runs_from_acceptance_under_t3():
    result = run(kind="denunciation", received=D(2026, 7, 6), accepted=D(2026, 7, 8))
    assert result.notice_start == "acceptance" and result.notice_due == D(2026, 7, 15)  # Wed 8/7 + 5 wd
