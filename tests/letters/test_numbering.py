"""The document register: one series per unit and year from 01, gapless and unique under concurrency."""
import threading
import time

import pytest
from django.db import connection, connections

from cases.models import Case
from letters import render, services
from letters.models import Letter, RegisterCounter, UnitLetterSettings
from tests.factories import aware

from .conftest import ISSUED, D, accepted, intake


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_issuers_get_numbers_1_to_20_and_a_failed_one_leaves_no_gap(world, monkeypatch):
    assert connection.vendor == "postgresql"
    cases = [intake(world) for _ in range(21)]

    def slow_or_failing(html):
        """Rendering (a stand-in: the numbers are the subject here) while the number is held: the others wait."""
        time.sleep(0.02)
        if threading.current_thread().name == "failing":
            raise RuntimeError("renderer crashed")
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(render, "to_pdf", slow_or_failing)
    start = threading.Barrier(21, timeout=30)
    errors = []

    def issue(case):
        try:
            start.wait()
            services.issue_letter(case=Case.objects.get(pk=case.pk), letter_type="receipt", actor=world.reception,
                                  now=aware(ISSUED, 10))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(case,), name="failing" if i == 7 else f"issuer-{i}")
               for i, case in enumerate(cases)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert [str(e) for e in errors] == ["renderer crashed"]
    numbers = sorted(Letter.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 21))
    assert RegisterCounter.objects.get(unit=world.commune, year=2026, series="").last_number == 20
    assert Letter.objects.values("attachment").distinct().count() == 20


@pytest.mark.django_db
def test_the_series_starts_again_at_01_on_1_january_and_may_be_kept_per_letter_type(world):
    case = accepted(world)
    first = services.issue_letter(case=case, letter_type="receipt", actor=world.reception,
                                  now=aware(D(2026, 12, 31), 16))
    second = services.issue_letter(case=case, letter_type="acceptance", actor=world.head,
                                   now=aware(D(2026, 12, 31), 17))
    new_year = services.issue_letter(case=case, letter_type="acceptance", actor=world.head,
                                     now=aware(D(2027, 1, 1), 8))
    assert [(x.year, x.number, x.reference) for x in (first, second, new_year)] == [
        (2026, 1, "01/GBN-UBND"), (2026, 2, "02/TB-UBND"), (2027, 1, "01/TB-UBND")]
    UnitLetterSettings.objects.create(unit=world.commune, symbol="UBND-XA", series_per_type=True)
    per_type = [services.issue_letter(case=case, letter_type=kind, actor=actor, now=aware(D(2027, 1, 2), 9))
                for kind, actor in (("acceptance", world.head), ("receipt", world.reception),
                                    ("acceptance", world.head))]
    assert [(x.series, x.reference) for x in per_type] == [
        ("acceptance", "01/TB-UBND-XA"), ("receipt", "01/GBN-UBND-XA"), ("acceptance", "02/TB-UBND-XA")]


@pytest.mark.django_db
def test_the_letter_is_append_only(world):
    letter = services.issue_letter(case=intake(world), letter_type="receipt", actor=world.reception,
                                   now=aware(ISSUED, 10))
    with pytest.raises(ValueError):
        letter.save()
