"""The accused's letters hold no part of the denouncer's identity; ``manage.py letter`` and its exit codes;
the fonts are embedded and Vietnamese text reads back intact."""
import sys

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from cases import services as case_services
from cases.models import Case
from letters import content, services
from letters.models import Letter
from tests.factories import aware

from .conftest import (
    ACCEPTED,
    DECIDED,
    DENOUNCER,
    ISSUED,
    D,
    accepted,
    decided,
    intake,
    pdf_fonts,
    pdf_text,
)

pytestmark = pytest.mark.django_db

# The denouncer's name and phone, written into every free text an officer fills in.
NAMED = f"{DENOUNCER['full_name']} (ĐT {DENOUNCER['phone']}, CCCD {DENOUNCER['id_number']}, {DENOUNCER['address']})"


def denunciation_through_every_letter_to_the_accused(world) -> Case:
    case = accepted(world, "denunciation", complexity="complex", complexity_grounds="Nhiều nơi",
                    content=f"Tôi là {NAMED}, tố cáo cán bộ địa chính xã A nhận tiền của người dân.")
    case_services.case_extend(case=case, actor=world.head, grounds=f"Cần làm việc thêm với {NAMED}.", days=10,
                              now=aware(D(2026, 7, 10)))
    case_services.case_suspend(case=case, actor=world.head, ground="await_expert",
                               grounds=f"Chờ giám định chữ ký của {DENOUNCER['full_name']}.", now=aware(D(2026, 7, 13)))
    case_services.case_resume(case=case, actor=world.head, ground="result_received", grounds=f"Đã có kết quả ({NAMED}).",
                              now=aware(D(2026, 7, 15)))
    case_services.case_assign(case=case, actor=world.head, handler=world.handler, now=aware(D(2026, 7, 15)))
    case_services.case_start_verification(case=case, actor=world.handler, now=aware(D(2026, 7, 15)))
    return case_services.case_decide(case=Case.objects.get(pk=case.pk), actor=world.head, conclusion_number="3/KL",
                                     summary=f"Tố cáo của {DENOUNCER['full_name'].upper()} đúng một phần.",
                                     measures="Kiểm điểm cán bộ địa chính.", now=aware(DECIDED))


def test_no_letter_to_the_accused_holds_any_part_of_the_denouncers_identity(world):
    case = Case.objects.get(pk=denunciation_through_every_letter_to_the_accused(world).pk)
    identity = [value for value in DENOUNCER.values()] + ["Bích Ngọc", "0912345678", "079190001234", "Lê Lợi"]
    texts = {}
    for letter_type in content.ACCUSED_TYPES:
        letter = services.issue_letter(case=case, letter_type=letter_type, audience="accused", actor=world.head,
                                       now=aware(ISSUED, 10))
        texts[letter_type] = pdf_text(letter.attachment.file.read())
        assert case.tracking_code in texts[letter_type] and "Cán bộ địa chính xã A" in texts[letter_type]
    for letter_type, text in texts.items():
        lowered = text.lower()
        assert [value for value in identity if value.lower() in lowered] == [], letter_type
    assert "[…]" in texts["acceptance"]  # the content the accused is told, with the denouncer removed
    # the same conclusion to the denouncer does name her: the check above would have seen a leak
    to_denouncer = services.issue_letter(case=case, letter_type="conclusion", actor=world.head, now=aware(ISSUED, 11))
    assert DENOUNCER["full_name"] in pdf_text(to_denouncer.attachment.file.read())


@translation.override("en")  # the refusals are read in English (alone, the suite's default is Vietnamese)
def test_a_letter_to_the_accused_is_refused_where_it_does_not_apply(world):
    complaint = accepted(world)
    with pytest.raises(Exception, match="only a denunciation"):
        services.issue_letter(case=complaint, letter_type="acceptance", audience="accused", actor=world.head)
    denunciation = intake(world, "denunciation")
    with pytest.raises(Exception, match="not sent to the accused"):
        services.issue_letter(case=denunciation, letter_type="receipt", audience="accused", actor=world.reception)


def test_the_fonts_are_embedded_and_vietnamese_reads_back_intact(world):
    letter = services.issue_letter(case=intake(world), letter_type="receipt", actor=world.reception,
                                   now=aware(ACCEPTED, 10))
    data = letter.attachment.file.read()
    fonts = pdf_fonts(data)
    assert fonts and all("Letter-Serif" in name for name in fonts)  # ours, subset and embedded; no system font
    text = pdf_text(data)
    for phrase in ("GIẤY BIÊN NHẬN", "Nguyễn Văn A", "Đơn khiếu nại", "Người gửi đơn dùng mã số hồ sơ",
                   "ngày 08 tháng 7 năm 2026"):
        assert phrase in text


def run(*args) -> int:
    """The command's exit status and its one-line error, as ``manage.py`` prints them (``run_from_argv``
    also closes the database connections, which would end the test's transaction)."""
    try:
        call_command("letter", *args, stdout=sys.stdout)
    except CommandError as error:
        sys.stderr.write(f"{error.__class__.__name__}: {error}\n")
        return error.returncode
    return 0


def test_the_command_issues_a_letter_and_exits_2_on_an_unknown_case_or_a_state_that_does_not_allow_it(
        world, tmp_path, capsys):
    case = accepted(world)
    out = tmp_path / "decision.pdf"
    assert run("NOSUCHCODE", "decision", "--out", str(out)) == 2
    assert capsys.readouterr().err.strip().splitlines() == ["CommandError: unknown case NOSUCHCODE"]
    assert run(case.tracking_code, "decision", "--out", str(out)) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "has not been decided" in error[0] and not out.exists()

    draft = tmp_path / "draft.pdf"
    assert run(case.tracking_code, "acceptance", "--out", str(draft), "--draft") == 0
    assert "Số: …/TB-UBND" in pdf_text(draft.read_bytes()) and not Letter.objects.exists()
    assert capsys.readouterr().out.strip() == f"draft {draft}"

    issued = tmp_path / "acceptance.pdf"
    assert run(case.tracking_code, "acceptance", "--out", str(issued), "--signer", "lanhdao",
               "--now", "2026-07-27T10:00:00+07:00") == 0
    letter = Letter.objects.get()
    assert (letter.reference, letter.issued_by, letter.signer_name) == ("01/TB-UBND", None, "lanhdao")
    assert issued.read_bytes() == letter.attachment.file.read()
    assert capsys.readouterr().out.strip() == f"01/TB-UBND {issued}"


def test_the_command_issues_a_decision_once_the_case_is_decided(world, tmp_path):
    case = decided(world)
    out = tmp_path / "d.pdf"
    assert run(case.tracking_code, "decision", "--out", str(out), "--now", "2026-07-27T10:00:00+07:00") == 0
    assert "QUYẾT ĐỊNH" in pdf_text(out.read_bytes())
