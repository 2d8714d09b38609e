"""K2 notice rows: the written notice of acceptance, or of refusal with its reasons, of a complaint.

Reference §3.1 K2: the notice goes to the complainant, the body that forwarded the complaint and the
inspectorate at the same level, within the acceptance window counted from receipt — 10 working days
for complaints received before 1/7/2026, 7 working days from that date. Tracked like T3 for
denunciations (``deadline_type`` "notice"), but started by the receipt: the notice is owed whether the
complaint is accepted or refused.

Copied data, as in 0002: re-running is harmless, reversing deletes only these rows.
"""
from datetime import date

from django.db import migrations

LKN = date(2012, 7, 1)
REFORM = date(2026, 7, 1)
BEFORE_REFORM = date(2026, 6, 30)

RULES = [
    {
        "code": "K2", "deadline_type": "notice", "kind": "complaint", "round": None, "complexity": None,
        "remote": None, "multi_site": None, "start_event": "receipt", "length": 10, "day_count": "working",
        "max_extensions": 0, "extension_length": 0, "effective_from": LKN, "effective_to": BEFORE_REFORM,
        "legal_source": "LKN Arts 27, 36; TT 07/2013 Art 5 (as amended by TT 02/2016)",
        "note": "Written notice of acceptance, or of refusal with reasons, to the complainant, the forwarding "
                "body and the inspectorate at the same level, within the acceptance window.",
    },
    {
        "code": "K2", "deadline_type": "notice", "kind": "complaint", "round": None, "complexity": None,
        "remote": None, "multi_site": None, "start_event": "receipt", "length": 7, "day_count": "working",
        "max_extensions": 0, "extension_length": 0, "effective_from": REFORM, "effective_to": None,
        "legal_source": "LKN Arts 27, 36; NĐ 155/2026 Art 10 (NĐ 124/2020 Art 16(1) as amended)",
        "note": "Complaints received from 1/7/2026: the notice is due within the 7-working-day acceptance window.",
    },
]

RULE_KEY = ("code", "deadline_type", "kind", "round", "complexity", "remote", "multi_site", "start_event",
            "effective_from")


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    for row in RULES:
        key = {k: row[k] for k in RULE_KEY}
        DeadlineRule.objects.get_or_create(**key, defaults={k: v for k, v in row.items() if k not in RULE_KEY})


def unseed(apps, schema_editor):
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    for row in RULES:
        DeadlineRule.objects.filter(**row).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0004_h1_seed_calendar_years")]

    operations = [migrations.RunPython(seed, unseed)]
