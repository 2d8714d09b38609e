"""Form widgets for the list pages."""
from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """A select rendered in Python, with the same HTML as Django's template. Django renders each option
    through a template include: the queue page's filter (four selects) cost more than its 50 rows."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            html = format_html_join("", '<option value="{}"{}>{}</option>', (
                (str(option["value"]), flatatt(option["attrs"]), option["label"]) for option in options))
            groups.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, html) if group_name else html)
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]),
                           mark_safe("".join(groups)))  # noqa: S308 — every part was escaped by format_html
