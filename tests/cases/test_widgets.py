"""FastSelect renders the same HTML as Django's Select (compared as HTML: attribute order aside)."""
import pytest
from django import forms
from django.test.html import parse_html

from cases.widgets import FastSelect

CHOICES = [("", "---------"), ("a", "A <b>"), (3, "Ba"), ("Nhóm", [("b", "B"), ("c", 'C & "D"')])]


@pytest.mark.parametrize("value", ["a", "3", 3, "b", None, "", "missing"])
@pytest.mark.parametrize("attrs", [{"id": "id_f"}, {"id": "id_f", "required": True, "aria-describedby": "h",
                                                    "disabled": False}])
def test_fast_select_renders_what_djangos_select_renders(value, attrs):
    slow = forms.Select(choices=CHOICES).render("f", value, attrs)
    fast = FastSelect(choices=CHOICES).render("f", value, attrs)
    assert parse_html(fast) == parse_html(slow)
    assert "<b>" not in fast  # labels are escaped

