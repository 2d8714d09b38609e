"""Seed the years whose holiday schedule is confirmed (reference §7): 2025 and 2026.

Any other year (2027 included) has no confirmed row, so a count running
through it is flagged ``assumed_years``. 2026 is confirmed as a schedule
while its unverified days stay flagged one by one (``CalendarOverride.assumed``,
reference §9(10)). Re-running is harmless; reversing deletes only these rows.
"""
from django.db import migrations

YEARS = [
    {"year": 2025, "confirmed": True,
     "source": "reference §7; notice 6150/TB-BLĐTBXH via W14; holidays 0.109",
     "note": "Tết Ất Tỵ 27–31/1, Hùng Kings 7/4, 30/4–2/5 (Sat 26/4 worked), National Day 1–2/9."},
    {"year": 2026, "confirmed": True,
     "source": "reference §7; W9, W10, W14; holidays 0.109",
     "note": "Tết Bính Ngọ 16–20/2 confirmed. The New Year swap, the National Day swap and 24/11 are "
             "unverified: they stay flagged one by one as assumed overrides (reference §9(10))."},
]


def seed(apps, schema_editor):
    CalendarYear = apps.get_model("deadlines", "CalendarYear")
    for row in YEARS:
        CalendarYear.objects.get_or_create(year=row["year"], defaults=row)


def unseed(apps, schema_editor):
    CalendarYear = apps.get_model("deadlines", "CalendarYear")
    for row in YEARS:
        CalendarYear.objects.filter(**row).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0003_h1_calendar_years_and_days")]

    operations = [migrations.RunPython(seed, unseed)]
