"""Seed the statutory timers (reference §3) and the 2025–2026 calendar overrides (reference §7).

The data is copied here on purpose: a migration must keep meaning the same
thing when the app code changes. Re-running is harmless (get_or_create on the
natural key); reversing deletes only the rows seeded here, never rows an
administrator added.
"""
from datetime import date

from django.db import migrations

ALL_KINDS = ("complaint", "denunciation", "recommendation", "feedback")
PETITIONS = ("recommendation", "feedback")
LKN = date(2012, 7, 1)       # Law on Complaints 02/2011 in force (MEMORY)
LTC = date(2019, 1, 1)       # Law on Denunciations 25/2018 in force (MEMORY)
LTCD = date(2014, 7, 1)      # Law on Citizen Reception 42/2013 in force (MEMORY)
ND20 = date(2008, 3, 1)      # NĐ 20/2008 (14/2/2008), approximate in-force date (MEMORY)
TT05 = date(2021, 11, 15)    # TT 05/2021/TT-TTCP in force (MEMORY)
REFORM = date(2026, 7, 1)    # Law 136/2025, NĐ 154/155/156/2026 in force (reference §0)
BEFORE_REFORM = date(2026, 6, 30)

CX = ("simple", "complex", "especially_complex")


def rule(code, deadline_type, kind, start_event, length, day_count, source, *, round=None, complexity=None,
         remote=None, multi_site=None, max_extensions=0, extension_length=0, effective_from, effective_to=None,
         note=""):
    return {
        "code": code, "deadline_type": deadline_type, "kind": kind, "round": round, "complexity": complexity,
        "remote": remote, "multi_site": multi_site, "start_event": start_event, "length": length,
        "day_count": day_count, "max_extensions": max_extensions, "extension_length": extension_length,
        "effective_from": effective_from, "effective_to": effective_to, "legal_source": source, "note": note,
    }


def complaint_rows():
    rows = [
        rule("K1", "other", "complaint", "decision", 90, "calendar", "LKN Art 9", effective_from=LKN,
             note="Limitation period for the complainant (thời hiệu), from receipt or knowledge of the decision/act; "
                  "time lost to objective obstacles is not counted."),
        rule("K2", "acceptance", "complaint", "receipt", 10, "working",
             "LKN Arts 27, 36; TT 07/2013 Art 5 (as amended by TT 02/2016); NĐ 124/2020 Art 16(1)",
             effective_from=LKN, effective_to=BEFORE_REFORM,
             note="The law says '10 ngày'; the implementing texts say 10 working days."),
        rule("K2", "acceptance", "complaint", "receipt", 7, "working",
             "NĐ 155/2026 Art 10 (NĐ 124/2020 Art 16(1) as amended)", effective_from=REFORM,
             note="Complaints received from 1/7/2026."),
    ]
    # K3 / K4: complex and remote lengthen the period; the Law on Complaints knows only
    # "complex", so an especially complex complaint gets the complex length.
    for code, rnd, source, lengths in (
        ("K3", 1, "LKN Art 28", {False: (30, 45, 45), True: (45, 60, 60)}),
        ("K4", 2, "LKN Art 37", {False: (45, 60, 60), True: (60, 70, 70)}),
    ):
        for remote, by_cx in lengths.items():
            for complexity, length in zip(CX, by_cx):
                rows.append(rule(code, "resolution", "complaint", "acceptance", length, "calendar", source,
                                 round=rnd, complexity=complexity, remote=remote, effective_from=LKN))
    for code, rnd, source, note in (
        ("K5", 1, "LKN Art 33(1)", "Window for a second complaint, from receipt of the 1st decision or expiry of K3 "
                                   "with no decision; the complainant may instead sue."),
        ("K6", 1, "LKN Art 44(1)", "First decision becomes final if no second complaint is filed."),
        ("K7", 2, "LKN Art 44(2)", "Second decision becomes final."),
    ):
        for remote, length in ((False, 30), (True, 45)):
            rows.append(rule(code, "other", "complaint", "decision", length, "calendar", source, round=rnd,
                             remote=remote, effective_from=LKN, note=note))
    rows += [
        rule("K8", "other", "complaint", "decision", 30, "calendar", "LKN Art 11(8)", effective_from=LKN,
             note="Lapse after termination (đình chỉ): a later complaint on the same matter is not accepted."),
        rule("K9", "other", "complaint", "request", 7, "calendar", "LKN Art 12(1)(đ)", effective_from=LKN,
             note="Third parties supply documents requested by the complainant ('07 ngày')."),
        rule("K10", "other", "complaint", "decision", 5, "calendar",
             "NĐ 124/2020 Art 28(1) as amended by NĐ 155/2026 Art 11", effective_from=REFORM,
             note="Lead time: notice of a dialogue at least 5 days BEFORE the dialogue (counted back from it). "
                  "Calendar days INFERRED."),
        rule("K11", "other", "complaint", "decision", 3, "working",
             "NĐ 124/2020 Arts 28a–28b as added by NĐ 155/2026 Art 12", effective_from=REFORM,
             note="Suspension, termination or resumption decision sent to the parties within 3 wd. The resolution "
                  "clock pauses while suspended; this row's existence is what allows suspending a complaint."),
    ]
    return rows


def denunciation_rows():
    rows = [
        rule("T1", "acceptance", "denunciation", "receipt", 7, "working", "LTC Art 24(1)", multi_site=False,
             effective_from=LTC),
        rule("T1", "acceptance", "denunciation", "receipt", 10, "working", "LTC Art 24(1)", multi_site=True,
             effective_from=LTC, note="Checks needed at several places, or delegated to another body."),
        rule("T2", "forward", "denunciation", "receipt", 5, "working", "LTC Art 24(2)–(3)", effective_from=LTC,
             note="Forward a denunciation outside the body's competence and notify the denouncer."),
        rule("T3", "notice", "denunciation", "acceptance", 5, "working", "LTC Art 29(3); NĐ 31/2019 Art 9(2)",
             effective_from=LTC, note="Notify the denouncer of acceptance and the accused of the content."),
    ]
    for complexity, extensions in zip(CX, (0, 1, 2)):
        rows.append(rule("T4", "resolution", "denunciation", "acceptance", 30, "calendar",
                         "LTC Art 30; NĐ 31/2019 Art 3", complexity=complexity, max_extensions=extensions,
                         extension_length=30, effective_from=LTC,
                         note="Each extension is a written decision sent to both parties; added to the unrolled end."))
    rows += [
        rule("T5", "other", "denunciation", "decision", 5, "working", "LTC Art 34(1), (2), (4)", effective_from=LTC,
             note="Suspension: the suspended time is excluded from T4; the decision is sent within 5 wd."),
        rule("T6", "report_back", "denunciation", "receipt", 20, "calendar", "LTC Art 26(2)", effective_from=LTC,
             note="Denunciation forwarded by the press or a competent body: report the handling result back."),
        rule("T7", "other", "denunciation", "receipt", 20, "calendar", "LTC Art 37(2)", effective_from=LTC,
             note="Follow-up denunciation (tố cáo tiếp): the superior reviews the file."),
        rule("T8", "other", "denunciation", "receipt", 5, "working", "LTC Art 38(2)", effective_from=LTC,
             note="Overdue denunciation escalated: the superior asks the resolver for a report."),
        rule("T8", "other", "denunciation", "request", 5, "working", "LTC Art 38(3), (5)", effective_from=LTC,
             note="Overdue denunciation escalated: the resolver reports within 5 wd of the superior's request."),
    ]
    return rows


def petition_rows():
    rows = []
    for kind in ALL_KINDS:
        rows += [
            rule("C5", "other", kind, "receipt", 10, "working", "LTCD Art 28(1)", effective_from=LTCD,
                 note="Reply to a person who came to reception: accepted / needs more time / refused / forwarded."),
            rule("C6", "report_back", kind, "decision", 7, "working", "LTCD Art 27(2)", effective_from=LTCD,
                 note="Report the result of a case forwarded by NA bodies, deputies or a Reception Board."),
            rule("C7", "other", kind, "receipt", 5, "working", "LTCD Art 28(2)", effective_from=LTCD,
                 note="The forwarder informs the citizen, from receipt of the C6 notice."),
            rule("C8", "other", kind, "decision", 3, "working", "NĐ 154/2026 Art 4(3)", effective_from=REFORM,
                 note="Written notice refusing reception, from the date the grounds are established."),
            rule("X1", "acceptance" if kind in PETITIONS else "other", kind, "receipt", 10, "working",
                 "TT 05/2021/TT-TTCP (MEMORY, medium confidence)", effective_from=TT05,
                 note="Processing an incoming petition (xử lý đơn). No statutory resolution deadline exists "
                      "for recommendations and feedback."),
        ]
    for kind in PETITIONS:
        rows.append(rule("P1", "forward", kind, "receipt", 5, "working", "NĐ 20/2008 Art 9(1)(d) (NĐ 48/2013)",
                         effective_from=ND20,
                         note="Petition on an administrative regulation outside the body's competence: forward. "
                              "Current force of NĐ 20/2008 not checked."))
    return rows


RULES = complaint_rows() + denunciation_rows() + petition_rows()

W10 = "reference §7; 12729/VPCP-KGVX via W10 (low-quality source)"
OVERRIDES = [
    {"date": when, "kind": kind, "assumed": assumed, "description": description, "source": source}
    for when, kind, assumed, description, source in (
        (date(2025, 4, 26), "working_day", False, "Make-up working Saturday for the Fri 2/5/2025 swap day",
         "reference §7; holidays 0.109 (W14)"),
        (date(2026, 1, 2), "day_off", True, "New Year 2026 swap day off (worked back on Sat 10/1/2026)", W10),
        (date(2026, 1, 10), "working_day", True, "Make-up working Saturday for Fri 2/1/2026", W10),
        (date(2026, 8, 22), "working_day", True, "Make-up working Saturday for Mon 31/8/2026 (National Day break)",
         "reference §7, §9(10); proposal W12, final decision not seen"),
        (date(2026, 8, 31), "day_off", True,
         "National Day swap day off (also in holidays 0.109); final decision not seen",
         "reference §7, §9(10); W12, W14"),
        (date(2026, 11, 24), "day_off", True,
         "Ngày Văn hóa Việt Nam (also in holidays 0.109); Labour Code amendment not verified",
         "reference §7, §9(10); NQ 80-NQ/TW (W11)"),
    )
]

RULE_KEY = ("code", "deadline_type", "kind", "round", "complexity", "remote", "multi_site", "start_event",
            "effective_from")


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    CalendarOverride = apps.get_model("deadlines", "CalendarOverride")
    for row in RULES:
        key = {k: row[k] for k in RULE_KEY}
        DeadlineRule.objects.get_or_create(**key, defaults={k: v for k, v in row.items() if k not in RULE_KEY})
    for row in OVERRIDES:
        CalendarOverride.objects.get_or_create(date=row["date"], defaults=row)


def unseed(apps, schema_editor):
    DeadlineRule = apps.get_model("deadlines", "DeadlineRule")
    CalendarOverride = apps.get_model("deadlines", "CalendarOverride")
    for row in RULES:
        DeadlineRule.objects.filter(**row).delete()
    for row in OVERRIDES:
        CalendarOverride.objects.filter(**row).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
