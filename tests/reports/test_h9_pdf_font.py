"""The report PDF embeds the letters' vendored Liberation Serif, never a font of the machine (issue 9)."""
import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from reports import exports
from tests.letters.conftest import embedded_fonts

from .test_figures import PROVINCE_ROLLED_UP


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_pdf_embeds_liberation_serif_from_letters_fonts(language):
    with translation.override(language):
        data = exports.render_pdf(PROVINCE_ROLLED_UP)
    fonts = embedded_fonts(data)
    assert fonts and all(name.endswith(("+Report-Serif", "+Report-Serif-Bold")) for name in fonts), fonts.keys()
    for program in fonts.values():  # the subset keeps the font's name table (UTF-16BE)
        assert "Liberation Serif".encode("utf-16-be") in program
        assert "DejaVu".encode("utf-16-be") not in program and b"DejaVu" not in program
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    if language == "vi":
        assert "Báo cáo kết quả công tác tiếp công dân" in text and "Đoàn đông người" in text
