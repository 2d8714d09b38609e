"""The engine's citations, as a Vietnamese letter writes them."""
import pytest

from letters.content import vietnamese_basis, vn_long_date

from .conftest import D


@pytest.mark.parametrize("basis, expected", [
    ("LKN Arts 27, 36; NĐ 155/2026 Art 10", "Điều 27, 36 Luật Khiếu nại; Điều 10 Nghị định 155/2026"),
    ("LKN Art 11; TT 07/2014 Art 7(2)", "Điều 11 Luật Khiếu nại; Điều 7(2) Thông tư 07/2014"),
    ("LTC Art 34(1), (2), (4)", "Điều 34(1), (2), (4) Luật Tố cáo"),
    ("NĐ 124 Art 28a (NĐ 155/2026 Art 12)", "Điều 28a Nghị định 124 (Điều 12 Nghị định 155/2026)"),
    ("LTCD 42/2013 Art 26; TT 07/2014 Art 6", "Điều 26 Luật Tiếp công dân 42/2013; Điều 6 Thông tư 07/2014"),
])
def test_citations_read_article_first_then_the_law(basis, expected):
    assert vietnamese_basis(basis) == expected


def test_the_date_line_pads_days_and_the_first_two_months():
    assert vn_long_date(D(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert vn_long_date(D(2026, 11, 27)) == "ngày 27 tháng 11 năm 2026"
