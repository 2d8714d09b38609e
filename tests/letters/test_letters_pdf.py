"""Each letter, generated on a suitable case and read back with pypdf (issue 8, "Done when")."""
import pytest

from cases.models import Case
from letters import content, services
from letters.models import Letter
from tests.factories import aware

from .conftest import ACCEPTED, ISSUED, RECEIVED, SUITABLE, pdf_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("letter_type", sorted(SUITABLE))
def test_each_letter_holds_the_case_code_unit_dates_and_legal_basis(world, letter_type):
    build, role = SUITABLE[letter_type]
    case = Case.objects.get(pk=build(world).pk)
    letter = services.issue_letter(case=case, letter_type=letter_type, actor=getattr(world, role),
                                   now=aware(ISSUED, 10))
    assert (letter.number, letter.year, letter.issued_on) == (1, 2026, ISSUED)
    data = letter.attachment.file.read()
    text = pdf_text(data)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert f"Số: 01/{letter.symbol}" in text and "Nơi nhận:" in text
    assert case.tracking_code in text
    assert "Xã A" in text and "TỈNH A" in text  # the unit, under its superior
    assert "Xã A, ngày 27 tháng 7 năm 2026" in text  # place and date of issue
    assert letter.legal_basis and content.vietnamese_basis(letter.legal_basis).split(";")[0] in text
    if letter_type not in ("suspension", "resumption", "extension", "dialogue_invitation"):
        assert RECEIVED.strftime("%d/%m/%Y") in text or ACCEPTED.strftime("%d/%m/%Y") in text
    assert Letter.objects.filter(case=case).count() == 1
