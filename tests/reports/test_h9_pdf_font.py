"""The report PDF embeds the letters' vendored Liberation Serif, never a font of the machine (issue 9)."""
import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from reports import exports

from .test_figures import PROVINCE_ROLLED_UP


def embedded_fonts(data: bytes) -> dict[str, bytes]:
    """Each embedded font's name and its font program."""
    fonts = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptors = [font.get("/FontDescriptor")] + [
                d.get_object().get("/FontDescriptor") for d in font.get("/DescendantFonts", [])]
            for descriptor in filter(None, descriptors):
                descriptor = descriptor.get_object()
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in descriptor:
                        fonts[str(descriptor["/FontName"])] = descriptor[key].get_object().get_data()
    return fonts


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
