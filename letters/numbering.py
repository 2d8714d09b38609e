"""Numbers from a unit's document register: no gap, no duplicate (NĐ 30/2020 Art 15; reference issue 8).

The counter row is created race-free (INSERT … ON CONFLICT DO NOTHING) and then
locked (SELECT … FOR UPDATE) in the caller's transaction, which also stores the
letter: a second issuer waits for the first to commit or roll back, so a number
is used exactly once, and a failed letter gives its number back.
"""
from django.conf import settings
from django.db import transaction

from .models import RegisterCounter, UnitLetterSettings


def series_for(unit_settings: UnitLetterSettings | None, letter_type: str) -> str:
    """Empty (one series per unit and year) unless the unit or the setting asks for one per letter type."""
    per_type = getattr(settings, "LETTERS_SERIES_PER_TYPE", False) or bool(
        unit_settings is not None and unit_settings.series_per_type)
    return letter_type if per_type else ""


def next_number(*, unit_id: int, year: int, series: str) -> int:
    """Take the next number of the series; must run inside the transaction that stores the letter."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a register number is taken inside the transaction that stores the letter")
    RegisterCounter.objects.bulk_create([RegisterCounter(unit_id=unit_id, year=year, series=series)],
                                        ignore_conflicts=True)
    counter = RegisterCounter.objects.select_for_update().get(unit_id=unit_id, year=year, series=series)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number
