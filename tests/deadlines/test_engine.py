"""compute_deadlines against reference §3 and the worked examples of §8.

Every expected date below was counted by hand from the reference's tables
(lengths) and its §7 calendar, never taken from the code.
"""
from datetime import date

import pytest

from deadlines.engine import DeadlineInput, compute_deadlines

pytestmark = pytest.mark.django_db

D = date


def run(**kwargs):
    return compute_deadlines(DeadlineInput(**kwargs))


# --- Reference §8 ------------------------------------------------------------------

def test_example_a_first_complaint_over_tet_2025():
    simple = run(kind="complaint", received=D(2025, 1, 20))
    assert simple.acceptance_due == D(2025, 2, 10)
    assert simple.resolution_due == D(2025, 3, 12)
    complex_ = run(kind="complaint", received=D(2025, 1, 20), complexity="complex")
    assert complex_.resolution_due == D(2025, 3, 27)


def test_example_b_second_complaint_rolls_off_a_saturday():
    result = run(kind="complaint", received=D(2025, 8, 25), round=2)
    assert result.acceptance_due == D(2025, 9, 10)
    assert result.resolution_due == D(2025, 10, 27)
    resolution = next(b for b in result.basis if b["deadline"] == "resolution")
    assert resolution["rule"] == "K4" and resolution["unrolled"] == "2025-10-25"
    assert resolution["rolled"]["to"] == "2025-10-27"


def test_example_c_denunciation_over_tet_2026():
    result = run(kind="denunciation", received=D(2026, 2, 9))
    assert result.acceptance_due == D(2026, 2, 25)
    assert result.resolution_due == D(2026, 3, 27)
    assert result.notice_due == D(2026, 3, 4)


def test_basis_names_rule_length_unit_start_and_source():
    result = run(kind="complaint", received=D(2026, 7, 1))
    acceptance = result.basis[0]
    assert acceptance == {
        "deadline": "acceptance", "rule": "K2", "length": 7, "unit": "working", "from": "2026-07-01",
        "due": "2026-07-10", "source": acceptance["source"], "effective_from": "2026-07-01",
    }
    assert "NĐ 155/2026" in acceptance["source"]


# --- K2 / T1 / X1: acceptance, before and after 1/7/2026 -----------------------------

@pytest.mark.parametrize("kind,received,extra,due", [
    # K2: 10 wd for complaints received up to 30/6/2026, 7 wd from 1/7/2026.
    ("complaint", D(2025, 6, 2), {}, D(2025, 6, 16)),
    ("complaint", D(2026, 6, 30), {}, D(2026, 7, 14)),
    ("complaint", D(2026, 7, 1), {}, D(2026, 7, 10)),
    ("complaint", D(2026, 7, 1), {"round": 2}, D(2026, 7, 10)),
    # T1: 7 wd, 10 wd when checks are needed at several places.
    ("denunciation", D(2025, 6, 2), {}, D(2025, 6, 11)),
    ("denunciation", D(2025, 6, 2), {"multi_site": True}, D(2025, 6, 16)),
    ("denunciation", D(2026, 7, 1), {}, D(2026, 7, 10)),
    ("denunciation", D(2026, 7, 1), {"multi_site": True}, D(2026, 7, 15)),
    # X1: processing a recommendation or feedback, 10 wd; no resolution period.
    ("recommendation", D(2025, 6, 2), {}, D(2025, 6, 16)),
    ("feedback", D(2026, 7, 1), {}, D(2026, 7, 15)),
])
def test_acceptance_windows(kind, received, extra, due):
    result = run(kind=kind, received=received, **extra)
    assert result.acceptance_due == due


@pytest.mark.parametrize("kind", ["recommendation", "feedback"])
def test_recommendation_and_feedback_have_no_resolution_deadline(kind):
    result = run(kind=kind, received=D(2025, 6, 2))
    assert result.basis[0]["rule"] == "X1"
    assert result.resolution_due is None and result.notice_due is None


# --- K3 / K4 / T4: resolution from acceptance, in calendar days -----------------------
# Accepted Mon 2/6/2025: +30 = Wed 2/7, +45 = Thu 17/7, +60 = Fri 1/8, +70 = Mon 11/8 (all working days).

@pytest.mark.parametrize("round_,complexity,remote,due", [
    (1, "simple", False, D(2025, 7, 2)),
    (1, "complex", False, D(2025, 7, 17)),
    (1, "especially_complex", False, D(2025, 7, 17)),
    (1, "simple", True, D(2025, 7, 17)),
    (1, "complex", True, D(2025, 8, 1)),
    (2, "simple", False, D(2025, 7, 17)),
    (2, "complex", False, D(2025, 8, 1)),
    (2, "simple", True, D(2025, 8, 1)),
    (2, "complex", True, D(2025, 8, 11)),
])
@pytest.mark.parametrize("accepted", [D(2025, 6, 2)])
def test_complaint_resolution_periods(round_, complexity, remote, due, accepted):
    result = run(kind="complaint", received=D(2025, 5, 26), accepted=accepted, round=round_,
                 complexity=complexity, remote=remote)
    assert result.resolution_due == due
    assert result.max_extensions == 0


def test_complaint_periods_unchanged_after_the_reform():
    # Accepted Mon 6/7/2026: +30 = Wed 5/8/2026, +45 = Thu 20/8/2026.
    assert run(kind="complaint", received=D(2026, 7, 1), accepted=D(2026, 7, 6)).resolution_due == D(2026, 8, 5)
    assert run(kind="complaint", received=D(2026, 7, 1), accepted=D(2026, 7, 6),
               round=2).resolution_due == D(2026, 8, 20)


def test_denunciation_resolution_and_notice():
    result = run(kind="denunciation", received=D(2025, 5, 26), accepted=D(2025, 6, 2))
    assert result.resolution_due == D(2025, 7, 2)
    assert result.notice_due == D(2025, 6, 9)  # T3: 5 wd
    assert result.max_extensions == 0


@pytest.mark.parametrize("complexity,extensions,due", [
    ("complex", 0, D(2025, 7, 2)),
    ("complex", 1, D(2025, 8, 1)),
    ("especially_complex", 1, D(2025, 8, 1)),
    # 90 days end Sun 31/8/2025; 1–2/9 are National Day -> Wed 3/9.
    ("especially_complex", 2, D(2025, 9, 3)),
])
def test_denunciation_extensions(complexity, extensions, due):
    result = run(kind="denunciation", received=D(2025, 5, 26), accepted=D(2025, 6, 2),
                 complexity=complexity, extensions=extensions)
    assert result.resolution_due == due
    assert result.max_extensions == {"complex": 1, "especially_complex": 2}[complexity]


def test_extension_counts_from_the_unrolled_end():
    # Accepted Thu 5/6/2025: 30 days end Sat 5/7 (rolled to Mon 7/7); +30 from Sat 5/7 = Mon 4/8, not Wed 6/8.
    plain = run(kind="denunciation", received=D(2025, 6, 2), accepted=D(2025, 6, 5), complexity="complex")
    assert plain.resolution_due == D(2025, 7, 7)
    extended = run(kind="denunciation", received=D(2025, 6, 2), accepted=D(2025, 6, 5), complexity="complex",
                   extensions=1)
    assert extended.resolution_due == D(2025, 8, 4)


@pytest.mark.parametrize("complexity,extensions", [("simple", 1), ("complex", 2), ("especially_complex", 3)])
def test_too_many_extensions_are_refused(complexity, extensions):
    with pytest.raises(ValueError, match="extension"):
        run(kind="denunciation", received=D(2025, 6, 2), complexity=complexity, extensions=extensions)


def test_extensions_on_a_complaint_are_refused():
    with pytest.raises(ValueError, match="only to denunciations"):
        run(kind="complaint", received=D(2025, 6, 2), complexity="complex", extensions=1)


def test_an_extension_may_add_fewer_days_than_the_maximum():
    # Accepted Thu 5/6/2025: 30 days end (unrolled) Sat 5/7; +10 = Tue 15/7/2025.
    result = run(kind="denunciation", received=D(2025, 6, 2), accepted=D(2025, 6, 5), complexity="complex",
                 extensions=1, extension_days=(10,))
    assert result.resolution_due == D(2025, 7, 15)
    entry = next(e for e in result.basis if e["deadline"] == "resolution")
    assert entry["extensions"]["count"] == 1 and entry["extensions"]["days"] == [10]
    # the days alone say how many extensions there were
    assert run(kind="denunciation", received=D(2025, 6, 2), accepted=D(2025, 6, 5), complexity="complex",
               extension_days=(10,)).resolution_due == D(2025, 7, 15)
    # two extensions, 30 + 12 days: Sat 5/7 + 42 = Sat 16/8/2025 -> Mon 18/8
    assert run(kind="denunciation", received=D(2025, 6, 2), accepted=D(2025, 6, 5), complexity="especially_complex",
               extensions=2, extension_days=(30, 12)).resolution_due == D(2025, 8, 18)
    # without days, each extension counts in full (as before)
    assert run(kind="denunciation", received=D(2025, 6, 2), accepted=D(2025, 6, 5), complexity="complex",
               extensions=1).resolution_due == D(2025, 8, 4)


@pytest.mark.parametrize("kwargs, message", [
    ({"extensions": 2, "extension_days": (10,), "complexity": "especially_complex"}, "extension length"),
    ({"extension_days": (31,), "complexity": "complex"}, "exceeds the 30 days"),
    ({"extension_days": (0,), "complexity": "complex"}, "at least one day"),
    ({"extension_days": (10, 10), "complexity": "complex"}, "allows 1"),
    ({"extension_days": (10,), "complexity": "simple"}, "allows 0"),
    ({"extension_days": (10,), "complexity": "complex", "kind": "complaint"}, "only to denunciations"),
])
def test_extension_days_the_law_does_not_allow_are_refused(kwargs, message):
    values = {"kind": "denunciation", "received": D(2025, 6, 2), "accepted": D(2025, 6, 5), **kwargs}
    with pytest.raises(ValueError, match=message):
        run(**values)


# --- Suspension (T5, K11) --------------------------------------------------------------

def test_denunciation_suspension_excludes_the_suspended_days():
    # 30 days from Mon 2/6/2025 end Wed 2/7; suspended 10/6 -> resumed 20/6 = 10 days -> Sat 12/7 -> Mon 14/7.
    result = run(kind="denunciation", received=D(2025, 5, 26), accepted=D(2025, 6, 2),
                 suspensions=((D(2025, 6, 10), D(2025, 6, 20)),))
    assert result.resolution_due == D(2025, 7, 14)


def test_counting_the_resumption_day_is_a_setting(settings):
    settings.DEADLINE_COUNT_RESUMPTION_DAY = True
    result = run(kind="denunciation", received=D(2025, 5, 26), accepted=D(2025, 6, 2),
                 suspensions=((D(2025, 6, 10), D(2025, 6, 20)),))
    assert result.resolution_due == D(2025, 7, 11)


def test_open_suspension_pauses_the_clock():
    result = run(kind="denunciation", received=D(2025, 5, 26), accepted=D(2025, 6, 2),
                 suspensions=((D(2025, 6, 10), None),))
    assert result.resolution_due is None and result.paused
    assert result.acceptance_due is not None


def test_complaint_suspension_exists_only_from_1_7_2026():
    with pytest.raises(ValueError, match="no suspension"):
        run(kind="complaint", received=D(2026, 5, 4), accepted=D(2026, 5, 11),
            suspensions=((D(2026, 5, 20), D(2026, 5, 30)),))
    # Received Wed 1/7/2026, accepted Fri 10/7 (7 wd): 30 days end Sun 9/8; +10 suspended = Wed 19/8/2026.
    result = run(kind="complaint", received=D(2026, 7, 1), suspensions=((D(2026, 7, 15), D(2026, 7, 25)),))
    assert result.resolution_due == D(2026, 8, 19)
    assert next(b for b in result.basis if b["deadline"] == "resolution")["suspensions"][0]["rule"] == "K11"


def test_suspension_before_acceptance_is_refused():
    with pytest.raises(ValueError, match="before acceptance"):
        run(kind="denunciation", received=D(2025, 6, 2), accepted=D(2025, 6, 9),
            suspensions=((D(2025, 6, 5), D(2025, 6, 6)),))


# --- Rolls over Tết and the 2025/2026 swap days ------------------------------------------

@pytest.mark.parametrize("accepted,due", [
    (D(2026, 1, 19), D(2026, 2, 23)),   # ends Wed 18/2/2026 in Tết -> Mon 23/2
    (D(2025, 12, 3), D(2026, 1, 5)),    # ends Fri 2/1/2026, the New Year swap day -> Mon 5/1
    (D(2025, 12, 11), D(2026, 1, 10)),  # ends Sat 10/1/2026, a make-up working day: no roll
    (D(2024, 12, 29), D(2025, 2, 3)),   # ends Tue 28/1/2025 in Tết -> Mon 3/2
])
def test_calendar_day_rolls(accepted, due):
    assert run(kind="complaint", received=accepted, accepted=accepted).resolution_due == due


@pytest.mark.parametrize("accepted,notice", [
    (D(2025, 12, 30), D(2026, 1, 8)),   # 31/12, (1/1, 2/1 off), 5, 6, 7, 8
    (D(2026, 1, 9), D(2026, 1, 15)),    # Sat 10/1 counts: 10, 12, 13, 14, 15
    (D(2025, 4, 25), D(2025, 5, 6)),    # Sat 26/4/2025 counts; 30/4–2/5 off: 26, 28, 29, 5/5, 6/5
])
def test_working_day_counts_over_swap_days(accepted, notice):
    assert run(kind="denunciation", received=accepted, accepted=accepted).notice_due == notice


# --- Anonymous petitions (reference §4.3) ------------------------------------------------

@pytest.mark.parametrize("kind", ["complaint", "denunciation"])
def test_anonymous_complaints_and_denunciations_get_no_timers(kind):
    result = run(kind=kind, received=D(2025, 6, 2), anonymous=True)
    assert (result.acceptance_due, result.resolution_due, result.notice_due) == (None, None, None)
    assert result.basis and "anonymous" in result.basis[0]["note"]


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        run(kind="petition", received=D(2025, 6, 2))
    with pytest.raises(ValueError, match="before received"):
        run(kind="complaint", received=D(2025, 6, 2), accepted=D(2025, 6, 1))
    with pytest.raises(ValueError, match="resumes before"):
        run(kind="denunciation", received=D(2025, 6, 2), suspensions=((D(2025, 6, 20), D(2025, 6, 19)),))


def test_as_json_is_plain_json():
    import json

    data = run(kind="denunciation", received=D(2026, 2, 9)).as_json()
    assert json.loads(json.dumps(data))["acceptance_due"] == "2026-02-25"


def test_warm_calls_query_nothing(django_assert_num_queries):
    inp = DeadlineInput(kind="complaint", received=D(2026, 7, 1), complexity="complex", remote=True)
    compute_deadlines(inp)
    with django_assert_num_queries(0):
        for _ in range(100):
            compute_deadlines(inp)


# --- K5: the window for a second complaint (LKN Art 33(1)) --------------------------

def test_appeal_window_is_30_calendar_days_rolled_past_the_national_day_break():
    from deadlines.engine import appeal_due

    # Thu 30/7/2026 + 30 days = Sat 29/8; Mon 31/8 – Wed 2/9 are the National Day break -> Thu 3/9.
    window = appeal_due(D(2026, 7, 30), remote=False)
    assert window.due == D(2026, 9, 3)
    assert (window.length, window.rule, window.source) == (30, "K5", "LKN Art 33(1)")


def test_appeal_window_is_45_days_in_a_remote_area():
    from deadlines.engine import appeal_due

    # Thu 30/7/2026 + 45 days = Sun 13/9 -> Mon 14/9.
    window = appeal_due(D(2026, 7, 30), remote=True)
    assert window.due == D(2026, 9, 14) and window.length == 45
    # Mon 20/7/2026 + 30 = Wed 19/8, a working day: no roll.
    assert appeal_due(D(2026, 7, 20), remote=False).due == D(2026, 8, 19)


def test_no_appeal_window_before_the_law_on_complaints():
    from deadlines.engine import appeal_due

    assert appeal_due(D(2012, 1, 2), remote=False) is None
