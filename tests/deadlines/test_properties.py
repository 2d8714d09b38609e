"""Properties of the counting rules (reference §2), checked against an independent calendar oracle."""
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deadlines.engine import DeadlineInput, compute_deadlines

from .oracle import working_day_oracle

pytestmark = pytest.mark.django_db

DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))
COMPLEXITY = st.sampled_from(["simple", "complex", "especially_complex"])


def resolution_entry(result):
    return next(b for b in result.basis if b["deadline"] == "resolution")


@settings(deadline=None, max_examples=300)
@given(kind=st.sampled_from(["complaint", "denunciation", "recommendation", "feedback"]), received=DAYS,
       multi_site=st.booleans(), accepted_after=st.none() | st.integers(0, 20))
def test_working_day_deadlines_land_on_working_days(kind, received, multi_site, accepted_after):
    is_working = working_day_oracle()
    accepted = None if accepted_after is None else received + timedelta(days=accepted_after)
    result = compute_deadlines(DeadlineInput(kind=kind, received=received, multi_site=multi_site, accepted=accepted))
    assert is_working(result.acceptance_due)
    if result.notice_due:
        assert is_working(result.notice_due)
    # The n-th working day after the event: exactly n working days in (event, due].
    entry = result.basis[0]
    span = (result.acceptance_due - received).days
    assert sum(is_working(received + timedelta(days=i)) for i in range(1, span + 1)) == entry["length"]


@settings(deadline=None, max_examples=300)
@given(kind=st.sampled_from(["complaint", "denunciation"]), accepted=DAYS, round_=st.sampled_from([1, 2]),
       complexity=COMPLEXITY, remote=st.booleans())
def test_calendar_day_deadlines_roll_only_over_rest_days(kind, accepted, round_, complexity, remote):
    is_working = working_day_oracle()
    round_ = round_ if kind == "complaint" else 1
    result = compute_deadlines(DeadlineInput(kind=kind, received=accepted, accepted=accepted, round=round_,
                                             complexity=complexity, remote=remote))
    entry = resolution_entry(result)
    unrolled = accepted + timedelta(days=entry["length"])
    assert date.fromisoformat(entry["unrolled"]) == unrolled
    due = result.resolution_due
    assert due >= unrolled and is_working(due)
    assert not any(is_working(unrolled + timedelta(days=i)) for i in range((due - unrolled).days))


@settings(deadline=None, max_examples=300)
@given(accepted=DAYS, complexity=COMPLEXITY, extensions=st.integers(0, 2), offset=st.integers(0, 200),
       length=st.integers(0, 120))
def test_a_suspension_of_n_days_moves_the_deadline_by_n(accepted, complexity, extensions, offset, length):
    """For a suspension from S to S+N that starts while the clock runs (acceptance <= S <= the end),
    the unrolled end moves by exactly N days, and the deadline is the first working day on or after it."""
    is_working = working_day_oracle()
    extensions = min(extensions, {"simple": 0, "complex": 1, "especially_complex": 2}[complexity])
    base = DeadlineInput(kind="denunciation", received=accepted, accepted=accepted, complexity=complexity,
                         extensions=extensions)
    plain = compute_deadlines(base)
    plain_end = date.fromisoformat(resolution_entry(plain)["unrolled"])
    start = accepted + timedelta(days=offset % ((plain_end - accepted).days + 1))
    suspended = compute_deadlines(DeadlineInput(**{**base.__dict__, "suspensions": ((start, start + timedelta(days=length)),)}))
    moved_end = date.fromisoformat(resolution_entry(suspended)["unrolled"])
    assert moved_end - plain_end == timedelta(days=length)
    due = suspended.resolution_due
    assert is_working(due) and due >= moved_end
    assert not any(is_working(moved_end + timedelta(days=i)) for i in range((due - moved_end).days))
    if is_working(plain_end) and is_working(moved_end):
        assert due - plain.resolution_due == timedelta(days=length)
