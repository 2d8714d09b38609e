"""Each timer row of reference §3 that applies to a case is in the rules table, in force on the right dates."""
from datetime import date

import pytest

from deadlines.models import DeadlineRule
from deadlines.rules import extensions_allowed, find_rule, suspension_rule

pytestmark = pytest.mark.django_db

BEFORE = date(2026, 6, 30)
AFTER = date(2026, 7, 1)

# (code, kind, deadline_type, selectors, length, unit, article cited in §3, in force before 1/7/2026?)
ROWS = [
    ("K1", "complaint", "other", {}, 90, "calendar", "Art 9", True),
    ("K5", "complaint", "other", {}, 30, "calendar", "Art 33", True),
    ("K5", "complaint", "other", {"remote": True}, 45, "calendar", "Art 33", True),
    ("K6", "complaint", "other", {}, 30, "calendar", "Art 44(1)", True),
    ("K6", "complaint", "other", {"remote": True}, 45, "calendar", "Art 44(1)", True),
    ("K7", "complaint", "other", {"round": 2}, 30, "calendar", "Art 44(2)", True),
    ("K7", "complaint", "other", {"round": 2, "remote": True}, 45, "calendar", "Art 44(2)", True),
    ("K8", "complaint", "other", {}, 30, "calendar", "Art 11(8)", True),
    ("K9", "complaint", "other", {}, 7, "calendar", "Art 12", True),
    ("K10", "complaint", "other", {}, 5, "calendar", "NĐ 155", False),
    ("K11", "complaint", "other", {}, 3, "working", "NĐ 155", False),
    ("T2", "denunciation", "forward", {}, 5, "working", "Art 24", True),
    ("T3", "denunciation", "notice", {}, 5, "working", "Art 29", True),
    ("T5", "denunciation", "other", {}, 5, "working", "Art 34", True),
    ("T6", "denunciation", "report_back", {}, 20, "calendar", "Art 26", True),
    ("T7", "denunciation", "other", {}, 20, "calendar", "Art 37", True),
    ("T8", "denunciation", "other", {}, 5, "working", "Art 38", True),
    *[("C5", k, "other", {}, 10, "working", "Art 28(1)", True) for k in ("complaint", "denunciation", "recommendation", "feedback")],
    *[("C6", k, "report_back", {}, 7, "working", "Art 27(2)", True) for k in ("complaint", "recommendation")],
    *[("C7", k, "other", {}, 5, "working", "Art 28(2)", True) for k in ("complaint", "feedback")],
    *[("C8", k, "other", {}, 3, "working", "NĐ 154", False) for k in ("complaint", "recommendation")],
    *[("P1", k, "forward", {}, 5, "working", "NĐ 20/2008", True) for k in ("recommendation", "feedback")],
    *[("X1", k, "acceptance", {}, 10, "working", "TT 05/2021", True) for k in ("recommendation", "feedback")],
]


@pytest.mark.parametrize("code,kind,deadline_type,selectors,length,unit,article,before", ROWS,
                         ids=[f"{r[0]}-{r[1]}-{i}" for i, r in enumerate(ROWS)])
@pytest.mark.parametrize("on", [BEFORE, AFTER], ids=["before-1-7-2026", "from-1-7-2026"])
def test_timer_rows(code, kind, deadline_type, selectors, length, unit, article, before, on):
    found = find_rule(kind=kind, deadline_type=deadline_type, on=on, code=code, **selectors)
    if on == BEFORE and not before:
        assert found is None
        return
    assert found is not None
    assert (found.length, found.day_count) == (length, unit)
    assert article in found.legal_source


def test_k2_switches_from_10_to_7_working_days():
    assert find_rule(kind="complaint", deadline_type="acceptance", on=BEFORE).length == 10
    assert find_rule(kind="complaint", deadline_type="acceptance", on=AFTER).length == 7


def test_t4_extensions_by_complexity():
    for complexity, allowed in (("simple", 0), ("complex", 1), ("especially_complex", 2)):
        assert extensions_allowed(kind="denunciation", round=1, complexity=complexity, remote=False, on=AFTER) == allowed
    rule = find_rule(kind="denunciation", deadline_type="resolution", on=AFTER, complexity="complex")
    assert (rule.length, rule.extension_length) == (30, 30)
    assert extensions_allowed(kind="complaint", round=1, complexity="complex", remote=True, on=AFTER) == 0


def test_suspension_is_provided_for_complaints_only_from_the_reform():
    assert suspension_rule(kind="denunciation", on=BEFORE).code == "T5"
    assert suspension_rule(kind="complaint", on=BEFORE) is None
    assert suspension_rule(kind="complaint", on=AFTER).code == "K11"
    assert suspension_rule(kind="recommendation", on=AFTER) is None


def test_most_specific_row_wins_and_edits_apply_at_once():
    base = find_rule(kind="denunciation", deadline_type="notice", on=AFTER, remote=True)
    assert base.code == "T3" and base.length == 5
    row = DeadlineRule.objects.create(
        code="T3", deadline_type="notice", kind="denunciation", remote=True, start_event="acceptance", length=8,
        day_count="working", effective_from=AFTER, legal_source="test",
    )
    assert find_rule(kind="denunciation", deadline_type="notice", on=AFTER, remote=True).length == 8
    assert find_rule(kind="denunciation", deadline_type="notice", on=AFTER, remote=False).length == 5
    assert find_rule(kind="denunciation", deadline_type="notice", on=BEFORE, remote=True).length == 5
    row.delete()
    assert find_rule(kind="denunciation", deadline_type="notice", on=AFTER, remote=True).length == 5


def test_every_row_cites_its_source():
    assert not DeadlineRule.objects.filter(legal_source="").exists()
    codes = set(DeadlineRule.objects.values_list("code", flat=True))
    assert {f"K{i}" for i in range(1, 12)} <= codes
    assert {f"T{i}" for i in range(1, 9)} <= codes
    assert {"C5", "C6", "C7", "C8", "P1", "X1"} <= codes
